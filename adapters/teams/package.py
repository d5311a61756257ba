"""The Teams app package: ``manifest.json`` (app id filled in) and the two icons, zipped.

The manifest template and icons live in ``deploy/teams/`` of the checkout; this module
fills in the Microsoft App ID (and any extra valid domains), checks the icons' sizes and
writes the zip that is uploaded to Teams ("Upload a custom app") or the admin centre.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from adapters.teams.icons import png_size

PLACEHOLDER = "{{MICROSOFT_APP_ID}}"
ICON_SIZES = {"color.png": (192, 192), "outline.png": (32, 32)}
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# A host name, or a wildcard one (*.example.com); no scheme, path or port.
_DOMAIN = re.compile(r"^(\*\.)?([A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")


class PackageError(ValueError):
    """The package cannot be built; the message says why."""


def default_source() -> Path:
    """``deploy/teams/`` of the source checkout this package was installed from."""
    return Path(__file__).resolve().parents[2] / "deploy" / "teams"


def build_manifest(
    app_id: str, source: Path, extra_domains: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The manifest for ``app_id``: the template with the id filled in."""
    if not _GUID.match(app_id):
        raise PackageError(f"--app-id must be the bot's Microsoft App ID (a GUID), not {app_id!r}")
    for domain in extra_domains:
        if not _DOMAIN.match(domain):
            raise PackageError(f"not a domain name: {domain!r} (no https:// or path)")
    template = source / "manifest.template.json"
    try:
        text = template.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise PackageError(f"no manifest template at {template}") from error
    manifest: dict[str, Any] = json.loads(text.replace(PLACEHOLDER, app_id.lower()))
    domains = list(manifest.get("validDomains", []))
    manifest["validDomains"] = domains + [d for d in extra_domains if d not in domains]
    return manifest


def read_icons(source: Path) -> dict[str, bytes]:
    """The icon files, each checked to be a PNG of the size Teams requires."""
    icons: dict[str, bytes] = {}
    for name, expected in ICON_SIZES.items():
        try:
            data = (source / name).read_bytes()
            size = png_size(data)
        except (FileNotFoundError, ValueError) as error:
            raise PackageError(f"{source / name}: {error}") from error
        if size != expected:
            width, height = size
            raise PackageError(
                f"{name} is {width}×{height}, Teams needs {expected[0]}×{expected[1]}"
            )
        icons[name] = data
    return icons


def build_package(
    app_id: str,
    out: Path,
    source: Path | None = None,
    extra_domains: tuple[str, ...] = (),
) -> Path:
    """Write the app package zip to ``out``; returns ``out``."""
    source = default_source() if source is None else source
    manifest = build_manifest(app_id, source, extra_domains)
    icons = read_icons(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, data in icons.items():
            archive.writestr(name, data)
    return out
