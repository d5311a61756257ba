"""How well the FAQ matcher answers: accuracy, honest refusals and latency, by split.

Reads ``tests/data/faq_eval.yaml`` (questions typed the way people type them, each
labelled with the entry that should answer it, ``none`` when the FAQ does not cover it,
or ``smalltalk``) and ``tests/data/faq_eval_real.yaml`` (the realistic set: situations,
worries, casual basics, requests, long stories and typos, each question tagged with its
``style``) and ``tests/data/faq_eval_channel.yaml`` (the channel set: a second, fresh set in
the same styles plus emoji, written after the first had been tuned on) and prints, for the
tune half and the held-out half of each:

- top-1: answered, and with the labelled entry (in-scope questions);
- top-3 and MRR: where the labelled entry ranks among the scores (in-scope questions);
- rejection: not answered (out-of-scope questions);
- small talk: a small-talk reply, not an FAQ guess (small-talk questions);
- declined: in-scope questions not answered at all (realistic and channel sets);
- p50 / p99 latency per question, small-talk check plus match, on this one core, and on
  questions as long as the bot accepts (1,000 characters, the question last).

For the realistic and channel sets the figures are also printed per style. ``--guard PATH``
evaluates a private guard set kept outside the repository (same format, no split needed).

The held-out half is the one that counts; content edits are tuned on the tune half only.

``--compare`` also measures the other candidate matchers side by side (BM25 via
rank-bm25, rapidfuzz, TF-IDF without the content's synonyms), each with its thresholds
tuned on the tune half by a small grid search; optional packages that are not installed
are skipped. ``--misses`` lists what went wrong on the tune half, for content editors.
``--json`` prints the figures as JSON.

The tests import :func:`load_questions` and :func:`evaluate` from here to guard the
recorded baseline (``tests/data/faq_baseline.json``); timing is printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from bot.content import Faq, load_content
from bot.faq_matcher import FaqMatcher
from bot.faq_text import normalise
from bot.small_talk import SmallTalkMatcher

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILE = ROOT / "tests" / "data" / "faq_eval.yaml"
REAL_FILE = ROOT / "tests" / "data" / "faq_eval_real.yaml"
CHANNEL_FILE = ROOT / "tests" / "data" / "faq_eval_channel.yaml"
#: The sets reported per style, by the name the bench prints.
STYLED_FILES = {"realistic": REAL_FILE, "channel": CHANNEL_FILE}
SPLITS = ("tune", "heldout")
#: Styles of out-of-scope questions in the realistic and channel sets.
OUT_OF_SCOPE_STYLES = ("near_domain", "off_topic")
#: The longest question the bench times (the bot's length cap).
LONG_QUESTION_CHARS = 1000
OUT_OF_SCOPE = "none"
SMALL_TALK = "smalltalk"

#: A question's ranked entries: (entry id, score), best first.
Ranking = list[tuple[str, float]]


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    """One labelled question of the evaluation set."""

    text: str
    expect: str
    split: str
    style: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a pipeline did with one question."""

    small_talk: bool
    answered: bool
    entry_id: str | None
    ranking: Ranking


@dataclass(slots=True)
class Figures:
    """The quality and latency figures for one split."""

    questions: int = 0
    in_scope: int = 0
    out_of_scope: int = 0
    small_talk: int = 0
    top1: float = 0.0
    top3: float = 0.0
    mrr: float = 0.0
    rejection: float = 0.0
    declined: float = 0.0
    small_talk_rate: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    misses: list[str] = field(default_factory=list)


#: A pipeline turns a question into an outcome (small talk first, then the FAQ).
Pipeline = Callable[[str], Outcome]


