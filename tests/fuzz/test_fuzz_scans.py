"""Imported scan files of any content: accepted exactly when they start like a PDF, JPEG or PNG
(and fit the size limit), otherwise a ValidationError on the scan field; nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escap_desktop.core.errors import ValidationError
from escap_desktop.services.scans import MAX_SCAN_BYTES, media_type_of, read_scan_file
from tests.fuzz.conftest import FUZZ

MAGICS = [b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"]


@pytest.fixture(scope="module")
def scan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scans") / "scan"


def _accepted(content: bytes) -> bool:
    return 0 < len(content) <= MAX_SCAN_BYTES and any(content.startswith(m) for m in MAGICS)


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=600),
        st.tuples(st.sampled_from(MAGICS), st.binary(max_size=300)).map(b"".join),
        st.sampled_from(MAGICS).map(lambda magic: magic[:-1]),  # one byte short
    )
)
def test_only_pdf_jpeg_and_png_contents_are_accepted(scan_file: Path, content: bytes) -> None:
    scan_file.write_bytes(content)
    if not _accepted(content):
        with pytest.raises(ValidationError) as raised:
            read_scan_file(scan_file)
        assert raised.value.field == "scan_path"
        return
    read = read_scan_file(scan_file)
    assert read == content
    assert media_type_of(read)[0] in {"application/pdf", "image/jpeg", "image/png"}


def test_the_size_limit_is_exact(scan_file: Path) -> None:
    with scan_file.open("wb") as file:
        file.write(b"%PDF-1.7\n")
        file.truncate(MAX_SCAN_BYTES)
    assert len(read_scan_file(scan_file)) == MAX_SCAN_BYTES
    with scan_file.open("ab") as file:
        file.write(b"\n")
    with pytest.raises(ValidationError, match="15 Mo"):
        read_scan_file(scan_file)
