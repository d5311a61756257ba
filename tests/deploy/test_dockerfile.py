"""A lint of deploy/Dockerfile, plus proof that what it copies is enough to `pip install .`.

No Docker engine is needed: the image is not built here (CI machines have none).
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.deploy.conftest import DEPLOY, REPO


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = "\n".join(lines).replace("\\\n", " ")
    result = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def _args(name: str) -> list[str]:
    return [rest for word, rest in _instructions() if word == name]


def test_it_starts_from_python_311_slim() -> None:
    assert _args("FROM") == ["python:3.11-slim"]


def test_it_runs_as_a_numeric_non_root_user() -> None:
    users = _args("USER")
    assert users, "no USER: the container would run as root"
    user = users[-1].partition(":")[0]
    assert user.isdigit() and int(user) != 0, f"USER {users[-1]} must be a numeric non-root id"
    last_user = max(i for i, (word, _) in enumerate(_instructions()) if word == "USER")
    assert not any(word == "RUN" for word, _ in _instructions()[last_user:])


def test_it_checks_health_on_healthz_and_serves_on_3978() -> None:
    (healthcheck,) = _args("HEALTHCHECK")
    assert "/healthz" in healthcheck and "CMD" in healthcheck
    assert _args("EXPOSE") == ["3978"]
    assert _args("CMD") == ['["ai-choice", "serve"]']
    assert any("pip install ." in run for run in _args("RUN"))


def test_no_secret_is_baked_in() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    for word, rest in _instructions():
        if word in {"ENV", "ARG", "LABEL"}:
            assert not re.search(r"(SECRET|TOKEN|PASSWORD|APP_ID|KEY)\w*\s*=", rest, re.I), rest
    # Slack tokens and the like never appear anywhere, in any instruction.
    assert not re.search(r"xox[abpr]-|xapp-|-----BEGIN", text)
    assert not any(".env" in rest for word, rest in _instructions() if word in {"COPY", "ADD"})


def _copied_sources() -> list[str]:
    sources = []
    for rest in _args("COPY"):
        parts = [p for p in rest.split() if not p.startswith("--")]
        sources += parts[:-1]
    return sources


def _dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves ``path`` out of the build context (the patterns used here)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(prefix, p) for p in patterns for prefix in prefixes)


def test_dockerignore_keeps_out_local_state_and_keeps_in_what_is_copied() -> None:
    patterns = _dockerignore()
    for private in (".git", ".venv", ".ai-choice", ".env", "deploy/ai-choice.env"):
        assert _ignored(private, patterns), f"{private} would be sent to the Docker daemon"
    copied = _copied_sources()
    assert copied, "the Dockerfile copies nothing"
    for source in copied:
        assert (REPO / source).exists(), f"COPY {source}: no such path"
        assert not _ignored(source, patterns), f"COPY {source} but .dockerignore drops it"


def test_what_the_image_copies_is_enough_to_pip_install(tmp_path: Path) -> None:
    """Build a wheel from just the build context the Dockerfile copies (its `pip install .`)."""
    patterns = _dockerignore()
    context = tmp_path / "context"
    for source in _copied_sources():
        root = REPO / source
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            name = path.relative_to(REPO).as_posix()
            if path.is_file() and not _ignored(name, patterns):
                (context / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, context / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "wheel"),
            str(context),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp_path / "wheel").glob("ai_choice-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/cli.py" in names and "ai_choice_content/questionnaire.yaml" in names
