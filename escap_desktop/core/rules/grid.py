"""The inclusion grid is data: a versioned TOML file, loaded, checked and scored here.

The official grid is not public yet, so the bundled ``resources/grids/escap-2025.toml`` stands in
for it. Publishing the official one means dropping a new file (new version) into the grids folder,
never a release. Every assessment keeps the grid id and version it used; :class:`GridCatalog`
gives back exactly that version to re-score or print it, and refuses rather than use another.

File layout (all keys required unless said otherwise)::

    [grid]
    id = "escap"                  # lower-case letters, digits, "_" or "-"
    version = "2025.1"            # a quoted text, never a number
    title = "..."
    note = "..."                  # optional
    total = 26                    # must equal the sum of the items' points
    threshold = 13                # 1..total
    groups = ["Santé", ...]       # every item belongs to one of them

    [[exclusions]]                # optional; ids the application knows how to evaluate
    id = "grossesse"
    label = "..."
    help = "..."                  # optional

    [[items]]                     # one table per item
    id = "chutes"
    label = "..."
    help = "..."                  # optional
    points = 1                    # positive integer
    group = "Autonomie"
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from escap_desktop.core.errors import GridError, ValidationError
from escap_desktop.core.rules.wording import plural, quoted_list

DEFAULT_GRID_FILE = "escap-2025.toml"

EXCLUSION_FIELDS: dict[str, str] = {"grossesse": "pregnant"}
"""Exclusions the application can evaluate: exclusion id -> ClinicalSituation field (a bool)."""

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")
_GRID_KEYS = {"id", "version", "title", "note", "total", "threshold", "groups"}
_ITEM_KEYS = {"id", "label", "help", "points", "group"}
_EXCLUSION_KEYS = {"id", "label", "help"}
_SECTIONS = {"grid", "items", "exclusions"}


@dataclass(frozen=True, slots=True)
class GridItem:
    """One tick box of the grid."""

    id: str
    label: str
    points: int
    group: str
    help: str = ""


@dataclass(frozen=True, slots=True)
class GridExclusion:
    """A situation that makes the patient ineligible whatever the score (e.g. pregnancy)."""

    id: str
    label: str
    help: str = ""


@dataclass(frozen=True, slots=True)
class Grid:
    """A loaded, checked grid version. ``source`` (the file) does not take part in equality."""

    grid_id: str
    version: str
    title: str
    total: int
    threshold: int
    groups: tuple[str, ...]
    items: tuple[GridItem, ...]
    exclusions: tuple[GridExclusion, ...] = ()
    note: str = ""
    source: str = field(default="", compare=False)

    @property
    def max_points(self) -> int:
        return sum(item.points for item in self.items)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> GridItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise ValidationError(
            f"L'item « {item_id} » n'existe pas dans la grille {self.grid_id} version "
            f"{self.version}.",
            field="answers",
        )

    def items_in(self, group: str) -> tuple[GridItem, ...]:
        return tuple(item for item in self.items if item.group == group)


# --- Where the bundled grids are -------------------------------------------------------------


def bundled_grids_dir() -> Path:
    """``resources/grids`` of the application.

    ``resources/`` sits at the repository root beside the ``escap_desktop`` package, so the path
    is found from this file (``escap_desktop/core/rules/grid.py`` -> three folders up). That
    works for the editable install (``pip install -e .``: the package is the source tree) and
    for a PyInstaller build that bundles ``resources`` at the root next to ``escap_desktop``
    (``datas=[("resources", "resources")]``). A plain wheel does not ship ``resources/``: use a
    site grids folder (``LocalProfile.grid_path``) there.
    """
    return Path(__file__).resolve().parents[3] / "resources" / "grids"


def default_grid_path() -> Path:
    """The bundled grid file used for new assessments when the site configures no other."""
    return bundled_grids_dir() / DEFAULT_GRID_FILE


# --- Loading ---------------------------------------------------------------------------------


def load_grid(path: Path | str) -> Grid:
    """Reads and checks one grid file.

    A missing, unreadable or non-TOML file raises GridError with one French sentence; a TOML file
    with faults raises GridError whose ``problems`` lists every fault found, item by item.
    """
    return parse_grid(read_grid_file(path), source=str(path))


def read_grid_file(path: Path | str) -> dict[str, Any]:
    """The TOML content of a grid file, or GridError with one French sentence."""
    path = Path(path)
    if not path.exists():
        raise GridError(f"Fichier de grille introuvable : {path}.")
    if path.is_dir():
        raise GridError(f"{path} est un dossier, pas un fichier de grille.")
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise GridError(
            f"Le fichier de grille {path} ne peut pas être lu : accès refusé."
        ) from None
    except OSError:
        raise GridError(f"Le fichier de grille {path} ne peut pas être lu.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise GridError(
            f"Le fichier de grille {path} n'est pas un texte UTF-8 : enregistrez-le en UTF-8."
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"line (\d+), column (\d+)", str(error))
        position = f" (ligne {where.group(1)}, colonne {where.group(2)})" if where else ""
        raise GridError(
            f"Le fichier de grille {path} n'est pas un fichier TOML valide{position}."
        ) from None


class _Problems:
    """Collects French problem sentences, each prefixed by the part of the file at fault."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where} : {what}")


