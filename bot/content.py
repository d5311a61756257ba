"""Loading and validating ``content/``: the questionnaire, the FAQ, the comparison, UI strings.

Content is data. Each YAML file is validated with pydantic when it loads; a broken file
fails with a :class:`ContentError` naming the file, the entry and the field, and the
files are checked against each other (every weight names a real dimension, every related
FAQ entry exists...).

The YAML ships inside the wheel as the ``ai_choice_content`` package (mapped from the
checkout's ``content/`` folder), so it loads the same from a source checkout and from an
installed wheel.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Outcome = Literal["open", "closed", "hybrid"]


class _Strict(BaseModel):
    # defer_build: a model's validator is built when first used, so a command that loads
    # only the FAQ (``ai-choice ask``) never pays for the questionnaire's or the polls'.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --- comparison.yaml -------------------------------------------------------------------


class Dimension(_Strict):
    """One row of the comparison table, with the one-line reasons the questionnaire cites."""

    id: str = Field(pattern=r"^[a-z_]+$")
    name: str = Field(min_length=2)
    open: str = Field(min_length=5)
    closed: str = Field(min_length=5)
    open_reason: str = Field(min_length=10)
    closed_reason: str = Field(min_length=10)


class Comparison(_Strict):
    """The ten dimensions, open vs closed."""

    title: str
    intro: str
    summary: str
    dimensions: list[Dimension] = Field(min_length=10)

    @model_validator(mode="after")
    def _unique_ids(self) -> Comparison:
        _check_unique([d.id for d in self.dimensions], "dimensions")
        return self


# --- questionnaire.yaml ----------------------------------------------------------------


class Option(_Strict):
    """One answer to a question, and how it moves the scoring.

    ``weights`` maps dimension ids to points: positive leans open, negative leans closed.
    ``hybrid`` is the audience fit for a hybrid approach (small businesses, educators,
    remote teams).
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1, max_length=75)
    weights: dict[str, float] = Field(default_factory=dict)
    hybrid: float = 0.0


class Question(_Strict):
    """One step of the questionnaire."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str = Field(min_length=5)
    hint: str = ""
    options: list[Option] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _unique_options(self) -> Question:
        _check_unique([o.id for o in self.options], "options")
        return self


class Scoring(_Strict):
    """The thresholds that turn points into a recommendation."""

    #: |balance| below this is too close to call: hybrid.
    hybrid_band: float = Field(ge=0, le=1)
    #: With a hybrid-fit audience, both sides pulling at least this much of each other: hybrid.
    tension_min: float = Field(ge=0, le=1)
    #: How much audience fit counts as a hybrid-fit audience.
    hybrid_affinity_min: float = Field(ge=0)
    #: |balance| at or above these is a strong / clear lean; below, a slight one.
    strong_lean: float = Field(ge=0, le=1)
    clear_lean: float = Field(ge=0, le=1)
    #: How many deciding dimensions a result lists (2 to 4).
    max_reasons: int = Field(ge=2, le=4)
    #: How many next steps a result lists.
    max_steps: int = Field(default=4, ge=1, le=6)
    #: Open source needs people to run it: question id -> the options that say the team
    #: has them. Answers that lean open without one of them get a hybrid instead.
    open_needs: dict[str, list[str]] = Field(default_factory=dict)


class AnswerText(_Strict):
    """A line said only when the answers fit: ``when`` maps question ids to the options
    that qualify; every listed question must have one of its options (empty: always)."""

    text: str = Field(min_length=5)
    when: dict[str, list[str]] = Field(default_factory=dict)

    def fits(self, answers: Mapping[str, str]) -> bool:
        """True when every condition holds for ``answers`` (question id -> option id)."""
        return all(answers.get(question) in options for question, options in self.when.items())


class ReasonText(AnswerText):
    """A reason line for one dimension and side that replaces the comparison's own line
    when the answers fit (so the reason says what this team said)."""

    dimension: str
    side: Literal["open", "closed"]


class OutcomeText(_Strict):
    """What a result says for one outcome.

    ``summaries`` and ``answer_steps`` are chosen from the answers: the first summary whose
    conditions hold replaces ``summary``; every answer step that fits comes before the
    general ``next_steps`` (which the team poll also shows).
    """

    title: str
    summary: str
    summaries: list[AnswerText] = Field(default_factory=list)
    tradeoff: str
    answer_steps: list[AnswerText] = Field(default_factory=list)
    next_steps: list[str] = Field(min_length=1)
    share: str

    def summary_for(self, answers: Mapping[str, str]) -> str:
        """The summary that fits ``answers``."""
        return next((s.text for s in self.summaries if s.fits(answers)), self.summary)

    def steps_for(self, answers: Mapping[str, str], limit: int) -> list[str]:
        """The next steps for ``answers``: the fitting answer steps, then the general ones."""
        steps = [s.text for s in self.answer_steps if s.fits(answers)] + self.next_steps
        return steps[:limit]


class Outcomes(_Strict):
    """The three possible results."""

    open: OutcomeText
    closed: OutcomeText
    hybrid: OutcomeText


class Questionnaire(_Strict):
    """The choose-your-AI questionnaire: questions, weights, thresholds and result texts."""

    title: str
    intro: str
    questions: list[Question] = Field(min_length=8, max_length=12)
    scoring: Scoring
    outcomes: Outcomes
    strength_labels: dict[str, str]
    audience_reason: str
    #: Said when the lean was open but the team lacks the people to run open source.
    capacity_reasons: list[AnswerText] = Field(min_length=1)
    #: Reason lines that fit particular answers better than the comparison's own.
    reasons: list[ReasonText] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Questionnaire:
        _check_unique([q.id for q in self.questions], "questions")
        for name in ("strong", "clear", "slight"):
            if name not in self.strength_labels:
                raise ValueError(f"strength_labels needs '{name}'")
        return self


# --- faq.yaml --------------------------------------------------------------------------


class FaqEntry(_Strict):
    """One question with its answer, the other ways people ask it, and follow-ups."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    question: str = Field(min_length=5)
    answer: str = Field(min_length=20)
    phrasings: list[str] = Field(min_length=5)
    related: list[str] = Field(default_factory=list, max_length=3)
    #: Buttons the answer also offers: ``quiz`` (start the questionnaire) and ``compare``
    #: (the side-by-side comparison), for entries that help people decide.
    offers: list[Literal["quiz", "compare"]] = Field(default_factory=list)


