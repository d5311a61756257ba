"""``ai-choice teams-package``: a zip Teams accepts: valid manifest, icons of the right size."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapters.teams.icons import color_icon, outline_icon, png_size
from bot.cli import main

APP_ID = "0E5D2C1B-AAAA-BBBB-CCCC-1234567890AB"


def manifest_validator(repo_root: Path) -> jsonschema.Draft4Validator:
    """Microsoft's manifest schema (draft-04, per tests/data/schemas/SOURCE.txt)."""
    path = repo_root / "tests" / "data" / "schemas" / "teams-manifest.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def png_pixels(data: bytes) -> bytes:
    """The decompressed image data of a PNG (independent of the zlib build that wrote it)."""
    offset, idat = 8, b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return zlib.decompress(idat)


def test_package_builds_a_valid_zip(
    tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "teams" / "ai-choice.zip"
    code = main(
        ["teams-package", "--app-id", APP_ID, "--out", str(out), "--domain", "bot.example.org"]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
        color = archive.read("color.png")
        outline = archive.read("outline.png")
    errors = [e.message for e in manifest_validator(repo_root).iter_errors(manifest)]
    assert errors == []
    assert manifest["id"] == APP_ID.lower()
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID.lower()
    assert sorted(bot["scopes"]) == ["groupchat", "personal", "team"]
    commands = {c["title"] for lst in bot["commandLists"] for c in lst["commands"]}
    assert {"ask", "compare", "help", "poll", "polls"} <= commands
    assert manifest["validDomains"] == ["token.botframework.com", "bot.example.org"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert png_size(color) == (192, 192)
    assert png_size(outline) == (32, 32)


def test_committed_icons_are_the_generated_ones(repo_root: Path) -> None:
    folder = repo_root / "deploy" / "teams"
    assert png_pixels((folder / "color.png").read_bytes()) == png_pixels(color_icon())
    assert png_pixels((folder / "outline.png").read_bytes()) == png_pixels(outline_icon())


def test_outline_icon_is_white_on_transparent() -> None:
    pixels = png_pixels(outline_icon())
    rows = [pixels[i * (1 + 32 * 4) + 1 : (i + 1) * (1 + 32 * 4)] for i in range(32)]
    colours = {row[x : x + 3] for row in rows for x in range(0, len(row), 4)}
    alphas = {row[x + 3] for row in rows for x in range(0, len(row), 4)}
    assert colours == {b"\xff\xff\xff"}
    assert 0 in alphas and 255 in alphas


@pytest.mark.parametrize(
    "argv",
    [
        ["--app-id", "not-a-guid"],
        ["--app-id", APP_ID, "--domain", "https://bot.example.org/api"],
    ],
)
def test_bad_arguments_exit_2(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.zip"
    assert main(["teams-package", *argv, "--out", str(out)]) == 2
    assert "teams-package:" in capsys.readouterr().err
    assert not out.exists()
