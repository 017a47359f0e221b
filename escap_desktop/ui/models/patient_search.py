"""What the patient list's search looks typed words up in, and the words it looks up.

Qt-free on purpose: the keys of 10,000 patients are built on the worker thread that read the
list (``PatientListing``), so the GUI thread only hands them to the model. The filter itself
(``PatientFilterProxyModel``) is a substring test per word and per row, on these keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from escap_desktop.ui.formatting import fold, format_date

if TYPE_CHECKING:  # annotations only: the window is painted before the domain is imported
    from escap_desktop.core.entities.summaries import PatientSummary


def search_key(summary: PatientSummary, folded_name: Callable[[str], str] = fold) -> str:
    """What a search token is looked for in: names (folded, also glued: "N'Diaye" is found by
    "ndiaye"), the birth date as typed (JJ/MM/AAAA) and the NIR digits."""
    names = (summary.display_name, summary.birth_name, summary.used_name, summary.first_names)
    folded = [folded_name(name) for name in names if name]
    glued = [name.replace(" ", "") for name in folded[1:]]
    nir = "".join(summary.ins.split())
    return " ".join((*folded, *glued, format_date(summary.birth_date), nir))


def search_tokens(text: str) -> tuple[str, ...]:
    """The words typed in the search field, folded as the keys are."""
    return tuple(fold(text).split())


@dataclass(frozen=True, slots=True)
class PatientListing:
    """The patient list as read, with each row's search key (same order)."""

    rows: list[PatientSummary]
    search_keys: list[str]

    @classmethod
    def of(cls, rows: Iterable[PatientSummary]) -> PatientListing:
        """Builds the keys: call it off the GUI thread for a whole practice."""
        listed = list(rows)
        return cls(listed, search_keys_of(listed))


def search_keys_of(rows: Sequence[PatientSummary]) -> list[str]:
    """The key of each row, in order: call it off the GUI thread for a whole practice. Names
    repeat (a practice of 10,000 has a few thousand distinct ones): each is folded once."""
    memo: dict[str, str] = {}

    def folded_name(name: str) -> str:
        value = memo.get(name)
        if value is None:
            value = memo[name] = fold(name)
        return value

    return [search_key(row, folded_name) for row in rows]


def matching(
    keys: Sequence[str], tokens: Sequence[str], candidates: Iterable[int] | None = None
) -> list[int]:
    """The positions (among ``candidates``, all by default, in their order) whose key contains
    every token: one list comprehension per token, the shortest list first."""
    shown = list(range(len(keys))) if candidates is None else list(candidates)
    for token in tokens:
        shown = [row for row in shown if token in keys[row]]
    return shown