class Intent(_Strict):
    """A kind of request answered by one entry, recognised by its cue phrases.

    "Show me how the two compare" asks for the comparison, "help us decide" for the
    rule of thumb, whatever else the words resemble. A cue counts only when the rest of
    the question names no topic of its own (see :mod:`bot.faq_intents`).
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    entry: str
    cues: list[str] = Field(min_length=1)


class DeclineRules(_Strict):
    """Questions the FAQ declines outright, whatever the scores: named products and prices.

    The FAQ compares two kinds of AI; it knows nothing about one vendor's prices, plans,
    models or hardware, and a generic entry would be a wrong answer to such a question.
    """

    #: Vendors, products, model families and hardware the FAQ says nothing about. A name
    #: matches a word exactly or followed by a version ("gpt4o", "llama3").
    names: list[str] = Field(default_factory=list)
    #: Names the FAQ does mention (its example platforms): declined only when asked about
    #: their price or plans.
    priced_names: list[str] = Field(default_factory=list)
    #: Words that ask for a price or a plan.
    price_cues: list[str] = Field(default_factory=list)
    #: Phrases that ask for something the FAQ never covers wherever they stand ("from
    #: scratch", "best open source model"): a recipe, a ranking of models, a licence.
    phrases: list[str] = Field(default_factory=list)
    #: "How do I ..." openers and the hands-on tasks after them ("how do I fine-tune...",
    #: "how can we deploy..."): the FAQ compares kinds of AI, it has no how-to guides.
    how_to_openers: list[str] = Field(default_factory=list)
    how_to_tasks: list[str] = Field(default_factory=list)


class Situation(_Strict):
    """A kind of organisation or need a question may describe, with the line that ties
    some entries' answers to it ("for a school holding student records, ...")."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    #: Words that say the question is about this situation ("school", "patients").
    cues: list[str] = Field(min_length=1)
    #: The entries whose answers get the note.
    entries: list[str] = Field(min_length=1)
    note: str = Field(min_length=20)
    #: The entry that answers "which one for us?" asked from this situation, if any.
    answers: str | None = None


