"""Forgiving search in the directory: any order of words, no accents needed, word starts enough.

What the professional types is cut into words and folded like the index folds them
(``unicode61 remove_diacritics 2``), so no character of theirs ever reaches the FTS5 query
syntax. Each word then becomes either the exact words of the index that start with it (looked
up in the ``terms`` table, fast to match), or, for a short start shared by too many words, an
FTS5 prefix query served by the index's 2- to 4-character prefix entries.

Ranking is by tiers: first the professionals whose last name is one of the words, then those
whose last name starts with one of them, then every other match; alphabetical within a tier.
Up to :data:`CANDIDATES` matches are all read and ranked at once; beyond, each tier is an FTS5
query of its own, limited to what is still needed. bm25 is not used: it counts the whole index
for each word to weigh it, which takes hundreds of milliseconds for words shared by half the
directory ("infirmier", "paris").
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
from escap_desktop.core.text import fold as text_fold
from escap_desktop.store.directory.names import french_name
from escap_desktop.store.directory.schema import FTS_TABLE, MSSANTE_TABLE, has_mssante

MAX_EXPANSIONS = 64
NAME_SHARE = 0.2
"""A word of the index is a name when at least this share of its occurrences are last names."""
CANDIDATES = 1000
"""Up to this many matches are all ranked in Python after one pass over the index; beyond,
each ranking tier is a query of its own, limited to what is still needed."""
_WORD = re.compile(r"[^\W_]+")
_TITLES = frozenset({"dr", "docteur", "pr", "professeur", "m", "mme", "mr", "mlle", "madame"})
_TEXT_COLUMNS = "{last_name first_name profession_label specialties towns postcodes}"
_RPPS = re.compile(r"^\d{11}$")
_ADELI = re.compile(r"^[0-9][0-9AB][0-9]{7}$")


fold = text_fold
"""Lower case without diacritics, ligatures spelled out, as the index holds the words
(``core.text.fold``; ``schema.fill_search_index`` spells them out in the index)."""


def _ascii_fold(text: str) -> str:
    """A cheaper :func:`fold` for sorting many names: letters without a decomposition (œ, ø)
    are dropped, which only moves such a name a little in the order."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def words(text: str) -> list[str]:
    """The searchable words of ``text``; titles ("Dr", "Mme") go when other words remain."""
    found = _WORD.findall(fold(text))
    kept = [word for word in found if word not in _TITLES]
    return kept or found


