"""Shared readers for the deployment files: the k8s manifests, the compose file, the app's env."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.front_ends import Variable, all_variables, discover
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"

#: Variables the Python runtime and pip read in the image; not the app's settings.
RUNTIME_VARS = frozenset(
    {
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONUNBUFFERED",
        "PIP_NO_CACHE_DIR",
        "PIP_DISABLE_PIP_VERSION_CHECK",
    }
)


def _declared() -> tuple[Variable, ...]:
    """What the core and every registered front end declare they read."""
    front_ends = discover({})
    assert front_ends, "no front end is registered (pyproject.toml's entry points)"
    return (*Settings.variables, *all_variables(front_ends))


def app_env_vars() -> set[str]:
    """Every environment variable the core or a registered front end reads."""
    return {variable.name for variable in _declared()}


def secret_env_vars() -> set[str]:
    """The credentials the core and the front ends declare, plus the Teams app id, which is
    issued and rotated with its password and so lives beside it."""
    return {variable.name for variable in _declared() if variable.secret} | {"MICROSOFT_APP_ID"}


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    """Every YAML document in ``path`` (empty ones dropped)."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def k8s_manifest_paths() -> list[Path]:
    """The Kubernetes resource files (everything in deploy/k8s but the kustomization)."""
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def k8s_resources() -> list[dict[str, Any]]:
    """Every resource in the manifests, in file order."""
    return [doc for path in k8s_manifest_paths() for doc in load_yaml_documents(path)]


def k8s_resource(kind: str) -> dict[str, Any]:
    """The one resource of ``kind``."""
    found = [doc for doc in k8s_resources() if doc["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    """deploy/docker-compose.yml, parsed."""
    documents = load_yaml_documents(DEPLOY / "docker-compose.yml")
    assert len(documents) == 1
    return documents[0]