class SmallTalk(_Strict):
    """A short friendly reply to greetings and the like, instead of an FAQ guess."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    patterns: list[str] = Field(min_length=1)
    reply: str


class Faq(_Strict):
    """The FAQ and its matcher's thresholds."""

    #: The best score must reach this to answer.
    answer_threshold: float = Field(gt=0, le=1)
    #: ...and lead the runner-up (a different entry) by this much.
    answer_margin: float = Field(ge=0, le=1)
    #: Entries scoring at least this are offered as suggestions when unsure.
    suggest_threshold: float = Field(ge=0, le=1)
    #: Words that mean the same thing, mapped to one spelling before matching.
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    #: Nearby topics the FAQ does not cover (prompt writing, GPUs, office chat...), each a
    #: name and a few example questions. A question closer to one of these than to any
    #: entry is not answered: they are "decline anchors", never shown to anyone.
    decline_topics: dict[str, list[str]] = Field(default_factory=dict)
    #: To answer, the best entry's score must also lead the closest decline topic's score
    #: by this much (negative: the entry may trail it by that much).
    decline_margin: float = Field(default=0.0, ge=-1, le=1)
    #: A best entry whose word score is below ``answer_threshold`` but at least this is
    #: still answered when it is close enough in meaning (``semantic_threshold``)...
    semantic_floor: float = Field(default=1.0, ge=0, le=1)
    #: ...the similarity in meaning (-1..1) between the question and the entry...
    semantic_threshold: float = Field(default=1.0, ge=-1, le=1)
    #: ...and it trails the closest decline topic by no more than this (negative) margin.
    semantic_decline_margin: float = Field(default=0.0, ge=-1, le=1)
    #: A question of at most this many meaningful words ("ai tools")...
    short_question_words: int = Field(default=0, ge=0, le=10)
    #: ...is answered only when its best entry leads the runner-up by this much.
    short_question_margin: float = Field(default=0.0, ge=0, le=1)
    small_talk: list[SmallTalk] = Field(default_factory=list)
    #: Requests answered by one entry whatever else they resemble (bot.faq_intents)...
    intents: list[Intent] = Field(default_factory=list)
    #: ...added to that entry's score when the request is recognised...
    intent_boost: float = Field(default=0.0, ge=0, le=1)
    #: ...unless the rest of the question matches another entry at least this well.
    intent_topic_ceiling: float = Field(default=0.3, ge=0, le=1)
    #: The best entry is also answered when it clearly leads: it scores at least
    #: ``lead_floor``, at least ``lead_ratio`` times the runner-up, no less than the closest
    #: decline topic, and is at least ``lead_meaning`` close in meaning.
    lead_floor: float = Field(default=1.0, ge=0, le=1)
    lead_ratio: float = Field(default=10.0, ge=1)
    lead_meaning: float = Field(default=1.0, ge=-1, le=1)
    #: A question about the FAQ's domain (one of its words is a ``domain_terms`` token, as
    #: the matcher folds them: "ai", "model"; or it names both sides) is also answered when
    #: its best entry scores at least ``domain_floor``, at least ``domain_ratio`` times the
    #: runner-up and no less than the closest decline topic, however close in meaning.
    domain_terms: list[str] = Field(default_factory=list)
    domain_floor: float = Field(default=1.0, ge=0, le=1)
    domain_ratio: float = Field(default=10.0, ge=1)
    decline_rules: DeclineRules = Field(default_factory=DeclineRules)
    #: Lines that tie an answer to the situation the question described (bot.faq_situations).
    situations: list[Situation] = Field(default_factory=list)
    #: Generic entries a situation's own entry (``answers``) replaces as the answer.
    situation_replaces: list[str] = Field(default_factory=list)
    #: Whether the runner-up the decision rule compares the best entry with skips the
    #: entries related to it (``related``, either way round): two sibling entries that
    #: both fit ("privacy" and "where is my data processed") are no reason to decline.
    margin_skips_related: bool = False
    #: ...and, for a best entry with a topic of its own, the generic entries
    #: (``situation_replaces``), whose score comes from "which kind / which side".
    margin_skips_generic: bool = False
    #: A generic entry (one of ``situation_replaces``) answered first yields to the best
    #: entry with a topic of its own that scores at least this share of it ("which kind
    #: can we audit for bias?" is the audit entry's question, not the generic one's);
    #: 1 or more: never. A request for help deciding (an intent) never yields.
    generic_yield: float = Field(default=1.0, ge=0)
    #: Closing questions that only ask which side to take ("open or closed, which one?"):
    #: after a situation content knows, they get that situation's entry, whatever else
    #: the situation's words resemble.
    which_one_cues: list[str] = Field(default_factory=list)
    entries: list[FaqEntry] = Field(min_length=20)

    @model_validator(mode="after")
    def _unique_ids(self) -> Faq:
        _check_unique([e.id for e in self.entries], "entries")
        return self

    @model_validator(mode="after")
    def _decline_topics_have_questions(self) -> Faq:
        for topic, questions in self.decline_topics.items():
            if not re.fullmatch(r"[a-z_]+", topic):
                raise ValueError(f"decline topic {topic!r}: use lower case and underscores")
            if not questions or any(len(q.strip()) < 3 for q in questions):
                raise ValueError(f"decline topic {topic!r}: needs example questions, none blank")
        return self


