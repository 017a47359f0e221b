"""Which column of a practice software's CSV export holds which identity trait.

Exports differ from one software to the next ("NOM_NAISSANCE", "Nom patronymique", "Nom"...), so
the columns are first guessed from the headers (:func:`suggest_mapping`), then shown to the user
who corrects them, and the corrected mapping is saved by header *name*: next year's export of
the same software may put its columns in another order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from escap_desktop.core.rules.wording import join_sentences, quoted_list
from escap_desktop.core.text import fold
from escap_desktop.imports.errors import ImportReadError

_NUMBERED_COLUMN = re.compile(r"Colonne (\d+)")
"""The name :func:`~escap_desktop.imports.csv_layout.column_names` gives a column with no header."""

_MAPPING_VERSION = 1


class PatientField(StrEnum):
    """A patient trait a column can fill; each value is the ``Patient`` field it sets."""

    BIRTH_NAME = "birth_name"
    FIRST_NAMES = "first_names"
    BIRTH_DATE = "birth_date"
    SEX = "sex"
    BIRTH_PLACE_CODE = "birth_place_code"
    INS = "ins"
    USED_NAME = "used_name"
    USED_FIRST_NAME = "used_first_name"
    PHONE = "phone"
    ADDRESS = "address"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def required(self) -> bool:
        """The four traits without which no patient record can be created."""
        return self in _REQUIRED


_LABELS = {
    PatientField.BIRTH_NAME: "Nom de naissance",
    PatientField.FIRST_NAMES: "Prénom(s)",
    PatientField.BIRTH_DATE: "Date de naissance",
    PatientField.SEX: "Sexe",
    PatientField.BIRTH_PLACE_CODE: "Lieu de naissance (code INSEE)",
    PatientField.INS: "NIR / INS",
    PatientField.USED_NAME: "Nom utilisé",
    PatientField.USED_FIRST_NAME: "Prénom utilisé",
    PatientField.PHONE: "Téléphone",
    PatientField.ADDRESS: "Adresse",
}
_ORDER = {field: rank for rank, field in enumerate(PatientField)}
_REQUIRED = frozenset(
    {PatientField.BIRTH_NAME, PatientField.FIRST_NAMES, PatientField.BIRTH_DATE, PatientField.SEX}
)


@dataclass(frozen=True)
class ColumnMapping:
    """The column index (0-based) of each mapped field; a field may be left unmapped.

    The mapping is copied into a read-only view, so a mapping handed to a reader cannot change
    under it (it is therefore not hashable).
    """

    columns: Mapping[PatientField, int]

    def __post_init__(self) -> None:
        columns = {PatientField(field): index for field, index in self.columns.items()}
        for field, index in columns.items():
            if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                raise ValueError(f"column index of {field} must be an int >= 0, not {index!r}")
        object.__setattr__(self, "columns", MappingProxyType(columns))

    def missing_required(self) -> list[PatientField]:
        """The required fields with no column, in form order."""
        return [field for field in PatientField if field.required and field not in self.columns]

    def to_json(self, headers: Sequence[str]) -> str:
        """The mapping as saved: each field with its column's header name and its index.

        Reading it back looks the name up first (the export may have reordered its columns);
        the index only serves files without a header row ("Colonne 3").
        """
        saved = {
            field.value: {
                "header": headers[index] if index < len(headers) else None,
                "index": index,
            }
            for field, index in self.columns.items()
        }
        return json.dumps({"version": _MAPPING_VERSION, "columns": saved}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, headers: Sequence[str]) -> ColumnMapping:
        """The saved mapping applied to this file's ``headers``.

        A field whose header is no longer in the file is dropped (the user maps it again)
        rather than guessed by position. Raises ImportReadError for a text that is not a saved
        mapping.
        """
        try:
            saved = json.loads(text)["columns"]
            entries = [(PatientField(name), entry) for name, entry in saved.items()]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ImportReadError(
                "La correspondance des colonnes enregistrée est illisible : associez de "
                "nouveau les colonnes du fichier."
            ) from None
        by_name = {name: index for index, name in enumerate(headers)}
        by_folded = {_key(name): index for index, name in reversed(list(enumerate(headers)))}
        columns: dict[PatientField, int] = {}
        for field, entry in entries:
            index = _saved_index(entry, by_name, by_folded, len(headers))
            if index is not None:
                columns[field] = index
        return cls(columns)


def _saved_index(
    entry: object, by_name: dict[str, int], by_folded: dict[str, int], width: int
) -> int | None:
    if not isinstance(entry, dict):
        return None
    header, index = entry.get("header"), entry.get("index")
    if isinstance(header, str) and not _NUMBERED_COLUMN.fullmatch(header):
        return by_name.get(header, by_folded.get(_key(header)))
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < width:
        return index
    return None


# --- Guessing the columns from the headers ---------------------------------------------------


def _key(header: str) -> str:
    """A header reduced to its words: "Né(e) le" → "ne e le", "N° SS" → "n ss"."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(header)))


