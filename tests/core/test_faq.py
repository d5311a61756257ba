"""The FAQ as people meet it: precise answers, honest "I don't know", and the ask contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor
from bot.faq_matcher import FaqMatcher
from bot.replies import Visibility
from bot.store import StateStore
from bot.testing import Dialogue
from tests.content_kit import run_cli
from tests.wording import faq_answer

ACTOR = Actor("test", "W1", "C1", "U1")

SEED_QUESTIONS = {
    "What is the difference between open source AI and closed source AI?": "difference",
    "Why does transparency matter in AI tools?": "transparency_why",
    "Is open source AI better for privacy?": "privacy",
    "Do I need technical skills to use open source AI?": "skills",
    "Can small businesses use both open and closed source AI?": "small_business_both",
    "What are examples of open source AI platforms?": "examples",
    "How do I choose between open and closed source AI?": "choose",
}
# Typed the way people type, none of them copied from the FAQ's own phrasings.
EVERYDAY_QUESTIONS = {
    "is open source better for privacy?": "privacy",
    "define open source ai": "open_definition",
    "pros of closed source": "closed_advantages",
    "downsides of open source": "open_challenges",
    "we handle patient data, which should we use": "privacy",
    "is closed source AI scalable": "dim_scalability",
    "can a small business use both": "small_business_both",
    "how much does it cost": "dim_cost",
}
OUT_OF_SCOPE = [
    "which gpu should we buy for training?",
    "how do I write a good prompt?",
    "can you reset my password",
    "who won the football",
    "what's the weather today",
    "how do i install python",
]


@pytest.fixture(scope="module")
def matcher(content: Content) -> FaqMatcher:
    return FaqMatcher(content.faq)


@pytest.mark.parametrize(
    ("question", "entry"), [*SEED_QUESTIONS.items(), *EVERYDAY_QUESTIONS.items()]
)
def test_questions_get_the_right_answer(matcher: FaqMatcher, question: str, entry: str) -> None:
    match = matcher.match(question)
    assert match.answered and match.entry is not None
    assert match.entry.id == entry


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_questions_are_not_guessed(matcher: FaqMatcher, question: str) -> None:
    match = matcher.match(question)
    assert not match.answered and match.entry is None
    assert len(match.suggestions) <= 3


def test_a_typo_still_finds_the_answer(matcher: FaqMatcher) -> None:
    match = matcher.match("is opne source beter for privacy")
    assert match.entry is not None and match.entry.id == "privacy"


async def test_an_answer_carries_related_questions_and_feedback_buttons(
    conversation: Conversation, store: StateStore, content: Content
) -> None:
    talk = await Dialogue(conversation, ACTOR).say("Is open source AI better for privacy?")
    strings = content.strings
    talk.expect_replies("faq.answer")
    talk.expect(faq_answer(content, "privacy"), strings.faq_helpful, strings.faq_not_helpful)
    assert talk.last.visibility is Visibility.SHARED
    assert talk.last.choices and all(c.action == "faq.show" for c in talk.last.choices)
    (await talk.press("Helpful")).expect_kind("faq.feedback")
    assert await store.counters("faq", "feedback") == {"privacy:up": 1}
    await talk.say("privacy?")
    await talk.press("Not helpful")
    assert await store.counters("faq", "feedback") == {"privacy:up": 1, "privacy:down": 1}


async def test_a_related_question_button_shows_that_answer(conversation: Conversation) -> None:
    talk = await Dialogue(conversation, ACTOR).say("what is a hybrid approach")
    related = talk.last.choices[0]
    (await talk.press(related.label)).expect_kind("faq.answer")
    assert talk.last.meta["entry"] == related.value


async def test_unknown_questions_say_so_and_offer_a_way_on(
    conversation: Conversation, content: Content
) -> None:
    talk = await Dialogue(conversation, ACTOR).say("can you reset my password")
    strings = content.strings
    talk.expect_replies("faq.unknown").expect(strings.faq_unknown, strings.menu_quiz)


async def test_small_talk_gets_a_friendly_reply_not_an_faq_guess(
    conversation: Conversation,
) -> None:
    talk = Dialogue(conversation, ACTOR)
    for text in ("hi", "Thanks!", "who are you?"):
        (await talk.say(text)).expect_replies("smalltalk")


async def test_forged_faq_buttons_change_nothing(
    conversation: Conversation, store: StateStore
) -> None:
    talk = Dialogue(conversation, ACTOR)
    await talk.say("privacy?")
    from bot.events import ButtonPress

    for action, value in (
        ("faq.feedback", "privacy:sideways"),
        ("faq.feedback", "nope:up"),
        ("faq.show", "nope"),
        ("no.such.action", "x"),
    ):
        (await talk.send(ButtonPress(ACTOR, action, value))).expect_kind("menu")
    assert await store.counters("faq", "feedback") == {}


def test_ask_json_follows_the_contract() -> None:
    result = run_cli("ask", "--json", "Is open source AI better for privacy?")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"answered", "id", "question", "answer", "score", "suggestions"}
    assert answer["answered"] is True and answer["id"] == "privacy"
    assert isinstance(answer["question"], str) and isinstance(answer["answer"], str)
    assert isinstance(answer["score"], float)
    assert answer["suggestions"], "an answer lists related questions"
    for suggestion in answer["suggestions"]:
        assert set(suggestion) == {"id", "question", "score"}


def test_ask_json_declines_with_a_null_answer() -> None:
    answer = json.loads(run_cli("ask", "--json", "who won the football").stdout)
    assert answer["answered"] is False
    assert answer["id"] is None and answer["question"] is None and answer["answer"] is None
    assert len(answer["suggestions"]) <= 3


def test_ask_batch_answers_one_line_per_question(tmp_path: Path, content: Content) -> None:
    questions = [
        "What are examples of open source AI platforms?",
        "who won the football",
        "privacy?",
    ]
    result = run_cli("ask", "--json", stdin="\n".join(questions) + "\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    answers = [json.loads(line) for line in lines]
    assert [a["id"] for a in answers] == ["examples", None, "privacy"]
    plain = run_cli("ask", stdin="\n".join(questions) + "\n").stdout.splitlines()
    assert len(plain) == 3 and faq_answer(content, "examples") in plain[0]