# --- strings.yaml ----------------------------------------------------------------------


class Strings(_Strict):
    """Every user-facing line the core says that is not a question, answer or result."""

    menu_header: str
    menu_text: str
    menu_quiz: str
    menu_ask: str
    menu_compare: str
    menu_help: str
    ask_prompt: str
    help_header: str
    help_text: str
    help_examples_title: str
    help_examples: list[str]
    progress: str
    pick_number: str
    pick_which: str
    pick_which_option: str
    back: str
    restart: str
    share: str
    explain: str
    explain_later: str
    result_header: str
    reasons_title: str
    reasons_title_hybrid: str
    reason_line: str
    reason_open_side: str
    reason_closed_side: str
    tradeoff_title: str
    next_steps_title: str
    contributions_title: str
    contributions_text: str
    contributions_columns: list[str] = Field(min_length=3, max_length=3)
    lean_open: str
    lean_closed: str
    lean_neither: str
    #: A hybrid result's header says which side it leans on.
    hybrid_lean_open: str
    hybrid_lean_closed: str
    hybrid_lean_even: str
    shared_by: str
    quiz_not_started: str
    quiz_expired: str
    #: The note a press on a card from an earlier run or step gets, before the current step.
    quiz_stale: str
    quiz_done_already: str
    faq_unsure: str
    faq_unknown: str
    faq_suggestions_title: str
    faq_related_title: str
    faq_helpful: str
    faq_not_helpful: str
    faq_thanks: str
    faq_feedback_sorry: str
    empty_question: str
    #: A question over the length cap (``{max}`` characters).
    question_too_long: str
    unknown_command: str
    store_unavailable: str
    internal_error: str
    unknown_action: str
    delivery_failed: str


# --- polls.yaml ------------------------------------------------------------------------


class TeamPollOption(_Strict):
    """One option of the team poll: a side, or the one that runs the questionnaire."""

    label: str = Field(min_length=1, max_length=75)
    outcome: Outcome | None = None
    runs_questionnaire: bool = False

    @model_validator(mode="after")
    def _one_role(self) -> TeamPollOption:
        if (self.outcome is None) == (not self.runs_questionnaire):
            raise ValueError("an option has either an outcome or runs_questionnaire: true")
        return self


class TeamPoll(_Strict):
    """The poll `poll` starts with no arguments."""

    question: str
    options: list[TeamPollOption] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _all_outcomes(self) -> TeamPoll:
        outcomes = {o.outcome for o in self.options if o.outcome}
        if outcomes != {"open", "closed", "hybrid"}:
            raise ValueError("the team poll needs one option for each of open, closed, hybrid")
        return self


