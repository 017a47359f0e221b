"""The French wording of the documents, read from TOML files rather than code.

A site adapts the wording without a release by putting a file of the same name in its own
folder (``templates_dir``): its keys replace the bundled ones one by one, so a site file may hold
a single paragraph. Placeholders are ``{name}``; the values filled in are escaped, the template
text itself may use reportlab's inline markup (``<b>``, ``<i>``, ``<br/>``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.markup import escape
from escap_desktop.documents.resources import bundled_templates_dir

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Template:
    """The texts of one document: dotted keys ("rights.heading") to strings or lists of them."""

    name: str
    texts: Mapping[str, str | tuple[str, ...]]
    sources: tuple[Path, ...]

    def text(self, key: str, **values: object) -> str:
        """One text as Paragraph markup, with ``values`` escaped and filled in."""
        raw = self._raw(key)
        if not isinstance(raw, str):
            raise self._error(f"le texte « {key} » doit être une chaîne, pas une liste")
        return self._fill(key, raw, values)

    def paragraphs(self, key: str, **values: object) -> list[str]:
        """A list of paragraphs (a single string counts as one paragraph)."""
        raw = self._raw(key)
        items = (raw,) if isinstance(raw, str) else raw
        return [self._fill(key, item, values) for item in items]

    def _raw(self, key: str) -> str | tuple[str, ...]:
        try:
            return self.texts[key]
        except KeyError:
            raise self._error(f"le texte « {key} » est absent") from None

    def _fill(self, key: str, raw: str, values: Mapping[str, object]) -> str:
        def substitute(match: re.Match[str]) -> str:
            token = match.group(0)
            if token in ("{{", "}}"):
                return token[0]
            name = match.group(1)
            if name not in values:
                known = ", ".join(sorted(values)) or "aucune"
                raise self._error(
                    f"le texte « {key} » utilise la variable inconnue {{{name}}} "
                    f"(variables possibles : {known})"
                )
            return escape(values[name])

        return _PLACEHOLDER.sub(substitute, raw)

    def _error(self, problem: str) -> DocumentError:
        files = ", ".join(str(path) for path in self.sources)
        return DocumentError(
            f"Modèle de document « {self.name} » inutilisable : {problem} ({files})."
        )


def load_template(name: str, templates_dir: Path | None = None) -> Template:
    """The bundled texts of ``name`` with the site's file (if any) laid over them."""
    sources = [bundled_templates_dir() / f"{name}.toml"]
    if templates_dir is not None:
        site_file = Path(templates_dir) / f"{name}.toml"
        if site_file.is_file():
            sources.append(site_file)
    texts: dict[str, str | tuple[str, ...]] = {}
    for path in sources:
        texts.update(_read(path))
    return Template(name=name, texts=texts, sources=tuple(sources))


def _read(path: Path) -> dict[str, str | tuple[str, ...]]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DocumentError(f"Le modèle de document {path} est introuvable.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DocumentError(f"Le modèle de document {path} est illisible : {error}.") from error
    flat: dict[str, str | tuple[str, ...]] = {}
    _flatten(document, "", flat, path)
    return flat


def _flatten(node: Mapping[str, Any], prefix: str, out: dict, path: Path) -> None:
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, f"{dotted}.", out, path)
        elif isinstance(value, str):
            out[dotted] = value.strip()
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            out[dotted] = tuple(item.strip() for item in value)
        else:
            raise DocumentError(
                f"Le modèle de document {path} est invalide : « {dotted} » doit être un texte "
                "ou une liste de textes."
            )
