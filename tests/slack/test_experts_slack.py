"""Ask an expert through the real Slack front end: a declined question goes to the experts'
channel, an expert answers in a modal, the asker gets the answer in their thread; two
experts answering at once give one answer; a non-member cannot answer; an answer saved
to the FAQ answers the next person who asks in other words."""

from __future__ import annotations

import asyncio
import json
import time

from adapters.slack.forms import FORM_CALLBACK
from bot.conversation import Conversation
from bot.events import Actor, Message
from bot.expert_tickets import OPEN_SET, TAG
from bot.experts import ANSWER_FIELD, LEARN_FIELD
from bot.replies import Action
from bot.store import StateStore
from tests.slack.conftest import SlackBot, button, shown_text
from tests.slack.experts_kit import (
    ADMIN,
    ANN,
    ASKER,
    BOB,
    DECLINED,
    EXPERTS,
    GENERAL,
    OUTSIDER,
    REPHRASED,
    TEAM,
    ask_declined,
    choose_experts_channel,
    expert_press,
    people,
    posts_to,
    submission,
    ticket_card,
)
from tests.slack.slack_stand_in import SlackStandIn


async def test_a_declined_question_reaches_the_experts_and_the_answer_comes_back(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    words = conversation.content.experts
    ack = await choose_experts_channel(bot)
    assert words.setup_done in json.dumps(ack)

    card = await ticket_card(bot, slack, conversation)
    text = shown_text(card["blocks"])
    assert DECLINED in text and "u2147483697" in text  # the question and the asker's name
    assert words.state_open in text

    # An expert presses Answer: Slack is asked to open the modal with the form.
    answer_button = button(card["blocks"], Action.EXPERT_ANSWER)
    await bot.press(answer_button, response_url="ann-open", **expert_press(ANN))
    opened = await slack.wait_for(lambda: slack.api_calls("views.open"), what="views.open")
    view = opened[0].body["view"]
    assert view["callback_id"] == FORM_CALLBACK
    inputs = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs == {ANSWER_FIELD, LEARN_FIELD}
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements[ANSWER_FIELD]["multiline"] is True  # room for a paragraph
    assert elements[LEARN_FIELD]["type"] == "checkboxes"  # "add to the FAQ" is a tick box
    metadata = json.loads(view["private_metadata"])
    assert metadata["a"] == Action.EXPERT_SUBMIT.value
    ticket_id = metadata["v"]

    response = await bot.interact(
        submission(ticket_id, ANN, "Yes: <!channel> ChatGPT *Enterprise*, ask IT.", learn=False)
    )
    assert response.status == 200
    delivered = await slack.wait_for(
        lambda: [
            p
            for p in posts_to(slack, GENERAL)
            if p.get("thread_ts") and "Enterprise" in json.dumps(p)
        ],
        what="the answer in the asker's thread",
    )
    shown = shown_text(delivered[0]["blocks"])
    # Plain text: no live mention, no bold.
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert words.answer_by.format(name=ANN.lower()) in shown
    assert delivered[0]["thread_ts"] == "1700000100.000300"
    updated = await slack.wait_for(lambda: slack.api_calls("chat.update"), what="the card update")
    assert words.state_answered.format(name=ANN.lower()) in shown_text(updated[-1].body["blocks"])


async def test_two_experts_answering_at_once_give_one_answer(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    await choose_experts_channel(bot)
    card = await ticket_card(bot, slack, conversation)
    ticket_id = button(card["blocks"], Action.EXPERT_ANSWER)["value"]

    first, second = await asyncio.gather(
        bot.interact(submission(ticket_id, ANN, "Ann's answer: yes, Enterprise.", learn=False)),
        bot.interact(submission(ticket_id, BOB, "Bob's answer: yes, Enterprise.", learn=False)),
    )
    assert first.status == second.status == 200
    notes = await slack.wait_for(
        lambda: (
            slack.api_calls("chat.postEphemeral")
            if len(slack.api_calls("chat.postEphemeral")) >= 2
            else None
        ),
        what="both experts' notes",
    )
    delivered = [p for p in posts_to(slack, GENERAL) if "answer: yes" in json.dumps(p)]
    assert len(delivered) == 1
    said = sorted(shown_text(n.body["blocks"]) for n in notes)
    words = conversation.content.experts
    assert sum(words.answered_note in s for s in said) == 1
    assert sum(words.already_handled.split("{")[0] in s for s in said) == 1


async def test_only_members_of_the_experts_channel_can_answer(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    await choose_experts_channel(bot)
    card = await ticket_card(bot, slack, conversation)
    ticket_id = button(card["blocks"], Action.EXPERT_ANSWER)["value"]
    await bot.interact(submission(ticket_id, OUTSIDER, "I'm not an expert but yes.", learn=True))
    note = await slack.wait_for(lambda: slack.api_calls("chat.postEphemeral"), what="the refusal")
    assert conversation.content.experts.not_an_expert in shown_text(note[0].body["blocks"])
    assert not [p for p in posts_to(slack, GENERAL) if "not an expert" in json.dumps(p)]
    assert await conversation.experts.learned.all() == []


async def test_only_an_admin_chooses_the_experts_channel(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    ack = await bot.slash("experts here", channel_id=EXPERTS, user_id=ASKER)
    assert conversation.content.experts.setup_not_admin in json.dumps(ack)
    assert await conversation.experts.place_of("slack", TEAM) is None
    ack = await bot.slash(f"experts <#{EXPERTS}|experts>", channel_id=GENERAL, user_id=ADMIN)
    assert conversation.content.experts.setup_done in json.dumps(ack)
    place = await conversation.experts.place_of("slack", TEAM)
    assert place is not None and place.channel == EXPERTS


async def test_an_answer_saved_to_the_faq_answers_the_same_question_in_other_words(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    await choose_experts_channel(bot)
    card = await ticket_card(bot, slack, conversation)
    ticket_id = button(card["blocks"], Action.EXPERT_ANSWER)["value"]
    await bot.interact(
        submission(ticket_id, ANN, "Yes: ChatGPT Enterprise, ask IT for a seat.", learn=True)
    )
    await slack.wait_for(lambda: slack.api_calls("chat.update"), what="the card update")

    answer = await ask_declined(bot, slack, REPHRASED)
    shown = shown_text(answer["blocks"])
    assert "ask IT for a seat" in shown
    assert conversation.content.experts.learned_label in shown


async def test_this_is_the_same_as_adds_the_askers_wording_to_an_entry_at_once(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    await choose_experts_channel(bot)
    wording = "is the stuff we paste into chatbots kept private?"
    card = await ticket_card(bot, slack, conversation, wording)
    same = button(card["blocks"], Action.EXPERT_SAME)
    await bot.press(same, response_url="picker", **expert_press(BOB))
    picker = await slack.response_named("picker")
    picks = next(b for b in picker.body["blocks"] if b["type"] == "actions")["elements"]
    assert 1 <= len(picks) <= 3
    chosen = picks[0]
    entry_id = chosen["value"].split(":", 1)[1]
    entry = next(e for e in conversation.content.faq.entries if e.id == entry_id)
    await bot.press(chosen, response_url="picked", **expert_press(BOB))
    note = await slack.response_named("picked")
    assert entry.question in note.body["text"]
    # The asker got that entry's answer where they asked.
    assert await slack.wait_for(
        lambda: [p for p in posts_to(slack, GENERAL) if entry.answer[:40] in json.dumps(p)]
    )
    # The next person asking in those words gets the entry's answer straight away.
    reply = (await conversation.handle(Message(Actor("slack", TEAM, GENERAL, "U0NEXT"), wording)))[
        0
    ]
    assert reply.kind == "faq.answer" and reply.meta["entry"] == entry_id


async def test_an_expert_retracts_a_learned_answer_from_its_card(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation
) -> None:
    people(slack)
    await choose_experts_channel(bot)
    card = await ticket_card(bot, slack, conversation)
    ticket_id = button(card["blocks"], Action.EXPERT_ANSWER)["value"]
    await bot.interact(submission(ticket_id, ANN, "Yes: ChatGPT Enterprise.", learn=True))
    updated = await slack.wait_for(lambda: slack.api_calls("chat.update"), what="the card update")
    blocks = updated[-1].body["blocks"]
    assert conversation.content.experts.ticket_learned in shown_text(blocks)
    asked = Message(Actor("slack", TEAM, GENERAL, "U0NEXT"), REPHRASED)
    assert (await conversation.handle(asked))[0].kind == "faq.learned"

    await bot.press(button(blocks, Action.EXPERT_RETRACT), "retract", **expert_press(BOB))
    note = await slack.response_named("retract")
    assert conversation.content.experts.retracted_note in note.body["text"]
    assert (await conversation.handle(asked))[0].kind == "faq.unknown"
    final = slack.api_calls("chat.update")[-1].body["blocks"]
    assert conversation.content.experts.ticket_retracted.format(name=BOB.lower()) in shown_text(
        final
    )


async def test_experts_open_lists_questions_waiting_more_than_a_day_to_experts_only(
    bot: SlackBot, slack: SlackStandIn, conversation: Conversation, store: StateStore
) -> None:
    people(slack)
    await choose_experts_channel(bot)
    words = conversation.content.experts
    card = await ticket_card(bot, slack, conversation)
    ticket_id = button(card["blocks"], Action.EXPERT_ANSWER)["value"]
    ack = await bot.slash("experts open", channel_id=EXPERTS, user_id=ANN)
    assert words.open_none in json.dumps(ack)
    # Two days pass.
    asked = time.time() - 2 * 86400
    await store.client.zadd(store.key(*OPEN_SET), {ticket_id: asked})
    await store.client.hset(store.key("experts", TAG, "ticket", ticket_id), "created", str(asked))
    ack = await bot.slash("experts open", channel_id=EXPERTS, user_id=ANN)
    shown = shown_text(ack["blocks"])
    assert words.open_header in shown and DECLINED in shown and "2d 0h" in shown
    ack = await bot.slash("experts open", channel_id=GENERAL, user_id=OUTSIDER)
    assert words.not_an_expert in json.dumps(ack) and DECLINED not in json.dumps(ack)