class PollTemplate(_Strict):
    """A ready-made poll (``poll --template NAME``): the team poll, or a question and options."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,29}$")
    #: What ``help`` says it is for.
    description: str = Field(min_length=3)
    #: True for the team poll (its question and options are ``team_poll``'s).
    team: bool = False
    question: str = ""
    options: list[str] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _team_or_own(self) -> PollTemplate:
        if self.team and (self.question or self.options):
            raise ValueError("the team template takes the team poll's question and options")
        if not self.team and not (self.question and len(self.options) >= 2):
            raise ValueError("a template needs a question and at least two options")
        return self


class PollOptionMessages(_Strict):
    """What ``--multi``, ``--allow-add`` and ``--template`` say (bot/poll_options.py)."""

    multi_unreadable: str
    multi_out_of_range: str
    multi_team_poll: str
    allow_add_full: str
    allow_add_team_poll: str
    unknown_template: str
    template_with_options: str
    #: A question given with the team template (the team poll keeps its own).
    team_template_question: str
    two_templates: str
    #: The poll's small line about how many picks each person has.
    picks_note: str
    #: The count line of a multiple-choice poll: ``{voters}`` and ``{votes}`` already worded.
    voters_and_votes: str
    picked: str
    unpicked: str
    #: A press beyond the limit: nothing changed.
    limit_reached: str
    your_picks: str
    #: Joins a voter's picks in a "you picked" line.
    picks_separator: str
    add_button: str
    #: The dialog's title (24 characters at most: the smallest limit a front end has).
    add_title: str = Field(max_length=24)
    add_label: str
    add_placeholder: str
    add_submit: str = Field(max_length=24)
    #: Pressing "Add an option" with nothing typed in the box on the poll.
    add_prompt: str
    added: str
    add_empty: str
    add_too_long: str
    add_duplicate: str
    add_full: str
    add_closed: str
    add_not_allowed: str
    added_by: str


class PollLimits(_Strict):
    """What a custom poll may ask for."""

    min_options: int = Field(ge=2)
    max_options: int = Field(le=10)
    max_option_length: int = Field(le=75)
    max_question_length: int = Field(le=2000)
    max_duration_days: int = Field(ge=1)


class PollMessages(_Strict):
    """Every line a poll says."""

    usage: str
    too_few_options: str
    too_many_options: str
    option_too_long: str
    question_too_long: str
    duplicate_option: str
    empty_option: str
    #: An option made only of invisible characters (zero-width, direction marks).
    invisible_option: str
    #: A question that is empty once invisible characters are gone.
    empty_question: str
    unreadable_duration: str
    duration_too_long: str
    unreadable_deadline: str
    deadline_in_past: str
    unknown_flag: str
    missing_flag_value: str
    unbalanced_quotes: str
    #: A ``poll`` command over the length cap (``{max}`` characters).
    command_too_long: str
    #: One person started too many polls lately (``{count}`` per ``{minutes}`` minutes).
    rate_limited_person: str
    #: One channel had too many polls started lately.
    rate_limited_channel: str
    two_deadlines: str
    voters: str
    voters_plural: str
    vote_one: str
    vote_many: str
    and_more: str
    no_votes_yet: str
    hidden_results: str
    anonymous: str
    hidden: str
    closes_at: str
    closed_at: str
    started_by: str
    closed_header: str
    close_button: str
    export_button: str
    voted: str
    #: The line a voter alone sees on the poll's card (a user-specific view).
    your_vote: str
    moved: str
    withdrawn: str
    poll_closed_no_vote: str
    poll_missing: str
    #: A vote for an option the poll does not have (a forged or stale button value).
    option_missing: str
    not_allowed_close: str
    #: The refusal where workspace admins may close polls too (the actor says so).
    not_allowed_close_or_admin: str
    not_allowed_export: str
    already_closed: str
    closed_by_you: str
    quiz_for_poll: str
    quiz_vote_cast: str
    priorities_title: str
    priorities_source: str
    priorities_source_plural: str
    recommendation_title: str
    recommendation_split: str
    recommendation_majority: str
    recommendation_none: str
    export_ready: str
    csv_option: str
    csv_votes: str
    csv_percent: str
    csv_voter: str
    #: The poll message could not be posted (e.g. the bot is not in the channel).
    post_failed: str
    #: The export went to the person's direct messages.
    export_sent: str
    #: The export went to the person's personal chat with the bot (Teams).
    export_sent_personal: str
    #: The export is posted below, in the personal chat it was asked from.
    export_here: str
    #: There is no personal chat with the bot to send the export to yet.
    export_needs_personal_chat: str
    #: The creator's button that reminds those who haven't voted.
    remind_button: str
    #: The private reminder a non-voter gets (``{creator}``, ``{question}``).
    reminder: str
    #: The one message in the poll's thread naming those the bot can't message privately.
    reminder_mention: str
    #: What the creator is told once the reminders are out (one person, ``{count}`` people).
    reminded_one: str
    reminded_many: str
    #: Nobody to remind (``{hours}``: the repeat window).
    reminded_none: str
    #: Added when some non-voters could not be reached at all (``{count}``).
    reminded_unreachable: str
    #: The heading of the note sent when a long burst (or a timed reminder) is done.
    reminded_about: str
    #: A burst too long to wait for: the count comes later, privately.
    reminding: str
    #: The platform has no roster port (who is in the conversation is unknown).
    remind_unavailable: str
    #: The platform would not list the conversation's members (the bot is not in it).
    roster_unavailable: str
    reminders_running: str
    not_allowed_remind: str
    remind_closed: str
    #: ``--remind-in`` at or after the poll's deadline.
    remind_after_close: str


class PollReminders(_Strict):
    """How reminders to those who haven't voted are paced and repeated."""

    #: Seconds between two reminders of one burst (about one message a second is safe).
    send_interval_seconds: float = Field(default=1.0, ge=0, le=60)
    #: Nobody is reminded about one poll twice within this many hours.
    repeat_hours: int = Field(default=12, ge=1, le=24 * 7)
    #: How long a Remind press waits for the burst before answering "I'll tell you later".
    answer_within_seconds: float = Field(default=5.0, ge=0, le=10)
    #: People named in one @mention message.
    mentions_per_message: int = Field(default=20, ge=1, le=50)


