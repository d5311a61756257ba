"""Poll options in Slack, end to end: ``--multi N``, ``--allow-add`` (a modal through
``views.open``, submitted as a signed ``view_submission``) and ``--template NAME``."""

from __future__ import annotations

import asyncio
import copy
import csv
import io
import json
from typing import Any

import redis.asyncio as aioredis
from aiohttp import ClientResponse

from bot.content import Content
from bot.conversation import Conversation
from bot.store import StateStore
from tests.slack.conftest import SlackBot, button, buttons, header, load_payload, shown_text
from tests.slack.polls_kit import (
    CHANNEL,
    CREATOR,
    PostedPoll,
    controls,
    option_lines,
    press,
    start_poll,
    updates,
)
from tests.wording import csv_header, shaped_like

LUNCH = '"Lunch?" "Pizza" "Sushi" "Tacos" --multi 2'


async def settle(conversation: Conversation) -> None:
    """Let every coalesced message update reach Slack."""
    await asyncio.sleep(0.05)
    await conversation.polls.drain()


def vote_labels(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in buttons(blocks) if b["action_id"].startswith("poll.vote|")]


def latest(bot: SlackBot, poll: PostedPoll) -> PostedPoll:
    """The poll as its newest ``chat.update`` shows it (what everyone sees now)."""
    return PostedPoll(poll.id, poll.ts, updates(bot)[-1])