def load_questions(path: Path = EVAL_FILE, *, split: str | None = None) -> list[EvalQuestion]:
    """The evaluation set, checked: every split is known and every text is unique.

    ``split`` names the split of a file that has none (a private guard set).
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data["questions"] if isinstance(data, dict) else data
    questions = [
        EvalQuestion(
            str(item["q"]),
            str(item["expect"]),
            str(item.get("split", split)),
            str(item.get("style", "")),
        )
        for item in items
    ]
    seen: set[str] = set()
    for question in questions:
        if split is None and question.split not in SPLITS:
            raise ValueError(f"{question.text!r}: split must be one of {SPLITS}")
        key = normalise(question.text)
        if key in seen:
            raise ValueError(f"{question.text!r} appears twice")
        seen.add(key)
    return questions


def production_pipeline(faq: Faq, *, semantic: bool = True) -> Pipeline:
    """The matcher and small talk exactly as the bot runs them, thresholds from content.

    ``semantic=False`` runs the same matcher on words alone (no static embedding model).
    """
    matcher = FaqMatcher(faq, semantic=semantic)
    small_talk = SmallTalkMatcher(faq)

    def run(text: str) -> Outcome:
        if small_talk.find(text) is not None:
            return Outcome(True, False, None, [])
        scored = matcher.scores(text)
        match = matcher.decide(scored)
        ranking = [(entry.id, score) for entry, score in scored]
        return Outcome(False, match.answered, match.entry.id if match.entry else None, ranking)

    return run


def ranked_pipeline(
    faq: Faq, rank: Callable[[str], Ranking], threshold: float, margin: float
) -> Pipeline:
    """A candidate ranker behind the same small talk and the same decision rule."""
    small_talk = SmallTalkMatcher(faq)

    def run(text: str) -> Outcome:
        if small_talk.find(text) is not None:
            return Outcome(True, False, None, [])
        ranking = rank(text)
        if not ranking:
            return Outcome(False, False, None, [])
        best_id, best = ranking[0]
        runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
        answered = best >= threshold and best - runner_up >= margin
        return Outcome(False, answered, best_id if answered else None, ranking)

    return run


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def evaluate(
    pipeline: Pipeline, questions: Sequence[EvalQuestion], timing_rounds: int = 0
) -> Figures:
    """Quality figures for ``questions``; latency too when ``timing_rounds`` > 0."""
    figures = Figures(questions=len(questions))
    reciprocal_ranks: list[float] = []
    top1 = top3 = rejected = small_talk = declined = 0
    for question in questions:
        outcome = pipeline(question.text)
        if question.expect == SMALL_TALK:
            figures.small_talk += 1
            small_talk += outcome.small_talk
            if not outcome.small_talk:
                figures.misses.append(f"small talk missed: {question.text!r}")
            continue
        if question.expect == OUT_OF_SCOPE:
            figures.out_of_scope += 1
            rejected += not outcome.answered
            if outcome.answered:
                figures.misses.append(f"guessed {outcome.entry_id}: {question.text!r}")
            continue
        figures.in_scope += 1
        ids = [entry_id for entry_id, _ in outcome.ranking]
        rank = ids.index(question.expect) + 1 if question.expect in ids else 0
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        top3 += 0 < rank <= 3
        declined += not outcome.answered
        if outcome.answered and outcome.entry_id == question.expect:
            top1 += 1
        else:
            got = outcome.entry_id if outcome.answered else "no answer"
            top = ", ".join(f"{i} {s:.2f}" for i, s in outcome.ranking[:3])
            figures.misses.append(f"want {question.expect}, got {got}: {question.text!r}  [{top}]")
    figures.top1 = top1 / figures.in_scope if figures.in_scope else 0.0
    figures.top3 = top3 / figures.in_scope if figures.in_scope else 0.0
    figures.mrr = statistics.fmean(reciprocal_ranks) if reciprocal_ranks else 0.0
    figures.rejection = rejected / figures.out_of_scope if figures.out_of_scope else 0.0
    figures.declined = declined / figures.in_scope if figures.in_scope else 0.0
    figures.small_talk_rate = small_talk / figures.small_talk if figures.small_talk else 0.0
    if timing_rounds > 0:
        timings: list[float] = []
        for _ in range(timing_rounds):
            for question in questions:
                start = time.perf_counter()
                pipeline(question.text)
                timings.append((time.perf_counter() - start) * 1000)
        figures.p50_ms = _percentile(timings, 0.50)
        figures.p99_ms = _percentile(timings, 0.99)
    return figures


def evaluate_styles(
    pipeline: Pipeline, questions: Sequence[EvalQuestion], timing_rounds: int = 0
) -> dict[str, Figures]:
    """Figures for ``questions`` overall (``"overall"``) and for each style on its own.

    The out-of-scope styles are reported together as ``"out_of_scope"`` too.
    """
    styles = sorted({q.style for q in questions if q.style})
    result = {"overall": evaluate(pipeline, questions, timing_rounds)}
    for style in styles:
        result[style] = evaluate(pipeline, [q for q in questions if q.style == style])
    outside = [q for q in questions if q.expect == OUT_OF_SCOPE]
    if outside:
        result["out_of_scope"] = evaluate(pipeline, outside)
    return result


def long_questions(questions: Sequence[EvalQuestion]) -> list[str]:
    """Questions as long as the bot accepts: other messages' context, then the question."""
    stories = [q.text for q in questions if len(q.text) > 150] or [q.text for q in questions]
    result: list[str] = []
    for index, question in enumerate(q.text for q in questions if q.expect != SMALL_TALK):
        preamble = ""
        step = index
        while len(preamble) + len(question) + 1 < LONG_QUESTION_CHARS:
            preamble += stories[step % len(stories)].rsplit(".", 1)[0] + ". "
            step += 1
        keep = LONG_QUESTION_CHARS - len(question) - 1
        result.append(preamble[len(preamble) - keep :] + " " + question)
    return result


