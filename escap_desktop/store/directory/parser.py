"""Streaming readers of the ``PS_LibreAcces_Personne_activite`` and MSSanté extracts.

The file (about 2 million lines, 1 GB) is read in blocks of a few megabytes and never held
whole. Consecutive lines of the same professional (same identifier and profession: one line per
practice site) are grouped into one professional row and its site rows. Lines that cannot be
used are reported with their number and never stop the reading.

The loop runs once per line of a very large file, so it avoids per-line function calls: fields
are picked by one ``itemgetter`` built from the header, and a column the file lacks points at
an empty field appended to each line.

The MSSanté extract (``Extraction_Correspondance_MSSante``, about 535,000 lines) is read by
:class:`MssanteParser` with the same helpers: header found by name, blocks of lines, UTF-8
checked per block, bad lines reported with their number. Either file may come as it is
published, a ``.txt``, or inside its ``.zip`` (:func:`open_extract`).
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

from escap_desktop.core.entities.directory import BadLine, BadLineReason, ExtractKind
from escap_desktop.store.directory import columns
from escap_desktop.store.directory.errors import DirectoryFormatError, DirectoryImportError
from escap_desktop.store.directory.names import french_name

BLOCK_BYTES = 4 << 20
B = TypeVar("B", "ParsedBlock", "MssanteBlock")
_B_contra = TypeVar("_B_contra", contravariant=True)
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
        header, self._bytes_read = read_header_line(stream)
        self.header = columns.read_header(header)
        self.in_order = True
        self.professions: Counter[tuple[str, str]] = Counter()
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
        yield from _blocks(self, ParsedBlock, block_bytes)
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


def read_header_line(stream: BinaryIO) -> tuple[str, int]:
    """The header line of an extract as text, and its length in bytes.

    Raises :class:`DirectoryFormatError` when it is not UTF-8 text.
    """
    raw_header = stream.readline(_HEADER_BYTES)  # a file without line breaks is not read whole
    try:
        return raw_header.decode("utf-8-sig"), len(raw_header)
    except UnicodeDecodeError:
        raise DirectoryFormatError(
            "Ce fichier n'est pas un extrait de l'Annuaire Santé : son en-tête n'est pas "
            "un texte UTF-8."
        ) from None


def detect_kind(stream: BinaryIO) -> ExtractKind:
    """Which extract ``stream`` holds, from its header (see :func:`columns.extract_kind`)."""
    return columns.extract_kind(read_header_line(stream)[0])


_EXTRACT_PREFIXES = (
    ExtractKind.MSSANTE.label.casefold(),
    ExtractKind.DIRECTORY.label.casefold(),
)


@contextlib.contextmanager
def open_extract(path: Path) -> Iterator[tuple[BinaryIO, int]]:
    """The extract at ``path`` as a binary stream, and its size in bytes for the progress.

    A ``.zip`` as published is read without being unpacked: its extract is the ``.txt`` named
    like one of the two extracts (or its only ``.txt``), decompressed as it is read.
    Raises :class:`DirectoryFormatError` for an archive without an extract, and
    :class:`DirectoryImportError` for a damaged archive; ``OSError`` as ``open`` does.
    """
    if not zipfile.is_zipfile(path):
        with path.open("rb") as stream:
            yield stream, path.stat().st_size
        return
    try:
        with zipfile.ZipFile(path) as archive:
            member = _extract_member(archive)
            # A buffered reader keeps reading lines as fast as from a plain file.
            with io.BufferedReader(archive.open(member), 1 << 20) as stream:  # type: ignore[type-var]
                yield stream, member.file_size
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
        raise DirectoryImportError(
            f"L'archive « {path.name} » est endommagée ({error}) : téléchargez-la à nouveau."
        ) from error


def _extract_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    texts = [
        info
        for info in archive.infolist()
        if not info.is_dir() and info.filename.casefold().endswith((".txt", ".csv"))
    ]
    named = [
        info for info in texts if Path(info.filename).name.casefold().startswith(_EXTRACT_PREFIXES)
    ]
    if len(named) == 1 or (not named and len(texts) == 1):
        return (named or texts)[0]
    raise DirectoryFormatError(
        "Cette archive ZIP ne contient pas un (et un seul) extrait de l'Annuaire Santé : "
        "un fichier « Extraction_Correspondance_MSSante_….txt » ou "
        "« PS_LibreAcces_Personne_activite_….txt » est attendu."
    )


MssanteRow = tuple[str, str, int, str, str]
"""identifier, identifier type ("8" RPPS, "0" ADELI), position, address, profession code."""

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_ID_TYPES = {"8": "8", "RPPS": "8", "0": "0", "ADELI": "0"}


@dataclass(slots=True)
class MssanteBlock:
    """The addresses read in one block of the MSSanté extract, and how far the reading is."""

    rows: list[MssanteRow] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    lines_read: int = 0
    bytes_read: int = 0


class MssanteParser:
    """Reads an MSSanté extract from a binary stream; keeps the « PER » mailboxes.

    A professional's addresses are numbered in the file's order (``position`` 0 is the first
    one published); an address already read for the same professional is counted in
    ``duplicates`` and left out, a mailbox of type « ORG » (a structure's) in
    ``organisation_lines``. Lines with too few fields, no usable identifier, a type that is
    neither PER nor ORG, or an address that is not an e-mail address are bad lines.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        header, self._bytes_read = read_header_line(stream)
        self.header = columns.read_mssante_header(header)
        self.organisation_lines = 0
        self.duplicates = 0
        self._line_number = 1
        self._seen: set[tuple[str, str, str]] = set()
        self._counts: Counter[tuple[str, str]] = Counter()
        indices = self.header.indices(columns.MSSANTE_USED, missing=self.header.width + 1)
        self._padded = self.header.width + 1 in indices
        self._pick = itemgetter(*indices)

    @property
    def professionals(self) -> int:
        """How many professionals have at least one address so far."""
        return len(self._counts)

    def blocks(self, block_bytes: int = BLOCK_BYTES) -> Iterator[MssanteBlock]:
        yield from _blocks(self, MssanteBlock, block_bytes)

    def _parse(self, texts: list[str | None], block: MssanteBlock) -> None:
        width = self.header.width
        padded = self._padded
        pick = self._pick
        bad = block.bad_lines
        rows = block.rows
        seen = self._seen
        counts = self._counts
        email = _EMAIL.fullmatch
        number = self._line_number
        for text in texts:
            number += 1
            if text is None:
                bad.append(BadLine(number, BadLineReason.ENCODING))
                continue
            fields = _complete_fields(text, width, number, bad)
            if fields is None:
                continue
            if padded:
                fields.append("")
            mailbox_type, address, identifier, kind, national_id, profession_code = pick(fields)
            mailbox_type = mailbox_type.strip().upper()
            if mailbox_type != "PER":
                if mailbox_type == "ORG":
                    self.organisation_lines += 1
                else:
                    detail = f"« {mailbox_type} »" if mailbox_type else "vide"
                    bad.append(BadLine(number, BadLineReason.UNKNOWN_MAILBOX_TYPE, detail))
                continue
            identifier = identifier.strip()
            kind = _ID_TYPES.get(kind.strip().upper(), kind.strip())
            national_id = national_id.strip()
            if not identifier and len(national_id) > 1:
                kind, identifier = national_id[0], national_id[1:]
            elif not kind and national_id[:1] in ("0", "8"):
                kind = national_id[0]
            if not identifier:
                bad.append(BadLine(number, BadLineReason.MISSING_IDENTIFIER))
                continue
            if len(identifier) == (12 if kind == "8" else 10) and identifier[0] == kind:
                identifier = identifier[1:]  # the national identifier where the number was due
            if kind == "8":
                if len(identifier) != 11 or not identifier.isdigit():
                    detail = f"numéro RPPS « {identifier} »"
                    bad.append(BadLine(number, BadLineReason.INVALID_IDENTIFIER, detail))
                    continue
            elif kind != "0" or len(identifier) != 9:
                detail = f"type « {kind} », identifiant « {identifier} »"
                bad.append(BadLine(number, BadLineReason.INVALID_IDENTIFIER, detail))
                continue
            address = address.strip()
            if email(address) is None:
                detail = f"« {address} »" if address else "vide"
                bad.append(BadLine(number, BadLineReason.INVALID_ADDRESS, detail))
                continue
            key = (kind, identifier, address.casefold())
            if key in seen:
                self.duplicates += 1
                continue
            seen.add(key)
            person = (kind, identifier)
            position = counts[person]
            counts[person] = position + 1
            rows.append((identifier, kind, position, address, profession_code.strip()))
        self._line_number = number


class _BlockReader(Protocol[_B_contra]):
    _stream: BinaryIO
    _bytes_read: int
    _line_number: int

    def _parse(self, texts: list[str | None], block: _B_contra) -> None: ...


def _blocks(reader: _BlockReader[B], make: Callable[[], B], block_bytes: int) -> Iterator[B]:
    """The blocks of lines both extracts are read in: decoded, parsed, counted."""
    while True:
        raw_lines = reader._stream.readlines(block_bytes)
        if not raw_lines:
            return
        block = make()
        reader._bytes_read += sum(map(len, raw_lines))
        reader._parse(_decode(raw_lines), block)
        block.lines_read = reader._line_number - 1
        block.bytes_read = reader._bytes_read
        yield block


def _complete_fields(text: str, width: int, number: int, bad: list[BadLine]) -> list[str] | None:
    """The ``width`` fields of a line then one empty one (what follows the trailing ``|``), as
    :class:`ExtractParser` reads them inline; None for a blank line or a bad one (reported)."""
    fields = text.split("|")
    if len(fields) != width + 1:
        if len(fields) != width or text.isspace():
            if not text.isspace():
                bad.append(_field_count(number, fields, width))
            return None
        fields[-1] = fields[-1].rstrip("\r\n")  # no trailing "|": still complete
        fields.append("")
        return fields
    end = fields[width]  # after the trailing "|": the line break, if any
    if end and end != "\n" and end != "\r\n":
        bad.append(_field_count(number, fields, width))
        return None
    return fields


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
