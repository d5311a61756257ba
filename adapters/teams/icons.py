"""The Teams app icons, drawn in pure Python and written as PNG (zlib + struct, no Pillow).

Teams wants a 192×192 full-colour icon and a 32×32 outline icon: white on transparent.
The mark is a path that forks in two, for a choice between two ways. The committed files
in ``deploy/teams/`` come from here: ``python -m adapters.teams.icons deploy/teams``.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

RGBA = tuple[int, int, int, int]
Shader = Callable[[float, float], RGBA]

ACCENT = (0x46, 0x4E, 0xB8)  # Teams purple; the manifest's accentColor
WHITE: RGBA = (255, 255, 255, 255)
CLEAR: RGBA = (0, 0, 0, 0)

# The mark in unit coordinates (0..1): a stem that splits into two branches, with dots.
_SEGMENTS = (
    ((0.5, 0.86), (0.5, 0.55)),
    ((0.5, 0.55), (0.28, 0.27)),
    ((0.5, 0.55), (0.72, 0.27)),
)
_DOTS = ((0.28, 0.23), (0.72, 0.23))


def png(width: int, height: int, shade: Shader) -> bytes:
    """An RGBA PNG of ``width``×``height`` whose pixel (x, y) is ``shade(x, y)``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(bytes(shade(x + 0.5, y + 0.5)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) read from a PNG's IHDR; raises ValueError when it is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _segment_distance(
    px: float, py: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _mark_coverage(u: float, v: float, stroke: float, dot: float, pixel: float) -> float:
    """How much of the pixel at unit coords (u, v) the mark covers, 0..1 (soft edges)."""
    line = min(_segment_distance(u, v, a, b) for a, b in _SEGMENTS) - stroke / 2
    dots = min(math.hypot(u - x, v - y) for x, y in _DOTS) - dot
    edge = min(line, dots)
    return max(0.0, min(1.0, 0.5 - edge / pixel))


def _blend(under: RGBA, over: RGBA, amount: float) -> RGBA:
    r, g, b, a = (round(u + (o - u) * amount) for u, o in zip(under, over, strict=True))
    return (r, g, b, a)


def color_icon(size: int = 192) -> bytes:
    """The full-colour icon: a white mark on an accent-coloured rounded square."""
    radius = 0.18

    def shade(x: float, y: float) -> RGBA:
        u, v = x / size, y / size
        # Rounded-square mask: distance outside the inner rectangle, minus the radius.
        qx = max(abs(u - 0.5) - (0.5 - radius), 0.0)
        qy = max(abs(v - 0.5) - (0.5 - radius), 0.0)
        inside = max(0.0, min(1.0, 0.5 - (math.hypot(qx, qy) - radius) * size))
        background: RGBA = (*ACCENT, round(255 * inside))
        return _blend(background, WHITE, _mark_coverage(u, v, 0.09, 0.075, 1 / size) * inside)

    return png(size, size, shade)


def outline_icon(size: int = 32) -> bytes:
    """The outline icon: the white mark on a transparent background."""

    def shade(x: float, y: float) -> RGBA:
        coverage = _mark_coverage(x / size, y / size, 0.11, 0.09, 1 / size)
        return (255, 255, 255, round(255 * coverage))

    return png(size, size, shade)


def write_icons(folder: Path) -> None:
    """Write ``color.png`` and ``outline.png`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "color.png").write_bytes(color_icon())
    (folder / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    write_icons(Path(sys.argv[1] if len(sys.argv) > 1 else "deploy/teams"))