def time_texts(pipeline: Pipeline, texts: Sequence[str], rounds: int) -> tuple[float, float]:
    """p50 and p99 in milliseconds of ``pipeline`` over ``texts``, ``rounds`` times."""
    timings: list[float] = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            pipeline(text)
            timings.append((time.perf_counter() - start) * 1000)
    return _percentile(timings, 0.50), _percentile(timings, 0.99)


# --- candidate rankers for --compare ---------------------------------------------------


def _documents(faq: Faq) -> list[tuple[str, str]]:
    """(entry id, text) for every entry's question and alternate phrasings."""
    return [(e.id, text) for e in faq.entries for text in (e.question, *e.phrasings)]


def _best_per_entry(doc_ids: Sequence[str], doc_scores: Sequence[float]) -> Ranking:
    best: dict[str, float] = {}
    for entry_id, score in zip(doc_ids, doc_scores, strict=True):
        if score > best.get(entry_id, 0.0):
            best[entry_id] = score
    return sorted(best.items(), key=lambda item: -item[1])


def tfidf_ranker(faq: Faq) -> Callable[[str], Ranking]:
    """The production TF-IDF scores on words alone (grid-searched thresholds for fairness)."""
    matcher = FaqMatcher(faq, semantic=False)
    return lambda text: [(e.id, s) for e, s in matcher.scores(text)]


def embedding_ranker(faq: Faq) -> Callable[[str], Ranking] | None:
    """The static embedding model on its own: similarity in meaning to each entry."""
    from bot.faq_semantic import SemanticIndex, default_embedder

    embedder = default_embedder()
    if embedder is None:
        return None
    index = SemanticIndex(embedder, [(e.question, *e.phrasings) for e in faq.entries])
    ids = [e.id for e in faq.entries]

    def rank(text: str) -> Ranking:
        if not normalise(text):
            return []
        ranked = sorted(zip(ids, index.similarities(text), strict=True), key=lambda x: -x[1])
        return [(entry_id, score) for entry_id, score in ranked if score > 0]

    return rank


