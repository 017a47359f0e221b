"""Render page 1 of each printed document to PNG for the README (docs/documents/*.png).

Run from the repository root: ``.venv/bin/python docs/render_documents.py``. Needs
``pdftoppm`` (Debian package ``poppler-utils``). The records are the realistic samples the
documents' tests use (tests/documents/samples.py); references are fixed so that the pictures
only change when the layout or the wording does.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from escap_desktop.documents import DocumentData, build_document  # noqa: E402
from tests.documents import samples  # noqa: E402

OUT = ROOT / "docs" / "documents"
DPI = 80


def sample_documents() -> dict[str, DocumentData]:
    consent = samples.consent_form()
    consent = dataclasses.replace(
        consent,
        consent=dataclasses.replace(consent.consent, form_reference="ESCAP-CF-7K4Q-2M9X"),
    )
    return {
        "consent-form": consent,
        "invitation": dataclasses.replace(samples.invitation(), reference="ESCAP-IN-3HQ8-ZD5T"),
        "care-plan": dataclasses.replace(samples.care_plan(), reference="ESCAP-CP-9W2K-M4RB"),
        "grid-report": dataclasses.replace(samples.grid_report(), reference="ESCAP-GR-5TJX-8N1E"),
    }


def render_first_page(pdf: bytes, target: Path, workdir: Path) -> None:
    source = workdir / f"{target.stem}.pdf"
    source.write_bytes(pdf)
    stem = workdir / target.stem
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", source, stem],
        check=True,
    )
    # A 64-colour palette keeps each picture small enough to commit (text stays crisp).
    with Image.open(stem.with_suffix(".png")) as image:
        image.convert("RGB").quantize(colors=64).save(target, optimize=True)


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm est introuvable : installez le paquet poppler-utils.", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in sample_documents().items():
            target = OUT / f"{name}.png"
            render_first_page(build_document(data), target, Path(tmp))
            print(f"{target.relative_to(ROOT)} ({target.stat().st_size // 1024} Kio)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
