"""Content: loads and validates, names file/entry/field when broken, ships in the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import Content, ContentError, load_content
from tests.content_kit import edit


@pytest.fixture
def content_copy(tmp_path: Path, repo_root: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(
        repo_root / "content", target, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return target


def test_real_content_meets_the_brief(content: Content) -> None:
    counts = content.counts()
    assert counts["dimensions"] == 10
    assert 8 <= counts["questions"] <= 12
    assert counts["faq entries"] >= 20
    assert all(len(e.phrasings) >= 5 for e in content.faq.entries)
    names = {d.name for d in content.comparison.dimensions}
    assert {"Access", "Transparency", "Customisation", "Cost", "Scalability"} <= names


def test_questions_cover_all_ten_dimensions_and_the_audiences(content: Content) -> None:
    weighed = {dim for q in content.questionnaire.questions for o in q.options for dim in o.weights}
    assert weighed == {d.id for d in content.comparison.dimensions}
    team = next(q for q in content.questionnaire.questions if q.id == "team")
    hybrid_fit = {o.label for o in team.options if o.hybrid > 0}
    assert any("small business" in label.lower() for label in hybrid_fit)
    assert any("school" in label.lower() for label in hybrid_fit)
    assert any("remote" in label.lower() for label in hybrid_fit)


def test_faq_covers_the_seven_seed_questions(content: Content) -> None:
    ids = {e.id for e in content.faq.entries}
    assert {
        "difference",
        "transparency_why",
        "privacy",
        "skills",
        "small_business_both",
        "examples",
        "choose",
    } <= ids


def test_a_missing_field_names_file_entry_and_field(content_copy: Path) -> None:
    edit(content_copy, "faq.yaml", lambda d: d["entries"][2].pop("answer"))
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    error = caught.value
    assert error.file == "faq.yaml"
    assert "[2]" in error.entry and "'privacy'" in error.entry
    assert error.field == "answer"
    assert "faq.yaml" in str(error) and "answer" in str(error)


def test_a_wrong_type_deep_inside_names_the_question_and_option(content_copy: Path) -> None:
    def break_weight(data: dict) -> None:  # type: ignore[type-arg]
        data["questions"][1]["options"][0]["weights"]["privacy"] = "lots"

    edit(content_copy, "questionnaire.yaml", break_weight)
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    assert caught.value.file == "questionnaire.yaml"
    assert "'skills'" in caught.value.entry and "'engineers'" in caught.value.entry
    assert caught.value.field == "weights.privacy"


def test_an_unknown_dimension_in_a_weight_is_caught(content_copy: Path) -> None:
    edit(
        content_copy,
        "questionnaire.yaml",
        lambda d: d["questions"][0]["options"][0]["weights"].update({"vibes": 1}),
    )
    with pytest.raises(ContentError, match=r"weights\.vibes.*unknown dimension"):
        load_content(content_copy)


def test_an_answer_condition_must_name_a_real_question_and_option(content_copy: Path) -> None:
    edit(
        content_copy,
        "questionnaire.yaml",
        lambda d: d["outcomes"]["hybrid"]["summaries"][0]["when"].update({"skills": ["wizards"]}),
    )
    with pytest.raises(ContentError, match=r"summaries\[0\].*when\.skills.*no option 'wizards'"):
        load_content(content_copy)
    edit(
        content_copy, "questionnaire.yaml", lambda d: d["scoring"].update({"open_needs": {"x": []}})
    )
    with pytest.raises(ContentError, match=r"open_needs\.x.*no question"):
        load_content(content_copy)


def test_related_entries_must_exist(content_copy: Path) -> None:
    edit(content_copy, "faq.yaml", lambda d: d["entries"][0].update({"related": ["nope"]}))
    with pytest.raises(ContentError, match="related"):
        load_content(content_copy)


def test_broken_yaml_names_the_line(content_copy: Path) -> None:
    (content_copy / "strings.yaml").write_text("menu_header: [unclosed\n")
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    assert caught.value.file == "strings.yaml" and "line" in caught.value.entry


def test_content_check_prints_counts_and_fails_on_errors(
    content_copy: Path, repo_root: Path
) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "check"],
        capture_output=True,
        text=True,
        cwd=repo_root,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "faq entries: " in ok.stdout and "questions: 10" in ok.stdout


def test_content_loads_the_same_from_an_installed_wheel(tmp_path: Path, repo_root: Path) -> None:
    wheel_dir, site = tmp_path / "wheel", tmp_path / "site"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(repo_root),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheel_dir.glob("ai_choice-*.whl"))
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    probe = (
        "import bot.content as c, json;"
        "content = c.load_content();"
        "print(json.dumps([c.__file__, str(c.default_content_dir()), content.counts()]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site)},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    import json

    module_file, content_dir, counts = json.loads(run.stdout)
    assert module_file.startswith(str(site)) and content_dir.startswith(str(site))
    assert counts == load_content().counts()