def _has(words: set[str], *stems: str) -> bool:
    return any(word.startswith(stem) for word in words for stem in stems)


_GENERIC_NAME = "nom"
_NUMBER_WORDS = {"n", "no", "num", "numero"}
_PLACE_WORDS = ("lieu", "commune", "ville", "pays", "dep", "insee", "cog", "code")


def _guess(key: str) -> PatientField | str | None:
    """The field a header names, ``_GENERIC_NAME`` for a plain "Nom", None when unknown."""
    words = set(key.split())
    if {"nom", "prenom"} <= words:
        return None  # "Nom Prénom" in one column: the reader cannot split it.
    if words & {"prenom", "prenoms"}:
        if _has(words, "usuel", "usage", "utilis", "appel"):
            return PatientField.USED_FIRST_NAME
        return PatientField.FIRST_NAMES
    if _has(words, "naiss") or "ddn" in words or key.startswith(("ne e le", "ne le", "nee le")):
        if _has(words, *_PLACE_WORDS):
            # A plain "Lieu de naissance" holds a town's name, not its INSEE code.
            return PatientField.BIRTH_PLACE_CODE if _has(words, "insee", "cog", "code") else None
        return PatientField.BIRTH_NAME if "nom" in words else PatientField.BIRTH_DATE
    if "nom" in words or "patronyme" in words:
        if _has(words, "patronym", "famille", "jeune"):
            return PatientField.BIRTH_NAME
        if _has(words, "usage", "usuel", "marital", "utilis", "epouse"):
            return PatientField.USED_NAME
        return _GENERIC_NAME if words <= {"nom", "patient", "du", "de", "le"} else None
    if words & {"sexe", "sex", "genre"}:
        return PatientField.SEX
    if words & {"nir", "ins"} or "securite sociale" in key or _is_ss_number(words):
        return PatientField.INS
    if words & {"tel", "telephone", "portable", "mobile", "gsm"}:
        return PatientField.PHONE
    if "adresse" in words and not _has(words, "mail", "courriel", "mel", "mss", "messagerie"):
        return PatientField.ADDRESS
    return None


def _is_ss_number(words: set[str]) -> bool:
    """ "N° SS", "Num SS", "N° INSEE", "Matricule" (the NIR has all these names)."""
    return bool(words & {"ss", "insee"} and words & _NUMBER_WORDS) or "matricule" in words


def suggest_mapping(headers: Sequence[str]) -> ColumnMapping:
    """The mapping guessed from the headers (case, accents and punctuation ignored).

    Each field takes the first column that names it. A plain "Nom" is the birth name, unless a
    birth-name column ("Nom de naissance", "Nom patronymique"...) exists: then it is the name
    the patient uses. A header row of numbers (a file without one) maps nothing.
    """
    columns: dict[PatientField, int] = {}
    generic: list[int] = []
    for index, header in enumerate(headers):
        guess = _guess(_key(header))
        if guess == _GENERIC_NAME:
            generic.append(index)
        elif isinstance(guess, PatientField) and guess not in columns:
            columns[guess] = index
    for index in generic:
        for field in (PatientField.BIRTH_NAME, PatientField.USED_NAME):
            if field not in columns:
                columns[field] = index
                break
    return ColumnMapping({field: columns[field] for field in PatientField if field in columns})


def check_mapping(mapping: ColumnMapping) -> None:
    """Raises ImportReadError naming the required fields left unmapped and the columns that
    fill two fields, so the mapping screen can say everything to fix at once."""
    sentences: list[str] = []
    missing = mapping.missing_required()
    if missing:
        labels = quoted_list([field.label for field in missing])
        what = "ce champ obligatoire" if len(missing) == 1 else "ces champs obligatoires"
        sentences.append(f"Associez une colonne du fichier à {what} : {labels}")
    by_column: dict[int, list[PatientField]] = {}
    for field, index in mapping.columns.items():
        by_column.setdefault(index, []).append(field)
    for index, fields in sorted(by_column.items()):
        if len(fields) > 1:
            labels = quoted_list([field.label for field in sorted(fields, key=_ORDER.__getitem__)])
            sentences.append(
                f"La colonne {index + 1} est associée à plusieurs champs ({labels}) : une "
                "colonne ne peut remplir qu'un champ"
            )
    if sentences:
        raise ImportReadError(join_sentences(sentences))