def bm25_ranker(faq: Faq) -> Callable[[str], Ranking] | None:
    """Okapi BM25 (rank-bm25) over the matcher's tokens, scaled into 0..1."""
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        return None
    matcher = FaqMatcher(faq)
    docs = _documents(faq)
    corpus = [matcher.tokens(text) or ["_"] for _, text in docs]
    bm25 = BM25Okapi(corpus)
    ids = [entry_id for entry_id, _ in docs]
    ceiling = max(bm25.idf.values())

    def rank(text: str) -> Ranking:
        tokens = matcher.tokens(text)
        if not tokens:
            return []
        # Scale by what a perfect match could score, counting unknown words as the rarest.
        top = sum(bm25.idf.get(t, ceiling) * (bm25.k1 + 1) for t in tokens)
        scores = [float(s) / top for s in bm25.get_scores(tokens)]
        return _best_per_entry(ids, scores)

    return rank


def rapidfuzz_ranker(faq: Faq) -> Callable[[str], Ranking] | None:
    """rapidfuzz's token-set ratio against every phrasing, scaled into 0..1."""
    try:
        from rapidfuzz import fuzz, process
    except ImportError:
        return None
    docs = _documents(faq)
    texts = [normalise(text) for _, text in docs]
    ids = [entry_id for entry_id, _ in docs]

    def rank(text: str) -> Ranking:
        query = normalise(text)
        if not query:
            return []
        hits = process.extract(query, texts, scorer=fuzz.token_set_ratio, limit=60)
        return _best_per_entry([ids[i] for _, _, i in hits], [s / 100 for _, s, i in hits])

    return rank


def no_synonyms_ranker(faq: Faq) -> Callable[[str], Ranking]:
    """TF-IDF as in production but without the content's synonym lists."""
    return tfidf_ranker(faq.model_copy(update={"synonyms": {}}))


def _tune(
    faq: Faq, rank: Callable[[str], Ranking], questions: Sequence[EvalQuestion]
) -> tuple[float, float]:
    """Threshold and margin that maximise top-1 + rejection on ``questions``."""
    cache = {q.text: rank(q.text) for q in questions}

    def cached(text: str) -> Ranking:
        return cache[text] if text in cache else rank(text)

    best = (-1.0, 0.0, 0.0)
    for t in range(10, 80, 2):
        for m in range(0, 20, 1):
            threshold, margin = t / 100, m / 100
            figures = evaluate(ranked_pipeline(faq, cached, threshold, margin), questions)
            score = figures.top1 + figures.rejection
            if score > best[0] + 1e-9:
                best = (score, threshold, margin)
    return best[1], best[2]


def compare(faq: Faq, questions: Sequence[EvalQuestion], rounds: int) -> list[dict[str, object]]:
    """Every available candidate's held-out figures, thresholds tuned on the tune half."""
    tune = [q for q in questions if q.split == "tune"]
    heldout = [q for q in questions if q.split == "heldout"]
    rows: list[dict[str, object]] = []
    production = evaluate(production_pipeline(faq), heldout, rounds)
    rows.append({"matcher": "production (content thresholds)", **_row(production)})
    words_only = evaluate(production_pipeline(faq, semantic=False), heldout, rounds)
    rows.append({"matcher": "production on words alone (no meaning model)", **_row(words_only)})
    candidates: dict[str, Callable[[str], Ranking] | None] = {
        "tf-idf words+bigrams+char 3-grams": tfidf_ranker(faq),
        "static embeddings alone (wordllama 256-d)": embedding_ranker(faq),
        "tf-idf without synonyms": no_synonyms_ranker(faq),
        "bm25 (rank-bm25)": bm25_ranker(faq),
        "rapidfuzz token_set_ratio": rapidfuzz_ranker(faq),
    }
    for name, rank in candidates.items():
        if rank is None:
            rows.append({"matcher": name, "skipped": "package not installed"})
            continue
        threshold, margin = _tune(faq, rank, tune)
        figures = evaluate(ranked_pipeline(faq, rank, threshold, margin), heldout, rounds)
        rows.append({"matcher": f"{name} (t={threshold:.2f}, m={margin:.2f})", **_row(figures)})
    return rows