@dataclass(frozen=True, slots=True)
class _Word:
    """A typed word and its FTS5 expression (None: it starts no word of the index).

    ``name_terms`` are the words of the index it stands for that are often last names: they
    decide the ranking tiers. "paris" is a town far more often than a name, so "kiné paris"
    ranks the physiotherapists of Paris, not those named Paris. A start too short to list its
    words (``prefix_only``) is taken as a name start.
    """

    token: str
    expression: str | None
    name_terms: tuple[str, ...] = ()
    prefix_only: bool = False

    @property
    def is_last_name(self) -> bool:
        return self.token in self.name_terms or self.prefix_only

    @property
    def starts_last_name(self) -> bool:
        return bool(self.name_terms) or self.prefix_only

    @property
    def name_expression(self) -> str:
        if self.prefix_only:
            return str(self.expression)
        return "(" + " OR ".join(f'"{term}"' for term in self.name_terms) + ")"


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
        found = self._match_ids(match, CANDIDATES + 1)
        if len(found) <= CANDIDATES:  # few enough to rank them all here, in one index pass
            return self._ranked(found, typed)[:limit]
        exact = " OR ".join(f'"{w.token}"' for w in typed if w.is_last_name)
        starts = " OR ".join(w.name_expression for w in typed if w.starts_last_name)
        # When every name word begins no other name, the second tier is the first one again.
        longer = any(w.prefix_only or w.name_terms not in ((), (w.token,)) for w in typed)
        tiers = []
        if exact:
            tiers.append(f"{match} AND {{last_name}} : ({exact})")
        if starts and longer:
            tiers.append(
                f"{match} AND {{last_name}} : ({starts})"
                + (f" NOT {{last_name}} : ({exact})" if exact else "")
            )
        tiers.append(f"{match} NOT {{last_name}} : ({starts})" if starts else match)
        ids: list[int] = []
        for tier in tiers:
            if len(ids) < limit:
                ids += self._ranked(self._match_ids(tier, limit - len(ids)), typed)
        return ids

    def _match_ids(self, match: str, limit: int) -> list[int]:
        rows = self._db.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT ?", (match, limit)
        )
        return [row[0] for row in rows]

    def _ranked(self, ids: list[int], typed: list[_Word]) -> list[int]:
        """``ids`` best first: a last name that is one of the typed words, then one holding a
        name a typed word starts, then the others; within each, a last name that begins with a
        typed name ("Lefèvre" before "Bourteuil-Lefèvre"), then alphabetical."""
        if not ids:
            return []
        rows = self._db.execute(
            "SELECT last_name, first_name, id FROM professionals "
            f"WHERE id IN ({', '.join('?' for _ in ids)})",
            ids,
        ).fetchall()
        exact = {_ascii_fold(w.token) for w in typed if w.is_last_name}
        names = {_ascii_fold(term) for w in typed for term in w.name_terms}
        prefixes = tuple(_ascii_fold(w.token) for w in typed if w.prefix_only)
        starts = tuple(_ascii_fold(w.token) for w in typed if w.starts_last_name)
        ranked = []
        for last_name, first_name, row_id in rows:
            last = _ascii_fold(last_name)
            parts = _WORD.findall(last)
            if any(part in exact for part in parts):
                tier = 0
            elif any(part in names or (prefixes and part.startswith(prefixes)) for part in parts):
                tier = 1
            else:
                tier = 2
            first = _ascii_fold(first_name)
            ranked.append((tier, not last.startswith(starts), last, first, row_id))
        ranked.sort()
        return [row[-1] for row in ranked]

    def _word(self, token: str) -> _Word:
        """How a typed word is matched; see the module docstring."""
        if len(token) == 1:
            return _Word(token, f'"{token}"')
        if token.isdigit():
            return _Word(token, f'"{token}"*')
        upper = token[:-1] + chr(ord(token[-1]) + 1)
        rows = self._db.execute(
            "SELECT term, documents, last_name_documents FROM terms "
            "WHERE term >= ? AND term < ? LIMIT ?",
            (token, upper, MAX_EXPANSIONS + 1),
        ).fetchall()
        if len(rows) > MAX_EXPANSIONS:
            return _Word(token, f'"{token}"*', prefix_only=True)
        if not rows:
            return _Word(token, None)
        return _Word(
            token,
            "(" + " OR ".join(f'"{term}"' for term, _all, _names in rows) + ")",
            name_terms=tuple(
                term for term, documents, names in rows if names >= NAME_SHARE * documents > 0
            ),
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
        mailboxes = self._mailboxes([people[i] for i in ids])
        entries = []
        for professional_id in ids:
            row = people[professional_id]
            own = sites.get(professional_id, [])
            addresses = mailboxes.get((row[2], row[1]), [])
            if len(addresses) > 1:  # this profession's mailboxes first, then in file order
                addresses = [a for a in addresses if a[1] == row[6]] + [
                    a for a in addresses if a[1] != row[6]
                ]
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
                    mssante_addresses=tuple(address for address, _code in addresses),
                )
            )
        return entries

    def _mailboxes(
        self, people: Sequence[Sequence[str]]
    ) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """(address, profession code) of each professional's own MSSanté mailboxes, in the
        MSSanté extract's order, by (identifier, identifier type)."""
        if not people or not has_mssante(self._db):
            return {}
        identifiers = sorted({person[2] for person in people})
        found: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for identifier, id_type, address, code in self._db.execute(
            f"SELECT identifier, id_type, address, profession_code FROM {MSSANTE_TABLE} "
            f"WHERE identifier IN ({', '.join('?' for _ in identifiers)}) "
            "ORDER BY identifier, id_type, position",
            identifiers,
        ):
            found.setdefault((identifier, id_type), []).append((address, code))
        return found


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
