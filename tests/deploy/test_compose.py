"""deploy/docker-compose.yml: valid against the Compose Specification, and what it runs.

The schema is the compose-spec one (Apache-2.0, compose-spec/compose-spec) that
check-jsonschema vendors, so the check needs no network.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from tests.deploy.conftest import DEPLOY, REPO


@pytest.fixture(scope="module")
def compose_schema() -> dict[str, Any]:
    """The Compose Specification's JSON schema, as vendored by check-jsonschema."""
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads(vendor.joinpath("compose-spec.json").read_text())
    assert schema["title"] == "Compose Specification"
    return schema


def test_compose_file_matches_the_compose_specification(
    compose: dict[str, Any], compose_schema: dict[str, Any]
) -> None:
    validator_class = jsonschema.validators.validator_for(compose_schema)
    validator_class.check_schema(compose_schema)
    errors = sorted(validator_class(compose_schema).iter_errors(compose), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_check_rejects_a_broken_file(
    compose: dict[str, Any], compose_schema: dict[str, Any]
) -> None:
    """Guard against a schema that passes everything."""
    broken = {**compose, "services": {"bot": {**compose["services"]["bot"], "portz": [1]}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, compose_schema)


def test_redis_is_version_7_with_append_only_persistence_on_a_volume(
    compose: dict[str, Any],
) -> None:
    redis = compose["services"]["redis"]
    assert redis["image"] == "redis:7"
    command = redis["command"]
    assert "--appendonly" in command
    assert command[command.index("--appendonly") + 1] == "yes"
    volume, _, target = redis["volumes"][0].partition(":")
    assert target == "/data"
    assert volume in compose["volumes"]


def test_the_bot_is_built_here_and_uses_that_redis(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    context = (DEPLOY / bot["build"]["context"]).resolve()
    assert context == REPO
    assert (context / bot["build"]["dockerfile"]).is_file()
    assert bot["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "3978:3978" in bot["ports"]
    env_files = [entry["path"] for entry in bot["env_file"]]
    assert env_files == ["ai-choice.env"]
    assert (DEPLOY / "ai-choice.env.example").is_file()
