"""The directory extract parser fed random lines in random encodings: bad lines are counted
with their number and reason, a file that is not an extract is a DirectoryFormatError, and
nothing else ever escapes. The real extract is 1 GB of text from outside: anything can be in it.
"""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st

from escap_desktop.store.directory.columns import EXTRACT_COLUMNS
from escap_desktop.store.directory.errors import DirectoryFormatError
from escap_desktop.store.directory.parser import ExtractParser
from escap_desktop.store.directory.synthetic import build_line, header_line
from tests.fuzz.conftest import FUZZ, mutate

HEADER = header_line() + "\r\n"
GOOD = build_line(
    {
        "Type d'identifiant PP": "8",
        "Identifiant PP": "10000000001",
        "Identification nationale PP": "810000000001",
        "Nom d'exercice": "LEFÈVRE",
        "Prénom d'exercice": "MARIE-CLAIRE",
        "Code profession": "10",
        "Libellé profession": "Médecin",
        "Code postal (coord. structure)": "69003",
        "Libellé commune (coord. structure)": "Lyon",
    }
)
FIELD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n|"),
    max_size=20,
)
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "mac-roman"]


@st.composite
def lines(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["fields", "good-mutated", "text", "bytes", "blank"]))
    if kind == "fields":
        count = draw(st.sampled_from([0, 1, len(EXTRACT_COLUMNS) - 1, len(EXTRACT_COLUMNS)]))
        text = "|".join(draw(st.lists(FIELD_TEXT, min_size=count, max_size=count + 2))) + "|"
    elif kind == "good-mutated":
        return mutate(GOOD.encode(), draw) + b"\n"
    elif kind == "text":
        text = draw(st.text(max_size=120))
    elif kind == "bytes":
        return draw(st.binary(max_size=120)) + b"\n"
    else:
        text = draw(st.sampled_from(["", " ", "\t"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    ending = draw(st.sampled_from(["\n", "\r\n", ""]))
    return (text + ending).encode(encoding, errors="replace")


def _parse(content: bytes) -> int:
    """Parses a whole extract in small blocks; returns the bad lines reported."""
    try:
        parser = ExtractParser(io.BytesIO(content))
    except DirectoryFormatError as error:
        refusal = str(error)
    else:
        refusal = ""
    if refusal:
        assert "Annuaire Santé" in refusal
        return -1
    bad = 0
    last_line = 1
    for block in parser.blocks(block_bytes=256):
        for line in block.bad_lines:
            assert line.line_number > last_line or line.line_number >= 2
            assert line.text.startswith(f"ligne {line.line_number} : ")
        bad += len(block.bad_lines)
        assert block.lines_read >= last_line - 1
        last_line = max(last_line, block.lines_read)
        for row in block.professionals:
            assert row[1]  # an identifier, never an empty professional
    return bad


def test_a_good_line_is_one_professional_and_no_bad_line() -> None:
    content = (HEADER + GOOD + "\n").encode()
    parser = ExtractParser(io.BytesIO(content))
    blocks = list(parser.blocks())
    assert sum(len(block.professionals) for block in blocks) == 1
    assert _parse(content) == 0


@FUZZ
@given(st.lists(lines(), max_size=12))
def test_random_lines_are_counted_never_fatal(body: list[bytes]) -> None:
    data = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in body)
    bad = _parse(HEADER.encode() + data)
    assert 0 <= bad <= data.count(b"\n")  # at most one report per physical line


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_are_not_an_extract_or_are_read_line_by_line(content: bytes) -> None:
    _parse(content)


@FUZZ
@given(st.data())
def test_a_damaged_header_is_refused_or_read(data: st.DataObject) -> None:
    header = mutate(HEADER.encode(), data.draw)
    _parse(header + b"\n" + GOOD.encode() + b"\n")
