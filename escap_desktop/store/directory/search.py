"""Forgiving search in the directory: any order of words, no accents needed, word starts enough.

What the professional types is cut into words and folded like the index folds them
(``unicode61 remove_diacritics 2``), so no character of theirs ever reaches the FTS5 query
syntax. Each word then becomes either the exact words of the index that start with it (looked
up in the ``terms`` table, fast to match), or, for a short start shared by too many words, an
FTS5 prefix query served by the index's 2- and 3-character prefix entries.

Ranking is by tiers, each a separate FTS5 query limited to what is still needed: first the
professionals whose last name is one of the words, then those whose last name starts with one of
them, then every other match; alphabetical within a tier. bm25 is not used: it counts the whole
index for each word to weigh it, which takes hundreds of milliseconds for words shared by half
the directory ("infirmier", "paris").
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from escap_desktop.core.entities.directory import DirectoryEntry, DirectorySite
from escap_desktop.core.entities.professional import IdentifierKind
from escap_desktop.core.errors import ValidationError
from escap_desktop.store.directory.names import french_name
from escap_desktop.store.directory.schema import FTS_TABLE

MAX_EXPANSIONS = 64
_WORD = re.compile(r"[^\W_]+")
_TITLES = frozenset({"dr", "docteur", "pr", "professeur", "m", "mme", "mr", "mlle", "madame"})
_TEXT_COLUMNS = "{last_name first_name profession_label specialties towns postcodes}"
_RPPS = re.compile(r"^\d{11}$")
_ADELI = re.compile(r"^[0-9][0-9AB][0-9]{7}$")


def fold(text: str) -> str:
    """Lower case without diacritics, as the index's tokenizer sees letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The searchable words of ``text``; titles ("Dr", "Mme") go when other words remain."""
    found = _WORD.findall(fold(text))
    kept = [word for word in found if word not in _TITLES]
    return kept or found


@dataclass(frozen=True, slots=True)
class _Word:
    """A typed word, its FTS5 expression (None: it starts no indexed word) and whether it is,
    or starts, a word found in last names (which decides the ranking tiers it takes part in)."""

    token: str
    expression: str | None
    is_last_name: bool
    starts_last_name: bool
    terms: tuple[str, ...] = ()  # the words of the index it stands for (none: a prefix query)


