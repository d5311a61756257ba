"""Turning questionnaire answers into a recommendation, deterministically and explainably.

Every option carries points per dimension (content, not code): positive leans open,
negative leans closed. The sums per dimension are the *contributions*; every result can
list all of them. The decision rule, with thresholds from ``questionnaire.yaml``:

* balance = (open pull - closed pull) / (open pull + closed pull), in [-1, 1];
* too close to call (|balance| < hybrid_band) -> Hybrid;
* a team that fits a hybrid approach (small business, educators, remote) whose answers
  pull both ways (the weaker side at least tension_min of the stronger) -> Hybrid;
* a lean to open from a team without the people to run open source (``open_needs``: e.g.
  nobody technical, or one or two part-timers) -> Hybrid: vendor tools for everyday work,
  open models only where the data or the workflow needs them;
* otherwise Open when the balance is positive, Closed when negative.

The reasons cited are the strongest dimensions on the winning side; for Hybrid the
strongest on each side first, then the next strongest of either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.content import Content, Outcome

#: Which rule settled the outcome: too close to call, the kind of team, the team's
#: capacity to run open source, or simply the lean.
Rule = Literal["close_call", "audience", "capacity", "lean"]


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
    rule: Rule = "lean"
    #: The answers scored (question id -> option id), so texts can follow them.
    answers: Mapping[str, str] = field(default_factory=dict)

    @property
    def audience_decided(self) -> bool:
        """True when the team's kind (small business, school, remote) tipped it to hybrid."""
        return self.rule == "audience"

    @property
    def capacity_decided(self) -> bool:
        """True when an open lean became hybrid because nobody could run a whole open stack."""
        return self.rule == "capacity"


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

    outcome: Outcome = "open" if balance > 0 else "closed"
    rule: Rule = "lean"
    if abs(balance) < rules.hybrid_band:
        outcome, rule = "hybrid", "close_call"
    elif hybrid_fit >= rules.hybrid_affinity_min and tension >= rules.tension_min:
        outcome, rule = "hybrid", "audience"
    elif outcome == "open" and not _can_run_open(rules.open_needs, answers):
        outcome, rule = "hybrid", "capacity"

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
        rule=rule,
        answers=dict(answers),
    )


def _can_run_open(needs: Mapping[str, list[str]], answers: Mapping[str, str]) -> bool:
    """True when the answers say the team has the people open source needs."""
    return all(answers.get(question) in options for question, options in needs.items())


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
        # The strongest on each side, then whichever is strongest of the rest.
        picked = [side[0] for side in (opens, closeds) if side]
        rest = [c for c in contributions if c.points != 0 and c not in picked]
        picked = (picked + rest)[:limit]
    if len(picked) < 2:
        rest = [c for c in contributions if c not in picked and c.points != 0]
        picked += rest[: 2 - len(picked)]
    return tuple(picked)
