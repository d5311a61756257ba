"""Every variable the deployment files set is one the app reads; credentials stay in Secrets."""

from __future__ import annotations

import re
from typing import Any

from tests.deploy.conftest import (
    DEPLOY,
    RUNTIME_VARS,
    app_env_vars,
    k8s_resource,
    secret_env_vars,
)


def _dockerfile_env() -> set[str]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    names: set[str] = set()
    for line in text.splitlines():
        if line.strip().upper().startswith("ENV "):
            names |= set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", line))
    return names


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "ai-choice.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def _deployment_env() -> set[str]:
    container = k8s_resource("Deployment")["spec"]["template"]["spec"]["containers"][0]
    return {item["name"] for item in container.get("env", [])}


def test_the_app_reads_the_variables_the_contract_names() -> None:
    assert {"REDIS_URL", "REDIS_SENTINEL", "REDIS_CLUSTER", "SLACK_BOT_TOKEN"} <= app_env_vars()
    assert secret_env_vars() <= app_env_vars()


def test_kubernetes_sets_only_variables_the_app_reads() -> None:
    configmap = set(k8s_resource("ConfigMap")["data"])
    secret = set(k8s_resource("Secret")["stringData"])
    unknown = (configmap | secret | _deployment_env()) - app_env_vars()
    assert not unknown, f"set but never read by the core or a front end: {sorted(unknown)}"


def test_compose_sets_only_variables_the_app_reads(compose: dict[str, Any]) -> None:
    environment = set(compose["services"]["bot"]["environment"])
    unknown = (environment | set(_env_example())) - app_env_vars()
    assert not unknown, f"set but never read by the core or a front end: {sorted(unknown)}"


def test_the_image_sets_only_variables_the_app_or_python_reads() -> None:
    unknown = _dockerfile_env() - app_env_vars() - RUNTIME_VARS
    assert not unknown, f"Dockerfile ENV not read by anyone: {sorted(unknown)}"


def test_the_secret_holds_only_credentials_and_the_configmap_none() -> None:
    secret = set(k8s_resource("Secret")["stringData"])
    configmap = set(k8s_resource("ConfigMap")["data"])
    assert secret <= secret_env_vars(), f"not a credential: {sorted(secret - secret_env_vars())}"
    assert not configmap & secret_env_vars(), "a credential in the ConfigMap"


def test_credentials_never_sit_in_compose_or_the_image(compose: dict[str, Any]) -> None:
    assert not set(compose["services"]["bot"]["environment"]) & secret_env_vars()
    assert not _dockerfile_env() & secret_env_vars()
    assert all(not value for name, value in _env_example().items() if name in secret_env_vars())