class Polls(_Strict):
    """Team polls: the default poll, the team-recommendation rule, limits and wording."""

    team_poll: TeamPoll
    majority: float = Field(gt=0.5, le=1)
    top_dimensions: int = Field(ge=1, le=10)
    named_voters_shown: int = Field(ge=1, le=50)
    bar_width: int = Field(ge=4, le=20)
    limits: PollLimits
    #: Ready-made polls by name; one of them is the team poll.
    templates: list[PollTemplate] = Field(min_length=1)
    option_messages: PollOptionMessages
    reminders: PollReminders = Field(default_factory=PollReminders)
    messages: PollMessages

    @model_validator(mode="after")
    def _templates_fit(self) -> Polls:
        _check_unique([t.name for t in self.templates], "templates")
        if sum(t.team for t in self.templates) != 1:
            raise ValueError("exactly one template is the team poll (team: true)")
        limits = self.limits
        for template in self.templates:
            if len(template.question) > limits.max_question_length:
                raise ValueError(f"template {template.name}: the question is too long")
            if any(not o or len(o) > limits.max_option_length for o in template.options):
                raise ValueError(f"template {template.name}: an option is empty or too long")
            if len({o.casefold() for o in template.options}) != len(template.options):
                raise ValueError(f"template {template.name}: an option appears twice")
        return self


# --- poll_manage.yaml ------------------------------------------------------------------


class PollManageMessages(_Strict):
    """Every line scheduling, the list of polls, editing and deleting say."""

    repeat_needs_at: str
    at_needs_repeat: str
    unreadable_at: str
    weekly_needs_day: str
    day_needs_weekly: str
    unknown_repeat: str
    two_post_times: str
    post_with_repeat: str
    unreadable_post_at: str
    post_at_in_past: str
    unreadable_post_in: str
    post_too_far: str
    closes_with_schedule: str
    too_many_series: str
    scheduled_once: str
    scheduled_series: str
    rule_daily: str
    rule_weekdays: str
    rule_weekly: str
    posted_late: str
    list_header: str
    list_empty: str
    list_elsewhere: str
    list_series_title: str
    list_open_title: str
    list_series_line: str
    list_once_line: str
    list_open_line: str
    list_bound: str
    stop_button: str
    close_button: str
    delete_button: str
    stopped: str
    not_allowed_stop: str
    schedule_missing: str
    menu_title: str
    edit_button: str
    delete_menu_button: str
    edit_title: str
    edit_question_label: str
    edit_option_label: str
    edit_submit: str
    edit_note: str
    edited: str
    edit_unchanged: str
    edit_question_empty: str
    not_allowed_edit: str
    not_allowed_delete: str
    edit_closed: str
    edit_team_poll: str
    option_has_votes: str
    option_count_changed: str
    deleted: str
    deleted_message_kept: str


class PollManage(_Strict):
    """Scheduled and recurring polls, a person's list of polls, edit and delete."""

    #: Monday first, as people read them ("every Monday at 10:00").
    weekdays: list[str] = Field(min_length=7, max_length=7)
    messages: PollManageMessages


# --- experts.yaml ----------------------------------------------------------------------


class Experts(_Strict):
    """Wording of "Ask an expert": the asker's side, the experts' card, the answer form."""

    ask_button: str
    asked: str
    asked_private: str
    already_asked: str
    no_experts: str
    question_missing: str
    ticket_header: str
    ticket_asked_by: str
    ticket_asked_where: str
    where_channel: str
    where_private: str
    ticket_state: str
    state_open: str
    state_assigned: str
    state_answered: str
    state_closed: str
    ticket_answer_title: str
    ticket_learned: str
    ticket_retracted: str
    answer_button: str
    assign_button: str
    close_button: str
    same_button: str
    retract_button: str
    form_title: str
    form_answer_label: str
    form_answer_placeholder: str
    form_learn_label: str
    form_submit: str
    answer_header: str
    answer_question_title: str
    answer_by: str
    answer_empty: str
    answer_too_long: str
    answered_note: str
    already_handled: str
    ticket_missing: str
    not_an_expert: str
    assigned_note: str
    closed_note: str
    same_title: str
    same_none: str
    phrasing_added: str
    retracted_note: str
    learned_label: str
    setup_done: str
    setup_not_admin: str
    setup_needs_channel: str
    setup_usage: str
    open_header: str
    open_none: str
    open_line: str
    delivery_failed: str


