"""Draws the application icon in every format the installers need, from resources/icons/app.svg.

One drawing, rendered by Qt: PNGs for Linux (hicolor theme), a multi-size .ico for Windows
(executables and Inno Setup) and an .icns for macOS. Generated at build time so the SVG stays
the only source to edit.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Apple's PNG-based icon types, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
NAME = "escap-desktop"


def draw_icons(svg: Path, out_dir: Path) -> dict[str, Path]:
    """Writes ``<name>-<size>.png``, ``<name>.ico``, ``<name>.icns`` and ``<name>.svg``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    out_dir.mkdir(parents=True, exist_ok=True)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise RuntimeError(f"Icône illisible : {svg}")

    def render(size: int) -> QImage:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        return image

    written: dict[str, Path] = {}
    for size in PNG_SIZES:
        path = out_dir / f"{NAME}-{size}.png"
        if not render(size).save(str(path), "PNG"):
            raise RuntimeError(f"Impossible d'écrire {path}")
        written[f"png{size}"] = path
    written["svg"] = out_dir / f"{NAME}.svg"
    shutil.copyfile(svg, written["svg"])

    pngs = {size: _png_bytes(render(size)) for size in sorted(set(ICO_SIZES) | set(ICNS_TYPES))}
    written["ico"] = out_dir / f"{NAME}.ico"
    written["ico"].write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    written["icns"] = out_dir / f"{NAME}.icns"
    written["icns"].write_bytes(icns_bytes({size: pngs[size] for size in ICNS_TYPES}))
    del app
    return written


def _png_bytes(image: object) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[attr-defined]
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (read by Windows Vista and later, and Inno Setup).

    Written by hand: Qt's ICO writer stores one image per file.
    """
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        images += png
        offset += len(png)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns made of PNG entries (accepted since OS X 10.7)."""
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png
        for size, png in sorted(pngs.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body
