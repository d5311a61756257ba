"""How the FAQ reads questions people really type: requests, long stories, worries, names.

Each question here is written for this test, not taken from the evaluation sets or from
``content/faq.yaml``'s phrasings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import faq_matcher
from bot.content import Content, ContentError, load_content
from bot.conversation import Conversation
from bot.events import Actor
from bot.faq_gist import gist
from bot.faq_matcher import FaqMatcher
from bot.testing import Dialogue
from tests.content_kit import edit, run_cli

ACTOR = Actor("test", "W1", "C1", "U1")

#: Asking for what the bot has: the comparison, or help deciding / the rule of thumb.
REQUESTS = {
    "could you line the two up side by side for me?": "difference",
    "I'd like a comparison of the two": "difference",
    "what's your rule of thumb here?": "choose",
    "please help us decide between them": "choose",
    "in which situations is closed the better call?": "choose",
}
#: A paragraph of context, the question last.
STORIES = {
    "Our support desk has run on a vendor's chatbot since spring. People like it, but "
    "yesterday a customer asked whether their messages are stored somewhere abroad and "
    "none of us could say. Where is our data processed with closed source tools?": "dim_security",
    "I'm a head teacher. Our staff are curious about AI for planning lessons, but we "
    "have no IT person and the budget is already spent. Which kind of AI would fit a "
    "school like ours?": "educators",
    "We run three offices and a warehouse, with about forty people who mostly use "
    "spreadsheets and email. A consultant visited last week and kept using jargon we "
    "didn't follow. What does closed source AI mean?": "closed_definition",
}
#: A vendor, product or price the FAQ has nothing on: declined, with no guesses offered.
NAMED = [
    "how much is a Claude Team seat per month?",
    "gpt4o or llama3 for summarising?",
    "what does the Hugging Face enterprise plan cost?",
    "is Copilot worth it for our devs?",
]


@pytest.fixture
def content_copy(tmp_path: Path, repo_root: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(
        repo_root / "content", target, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return target


@pytest.fixture(scope="module")
def matcher(content: Content) -> FaqMatcher:
    return FaqMatcher(content.faq)


@pytest.mark.parametrize(("question", "entry"), REQUESTS.items())
def test_requests_reach_the_comparison_or_the_rule_of_thumb(
    matcher: FaqMatcher, question: str, entry: str
) -> None:
    match = matcher.match(question)
    assert match.answered and match.entry is not None and match.entry.id == entry


def test_a_comparison_on_one_dimension_stays_with_that_dimension(matcher: FaqMatcher) -> None:
    match = matcher.match("how do the two compare when it comes to scaling up?")
    assert match.entry is not None and match.entry.id == "dim_scalability"


@pytest.mark.parametrize(
    "question",
    ["can you compare flights to berlin for me", "help me pick a restaurant for the team dinner"],
)
def test_a_request_about_something_else_is_not_routed(matcher: FaqMatcher, question: str) -> None:
    assert not matcher.match(question).answered


async def test_help_deciding_offers_the_questionnaire_and_the_comparison(
    conversation: Conversation,
) -> None:
    talk = await Dialogue(conversation, ACTOR).say("can you help us decide?")
    talk.expect_kind("faq.answer").expect("rule of thumb", "hybrid")
    assert talk.last.meta["entry"] == "choose"
    (await talk.press("Take the questionnaire")).expect_kind("quiz.question")
    talk = await Dialogue(conversation, ACTOR).say("can you help us decide?")
    await talk.press("See the comparison")
    assert talk.last.kind == "compare"


@pytest.mark.parametrize(("question", "entry"), STORIES.items())
def test_a_long_story_is_answered_by_its_closing_question(
    matcher: FaqMatcher, question: str, entry: str
) -> None:
    match = matcher.match(question)
    assert match.answered and match.entry is not None and match.entry.id == entry


def test_without_the_gist_the_preamble_drowns_the_question(
    content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faq_matcher, "GIST_WEIGHT", 0.0)
    whole_only = FaqMatcher(content.faq)
    story = list(STORIES)[-1]
    assert not whole_only.match(story).answered


def test_the_gist_is_the_closing_question() -> None:
    story = (
        "We moved to a new office last month and the team has doubled since spring. "
        "Everyone wants an assistant for drafting. So my question is: can a small "
        "business run open and closed tools side by side?"
    )
    assert gist(story) == "can a small business run open and closed tools side by side?"
    assert gist("is open source better for privacy?") is None
    assert (
        gist("We are a school with student records and no budget at all, honestly. Which?") is None
    )


@pytest.mark.parametrize("question", NAMED)
def test_named_products_and_prices_are_declined_without_guesses(
    matcher: FaqMatcher, question: str
) -> None:
    match = matcher.match(question)
    assert not match.answered and not match.suggestions


def test_a_vendor_named_in_the_preamble_does_not_decline_the_question(
    matcher: FaqMatcher,
) -> None:
    story = (
        "We have used ChatGPT for customer emails for half a year and it works well. "
        "Our lawyer now wants to know what we are tied into. What is vendor lock-in?"
    )
    match = matcher.match(story)
    assert match.entry is not None and match.entry.id == "vendor_lock_in"


def test_a_worry_is_read_as_its_topic(matcher: FaqMatcher) -> None:
    match = matcher.match("worried that a vendor tool won't let us adapt it to our domain")
    assert match.entry is not None and match.entry.id == "dim_customisation"


def test_an_intent_must_name_an_existing_entry(content_copy: Path) -> None:
    edit(content_copy, "faq.yaml", lambda d: d["intents"][0].update({"entry": "nope"}))
    with pytest.raises(ContentError, match="intent"):
        load_content(content_copy)


async def test_an_answer_ties_itself_to_the_situation_described(
    conversation: Conversation,
) -> None:
    question = (
        "I teach at a primary school and we keep pupils' records. "
        "Is open source AI better for privacy?"
    )
    talk = await Dialogue(conversation, ACTOR).say(question)
    talk.expect_kind("faq.answer").expect("self-hosted", "For a school holding student records")
    talk = await Dialogue(conversation, ACTOR).say("Is open source AI better for privacy?")
    assert "For a school" not in talk.last.text


def test_a_situation_note_must_name_existing_entries(content_copy: Path) -> None:
    edit(content_copy, "faq.yaml", lambda d: d["situations"][0].update({"entries": ["nope"]}))
    with pytest.raises(ContentError, match="situation"):
        load_content(content_copy)


def test_ask_prints_the_situation_note_on_the_answers_line() -> None:

    questions = (
        "our clinic keeps patient records. is open source AI better for privacy?\nprivacy?\n"
    )
    result = run_cli("ask", stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "self-hosted" in lines[0] and "For a clinic or hospital" in lines[0]
    assert "For a clinic" not in lines[1]


def test_which_one_asked_from_a_situation_gets_that_situations_entry(
    matcher: FaqMatcher,
) -> None:
    match = matcher.match("we're a startup, how should we decide between open and closed?")
    assert match.entry is not None and match.entry.id == "startups_cost"
    # Without a situation the same question is the rule of thumb.
    match = matcher.match("how should we decide between open and closed?")
    assert match.entry is not None and match.entry.id == "choose"


def test_one_faq_word_in_an_everyday_request_is_no_question(matcher: FaqMatcher) -> None:
    assert not matcher.match("my students need help with maths homework").answered


def test_a_situation_told_before_the_closing_which_one_still_counts(
    matcher: FaqMatcher,
) -> None:
    story = (
        "I look after the computers at a village school, the office keeps every pupil's "
        "address and we have nothing to spend. Open or closed, which one should we pick?"
    )
    match = matcher.match(story)
    assert match.entry is not None and match.entry.id == "educators"


#: Near the FAQ's words, yet asking for a recipe, a how-to, a ranking of models or a
#: licence for one's own code: the FAQ has none of these.
NEAR_DOMAIN = [
    "how do we deploy an open model on our kubernetes cluster?",
    "how can I quickly fine tune a small model on our support tickets?",
    "what's the best open source model for translating contracts?",
    "can we build our own language model from scratch?",
    "which licence should i use to open source my python scripts?",
    "how does RAG compare with a longer context window?",
]


@pytest.mark.parametrize("question", NEAR_DOMAIN)
def test_near_domain_how_tos_and_rankings_are_declined(matcher: FaqMatcher, question: str) -> None:
    match = matcher.match(question)
    assert not match.answered and not match.suggestions


def test_how_to_decline_leaves_how_to_choose_alone(matcher: FaqMatcher) -> None:
    match = matcher.match("how do i tell whether an open source ai project is still maintained?")
    assert match.entry is not None and match.entry.id == "quality_variability"


def test_a_clear_leader_about_ai_is_answered_without_a_close_meaning(
    content: Content,
) -> None:
    question = (
        "our ticket site might see ten times the traffic at launch, "
        "can a vendor's AI take that load?"
    )
    matcher = FaqMatcher(content.faq)
    match = matcher.match(question)
    assert match.entry is not None and match.entry.id == "dim_scalability"
    without = FaqMatcher(content.faq.model_copy(update={"domain_floor": 1.0}))
    assert not without.match(question).answered
    # The same kind of lead without a word about AI tools is no question for the FAQ.
    assert not matcher.match("our ticket office might see ten times the traffic at launch").answered


def test_a_bare_which_one_after_a_situation_gets_that_situations_entry(
    content: Content,
) -> None:
    question = "small startup, two devs, cloud credits running out. which one?"
    match = FaqMatcher(content.faq).match(question)
    assert match.entry is not None and match.entry.id == "startups_cost"
    without = FaqMatcher(content.faq.model_copy(update={"which_one_cues": []}))
    assert not without.match(question).answered
    # A closing question with a topic of its own keeps its topic.
    match = FaqMatcher(content.faq).match(
        "we're a startup with two devs. which open source platforms could we build on?"
    )
    assert match.entry is not None and match.entry.id == "examples"


async def test_a_small_business_gets_its_own_line_under_the_answer(
    conversation: Conversation,
) -> None:
    question = "our little shop has nobody who codes, do we need technical skills for open source?"
    talk = await Dialogue(conversation, ACTOR).say(question)
    talk.expect_kind("faq.answer").expect("For a small business")
    assert talk.last.meta["entry"] == "skills"
    talk = await Dialogue(conversation, ACTOR).say("we're a small shop, open or closed, which one?")
    assert talk.last.meta["entry"] == "small_business_both"


def test_a_topic_close_behind_the_generic_entry_answers_instead(content: Content) -> None:
    question = "which one should we pick if our data must stay in house?"
    match = FaqMatcher(content.faq).match(question)
    assert match.entry is not None and match.entry.id == "dim_security"
    never = FaqMatcher(content.faq.model_copy(update={"generic_yield": 1.0}))
    match = never.match(question)
    assert match.entry is not None and match.entry.id == "choose"
    # Asking for help deciding is still the generic entry's question.
    match = FaqMatcher(content.faq).match("help us decide between open and closed")
    assert match.entry is not None and match.entry.id == "choose"


def test_two_related_entries_that_both_fit_are_no_reason_to_decline(content: Content) -> None:
    question = (
        "our vets keep pet owners details on file. which kind of AI keeps those on our own systems?"
    )
    match = FaqMatcher(content.faq).match(question)
    assert match.answered and match.entry is not None
    assert match.entry.id in ("privacy", "dim_security")
    strict = FaqMatcher(content.faq.model_copy(update={"margin_skips_related": False}))
    assert not strict.match(question).answered
