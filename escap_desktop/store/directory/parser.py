"""Streaming reader of a ``PS_LibreAcces_Personne_activite`` extract.

The file (about 2 million lines, 1 GB) is read in blocks of a few megabytes and never held
whole. Consecutive lines of the same professional (same identifier and profession: one line per
practice site) are grouped into one professional row and its site rows. Lines that cannot be
used are reported with their number and never stop the reading.

The loop runs once per line of a very large file, so it avoids per-line function calls: fields
are picked by one ``itemgetter`` built from the header, and a column the file lacks points at
an empty field appended to each line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import BinaryIO

from escap_desktop.core.entities.directory import BadLine, BadLineReason
from escap_desktop.store.directory import columns
from escap_desktop.store.directory.errors import DirectoryFormatError
from escap_desktop.store.directory.names import french_name

BLOCK_BYTES = 4 << 20
_HEADER_BYTES = 64 << 10
_CEDEX = re.compile(r"^\s*(\d{5})\s+(.+?)\s*$")

ProfessionalRow = tuple[int, str, str, str, str, str, str, str, str, str, str, int]
SiteRow = tuple[int, int, str, str, str, str, str, str, str, str]
_Site = tuple[str, str, str, str, str, str, str, str]


@dataclass(slots=True)
class ParsedBlock:
    """The rows completed while reading one block, and how far the reading has gone."""

    professionals: list[ProfessionalRow] = field(default_factory=list)
    sites: list[SiteRow] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    lines_read: int = 0
    bytes_read: int = 0


class ExtractParser:
    """Reads an extract from a binary stream; see the module docstring.

    ``in_order`` stays true while every professional came after the previous one of the same
    identifier type: then no professional can have been split across two groups. Otherwise the
    writer must merge groups that share an identifier (see ``importer``).
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        raw_header = stream.readline(_HEADER_BYTES)  # a file without line breaks is not read whole
        try:
            header = raw_header.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DirectoryFormatError(
                "Ce fichier n'est pas un extrait de l'Annuaire Santé : son en-tête n'est pas "
                "un texte UTF-8."
            ) from None
        self.header = columns.read_header(header)
        self.in_order = True
        self.professions: Counter[tuple[str, str]] = Counter()
        self._bytes_read = len(raw_header)
        self._line_number = 1
        self._next_id = 1
        self._last_key: dict[str, tuple[str, str]] = {}
        # A column this file lacks reads the empty field appended after the line break.
        indices = self.header.indices(columns.USED, missing=self.header.width + 1)
        self._padded = self.header.width + 1 in indices
        self._pick = itemgetter(*indices)
        self._identity: tuple[str, str, str, str, str, str, str] | None = None
        self._sites: list[_Site] = []

    def blocks(self, block_bytes: int = BLOCK_BYTES) -> Iterator[ParsedBlock]:
        """One :class:`ParsedBlock` per block read; the last one holds the last professional."""
        while True:
            raw_lines = self._stream.readlines(block_bytes)
            if not raw_lines:
                break
            block = ParsedBlock()
            self._bytes_read += sum(map(len, raw_lines))
            self._parse(_decode(raw_lines), block)
            block.lines_read = self._line_number - 1
            block.bytes_read = self._bytes_read
            yield block
        last = ParsedBlock(lines_read=self._line_number - 1, bytes_read=self._bytes_read)
        self._flush(last)
        yield last

    def _parse(self, texts: list[str | None], block: ParsedBlock) -> None:
        width = self.header.width
        expected = width + 1
        padded = self._padded
        pick = self._pick
        bad = block.bad_lines
        sites = self._sites
        identity = self._identity
        number = self._line_number
        for text in texts:
            number += 1
            if text is None:
                bad.append(BadLine(number, BadLineReason.ENCODING))
                continue
            fields = text.split("|")
            if len(fields) != expected:
                if len(fields) != width or text.isspace():
                    if not text.isspace():
                        bad.append(_field_count(number, fields, width))
                    continue
                fields[-1] = fields[-1].rstrip("\r\n")  # no trailing "|": still complete
                fields.append("")
            else:
                end = fields[width]  # after the trailing "|": the line break, if any
                if end and end != "\n" and end != "\r\n":
                    bad.append(_field_count(number, fields, width))
                    continue
            if padded:
                fields.append("")
            (
                kind,
                identifier,
                last_name,
                first_name,
                profession_code,
                profession_label,
                civility,
                specialty,
                mode,
                organisation,
                brand,
                number_in_street,
                repeat,
                street_type,
                street,
                place,
                distribution,
                cedex,
                postcode,
                town,
                phone,
                phone_2,
                email,
            ) = pick(fields)
            if not identifier:
                bad.append(BadLine(number, BadLineReason.MISSING_IDENTIFIER))
                continue
            if kind == "8":
                if len(identifier) != 11 or not identifier.isdigit():
                    detail = f"numéro RPPS « {identifier} »"
                    bad.append(BadLine(number, BadLineReason.INVALID_IDENTIFIER, detail))
                    continue
            elif kind != "0" or len(identifier) != 9:
                detail = f"type « {kind} », identifiant « {identifier} »"
                bad.append(BadLine(number, BadLineReason.INVALID_IDENTIFIER, detail))
                continue
            if not last_name:
                bad.append(BadLine(number, BadLineReason.MISSING_NAME))
                continue
            if (
                identity is None
                or identifier != identity[1]
                or profession_code != identity[5]
                or kind != identity[0]
            ):
                if identity is not None:
                    self._flush(block)
                    sites = self._sites
                identity = self._identity = (
                    kind,
                    identifier,
                    civility,
                    last_name,
                    first_name,
                    profession_code,
                    profession_label,
                )
            if cedex and not (postcode and town):
                postcode, town = _from_cedex(cedex, postcode, town)
            # The street line is joined as is; blanks left by empty parts go when it is shown.
            address = f"{number_in_street} {repeat} {street_type} {street}"
            if place or distribution:
                address = f"{place}, {address}, {distribution}"
            sites.append(
                (
                    specialty,
                    mode,
                    organisation or brand,
                    address,
                    postcode,
                    town,
                    phone or phone_2,
                    email,
                )
            )
        self._line_number = number

    def _flush(self, block: ParsedBlock) -> None:
        """Completes the current professional: one row, and one row per distinct site."""
        identity = self._identity
        if identity is None:
            return
        kind, identifier, profession_code = identity[0], identity[1], identity[5]
        previous = self._last_key.get(kind)
        if previous is not None and (
            identifier < previous[0]
            or (identifier == previous[0] and profession_code <= previous[1])
        ):
            self.in_order = False
        self._last_key[kind] = (identifier, profession_code)
        self.professions[profession_code, identity[6]] += 1
        professional_id = self._next_id
        self._next_id += 1
        sites = self._sites
        if len(sites) == 1:
            site = sites[0]
            block.professionals.append((professional_id, *identity, site[0], site[5], site[4], 1))
            block.sites.append((professional_id, 0, *site))
        else:
            sites = _merge_sites(sites)
            # Search text only: each distinct value once, blanks do not matter to the index.
            block.professionals.append(
                (
                    professional_id,
                    *identity,
                    " ".join({site[0]: None for site in sites}),
                    " ".join({site[5]: None for site in sites}),
                    " ".join({site[4]: None for site in sites}),
                    len(sites),
                )
            )
            block.sites.extend(
                (professional_id, position, *site) for position, site in enumerate(sites)
            )
        self._identity = None
        self._sites = []