def _text(
    table: Mapping[str, Any], key: str, name: str, where: str, problems: _Problems
) -> str | None:
    """A required non-empty text; ``name`` is the French name of the key (with its article)."""
    if key not in table:
        problems.add(where, f"{name} ({key}) manquant.")
        return None
    value = table[key]
    if not isinstance(value, str):
        problems.add(where, f"{name} ({key}) doit être un texte entre guillemets.")
        return None
    if not value.strip():
        problems.add(where, f"{name} ({key}) est vide.")
        return None
    return value.strip()


def _optional_text(table: Mapping[str, Any], key: str, where: str, problems: _Problems) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        problems.add(where, f"le texte « {key} » doit être entre guillemets.")
        return ""
    return value.strip()


def _is_positive_int(value: object) -> bool:
    """TOML gives bools as ints' subclass: ``true`` is not 1 point."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _points(table: Mapping[str, Any], where: str, problems: _Problems) -> int | None:
    if "points" not in table:
        problems.add(where, "points manquants.")
        return None
    value = table["points"]
    if not _is_positive_int(value):
        problems.add(where, f"les points doivent être un entier positif (reçu : {value!r}).")
        return None
    return value


def _unknown_keys(
    table: Mapping[str, Any], known: set[str], where: str, problems: _Problems
) -> None:
    for key in sorted(set(table) - known):
        problems.add(where, f"clé inconnue « {key} ».")


def _identifier(table: Mapping[str, Any], where: str, problems: _Problems) -> str | None:
    value = _text(table, "id", "identifiant", where, problems)
    if value is not None and not _ID.fullmatch(value):
        problems.add(
            where,
            f"identifiant « {value} » invalide (lettres minuscules sans accent, chiffres, "
            "« _ » ou « - »).",
        )
        return None
    return value


def _parse_header(data: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    where = "En-tête [grid]"
    header = data.get("grid")
    if not isinstance(header, dict):
        problems.add(where, "section manquante.")
        return {}
    _unknown_keys(header, _GRID_KEYS, where, problems)
    values: dict[str, Any] = {
        "grid_id": _identifier(header, where, problems),
        "title": _text(header, "title", "titre", where, problems),
        "note": _optional_text(header, "note", where, problems),
    }
    version = header.get("version")
    if version is None:
        problems.add(where, "version manquante.")
    elif not isinstance(version, str):
        problems.add(where, f"la version doit être un texte entre guillemets (« {version} »).")
        version = None
    elif not _VERSION.fullmatch(version):
        problems.add(where, f"version « {version} » invalide.")
        version = None
    values["version"] = version

    total = header.get("total")
    if total is None:
        problems.add(where, "total manquant.")
    elif not _is_positive_int(total):
        problems.add(where, f"le total doit être un entier positif (reçu : {total!r}).")
        total = None
    values["total"] = total

    threshold = header.get("threshold")
    if threshold is None:
        problems.add(where, "seuil (threshold) manquant.")
    elif isinstance(threshold, bool) or not isinstance(threshold, int):
        problems.add(where, f"le seuil doit être un entier (reçu : {threshold!r}).")
        threshold = None
    elif total is not None and not 1 <= threshold <= total:
        problems.add(
            where, f"le seuil ({threshold}) doit être compris entre 1 et le total ({total})."
        )
        threshold = None
    values["threshold"] = threshold

    groups = header.get("groups")
    if groups is None:
        problems.add(where, "liste des groupes (groups) manquante.")
        groups = None
    elif (
        not isinstance(groups, list)
        or not groups
        or not all(isinstance(group, str) and group.strip() for group in groups)
    ):
        problems.add(where, "les groupes doivent être une liste de noms non vides.")
        groups = None
    elif len(set(groups)) != len(groups):
        problems.add(where, "un groupe est déclaré deux fois.")
        groups = None
    values["groups"] = tuple(groups) if groups is not None else None
    return values


def _parse_items(
    data: Mapping[str, Any], groups: tuple[str, ...] | None, problems: _Problems
) -> tuple[list[GridItem], int | None]:
    """The valid items, and the sum of every item's points (None when some cannot be read)."""
    raw_items = data.get("items")
    if raw_items is None or raw_items == []:
        problems.add("Items", "aucun item : la grille doit contenir des sections [[items]].")
        return [], None
    if not isinstance(raw_items, list):
        problems.add("Items", "« items » doit être une liste de sections [[items]].")
        return [], None
    items: list[GridItem] = []
    seen: dict[str, int] = {}
    total: int | None = 0
    for number, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, dict):
            problems.add(f"Item n° {number}", "ce n'est pas une section [[items]].")
            total = None
            continue
        raw_id = raw.get("id")
        where = f"Item « {raw_id} »" if isinstance(raw_id, str) and raw_id else f"Item n° {number}"
        item_id = _identifier(raw, where, problems)
        if item_id is not None and item_id in seen:
            problems.add(
                where, f"identifiant en double (déjà utilisé par l'item n° {seen[item_id]})."
            )
            item_id = None
        elif item_id is not None:
            seen[item_id] = number
        label = _text(raw, "label", "libellé", where, problems)
        help_text = _optional_text(raw, "help", where, problems)
        points = _points(raw, where, problems)
        total = None if total is None or points is None else total + points
        group = _text(raw, "group", "groupe", where, problems)
        if group is not None and groups is not None and group not in groups:
            problems.add(
                where, f"groupe « {group} » inconnu (groupes déclarés : {', '.join(groups)})."
            )
            group = None
        _unknown_keys(raw, _ITEM_KEYS, where, problems)
        if item_id is not None and label is not None and points is not None and group is not None:
            items.append(GridItem(item_id, label, points, group, help_text))
    return items, total