class DirectorySearch:
    """Searches one open directory database (see the module docstring)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def search(
        self,
        text: str,
        *,
        profession_codes: Sequence[str] = (),
        postcode: str | None = None,
        limit: int = 50,
    ) -> list[DirectoryEntry]:
        """The best ``limit`` entries for ``text``, within the profession and postcode filters.

        ``postcode`` is a start ("75" is all of Paris); an entry's sites in that area come first.
        """
        tokens = words(text)
        filters = self._filters(profession_codes, postcode)
        if not tokens and not filters:
            return []
        ids = self._by_identifier(tokens, profession_codes)
        if ids is None:
            ids = self._ranked_ids(tokens, filters, limit)
        return self._entries(ids, postcode)

    def professions(self) -> list[tuple[str, str, int]]:
        """(code, label, number of professionals) for every profession in the directory."""
        rows = self._db.execute(
            "SELECT code, label, professionals FROM professions ORDER BY professionals DESC"
        )
        return [(str(code), str(label), int(count)) for code, label, count in rows]

    def _filters(self, profession_codes: Sequence[str], postcode: str | None) -> list[str]:
        filters = []
        if profession_codes:
            codes = " OR ".join(f'"{_digits(code)}"' for code in profession_codes)
            filters.append(f"{{profession_code}} : ({codes})")
        if postcode is not None and postcode.strip():
            start = postcode.strip().upper().replace("2A", "20").replace("2B", "20")
            if not start.isdigit() or len(start) > 5:
                raise ValidationError(
                    "Le code postal se cherche par ses premiers chiffres, par exemple 75 ou 69003.",
                    "postcode",
                )
            filters.append(f'{{postcodes}} : "{start}"*')
        return filters

    def _by_identifier(
        self, tokens: list[str], profession_codes: Sequence[str]
    ) -> list[int] | None:
        """A typed RPPS (11 digits) or ADELI (9 characters) number finds its holder directly."""
        if len(tokens) != 1:
            return None
        token = tokens[0].upper()
        if not (_RPPS.match(token) or _ADELI.match(token)):
            return None
        rows = self._db.execute(
            "SELECT id, profession_code FROM professionals WHERE identifier = ?", (token,)
        ).fetchall()
        return [row[0] for row in rows if not profession_codes or row[1] in profession_codes]

    def _ranked_ids(self, tokens: list[str], filters: list[str], limit: int) -> list[int]:
        typed = [self._word(token) for token in tokens]
        if any(word.expression is None for word in typed):
            return []  # a word that starts no word of the directory: nothing can match
        match = " AND ".join([*(f"{_TEXT_COLUMNS} : {w.expression}" for w in typed), *filters])
        exact = [f'"{word.token}"' for word in typed if word.is_last_name]
        starts = [str(word.expression) for word in typed if word.starts_last_name]
        # When every name word begins no other word, the second tier is the first one again.
        longer = any(w.starts_last_name and w.terms != (w.token,) for w in typed)
        ids: list[int] = []
        if exact:
            ids += self._tier(f"{match} AND {{last_name}} : ({' OR '.join(exact)})", limit, tokens)
        if starts and longer and len(ids) < limit:
            tier = f"{match} AND {{last_name}} : ({' OR '.join(starts)})"
            if exact:
                tier += f" NOT {{last_name}} : ({' OR '.join(exact)})"
            ids += self._tier(tier, limit - len(ids), tokens)
        if len(ids) < limit:
            tier = f"{match} NOT {{last_name}} : ({' OR '.join(starts)})" if starts else match
            ids += self._tier(tier, limit - len(ids), tokens)
        return ids

    def _tier(self, match: str, limit: int, tokens: list[str]) -> list[int]:
        """Up to ``limit`` matches: last names beginning with a typed word first ("Lefèvre"
        before "Bourteuil-Lefèvre"), then in alphabetical order."""
        rows = self._db.execute(
            "SELECT p.id, p.last_name, p.first_name FROM "
            f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT ?) AS m "
            "JOIN professionals AS p ON p.id = m.rowid",
            (match, limit),
        ).fetchall()
        keyed = [(fold(last), fold(first), row_id) for row_id, last, first in rows]
        keyed.sort(key=lambda k: (not k[0].startswith(tuple(tokens)), k[0], k[1]))
        return [row_id for _last, _first, row_id in keyed]

    def _word(self, token: str) -> _Word:
        """How a typed word is matched; see the module docstring."""
        if len(token) == 1:
            return _Word(token, f'"{token}"', is_last_name=False, starts_last_name=False)
        if token.isdigit():
            return _Word(token, f'"{token}"*', is_last_name=False, starts_last_name=False)
        upper = token[:-1] + chr(ord(token[-1]) + 1)
        rows = self._db.execute(
            "SELECT term, in_last_names FROM terms WHERE term >= ? AND term < ? LIMIT ?",
            (token, upper, MAX_EXPANSIONS + 1),
        ).fetchall()
        if len(rows) > MAX_EXPANSIONS:
            return _Word(token, f'"{token}"*', is_last_name=True, starts_last_name=True)
        if not rows:
            return _Word(token, None, is_last_name=False, starts_last_name=False)
        return _Word(
            token,
            "(" + " OR ".join(f'"{term}"' for term, _names in rows) + ")",
            is_last_name=any(term == token and names for term, names in rows),
            starts_last_name=any(names for _term, names in rows),
            terms=tuple(term for term, _names in rows),
        )

    def _entries(self, ids: list[int], postcode: str | None) -> list[DirectoryEntry]:
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        sites: dict[int, list[DirectorySite]] = {}
        for row in self._db.execute(
            "SELECT professional_id, specialty, practice_mode, organisation, address, postcode, "
            f"town, phone, email FROM sites WHERE professional_id IN ({marks}) "
            "ORDER BY professional_id, position",
            ids,
        ):
            sites.setdefault(row[0], []).append(_site(row[1:]))
        people = {
            row[0]: row
            for row in self._db.execute(
                "SELECT id, id_type, identifier, civility, last_name, first_name, "
                f"profession_code, profession_label FROM professionals WHERE id IN ({marks})",
                ids,
            )
        }
        entries = []
        for professional_id in ids:
            row = people[professional_id]
            own = sites.get(professional_id, [])
            if postcode:
                own.sort(key=lambda site: not site.postcode.startswith(postcode.strip()))
            entries.append(
                DirectoryEntry(
                    identifier_kind=IdentifierKind.RPPS if row[1] == "8" else IdentifierKind.ADELI,
                    identifier=row[2],
                    civility=row[3],
                    last_name=french_name(row[4], last_name=True),
                    first_name=french_name(row[5]),
                    profession_code=row[6],
                    profession_label=row[7],
                    sites=tuple(own),
                )
            )
        return entries


def _site(row: Sequence[str]) -> DirectorySite:
    specialty, mode, organisation, address, postcode, town, phone, email = row
    parts = (" ".join(part.split()) for part in address.split(","))
    return DirectorySite(
        specialty=specialty,
        practice_mode=mode,
        organisation=organisation,
        address=", ".join(part for part in parts if part),
        postcode=postcode,
        town=town,
        phone=phone,
        email=email,
    )


def _digits(code: str) -> str:
    return "".join(c for c in code if c.isalnum())