def _field_count(number: int, fields: list[str], width: int) -> BadLine:
    count = len(fields) - (fields[-1].strip() == "")
    return BadLine(number, BadLineReason.FIELD_COUNT, f"{count} champs au lieu de {width}")


def _decode(raw_lines: list[bytes]) -> list[str | None]:
    """The lines of a block as text (line breaks kept); a line that is not UTF-8 becomes None."""
    try:
        return [raw.decode("utf-8") for raw in raw_lines]
    except UnicodeDecodeError:
        return [_decode_line(raw) for raw in raw_lines]


def _decode_line(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _from_cedex(cedex: str, postcode: str, town: str) -> tuple[str, str]:
    """Postcode and town from "Bureau cedex" ("69003 LYON CEDEX 03") for what is missing."""
    match = _CEDEX.match(cedex)
    if match is None:
        return postcode, town
    return postcode or match[1], town or french_name(match[2])


def _merge_sites(sites: list[_Site]) -> list[_Site]:
    """One site per place: lines that differ only by specialty join their specialties.

    The file has one line per activity, so a doctor with two specialties at one address has
    two lines there; showing that address twice would look like two practices.
    """
    merged: dict[tuple[str, ...], _Site] = {}
    for site in sites:
        place = site[1:]
        known = merged.get(place)
        if known is None:
            merged[place] = site
        elif site[0] and site[0] not in known[0].split(" ; "):
            specialty = f"{known[0]} ; {site[0]}" if known[0] else site[0]
            merged[place] = (specialty, *place)
    return list(merged.values())
