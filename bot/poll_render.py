"""What a poll looks like: its shared message and its results as CSV, from its definition
and tally alone. Pure: no Redis, no clock, no platform; every word comes from content.
"""

from __future__ import annotations

import math
from typing import Any

from bot.content import Content
from bot.csv_cells import csv_text
from bot.poll_command import format_time, zone
from bot.poll_store import Tally
from bot.replies import (
    Action,
    Bar,
    Choice,
    ChoiceStyle,
    Form,
    Reply,
    ReplyKind,
    Section,
    Visibility,
)

FILLED, EMPTY = "▇", "▁"


def result_line(count: int, total: int, width: int, vote_one: str, vote_many: str) -> str:
    """The contract's result line: ``▇▇▇▇▁▁▁▁ 12 votes (40%)``."""
    fraction = count / total if total else 0.0
    # Round up, so any option with a vote shows at least one block; but only a unanimous
    # option fills the whole bar.
    filled = math.ceil(fraction * width)
    if count < total:
        filled = min(filled, width - 1)
    votes = (vote_one if count == 1 else vote_many).format(count=count)
    return f"{FILLED * filled}{EMPTY * (width - filled)} {votes} ({round(fraction * 100)}%)"


class PollRenderer:
    """Turns a poll's definition and tally into what people see."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.messages = content.polls.messages

    def render(self, meta: dict[str, Any], tally: Tally) -> Reply:
        """The poll's shared message: results, priorities, recommendation, buttons."""
        polls, messages = self.content.polls, self.messages
        options: list[str] = meta["options"]
        open_now = not tally.closed
        show_results = not open_now or not meta["hide_results"]
        total = tally.voters
        bars: list[Bar] = []
        if show_results:
            voters_by_option = self._voters_by_option(meta, tally)
            for index, label in enumerate(options):
                count = tally.counts[index]
                line = result_line(
                    count, total, polls.bar_width, messages.vote_one, messages.vote_many
                )
                bars.append(Bar(label, count, line, voters_by_option.get(index, ())))
        lines = [(messages.voters if total == 1 else messages.voters_plural).format(count=total)]
        words = polls.option_messages
        multi = int(meta.get("multi", 1))
        if multi > 1:
            cast = tally.votes_cast
            votes = (messages.vote_one if cast == 1 else messages.vote_many).format(count=cast)
            lines[0] = words.voters_and_votes.format(voters=lines[0], votes=votes)
        if open_now and total == 0:
            lines.append(messages.no_votes_yet)
        if open_now and meta["hide_results"]:
            lines.append(messages.hidden_results)
        sections = []
        if meta["team"] and tally.profiles:
            sections.append(self._priorities(tally.profiles))
        if meta["team"] and not open_now:
            sections.append(self._team_recommendation(meta, tally))
        tz = zone(meta.get("time_zone", ""))
        context = []
        if meta["anonymous"]:
            context.append(messages.anonymous)
        if multi > 1 and open_now:
            context.append(words.picks_note.format(limit=multi))
        if meta.get("added_by") and not meta["anonymous"]:
            names = sorted(set(meta["added_by"].values()), key=str.casefold)
            context.append(words.added_by.format(names=", ".join(names)))
        if meta["hide_results"] and open_now:
            context.append(messages.hidden)
        if not open_now and tally.closed_at is not None:
            context.append(messages.closed_at.format(when=format_time(tally.closed_at, tz)))
        elif meta.get("deadline"):
            context.append(messages.closes_at.format(when=format_time(meta["deadline"], tz)))
        context.append(messages.started_by.format(name=meta["creator"]["name"]))
        poll_id = meta["id"]
        choices = (
            tuple(
                Choice(label, Action.POLL_VOTE, f"{poll_id}:{i}") for i, label in enumerate(options)
            )
            if open_now
            else ()
        )
        controls = [Choice(messages.export_button, Action.POLL_EXPORT, poll_id)]
        if open_now:
            controls.insert(
                0, Choice(messages.close_button, Action.POLL_CLOSE, poll_id, ChoiceStyle.DANGER)
            )
        form = self.add_form(meta) if open_now and self.takes_options(meta) else None
        if form is not None:
            controls.insert(0, Choice(words.add_button, Action.POLL_ADD_OPTION, poll_id))
        if open_now:
            controls.append(Choice(messages.remind_button, Action.POLL_REMIND, poll_id))
        header = (
            meta["question"]
            if open_now
            else messages.closed_header.format(question=meta["question"])
        )
        return Reply(
            kind=ReplyKind.POLL,
            header=header,
            text="\n".join(lines),
            bars=tuple(bars),
            sections=tuple(sections),
            choices=choices,
            controls=tuple(controls),
            context=" · ".join(context),
            visibility=Visibility.SHARED,
            form=form,
            meta={
                "poll": poll_id,
                "version": str(tally.version),
                "closed": str(not open_now).lower(),
            },
        )

    def takes_options(self, meta: dict[str, Any]) -> bool:
        """True while voters may add options to the poll (``--allow-add``, room left)."""
        limit = self.content.polls.limits.max_options
        return bool(meta.get("allow_add")) and len(meta["options"]) < limit

    def add_form(self, meta: dict[str, Any], error: str = "") -> Form:
        """What to ask a voter adding an option to the poll ``meta`` (``error``: what to fix
        in what they typed last)."""
        polls = self.content.polls
        words = polls.option_messages
        return Form(
            title=words.add_title,
            label=words.add_label,
            placeholder=words.add_placeholder.format(max=polls.limits.max_option_length),
            submit=words.add_submit,
            action=Action.POLL_ADD_OPTION,
            value=meta["id"],
            max_length=polls.limits.max_option_length,
            error=error,
        )

    def _voters_by_option(self, meta: dict[str, Any], tally: Tally) -> dict[int, tuple[str, ...]]:
        if meta["anonymous"]:
            return {}
        shown = self.content.polls.named_voters_shown
        grouped: dict[int, list[str]] = {}
        for voter, picks in (tally.picks or {v: (o,) for v, o in tally.votes.items()}).items():
            for option in picks:
                grouped.setdefault(option, []).append(tally.names.get(voter, voter))
        result = {}
        for option, names in grouped.items():
            names.sort(key=str.casefold)
            listed = names[:shown]
            if len(names) > shown:
                listed.append(self.messages.and_more.format(count=len(names) - shown))
            result[option] = tuple(listed)
        return result

    def _priorities(self, profiles: list[dict[str, float]]) -> Section:
        totals: dict[str, float] = {}
        for profile in profiles:
            for dimension, points in profile.items():
                totals[dimension] = totals.get(dimension, 0.0) + points
        order = {d.id: i for i, d in enumerate(self.content.comparison.dimensions)}
        top = sorted(
            (d for d in totals if d in order and totals[d] > 0),
            key=lambda d: (-totals[d], order[d]),
        )[: self.content.polls.top_dimensions]
        messages = self.messages
        source = (
            messages.priorities_source if len(profiles) == 1 else messages.priorities_source_plural
        )
        lines = tuple(self.content.dimension(d).name for d in top)
        return Section(messages.priorities_title, lines, note=source.format(count=len(profiles)))

    def _team_recommendation(self, meta: dict[str, Any], tally: Tally) -> Section:
        """The seed's logic for a team: a clear majority wins, a split team gets hybrid."""
        messages = self.messages
        outcomes = self.content.questionnaire.outcomes
        votes: dict[str, int] = {}
        for outcome, count in zip(meta["outcomes"], tally.counts, strict=True):
            if outcome:
                votes[outcome] = votes.get(outcome, 0) + count
        decided = sum(votes.values())
        if decided == 0:
            return Section(
                messages.recommendation_title.format(outcome="—"), (messages.recommendation_none,)
            )
        leader = max(("open", "closed", "hybrid"), key=lambda o: votes.get(o, 0))
        share = votes.get(leader, 0) / decided
        if share >= self.content.polls.majority:
            winner = leader
            why = messages.recommendation_majority.format(
                share=round(share * 100), outcome=getattr(outcomes, leader).title
            )
        else:
            winner, why = "hybrid", messages.recommendation_split
        text = getattr(outcomes, winner)
        title = messages.recommendation_title.format(outcome=text.title)
        return Section(title, (why, *text.next_steps))

    def export_csv(self, meta: dict[str, Any], tally: Tally) -> str:
        """The results as CSV: a count per option, then who chose what unless anonymous
        (cells that a spreadsheet would run as a formula are neutralised)."""
        options: list[str] = meta["options"]
        named = not meta["anonymous"]
        messages = self.messages
        rows: list[list[object]] = [[messages.csv_option, messages.csv_votes, messages.csv_percent]]
        for label, count in zip(options, tally.counts, strict=True):
            share = round(count * 100 / tally.voters) if tally.voters else 0
            rows.append([label, count, share])
        if named:
            rows += [[], [messages.csv_voter, messages.csv_option]]
            picks = tally.picks or {v: (o,) for v, o in tally.votes.items()}
            rows += [
                [tally.names.get(voter, voter), options[option]]
                for voter, chosen in sorted(
                    picks.items(), key=lambda item: tally.names.get(item[0], item[0])
                )
                for option in chosen  # one row per pick (several in a --multi poll)
            ]
        return csv_text(rows)
