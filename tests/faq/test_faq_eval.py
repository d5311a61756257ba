"""The FAQ's measured quality on the held-out halves may not quietly get worse.

The figures come from ``bench/faq_eval.py`` over ``tests/data/faq_eval.yaml``, the
realistic set ``tests/data/faq_eval_real.yaml`` and the channel set
``tests/data/faq_eval_channel.yaml`` (both per style); the baseline they are held to is
``tests/data/faq_baseline.json``. Timing is the bench's business, not the tests'
(machines are noisy).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from bot.content import Content
from bot.faq_text import normalise

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "tests" / "data" / "faq_baseline.json"
TOLERANCE = 0.05
#: A style's held-out half has 16 or 18 questions: one question is 0.056-0.063, so a style
#: may drop by about two questions before the test fails.
STYLE_TOLERANCE = 0.13
ANSWERABLE_STYLES = ("situation", "worry", "casual", "request", "story", "typo")


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("faq_eval", ROOT / "bench" / "faq_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["faq_eval"] = module
    spec.loader.exec_module(module)
    return module


def test_the_evaluation_set_is_big_varied_and_split(bench: ModuleType, content: Content) -> None:
    questions = bench.load_questions()
    in_scope = [q for q in questions if q.expect not in ("none", "smalltalk")]
    out_of_scope = [q for q in questions if q.expect == "none"]
    assert len(in_scope) >= 80 and len(out_of_scope) >= 40
    assert any(q.expect == "smalltalk" for q in questions)
    ids = {e.id for e in content.faq.entries}
    assert {q.expect for q in in_scope} <= ids
    assert {q.expect for q in in_scope} == ids, "every entry has evaluation questions"
    heldout = sum(q.split == "heldout" for q in questions)
    assert 0.4 <= heldout / len(questions) <= 0.6


def test_no_evaluation_question_is_an_faq_phrasing(bench: ModuleType, content: Content) -> None:
    faq_texts = {
        normalise(text)
        for entry in content.faq.entries
        for text in (entry.question, *entry.phrasings)
    }
    copied = [q.text for q in bench.load_questions() if normalise(q.text) in faq_texts]
    assert not copied, f"evaluation questions copied into content/faq.yaml: {copied}"


def test_heldout_quality_holds_the_recorded_baseline(bench: ModuleType, content: Content) -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))["heldout"]
    heldout = [q for q in bench.load_questions() if q.split == "heldout"]
    figures = bench.evaluate(bench.production_pipeline(content.faq), heldout)
    report = "\n".join(figures.misses)
    assert figures.top1 >= baseline["top1"] - TOLERANCE, report
    assert figures.rejection >= baseline["rejection"] - TOLERANCE, report
    assert figures.small_talk_rate >= baseline["small_talk_rate"] - TOLERANCE, report


#: The sets reported per style: their file, their answerable styles, and the baseline key.
STYLED_SETS = {
    "realistic": ("REAL_FILE", ANSWERABLE_STYLES, "realistic_heldout"),
    "channel": ("CHANNEL_FILE", (*ANSWERABLE_STYLES, "emoji"), "channel_heldout"),
}


@pytest.mark.parametrize("name", STYLED_SETS)
def test_each_styled_set_covers_every_style_and_entry(
    bench: ModuleType, content: Content, name: str
) -> None:
    file_attr, styles, _ = STYLED_SETS[name]
    questions = bench.load_questions(getattr(bench, file_attr))
    in_scope = [q for q in questions if q.expect != "none"]
    out_of_scope = [q for q in questions if q.expect == "none"]
    assert len(in_scope) >= 200 and len(out_of_scope) >= 80
    assert {q.style for q in in_scope} == set(styles)
    assert {q.style for q in out_of_scope} == set(bench.OUT_OF_SCOPE_STYLES)
    assert sum(q.style == "near_domain" for q in out_of_scope) >= 30
    assert {q.expect for q in in_scope} == {e.id for e in content.faq.entries}
    for style in (*styles, *bench.OUT_OF_SCOPE_STYLES):
        split = [q.split for q in questions if q.style == style]
        assert split.count("heldout") * 2 in (len(split) - 1, len(split), len(split) + 1)


@pytest.mark.parametrize("name", STYLED_SETS)
def test_no_styled_question_is_an_faq_phrasing(
    bench: ModuleType, content: Content, name: str
) -> None:
    faq_texts = {
        normalise(text)
        for entry in content.faq.entries
        for text in (entry.question, *entry.phrasings)
    }
    questions = bench.load_questions(getattr(bench, STYLED_SETS[name][0]))
    copied = [q.text for q in questions if normalise(q.text) in faq_texts]
    assert not copied, f"{name} questions copied into content/faq.yaml: {copied}"


def test_the_two_styled_sets_share_no_question(bench: ModuleType) -> None:
    real = {normalise(q.text) for q in bench.load_questions(bench.REAL_FILE)}
    shared = [q.text for q in bench.load_questions(bench.CHANNEL_FILE) if normalise(q.text) in real]
    assert not shared, f"the channel set repeats realistic questions: {shared}"


@pytest.mark.parametrize("name", STYLED_SETS)
def test_styled_heldout_holds_the_recorded_baseline_in_every_style(
    bench: ModuleType, content: Content, name: str
) -> None:
    file_attr, styles, key = STYLED_SETS[name]
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))[key]
    heldout = [q for q in bench.load_questions(getattr(bench, file_attr)) if q.split == "heldout"]
    figures = bench.evaluate_styles(bench.production_pipeline(content.faq), heldout)
    overall = figures["overall"]
    report = "\n".join(overall.misses)
    assert overall.top1 >= baseline["top1"] - TOLERANCE, report
    assert overall.declined <= baseline["declined"] + TOLERANCE, report
    assert overall.rejection >= baseline["rejection"] - TOLERANCE, report
    for style in styles:
        got = figures[style].top1
        assert got >= baseline["styles"][style] - STYLE_TOLERANCE, f"{style}: {got:.3f}\n{report}"