def _parse_exclusions(data: Mapping[str, Any], problems: _Problems) -> list[GridExclusion]:
    raw_exclusions = data.get("exclusions", [])
    if not isinstance(raw_exclusions, list):
        problems.add("Exclusions", "« exclusions » doit être une liste de sections [[exclusions]].")
        return []
    exclusions: list[GridExclusion] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_exclusions, start=1):
        if not isinstance(raw, dict):
            problems.add(f"Exclusion n° {number}", "ce n'est pas une section [[exclusions]].")
            continue
        raw_id = raw.get("id")
        where = (
            f"Exclusion « {raw_id} »"
            if isinstance(raw_id, str) and raw_id
            else f"Exclusion n° {number}"
        )
        exclusion_id = _identifier(raw, where, problems)
        if exclusion_id is not None and exclusion_id not in EXCLUSION_FIELDS:
            problems.add(
                where,
                "exclusion inconnue : l'application ne sait évaluer que "
                f"{quoted_list(sorted(EXCLUSION_FIELDS))}.",
            )
            exclusion_id = None
        elif exclusion_id is not None and exclusion_id in seen:
            problems.add(where, "exclusion déclarée deux fois.")
            exclusion_id = None
        elif exclusion_id is not None:
            seen.add(exclusion_id)
        label = _text(raw, "label", "libellé", where, problems)
        help_text = _optional_text(raw, "help", where, problems)
        _unknown_keys(raw, _EXCLUSION_KEYS, where, problems)
        if exclusion_id is not None and label is not None:
            exclusions.append(GridExclusion(exclusion_id, label, help_text))
    return exclusions


def parse_grid(data: Mapping[str, Any], source: str = "") -> Grid:
    """Checks already-parsed TOML data; GridError lists every problem (see :func:`load_grid`)."""
    problems = _Problems()
    for section in sorted(set(data) - _SECTIONS):
        problems.add("Fichier", f"section inconnue « {section} ».")
    header = _parse_header(data, problems)
    items, points = _parse_items(data, header.get("groups"), problems)
    exclusions = _parse_exclusions(data, problems)
    total = header.get("total")
    if total is not None and points is not None and points != total:
        problems.add(
            "Total",
            f"la somme des points des items ({points}) ne correspond pas au total déclaré "
            f"({total}).",
        )
    if problems.items:
        name = f"La grille {source}" if source else "La grille"
        count = len(problems.items)
        raise GridError(
            f"{name} n'est pas utilisable : {count} {plural(count, 'problème', 'problèmes')}.",
            problems.items,
        )
    return Grid(
        grid_id=header["grid_id"],
        version=header["version"],
        title=header["title"],
        total=header["total"],
        threshold=header["threshold"],
        groups=header["groups"],
        items=tuple(items),
        exclusions=tuple(exclusions),
        note=header["note"],
        source=source,
    )


# --- Scoring ---------------------------------------------------------------------------------