class LearnedEntry(_Strict):
    """An answer the team's experts gave, reviewed and kept as content (learned.yaml)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    question: str = Field(min_length=3)
    answer: str = Field(min_length=1)
    phrasings: list[str] = Field(default_factory=list)
    answered_by: str = ""
    answered_at: str = ""


class Learned(_Strict):
    """``content/learned.yaml``: the experts' answers exported with ``faq export-learned``."""

    entries: list[LearnedEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Learned:
        _check_unique([e.id for e in self.entries], "learned entries")
        return self


# --- loading ---------------------------------------------------------------------------


class ContentError(ValueError):
    """A content file is broken; the message names the file, the entry and the field."""

    def __init__(self, file: str, entry: str, field: str, problem: str) -> None:
        self.file, self.entry, self.field, self.problem = file, entry, field, problem
        super().__init__(f"{file}: entry {entry}: field '{field}': {problem}")


@dataclass(frozen=True)
class Content:
    """All content, validated and cross-checked."""

    comparison: Comparison
    questionnaire: Questionnaire
    faq: Faq
    strings: Strings
    polls: Polls
    poll_manage: PollManage
    experts: Experts
    #: ``content/learned.yaml`` when there is one: answers the experts gave, kept as content.
    learned: Learned = dataclass_field(default_factory=lambda: Learned())

    def dimension(self, dimension_id: str) -> Dimension:
        """The comparison row with this id."""
        return next(d for d in self.comparison.dimensions if d.id == dimension_id)

    def counts(self) -> dict[str, int]:
        """How much content there is, for ``ai-choice content check``."""
        return {
            "dimensions": len(self.comparison.dimensions),
            "questions": len(self.questionnaire.questions),
            "options": sum(len(q.options) for q in self.questionnaire.questions),
            "faq entries": len(self.faq.entries),
            "faq phrasings": sum(len(e.phrasings) for e in self.faq.entries),
            "small talk": len(self.faq.small_talk),
            "strings": len(self.strings.model_dump()),
        }


_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "comparison": ("comparison.yaml", Comparison),
    "questionnaire": ("questionnaire.yaml", Questionnaire),
    "faq": ("faq.yaml", Faq),
    "strings": ("strings.yaml", Strings),
    "polls": ("polls.yaml", Polls),
    "poll_manage": ("poll_manage.yaml", PollManage),
    "experts": ("experts.yaml", Experts),
}
#: The optional content file of learned entries (``ai-choice faq export-learned`` writes it).
LEARNED_FILE = "learned.yaml"