async def test_multi_counts_each_pick_and_refuses_one_beyond_the_limit(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    words, messages = content.polls.option_messages, content.polls.messages
    conversation.polls.refresh_window = 0.05
    poll = await start_poll(bot, conversation, LUNCH)
    assert words.picks_note.format(limit=2) in shown_text(poll.blocks)

    first = await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    assert shaped_like(words.picked, option="Pizza", count=1, limit=2).search(
        shown_text(first.body["blocks"])
    )
    await press(bot, poll, poll.vote_button(1), "U0ANN", "ann")
    before = await conversation.polls.polls.tally(poll.id, 3, with_voters=True)
    third = await press(bot, poll, poll.vote_button(2), "U0ANN", "ann")
    refusal = shown_text(third.body["blocks"])
    assert "you can pick up to 2 — take one back first" in refusal.lower()
    assert '"Pizza"' in refusal and '"Sushi"' in refusal
    after = await conversation.polls.polls.tally(poll.id, 3, with_voters=True)
    assert after == before  # nothing changed, not even the version
    assert after.picks == {"U0ANN": (0, 1)}

    taken_back = await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    assert shaped_like(words.unpicked, option="Pizza", count=1, limit=2).search(
        shown_text(taken_back.body["blocks"])
    )
    await press(bot, poll, poll.vote_button(2), "U0ANN", "ann")
    await press(bot, poll, poll.vote_button(2), "U0BOB", "bob")
    await settle(conversation)

    final = updates(bot)[-1].body["blocks"]
    voters = messages.voters_plural.format(count=2)
    assert words.voters_and_votes.format(voters=voters, votes="3 votes") in shown_text(final)
    lines = option_lines(final)
    assert lines[0].startswith("Pizza ") and " 0 votes (0%)" in lines[0]
    assert lines[1].startswith("Sushi ") and " 1 vote (50%)" in lines[1]
    assert lines[2].startswith("Tacos ") and " 2 votes (100%)" in lines[2]

    await press(bot, poll, controls(poll.blocks)["poll.export"], CREATOR, "steve")
    ((_complete, data),) = bot.slack.uploaded_files()
    assert list(csv.reader(io.StringIO(data.decode()))) == [
        csv_header(content),
        ["Pizza", "0", "0"],
        ["Sushi", "1", "50"],
        ["Tacos", "2", "100"],
        [],
        [messages.csv_voter, messages.csv_option],
        ["ann", "Sushi"],
        ["ann", "Tacos"],
        ["bob", "Tacos"],
    ]


async def test_an_anonymous_multi_poll_shows_counts_and_no_names(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    conversation.polls.refresh_window = 0.05
    poll = await start_poll(bot, conversation, LUNCH + " --anonymous")
    await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    await press(bot, poll, poll.vote_button(1), "U0ANN", "ann")
    await settle(conversation)
    final = shown_text(updates(bot)[-1].body["blocks"])
    assert "ann" not in final
    voters = content.polls.messages.voters.format(count=1)
    assert (
        content.polls.option_messages.voters_and_votes.format(voters=voters, votes="2 votes")
        in final
    )


async def poll_keys(redis_client: aioredis.Redis, store: StateStore) -> list[str]:
    return [k async for k in redis_client.scan_iter(match=f"{store.key('poll')}*")]


async def test_bad_combinations_say_what_to_fix_and_write_nothing(
    bot: SlackBot, content: Content, redis_client: aioredis.Redis, store: StateStore
) -> None:
    words = content.polls.option_messages
    ten = " ".join(f'"Option {n}"' for n in range(1, 11))
    for text, wording in [
        (
            'poll "Lunch?" "Pizza" "Sushi" "Tacos" --multi 5',
            words.multi_out_of_range.format(value=5, max=3),
        ),
        (
            'poll "Lunch?" "Pizza" "Sushi" --multi 1',
            words.multi_out_of_range.format(value=1, max=2),
        ),
        ('poll "Lunch?" "Pizza" "Sushi" --multi two', words.multi_unreadable.format(value="two")),
        ("poll --multi 2", words.multi_team_poll),
        (f'poll "Pick one?" {ten} --allow-add', words.allow_add_full.format(count=10, max=10)),
        ("poll --allow-add", words.allow_add_team_poll),
        (
            "poll --template standup",
            words.unknown_template.format(name="standup", names="team, retro, meeting, confidence"),
        ),
        ('poll "Q?" "A" "B" --template retro', words.template_with_options),
        ("poll --template retro --template meeting", words.two_templates),
        (
            "poll --multi",
            content.polls.messages.missing_flag_value.format(flag="--multi", example="2"),
        ),
    ]:
        ack = await bot.slash(text)
        assert ack["response_type"] == "ephemeral"
        assert wording in shown_text(ack["blocks"]), (text, shown_text(ack["blocks"]))
    await asyncio.sleep(0.1)
    assert not bot.slack.api_calls("chat.postMessage")
    assert not bot.slack.api_calls("views.open")
    assert await poll_keys(redis_client, store) == []


async def test_templates_post_ready_made_polls_and_a_question_can_replace_theirs(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    templates = {t.name: t for t in content.polls.templates}
    retro = await start_poll(bot, conversation, "--template retro")
    assert header(retro.blocks) == templates["retro"].question
    assert vote_labels(retro.blocks) == ["Keep", "Drop", "Try"]
    renamed = await start_poll(bot, conversation, '"Sprint 42 retro" --template RETRO --multi 3')
    assert header(renamed.blocks) == "Sprint 42 retro"
    assert vote_labels(renamed.blocks) == ["Keep", "Drop", "Try"]
    meeting = await start_poll(bot, conversation, "--template meeting --anonymous")
    assert vote_labels(meeting.blocks) == ["Works", "Doesn't"]
    confidence = await start_poll(bot, conversation, "--template confidence")
    assert len(vote_labels(confidence.blocks)) == 5
    team = await start_poll(bot, conversation, "--template team")
    assert header(team.blocks) == content.polls.team_poll.question
    meta = await conversation.polls.polls.meta(team.id)
    assert meta is not None and meta["team"] is True


async def test_help_lists_every_new_flag_and_template(bot: SlackBot, content: Content) -> None:
    ack = await bot.slash("help")
    shown = shown_text(ack["blocks"])
    for flag in ("--multi", "--allow-add", "--template"):
        assert flag in shown
    for template in content.polls.templates:
        assert template.name in shown


# --- --allow-add: a modal ------------------------------------------------------------


def submission(view: dict[str, Any], text: str, user: str, name: str) -> dict[str, Any]:
    """The ``view_submission`` Slack sends when ``user`` submits ``view`` with ``text``."""
    payload = load_payload("view_submission")
    sent = copy.deepcopy(view)
    block = sent["blocks"][0]
    sent["state"] = {
        "values": {
            block["block_id"]: {
                block["element"]["action_id"]: {"type": "plain_text_input", "value": text}
            }
        }
    }
    payload["view"] = {**payload["view"], **sent}
    payload["user"] = {"id": user, "username": name, "name": name, "team_id": "T0001"}
    return payload


async def open_form(bot: SlackBot, poll: PostedPoll, user: str, name: str) -> dict[str, Any]:
    """Press "Add an option" as ``user``; the modal opened with ``views.open``."""
    before = len(bot.slack.api_calls("views.open"))
    response = await bot.interact(
        {
            **bot.press_payload(controls(poll.blocks)["poll.add_option"], f"add-{user}"),
            "user": {"id": user, "username": name, "name": name, "team_id": "T0001"},
            "container": {
                "type": "message",
                "message_ts": poll.ts,
                "channel_id": CHANNEL,
                "is_ephemeral": False,
            },
            "channel": {"id": CHANNEL, "name": "general"},
        }
    )
    assert response.status == 200
    calls = await bot.slack.wait_for(
        lambda: bot.slack.api_calls("views.open")[before:], what="views.open"
    )
    assert calls[0].body["trigger_id"]
    view: dict[str, Any] = calls[0].body["view"]
    return view


async def submit(bot: SlackBot, payload: dict[str, Any]) -> tuple[ClientResponse, dict[str, Any]]:
    response = await bot.interact(payload)
    assert response.status == 200, await response.text()
    raw = await response.text()
    return response, (json.loads(raw) if raw else {})


async def test_allow_add_opens_a_modal_and_the_new_option_shows_for_everyone(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    words = content.polls.option_messages
    conversation.polls.refresh_window = 0.05
    poll = await start_poll(bot, conversation, '"Topics for Friday?" "A" "B" --allow-add')
    assert controls(poll.blocks)["poll.add_option"]["text"]["text"] == words.add_button

    view = await open_form(bot, poll, "U0ANN", "ann")
    assert view["type"] == "modal"
    assert view["title"]["text"] == words.add_title
    (block,) = view["blocks"]
    assert block["type"] == "input" and block["element"]["type"] == "plain_text_input"
    assert block["element"]["max_length"] == content.polls.limits.max_option_length

    # Refused in the modal itself: a duplicate after normalisation, and one too long.
    for typed, error in [
        (" a ", words.add_duplicate.format(option="a")),
        ("x" * 80, words.add_too_long.format(length=80, max=75)),
    ]:
        _response, ack = await submit(bot, submission(view, typed, "U0ANN", "ann"))
        assert ack == {"response_action": "errors", "errors": {block["block_id"]: error}}
    assert (await conversation.polls.polls.meta(poll.id) or {})["options"] == ["A", "B"]

    _response, ack = await submit(bot, submission(view, "Lightning talks", "U0ANN", "ann"))
    assert ack == {}  # the modal closes
    notes = await bot.slack.wait_for(
        lambda: bot.slack.api_calls("chat.postEphemeral"), what="the confirmation"
    )
    assert notes[0].body["user"] == "U0ANN" and notes[0].body["channel"] == CHANNEL
    assert words.added.format(option="Lightning talks") in shown_text(notes[0].body["blocks"])
    await settle(conversation)
    now = latest(bot, poll)
    assert vote_labels(now.blocks) == ["A", "B", "Lightning talks"]
    assert words.added_by.format(names="ann") in shown_text(now.blocks)

    # The adder votes for it at once, from the updated message.
    voted = await press(bot, now, now.vote_button(2), "U0ANN", "ann")
    assert "Lightning talks" in shown_text(voted.body["blocks"])
    tally = await conversation.polls.polls.tally(poll.id, 3, with_voters=True)
    assert tally.votes == {"U0ANN": 2}


async def test_allow_add_stops_at_ten_options_and_when_the_poll_closes(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    words = content.polls.option_messages
    conversation.polls.refresh_window = 0.05
    nine = " ".join(f'"Option {n}"' for n in range(1, 10))
    poll = await start_poll(bot, conversation, f'"Which one?" {nine} --allow-add --anonymous')
    view = await open_form(bot, poll, "U0ANN", "ann")
    first, second = await asyncio.gather(
        submit(bot, submission(view, "Ten", "U0ANN", "ann")),
        submit(bot, submission(view, "Eleven", "U0BOB", "bob")),
    )
    acks = [first[1], second[1]]
    assert acks.count({}) == 1  # one of two racing adders gets the tenth place
    (refused,) = [a for a in acks if a]
    assert refused["errors"] == {"aic_text": words.add_full.format(max=10)}
    meta = await conversation.polls.polls.meta(poll.id)
    assert meta is not None and len(meta["options"]) == 10
    assert "added_by" not in meta  # an anonymous poll keeps no adder
    await settle(conversation)
    now = latest(bot, poll)
    assert "poll.add_option" not in controls(now.blocks)  # full: the button is gone

    other = await start_poll(bot, conversation, '"Other?" "A" "B" --allow-add')
    view = await open_form(bot, other, "U0ANN", "ann")
    await press(bot, other, controls(other.blocks)["poll.close"], CREATOR, "steve")
    _response, ack = await submit(bot, submission(view, "C", "U0ANN", "ann"))
    assert ack["errors"] == {"aic_text": words.add_closed}
    # "Add an option" on the old message of a closed poll: a note, no modal.
    opened = len(bot.slack.api_calls("views.open"))
    note = await press(bot, other, controls(other.blocks)["poll.add_option"], "U0BOB", "bob")
    assert words.add_closed in shown_text(note.body["blocks"])
    assert len(bot.slack.api_calls("views.open")) == opened


async def test_a_forged_add_to_a_poll_without_allow_add_changes_nothing(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(bot, conversation, '"Closed list?" "A" "B"')
    assert "poll.add_option" not in controls(poll.blocks)
    forged = {
        "type": "modal",
        "callback_id": "aic.form",
        "private_metadata": json.dumps({"a": "poll.add_option", "v": poll.id, "c": CHANNEL}),
        "blocks": [
            {
                "type": "input",
                "block_id": "aic_text",
                "element": {"type": "plain_text_input", "action_id": "aic_text"},
            }
        ],
    }
    _response, ack = await submit(bot, submission(forged, "C", "U0ANN", "ann"))
    assert ack == {}
    notes = await bot.slack.wait_for(
        lambda: bot.slack.api_calls("chat.postEphemeral"), what="the refusal"
    )
    assert content.polls.option_messages.add_not_allowed in shown_text(notes[0].body["blocks"])
    assert (await conversation.polls.polls.meta(poll.id) or {})["options"] == ["A", "B"]
    assert button(poll.blocks, "poll.vote", 1)["text"]["text"] == "B"


async def test_a_submission_of_a_view_that_is_not_ours_is_acknowledged_and_ignored(
    bot: SlackBot, conversation: Conversation
) -> None:
    poll = await start_poll(bot, conversation, '"Open list?" "A" "B" --allow-add')
    view = await open_form(bot, poll, "U0ANN", "ann")
    other = submission({**view, "callback_id": "someone.else"}, "C", "U0ANN", "ann")
    response, ack = await submit(bot, other)
    assert response.status == 200 and ack == {}
    await asyncio.sleep(0.1)
    assert (await conversation.polls.polls.meta(poll.id) or {})["options"] == ["A", "B"]
    assert not bot.slack.api_calls("chat.postEphemeral")
