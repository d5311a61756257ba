"""Turning questionnaire answers into a recommendation, deterministically and explainably.

Every option carries points per dimension (content, not code): positive leans open,
negative leans closed. The sums per dimension are the *contributions*; every result can
list all of them. The decision rule, with thresholds from ``questionnaire.yaml``:

* balance = (open pull - closed pull) / (open pull + closed pull), in [-1, 1];
* too close to call (|balance| < hybrid_band) -> Hybrid;
* a team that fits a hybrid approach (small business, educators, remote) whose answers
  pull both ways (the weaker side at least tension_min of the stronger) -> Hybrid;
* otherwise Open when the balance is positive, Closed when negative.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.content import Content, Outcome


@dataclass(frozen=True, slots=True)
class Contribution:
    """How many points one dimension collected: positive open, negative closed."""

    dimension_id: str
    name: str
    points: float

    @property
    def side(self) -> Outcome | None:
        """Which way this dimension leans, if any."""
        if self.points > 0:
            return "open"
        if self.points < 0:
            return "closed"
        return None


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The outcome, how firm it is, and everything needed to explain it."""

    outcome: Outcome
    strength: str  # "strong", "clear" or "slight"
    balance: float
    open_pull: float
    closed_pull: float
    hybrid_fit: float
    #: Every dimension, largest effect first (ties in comparison-table order).
    contributions: tuple[Contribution, ...]
    #: The 2-4 dimensions that decided the outcome.
    deciding: tuple[Contribution, ...]

    @property
    def audience_decided(self) -> bool:
        """True when the team's kind (small business, school, remote) tipped it to hybrid."""
        return self.outcome == "hybrid" and self.hybrid_fit > 0


def score(content: Content, answers: Mapping[str, str]) -> Recommendation:
    """The recommendation for ``answers`` (question id -> option id)."""
    questionnaire = content.questionnaire
    rules = questionnaire.scoring
    points = {d.id: 0.0 for d in content.comparison.dimensions}
    hybrid_fit = 0.0
    for question in questionnaire.questions:
        chosen = answers.get(question.id)
        option = next((o for o in question.options if o.id == chosen), None)
        if option is None:
            continue
        hybrid_fit += option.hybrid
        for dimension_id, value in option.weights.items():
            points[dimension_id] += value

    order = {d.id: i for i, d in enumerate(content.comparison.dimensions)}
    contributions = tuple(
        sorted(
            (
                Contribution(d.id, d.name, round(points[d.id], 3))
                for d in content.comparison.dimensions
            ),
            key=lambda c: (-abs(c.points), order[c.dimension_id]),
        )
    )
    open_pull = sum(c.points for c in contributions if c.points > 0)
    closed_pull = -sum(c.points for c in contributions if c.points < 0)
    total = open_pull + closed_pull
    balance = (open_pull - closed_pull) / total if total else 0.0
    tension = min(open_pull, closed_pull) / max(open_pull, closed_pull) if total else 0.0

    outcome: Outcome
    if abs(balance) < rules.hybrid_band:
        outcome = "hybrid"
    elif hybrid_fit >= rules.hybrid_affinity_min and tension >= rules.tension_min:
        outcome = "hybrid"
    else:
        outcome = "open" if balance > 0 else "closed"

    firmness = tension if outcome == "hybrid" else abs(balance)
    if firmness >= rules.strong_lean:
        strength = "strong"
    elif firmness >= rules.clear_lean:
        strength = "clear"
    else:
        strength = "slight"

    return Recommendation(
        outcome=outcome,
        strength=strength,
        balance=round(balance, 3),
        open_pull=round(open_pull, 3),
        closed_pull=round(closed_pull, 3),
        hybrid_fit=hybrid_fit,
        contributions=contributions,
        deciding=_deciding(contributions, outcome, rules.max_reasons),
    )


def _deciding(
    contributions: tuple[Contribution, ...], outcome: Outcome, limit: int
) -> tuple[Contribution, ...]:
    """The dimensions to cite: the strongest on the winning side (both sides for hybrid)."""
    opens = [c for c in contributions if c.points > 0]
    closeds = [c for c in contributions if c.points < 0]
    if outcome == "open":
        picked = opens[:limit]
    elif outcome == "closed":
        picked = closeds[:limit]
    else:
        picked = []
        for pair in zip(opens, closeds, strict=False):
            picked.extend(pair)
        picked += opens[len(closeds) :] + closeds[len(opens) :]
        picked = picked[:limit]
    if len(picked) < 2:
        rest = [c for c in contributions if c not in picked and c.points != 0]
        picked += rest[: 2 - len(picked)]
    return tuple(picked)