def _row(figures: Figures) -> dict[str, object]:
    return {
        k: round(v, 3) if isinstance(v, float) else v
        for k, v in asdict(figures).items()
        if k != "misses"
    }


def _print_figures(name: str, figures: Figures) -> None:
    print(
        f"{name:12} n={figures.questions:3} (in {figures.in_scope}, out {figures.out_of_scope}, "
        f"small talk {figures.small_talk})  top-1 {figures.top1:.3f}  top-3 {figures.top3:.3f}  "
        f"MRR {figures.mrr:.3f}  rejection {figures.rejection:.3f}  "
        f"declined {figures.declined:.3f}  small talk {figures.small_talk_rate:.3f}  "
        f"p50 {figures.p50_ms:.3f} ms  p99 {figures.p99_ms:.3f} ms"
    )


def _print_style(name: str, figures: Figures) -> None:
    if name == "overall":
        _print_figures(name, figures)
    elif figures.in_scope:
        print(
            f"  {name:12} n={figures.in_scope:3}  top-1 {figures.top1:.3f}  "
            f"top-3 {figures.top3:.3f}  declined {figures.declined:.3f}"
        )
    else:
        print(f"  {name:12} n={figures.out_of_scope:3}  rejection {figures.rejection:.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures for both halves (held-out is the one that counts)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=20, help="timing repetitions")
    parser.add_argument("--compare", action="store_true", help="measure candidate matchers")
    parser.add_argument("--misses", action="store_true", help="list the tune half's misses")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--guard", type=Path, help="a private guard set to evaluate too")
    args = parser.parse_args(argv)
    faq = load_content().faq
    questions = load_questions()
    pipeline = production_pipeline(faq)
    results = {
        split: evaluate(pipeline, [q for q in questions if q.split == split], args.rounds)
        for split in SPLITS
    }
    styled: dict[str, dict[str, Figures]] = {}
    real: list[EvalQuestion] = []
    for name, path in STYLED_FILES.items():
        questions_of = load_questions(path)
        real.extend(questions_of)
        for split in SPLITS:
            part = [q for q in questions_of if q.split == split]
            styled[f"{name}, {split}"] = evaluate_styles(pipeline, part, args.rounds)
    if args.guard:
        guard = load_questions(args.guard, split="guard")
        styled["guard"] = evaluate_styles(pipeline, guard, args.rounds)
    long_p50, long_p99 = time_texts(pipeline, long_questions(real), max(1, args.rounds // 4))
    comparison = compare(faq, questions, args.rounds) if args.compare else []
    if args.json:
        out = {split: _row(figures) for split, figures in results.items()}
        styles = {
            name: {style: _row(f) for style, f in by_style.items()}
            for name, by_style in styled.items()
        }
        long = {"p50_ms": round(long_p50, 3), "p99_ms": round(long_p99, 3)}
        print(
            json.dumps(
                {"figures": out, "styled": styles, "long": long, "comparison": comparison},
                indent=2,
            )
        )
        return 0
    print("original set")
    for split, figures in results.items():
        _print_figures(split, figures)
    for name, by_style in styled.items():
        print(f"\n{name}")
        for style, figures in by_style.items():
            _print_style(style, figures)
    print(
        f"\n{LONG_QUESTION_CHARS}-character questions: p50 {long_p50:.3f} ms  p99 {long_p99:.3f} ms"
    )
    if args.misses:
        print("\ntune misses:")
        for line in results["tune"].misses:
            print("  " + line)
    if comparison:
        print("\nheld-out, candidates (thresholds tuned on the tune half):")
        for row in comparison:
            print("  " + json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
