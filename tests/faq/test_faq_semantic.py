"""Similarity in meaning: the shipped static embedding model and what it changes for people.

The questions here were written for these tests; none is in the evaluation set or the
FAQ's phrasings.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from bot.content import Content
from bot.faq_matcher import FaqMatcher
from bot.faq_semantic import (
    TOKENIZER_FILE,
    WEIGHTS_FILE,
    StaticEmbedder,
    default_embedder,
    load_embedder,
    map_tensor,
    model_root,
)


@pytest.fixture(scope="module")
def embedder() -> StaticEmbedder:
    model = default_embedder()
    assert model is not None, "the wordllama wheel's model files should be installed"
    return model


@pytest.fixture(scope="module")
def with_meaning(content: Content) -> FaqMatcher:
    return FaqMatcher(content.faq)


@pytest.fixture(scope="module")
def words_only(content: Content) -> FaqMatcher:
    return FaqMatcher(content.faq, semantic=False)


def test_the_model_loads_from_the_installed_wheel_without_its_downloader() -> None:
    """The bot starts offline: the model comes off disk, and wordllama's hub code never runs."""
    script = (
        "import sys\n"
        "from bot.faq_semantic import default_embedder\n"
        "model = default_embedder()\n"
        "assert model is not None and model.dimensions == 256\n"
        "assert 'wordllama.wordllama' not in sys.modules\n"
        "assert 'requests' not in sys.modules\n"
        "print('ok')\n"
    )
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "no_proxy": "*"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_texts_close_in_meaning_score_higher_than_unrelated_ones(
    embedder: StaticEmbedder,
) -> None:
    privacy = embedder.embed("keeping customer records on our own servers")
    near = embedder.embed("we do not want client data leaving the building")
    far = embedder.embed("who is bringing cake to the party on friday")
    assert float(np.linalg.norm(privacy)) == pytest.approx(1.0, abs=1e-5)
    assert float(privacy @ near) > float(privacy @ far) + 0.1


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("our staff work from home in five countries, what ai fits", "remote_teams"),
        ("who gets to look at how a closed model reaches its answers", "dim_transparency"),
    ],
)
def test_meaning_answers_what_the_words_alone_only_suggest(
    with_meaning: FaqMatcher, words_only: FaqMatcher, question: str, entry: str
) -> None:
    """Without meaning these get "did you mean…"; with it, the right answer."""
    assert with_meaning.semantic
    assert not words_only.match(question).answered
    match = with_meaning.match(question)
    assert match.answered and match.entry is not None and match.entry.id == entry


@pytest.mark.parametrize(
    "question", ["ai", "tell me about ai", "the ai", "ai tools", "what about it"]
)
def test_a_vague_question_gets_suggestions_not_a_guess(
    with_meaning: FaqMatcher, question: str
) -> None:
    """Several entries are about equally close: the person picks, the bot does not guess."""
    match = with_meaning.match(question)
    assert not match.answered
    assert len(match.suggestions) >= 2


@pytest.mark.parametrize(
    "question",
    [
        "who is bringing cake to the party on friday",
        "how many tokens fit in the context window of the newest model",
        "my laptop fan is really loud today",
    ],
)
def test_meaning_does_not_make_the_bot_answer_off_topic_questions(
    with_meaning: FaqMatcher, question: str
) -> None:
    assert not with_meaning.match(question).answered


def test_the_ranking_carries_each_entry_similarity_in_meaning(with_meaning: FaqMatcher) -> None:
    ranking = with_meaning.scores("is open source ai better for privacy")
    assert ranking[0][0].id == "privacy"
    assert set(ranking.meaning) == {entry.id for entry, _ in ranking}
    assert ranking.meaning["privacy"] == max(ranking.meaning.values())


def test_the_memory_mapped_table_reads_what_safetensors_wrote(tmp_path: Path) -> None:
    table = np.arange(24, dtype=np.float16).reshape(6, 4) / 8
    save_file({"embedding.weight": table, "other": np.ones((2, 2), np.float32)}, tmp_path / "t")
    mapped = map_tensor(tmp_path / "t", "embedding.weight")
    assert mapped.shape == (6, 4) and mapped.dtype == np.float16
    assert np.array_equal(np.asarray(mapped), table)
    assert np.array_equal(np.asarray(map_tensor(tmp_path / "t", "other")), np.ones((2, 2)))


def test_a_damaged_model_leaves_the_bot_on_words_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A truncated weights file is logged and skipped; the bot still starts and answers."""
    spec_root = model_root()
    assert spec_root is not None
    (tmp_path / WEIGHTS_FILE).parent.mkdir(parents=True)
    (tmp_path / TOKENIZER_FILE).parent.mkdir(parents=True)
    shutil.copy(spec_root / TOKENIZER_FILE, tmp_path / TOKENIZER_FILE)
    (tmp_path / WEIGHTS_FILE).write_bytes((spec_root / WEIGHTS_FILE).read_bytes()[:4096])
    with caplog.at_level(logging.WARNING, logger="bot.faq_semantic"):
        assert load_embedder(tmp_path) is None
    assert "words alone" in caplog.text
    assert load_embedder(spec_root) is not None