def _check_unique(ids: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate id '{item}' in {what}")
        seen.add(item)


def _entry_name(data: Any, loc: tuple[int | str, ...]) -> tuple[str, str]:
    """Split a pydantic error location into (entry, field), naming entries by their ids.

    The entry is the path down to the innermost list item (``questions[1] 'skills'
    options[0] 'engineers'``); the field is what follows it (``weights.privacy``).
    """
    last_item = max((i for i, part in enumerate(loc) if isinstance(part, int)), default=-1)
    node = data
    entry_parts: list[str] = []
    for part in loc[: last_item + 1]:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            ident = node.get("id") if isinstance(node, dict) else None
            label = f"[{part}]" + (f" '{ident}'" if ident else "")
            if entry_parts:
                entry_parts[-1] += label
            else:
                entry_parts.append(label)
        elif isinstance(node, dict) and part in node:
            node = node[part]
            entry_parts.append(str(part))
        else:
            entry_parts.append(str(part))
    field = ".".join(str(p) for p in loc[last_item + 1 :]) or "(whole entry)"
    return (" ".join(entry_parts) or "(top level)", field)


#: libyaml's safe loader when PyYAML was built with it (ten times faster), else Python's.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(folder: Path | importlib.resources.abc.Traversable, name: str) -> Any:
    path = folder / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContentError(name, "(file)", "(file)", "file is missing") from exc
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(unknown line)"
        raise ContentError(name, where, "(syntax)", str(exc).splitlines()[0]) from exc


def _validate(name: str, model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        entry, field = _entry_name(data, tuple(first["loc"]))
        raise ContentError(name, entry, field, first["msg"]) from exc


def default_content_dir() -> importlib.resources.abc.Traversable:
    """The bundled content: the checkout's ``content/`` or the installed package."""
    return importlib.resources.files("ai_choice_content")


def load_content(folder: Path | importlib.resources.abc.Traversable | None = None) -> Content:
    """Load and validate every content file; raise :class:`ContentError` on the first fault."""
    folder = default_content_dir() if folder is None else folder
    parts = {
        key: _validate(name, model, _read(folder, name)) for key, (name, model) in _FILES.items()
    }
    if (folder / LEARNED_FILE).is_file():
        parts["learned"] = _validate(LEARNED_FILE, Learned, _read(folder, LEARNED_FILE))
    content = Content(**parts)
    _cross_check(content)
    return content


def load_faq_content(
    folder: Path | importlib.resources.abc.Traversable | None = None,
) -> tuple[Faq, Strings]:
    """Only the FAQ and the strings, validated: all a one-shot FAQ answer needs."""
    folder = default_content_dir() if folder is None else folder
    faq = _validate("faq.yaml", Faq, _read(folder, "faq.yaml"))
    strings = _validate("strings.yaml", Strings, _read(folder, "strings.yaml"))
    _check_related(faq)
    return faq, strings


def _check_related(faq: Faq) -> None:
    """Every entry id the FAQ names (related questions, intents, situations) exists."""
    entries = {e.id for e in faq.entries}
    for intent in faq.intents:
        if intent.entry not in entries:
            raise ContentError(
                "faq.yaml", f"intent '{intent.id}'", "entry", f"no entry with id '{intent.entry}'"
            )
    for situation in faq.situations:
        for entry_id in (*situation.entries, *filter(None, [situation.answers])):
            if entry_id not in entries:
                raise ContentError(
                    "faq.yaml",
                    f"situation '{situation.id}'",
                    "entries",
                    f"no entry with id '{entry_id}'",
                )
    for entry in faq.entries:
        for related in entry.related:
            if related not in entries or related == entry.id:
                raise ContentError(
                    "faq.yaml", f"'{entry.id}'", "related", f"no other entry with id '{related}'"
                )


def _cross_check(content: Content) -> None:
    dims = {d.id for d in content.comparison.dimensions}
    for question in content.questionnaire.questions:
        for option in question.options:
            for dim in option.weights:
                if dim not in dims:
                    raise ContentError(
                        "questionnaire.yaml",
                        f"question '{question.id}' option '{option.id}'",
                        f"weights.{dim}",
                        f"unknown dimension (known: {', '.join(sorted(dims))})",
                    )
    covered = {d for q in content.questionnaire.questions for o in q.options for d in o.weights}
    missing = dims - covered
    if missing:
        raise ContentError(
            "questionnaire.yaml",
            "(all questions)",
            "weights",
            f"no question weighs these dimensions: {', '.join(sorted(missing))}",
        )
    _check_conditions(content)
    _check_related(content.faq)


def _check_conditions(content: Content) -> None:
    """Every answer condition in the questionnaire names real questions and options."""
    questionnaire = content.questionnaire
    options = {q.id: {o.id for o in q.options} for q in questionnaire.questions}
    dims = {d.id for d in content.comparison.dimensions}
    named: list[tuple[str, str, dict[str, list[str]]]] = [
        ("scoring", "open_needs", questionnaire.scoring.open_needs)
    ]
    for i, capacity in enumerate(questionnaire.capacity_reasons):
        named.append((f"capacity_reasons[{i}]", "when", capacity.when))
    for i, reason in enumerate(questionnaire.reasons):
        named.append((f"reasons[{i}]", "when", reason.when))
        if reason.dimension not in dims:
            raise ContentError(
                "questionnaire.yaml",
                f"reasons[{i}]",
                "dimension",
                f"unknown dimension '{reason.dimension}'",
            )
    for name in ("open", "closed", "hybrid"):
        text: OutcomeText = getattr(questionnaire.outcomes, name)
        for i, summary in enumerate(text.summaries):
            named.append((f"outcomes.{name}.summaries[{i}]", "when", summary.when))
        for i, step in enumerate(text.answer_steps):
            named.append((f"outcomes.{name}.answer_steps[{i}]", "when", step.when))
    for entry, field, when in named:
        for question, chosen in when.items():
            if question not in options:
                raise ContentError(
                    "questionnaire.yaml", entry, f"{field}.{question}", "no question with this id"
                )
            for option in chosen:
                if option not in options[question]:
                    raise ContentError(
                        "questionnaire.yaml",
                        entry,
                        f"{field}.{question}",
                        f"question '{question}' has no option '{option}'",
                    )
