"""The Kubernetes manifests: valid against the Kubernetes schemas, and wired together right."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from bot.redis_connect import connect
from bot.settings import Settings
from tests.deploy.conftest import (
    K8S,
    k8s_manifest_paths,
    k8s_resource,
    k8s_resources,
    load_yaml_documents,
)

#: The Kubernetes release the manifests are checked against (schemas ship in the package).
KUBERNETES_VERSION = "1.30.0"


@pytest.mark.parametrize("path", k8s_manifest_paths(), ids=lambda p: p.name)
def test_every_manifest_is_valid_for_kubernetes(path: Path) -> None:
    documents = load_yaml_documents(path)
    assert documents, f"{path.name} holds no resource"
    for document in documents:
        # strict: unknown fields (typos such as readinesProbe) fail too.
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_broken_manifest() -> None:
    """Guard against a validator that passes everything."""
    deployment = k8s_resource("Deployment")
    broken: dict[str, Any] = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_exactly_the_manifests() -> None:
    (kustomization,) = load_yaml_documents(K8S / "kustomization.yaml")
    assert kustomization["kind"] == "Kustomization"
    assert sorted(kustomization["resources"]) == [p.name for p in k8s_manifest_paths()]
    assert (
        kustomization["images"][0]["name"]
        == k8s_resource("Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
    )


def test_the_kinds_asked_for_are_all_there() -> None:
    kinds = sorted(doc["kind"] for doc in k8s_resources())
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "Secret",
            "Service",
        ]
    )
    assert k8s_resource("HorizontalPodAutoscaler")["apiVersion"] == "autoscaling/v2"


def _container() -> dict[str, Any]:
    return k8s_resource("Deployment")["spec"]["template"]["spec"]["containers"][0]


def test_deployment_runs_replicas_that_probe_and_stop_gracefully() -> None:
    deployment = k8s_resource("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = _container()
    assert deployment["spec"]["replicas"] >= 2
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {p["containerPort"] for p in container["ports"]} == {3978}
    assert container["resources"]["requests"]["cpu"]
    assert container["resources"]["requests"]["memory"]
    assert container["resources"]["limits"]["memory"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert 10 <= pod["terminationGracePeriodSeconds"] <= 120
    assert container["command"] == ["ai-choice", "serve"]


def test_deployment_takes_its_env_from_the_configmap_and_the_secret() -> None:
    sources = _container()["envFrom"]
    assert {s["configMapRef"]["name"] for s in sources if "configMapRef" in s} == {
        k8s_resource("ConfigMap")["metadata"]["name"]
    }
    assert {s["secretRef"]["name"] for s in sources if "secretRef" in s} == {
        k8s_resource("Secret")["metadata"]["name"]
    }


def test_service_pdb_and_hpa_point_at_the_deployment() -> None:
    deployment = k8s_resource("Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    service = k8s_resource("Service")
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == _container()["ports"][0]["name"]
    pdb = k8s_resource("PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert pdb["spec"]["minAvailable"] < deployment["spec"]["replicas"]
    hpa = k8s_resource("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_the_secret_holds_placeholders_not_credentials() -> None:
    secret = k8s_resource("Secret")
    values = {**secret.get("stringData", {}), **secret.get("data", {})}
    assert set(values) == {
        "SLACK_SIGNING_SECRET",
        "SLACK_BOT_TOKEN",
        "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD",
        "AI_CHOICE_SECRET",
    }
    assert all(value == "replace-me" for value in values.values())


async def test_the_configmap_selects_redis_sentinel_in_the_app() -> None:
    env = {**k8s_resource("ConfigMap")["data"], **k8s_resource("Secret")["stringData"]}
    settings = Settings.from_env(env)
    assert settings.redis_sentinel == "redis-sentinel:26379/mymaster"
    connection = connect(settings)  # builds the client; sends nothing yet
    try:
        assert connection.description == "sentinel service mymaster"
    finally:
        await connection.close()


async def test_the_commented_cluster_alternative_parses_too() -> None:
    text = (K8S / "configmap.yaml").read_text()
    match = re.search(r'#\s*REDIS_CLUSTER:\s*"([^"]+)"', text)
    assert match, "configmap.yaml should show the REDIS_CLUSTER alternative in a comment"
    connection = connect(Settings(redis_cluster=match.group(1)))
    try:
        assert connection.description == "cluster via 3 seed nodes"
    finally:
        await connection.close()