def check_answers(grid: Grid, answers: Mapping[str, bool]) -> None:
    """Every item answered yes or no, and nothing else: a partial grid is not a score."""
    known = set(grid.item_ids)
    unknown = [item_id for item_id in answers if item_id not in known]
    if unknown:
        raise ValidationError(
            f"{plural(len(unknown), 'Réponse à un item inconnu', 'Réponses à des items inconnus')}"
            f" de la grille {grid.grid_id} version {grid.version} : {quoted_list(unknown)}.",
            field="answers",
        )
    missing = [item.label for item in grid.items if item.id not in answers]
    if missing:
        count = len(missing)
        raise ValidationError(
            f"Répondez à chaque item de la grille : {count} "
            f"{plural(count, 'item est', 'items sont')} sans réponse ({quoted_list(missing)}).",
            field="answers",
        )
    for item in grid.items:
        if not isinstance(answers[item.id], bool):
            raise ValidationError(
                f"La réponse à l'item « {item.label} » doit être oui ou non.", field="answers"
            )


def scored_items(grid: Grid, answers: Mapping[str, bool]) -> tuple[GridItem, ...]:
    """The items ticked, in grid order (answers checked first)."""
    check_answers(grid, answers)
    return tuple(item for item in grid.items if answers[item.id])


def score(grid: Grid, answers: Mapping[str, bool]) -> int:
    """The points of the ticked items, read from the grid; ValidationError on bad answers."""
    return sum(item.points for item in scored_items(grid, answers))


# --- Catalog of versions ---------------------------------------------------------------------


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Numeric parts compare as numbers, so 2025.10 comes after 2025.9."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.\-_]", version)
    )


class GridCatalog:
    """Every grid version known on this computer, to re-score each assessment with its own.

    Build it with :meth:`load` from the bundled folder, a site folder and extra files. The same
    id and version found twice must have the same content: a site file that silently changed a
    version already used would change past scores, so it is refused.
    """

    def __init__(self, grids: Iterable[Grid] = ()) -> None:
        self._grids: dict[tuple[str, str], Grid] = {}
        for grid in grids:
            self.add(grid)

    @classmethod
    def load(
        cls, folders: Iterable[Path | str] = (), files: Iterable[Path | str] = ()
    ) -> GridCatalog:
        """Loads every ``*.toml`` of each folder, then each extra file.

        A missing folder is skipped (a site may have none). Any broken file makes the whole load
        fail with GridError listing every problem of every file, each prefixed by its file name.
        """
        paths: list[Path] = []
        for folder in map(Path, folders):
            if folder.is_dir():
                paths.extend(sorted(folder.glob("*.toml")))
        paths.extend(map(Path, files))
        catalog = cls()
        problems: list[str] = []
        for path in paths:
            try:
                catalog.add(load_grid(path))
            except GridError as error:
                problems.extend(
                    [f"{path.name} : {problem}" for problem in error.problems] or [error.message]
                )
        if problems:
            count = len(problems)
            raise GridError(
                f"Les grilles d'inclusion ne peuvent pas être chargées : {count} "
                f"{plural(count, 'problème', 'problèmes')}.",
                problems,
            )
        return catalog

    def add(self, grid: Grid) -> None:
        key = (grid.grid_id, grid.version)
        known = self._grids.get(key)
        if known is not None and known != grid:
            raise GridError(
                f"La grille {grid.grid_id} version {grid.version} existe deux fois avec des "
                f"contenus différents ({known.source} et {grid.source}) : une version déjà "
                "diffusée ne se modifie pas, donnez un nouveau numéro de version."
            )
        if known is None:
            self._grids[key] = grid

    def get(self, grid_id: str, version: str) -> Grid:
        """Exactly this version, or GridError: never a newer one in its place."""
        grid = self._grids.get((grid_id, version))
        if grid is None:
            available = self.versions(grid_id)
            known = (
                f"versions disponibles : {', '.join(available)}"
                if available
                else "aucune version de cette grille n'est installée"
            )
            raise GridError(
                f"La grille {grid_id} version {version} n'est pas disponible sur ce poste "
                f"({known}) : installez le fichier de cette version pour relire l'évaluation."
            )
        return grid

    def latest(self, grid_id: str) -> Grid:
        """The highest version of a grid, for new assessments."""
        versions = self.versions(grid_id)
        if not versions:
            raise GridError(f"Aucune version de la grille {grid_id} n'est installée.")
        return self._grids[(grid_id, versions[-1])]

    def versions(self, grid_id: str) -> tuple[str, ...]:
        """Installed versions of a grid, oldest first."""
        return tuple(
            sorted(
                (version for known_id, version in self._grids if known_id == grid_id),
                key=_version_key,
            )
        )

    def __iter__(self) -> Iterator[Grid]:
        return iter(self._grids.values())

    def __len__(self) -> int:
        return len(self._grids)

    def __contains__(self, key: object) -> bool:
        return key in self._grids
