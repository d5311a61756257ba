"""Team polls in Slack, end to end: signed slash commands and presses in, Web API calls out."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.slack.blocks import render_blocks
from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command
from tests.slack.block_kit import block_kit_problems
from tests.slack.conftest import SlackBot, button, buttons, header, load_payload, shown_text
from tests.slack.polls_kit import (
    CHANNEL,
    CREATOR,
    controls,
    option_lines,
    person,
    press,
    start_poll,
    updates,
)
from tests.slack.slack_stand_in import Scripted

FAST = 0.2  # seconds between a poll message's updates in these tests (2 s in production)


async def settle(conversation: Conversation) -> None:
    """Let every coalesced message update reach Slack."""
    await asyncio.sleep(0.05)
    await conversation.polls.drain()


async def test_the_team_poll_is_posted_to_the_channel(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(bot, conversation)
    team = content.polls.team_poll
    assert header(poll.blocks) == team.question
    assert [b["text"]["text"] for b in buttons(poll.blocks)][:4] == [o.label for o in team.options]
    assert set(controls(poll.blocks)) == {"poll.close", "poll.export"}
    assert poll.post.headers["Authorization"].startswith("Bearer xoxb-")
    assert not bot.slack.responses()  # nothing private, no ephemeral copy
    assert not bot.slack.api_calls("chat.postEphemeral")
    (info,) = bot.slack.api_calls("users.info")
    assert info.body["user"] == CREATOR


async def test_a_custom_poll_reads_curly_quotes_flags_and_the_creators_time_zone(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    bot.slack.users[CREATOR] = person(CREATOR, tz="Europe/Paris", name="Steve")
    paris = ZoneInfo("Europe/Paris")
    when = (datetime.now(paris) + timedelta(days=10)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )
    text = (
        "“Which editor should we standardise on?” “Vim” “Emacs” “VS Code” "
        f"--anonymous --hide-results --closes “{when:%Y-%m-%d %H:%M}”"
    )
    poll = await start_poll(bot, conversation, text)
    assert header(poll.blocks) == "Which editor should we standardise on?"
    assert [b["text"]["text"] for b in buttons(poll.blocks)][:3] == ["Vim", "Emacs", "VS Code"]
    shown = shown_text(poll.blocks)
    messages = content.polls.messages
    assert messages.anonymous in shown and messages.hidden in shown
    assert f"{when.day} {when:%b %Y}, 17:00 {when.tzname()}" in shown
    assert "Started by Steve" in shown  # the display name from users.info
    meta = await conversation.polls.polls.meta(poll.id)
    assert meta is not None
    assert meta["deadline"] == when.timestamp() and meta["time_zone"] == "Europe/Paris"
    assert option_lines(poll.blocks) == []  # hidden until it closes


async def test_bad_input_says_what_to_fix_privately_and_posts_nothing(
    bot: SlackBot, content: Content
) -> None:
    for text, wording in [
        ('poll "Only one option?" "Yes"', content.polls.messages.too_few_options[:20]),
        ('poll "Q?" "A" "B" --closes-in soon', "soon"),
        ('poll "Q?" "A" "B" --frobnicate', "--frobnicate"),
        ('poll "Unbalanced? "A" "B"', content.polls.messages.unbalanced_quotes[:20]),
    ]:
        ack = await bot.slash(text)
        assert ack["response_type"] == "ephemeral"
        assert wording in shown_text(ack["blocks"]), (text, shown_text(ack["blocks"]))
    await asyncio.sleep(0.1)
    assert not bot.slack.api_calls("chat.postMessage")
    assert not bot.slack.api_calls("chat.update")
    assert not bot.slack.responses()


async def test_users_info_is_asked_once_per_person_and_its_failure_means_utc(
    bot: SlackBot, conversation: Conversation
) -> None:
    # The stand-in does not know the creator: users.info fails → UTC, not an admin.
    first = await start_poll(bot, conversation, '"Lunch?" "Pizza" "Sushi" --closes-in 1h')
    meta = await conversation.polls.polls.meta(first.id)
    assert meta is not None and meta["time_zone"] == "UTC"
    bot.slack.users[CREATOR] = person(CREATOR, tz="Asia/Tokyo")
    await start_poll(bot, conversation, '"Dinner?" "Ramen" "Curry"')
    await start_poll(bot, conversation, '"Dessert?" "Mochi" "Ice cream"')
    # One failed call (not cached), then one that is cached for the hour.
    assert len(bot.slack.api_calls("users.info")) == 2
    # Votes never ask.
    poll = await start_poll(bot, conversation)
    await press(bot, poll, poll.vote_button(0), "U0VOTER1")
    assert len(bot.slack.api_calls("users.info")) == 2
    # Other commands never ask either.
    await bot.slash("help")
    assert len(bot.slack.api_calls("users.info")) == 2


async def test_votes_are_confirmed_privately_and_the_message_is_updated(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    conversation.polls.refresh_window = FAST
    poll = await start_poll(bot, conversation)
    messages = content.polls.messages
    voted = await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    assert voted.body["response_type"] == "ephemeral"
    assert voted.body["replace_original"] is False  # never replaces the shared poll
    assert messages.voted.format(option="Open source") in shown_text(voted.body["blocks"])
    await press(bot, poll, poll.vote_button(0), "U0BOB", "bob")
    moved = await press(bot, poll, poll.vote_button(1), "U0BOB", "bob")
    assert messages.moved.format(previous="Open source", option="Closed source") in shown_text(
        moved.body["blocks"]
    )
    await settle(conversation)
    last = updates(bot)[-1]
    assert last.body["channel"] == CHANNEL and last.body["ts"] == poll.ts
    assert option_lines(last.body["blocks"])[:3] == [
        "Open source ▇▇▇▇▁▁▁▁ 1 vote (50%)",
        "Closed source ▇▇▇▇▁▁▁▁ 1 vote (50%)",
        "Hybrid ▁▁▁▁▁▁▁▁ 0 votes (0%)",
    ]
    assert "ann" in shown_text(last.body["blocks"]) and "bob" in shown_text(last.body["blocks"])
    withdrawn = await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    assert messages.withdrawn.format(option="Open source") in shown_text(withdrawn.body["blocks"])
    assert withdrawn.body["replace_original"] is False
    await settle(conversation)
    assert option_lines(updates(bot)[-1].body["blocks"])[:2] == [
        "Open source ▁▁▁▁▁▁▁▁ 0 votes (0%)",
        "Closed source ▇▇▇▇▇▇▇▇ 1 vote (100%)",
    ]
    # Every confirmation was private; the shared message only ever changed by chat.update.
    assert all(c.body["replace_original"] is False for c in bot.slack.responses())
    assert len(bot.slack.api_calls("chat.postMessage")) == 1


async def test_not_sure_runs_the_questionnaire_privately_and_casts_its_result(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    conversation.polls.refresh_window = FAST
    poll = await start_poll(bot, conversation)
    url = "quiz-0"
    payload = bot.press_payload(
        poll.vote_button(3),
        url,
        user={"id": "U0QUIZ", "username": "quinn", "name": "quinn", "team_id": "T0001"},
        container={"type": "message", "message_ts": poll.ts, "channel_id": CHANNEL},
    )
    await bot.interact(payload)
    await bot.slack.wait_for(lambda: len(bot.slack.responses(url)) == 2)
    intro, question = bot.slack.responses(url)
    assert content.polls.messages.quiz_for_poll in shown_text(intro.body["blocks"])
    assert "Question 1 of 10" in shown_text(question.body["blocks"])
    assert all(c.body["response_type"] == "ephemeral" for c in (intro, question))
    assert all(c.body["replace_original"] is False for c in (intro, question))
    blocks = question.body["blocks"]
    for step in range(10):
        name = f"quiz-{step + 1}"
        answer = bot.press_payload(
            button(blocks, "quiz.answer"),
            name,
            user={"id": "U0QUIZ", "username": "quinn", "name": "quinn", "team_id": "T0001"},
        )  # the recorded payload: a press on an ephemeral message
        await bot.interact(answer)
        await bot.slack.response_named(name)
        blocks = bot.slack.responses(name)[0].body["blocks"]
    # The questionnaire went on in its ephemeral message; then the vote was confirmed.
    await bot.slack.wait_for(lambda: len(bot.slack.responses("quiz-10")) == 2)
    result, vote = bot.slack.responses("quiz-10")
    assert result.body["replace_original"] is True
    assert vote.body["replace_original"] is False
    assert "team poll" in shown_text(vote.body["blocks"])
    await settle(conversation)
    final = shown_text(updates(bot)[-1].body["blocks"])
    assert content.polls.messages.priorities_title in final
    assert "1 voter" in final
    assert len(bot.slack.api_calls("chat.postMessage")) == 1


async def test_anonymous_polls_never_show_who_voted_anywhere(
    bot: SlackBot, conversation: Conversation
) -> None:
    conversation.polls.refresh_window = FAST
    poll = await start_poll(bot, conversation, '"Secret?" "Yes" "No" --anonymous')
    voters = {f"U0SECRET{n}": f"whistleblower{n}" for n in range(6)}
    for n, (user, name) in enumerate(voters.items()):
        await press(bot, poll, poll.vote_button(n % 2), user, name)
    await settle(conversation)
    assert option_lines(updates(bot)[-1].body["blocks"]) == [
        "Yes ▇▇▇▇▁▁▁▁ 3 votes (50%)",
        "No ▇▇▇▇▁▁▁▁ 3 votes (50%)",
    ]
    export = controls(poll.blocks)["poll.export"]
    await press(bot, poll, export, CREATOR, "steve")
    (_, data) = (await bot.slack.wait_for(bot.slack.uploaded_files))[0]
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows == [["option", "votes", "percent"], ["Yes", "3", "50"], ["No", "3", "50"]]
    seen = json.dumps([c.body for c in bot.slack.calls]) + data.decode()
    for user, name in voters.items():
        assert user not in seen and name not in seen


async def test_closing_is_for_the_creator_or_a_workspace_admin(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    conversation.polls.refresh_window = FAST
    messages = content.polls.messages
    bot.slack.users["U0ADMIN"] = person("U0ADMIN", admin=True, name="Ada")
    bot.slack.users["U0OWNER"] = {**person("U0OWNER"), "is_primary_owner": True}
    bot.slack.users["U0MEMBER"] = person("U0MEMBER", name="Meg")

    poll = await start_poll(bot, conversation, '"Ship it?" "Yes" "No"')
    await press(bot, poll, poll.vote_button(0), "U0MEMBER", "meg")
    close = controls(poll.blocks)["poll.close"]
    refused = await press(bot, poll, close, "U0MEMBER", "meg")
    assert messages.not_allowed_close_or_admin in shown_text(refused.body["blocks"])
    assert refused.body["replace_original"] is False
    closed = await press(bot, poll, close, CREATOR, "steve")
    assert messages.closed_by_you in shown_text(closed.body["blocks"])
    await settle(conversation)
    final = updates(bot)[-1].body["blocks"]
    assert header(final) == messages.closed_header.format(question="Ship it?")
    assert option_lines(final) == ["Yes ▇▇▇▇▇▇▇▇ 1 vote (100%)", "No ▁▁▁▁▁▁▁▁ 0 votes (0%)"]
    assert not any(b["action_id"].startswith("poll.vote") for b in buttons(final))
    late = await press(bot, poll, poll.vote_button(1), "U0LATE", "late")
    assert messages.poll_closed_no_vote in shown_text(late.body["blocks"])

    for admin in ("U0ADMIN", "U0OWNER"):
        other = await start_poll(bot, conversation, '"Again?" "Yes" "No"')
        done = await press(bot, other, controls(other.blocks)["poll.close"], admin)
        assert messages.closed_by_you in shown_text(done.body["blocks"])


async def test_the_sweeper_closes_a_poll_at_its_deadline_and_updates_the_message_once(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(bot, conversation, '"Quick one?" "Yes" "No" --closes-in 1m')
    await press(bot, poll, poll.vote_button(1), "U0EARLY", "early")
    await settle(conversation)
    before = len(updates(bot))
    conversation.polls.clock = lambda: time.time() + 120  # a minute and more later
    sweeper = asyncio.create_task(conversation.polls.run_sweeper(every=0.05))
    try:
        await bot.slack.wait_for(lambda: len(updates(bot)) > before, what="the closing update")
        await asyncio.sleep(0.3)  # several more sweeps: nothing more to close
        await conversation.polls.drain()
    finally:
        sweeper.cancel()
    (closing,) = updates(bot)[before:]
    blocks = closing.body["blocks"]
    assert header(blocks) == content.polls.messages.closed_header.format(question="Quick one?")
    assert option_lines(blocks) == ["Yes ▁▁▁▁▁▁▁▁ 0 votes (0%)", "No ▇▇▇▇▇▇▇▇ 1 vote (100%)"]
    assert "Closed " in shown_text(blocks)


async def test_export_sends_a_csv_to_the_requesters_dm(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    poll = await start_poll(bot, conversation, '"Where to?" "Lisbon" "Porto, Portugal"')
    await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    await press(bot, poll, poll.vote_button(1), "U0BOB", "bob")
    await press(bot, poll, poll.vote_button(1), "U0CAT", "cat")
    note = await press(bot, poll, controls(poll.blocks)["poll.export"], CREATOR, "steve")
    assert content.polls.messages.export_sent in shown_text(note.body["blocks"])
    assert note.body["replace_original"] is False
    (opened,) = bot.slack.api_calls("conversations.open")
    assert opened.body["users"] == CREATOR
    (url,) = bot.slack.api_calls("files.getUploadURLExternal")
    assert url.body["filename"] == f"poll-{poll.id}.csv"
    ((complete, data),) = bot.slack.uploaded_files()
    assert complete["channel_id"] == f"D{CREATOR}"
    assert "Where to?" in complete["initial_comment"]
    assert list(csv.reader(io.StringIO(data.decode()))) == [
        ["option", "votes", "percent"],
        ["Lisbon", "1", "33"],
        ["Porto, Portugal", "2", "67"],
        [],
        ["voter", "option"],
        ["ann", "Lisbon"],
        ["bob", "Porto, Portugal"],
        ["cat", "Porto, Portugal"],
    ]
    refused = await press(bot, poll, controls(poll.blocks)["poll.export"], "U0ANN", "ann")
    assert content.polls.messages.not_allowed_export in shown_text(refused.body["blocks"])
    assert len(bot.slack.api_calls("files.completeUploadExternal")) == 1


async def test_ten_long_options_and_two_hundred_voters_fit_block_kit(
    bot: SlackBot, conversation: Conversation
) -> None:
    conversation.polls.refresh_window = FAST
    question = "Q" * 199 + "?"
    options = [f"{n}" * 75 for n in range(10)]
    quoted = " ".join(f'"{o}"' for o in options)
    poll = await start_poll(bot, conversation, f'"{question}" {quoted}')
    assert question in shown_text(poll.blocks)  # too long for a header: shown whole
    gate = asyncio.Semaphore(50)

    async def vote(n: int) -> None:
        async with gate:
            await press(bot, poll, poll.vote_button(n % 10), f"U{n:08d}", "voter-" + "x" * 70)

    await asyncio.gather(*(vote(n) for n in range(200)))
    await settle(conversation)
    current = await conversation.polls.current(poll.id)
    assert current is not None
    blocks = render_blocks(current[1])
    assert not block_kit_problems(blocks)
    assert option_lines(blocks) == [f"{o} ▇▁▁▁▁▁▁▁ 20 votes (10%)" for o in options]
    assert "and 10 more" in shown_text(blocks)
    final = updates(bot)[-1].body["blocks"]
    assert final == blocks  # what Slack got; the stand-in checked it against Block Kit too
    assert all(len(b["text"]["text"]) <= 75 for b in buttons(final))


async def test_a_poll_slack_refuses_to_post_is_explained_privately(
    bot: SlackBot, content: Content
) -> None:
    bot.slack.script("chat.postMessage", Scripted(200, {"ok": False, "error": "not_in_channel"}))
    ack = await bot.slash('poll "Here?" "Yes" "No"')
    assert "blocks" not in ack
    (note,) = await bot.slack.wait_for(lambda: bot.slack.responses("slash"))
    assert note.body["response_type"] == "ephemeral"
    assert content.polls.messages.post_failed in shown_text(note.body["blocks"])


async def test_a_mention_starts_a_poll_in_the_channel(
    bot: SlackBot, conversation: Conversation
) -> None:
    payload = load_payload("event_app_mention")
    payload["event"]["text"] = '<@UBOT0001> poll "Tabs or spaces?" "Tabs" "Spaces"'
    response = await bot.event(payload)
    assert response.status == 200
    (post,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postMessage"))
    assert post.body["channel"] == CHANNEL
    assert "thread_ts" not in post.body  # the poll is a message of its own, for everyone
    assert header(post.body["blocks"]) == "Tabs or spaces?"
    value = button(post.body["blocks"], "poll.vote")["value"]
    for _ in range(200):
        meta = await conversation.polls.polls.meta(value.partition(":")[0])
        if meta and meta.get("message"):
            break
        await asyncio.sleep(0.01)
    assert meta and meta["message"] == {"channel": CHANNEL, "ts": "1700009999.000001"}


async def test_a_vote_cast_before_the_message_was_attached_still_shows(
    bot: SlackBot, conversation: Conversation
) -> None:
    conversation.polls.refresh_window = FAST
    actor = Actor("slack", "T0001", CHANNEL, CREATOR, "steve")
    (poll,) = await conversation.handle(Command(actor, "poll", '"Early?" "Yes" "No"'))
    voter = Actor("slack", "T0001", CHANNEL, "U0EARLY", "early")
    await conversation.handle(ButtonPress(voter, "poll.vote", poll.choices[0].value))
    await settle(conversation)
    assert not updates(bot)  # nowhere to show it yet
    await conversation.polls.attach_message(poll.meta["poll"], {"channel": CHANNEL, "ts": "9.1"})
    await settle(conversation)
    (update,) = updates(bot)
    assert update.body["ts"] == "9.1"
    assert option_lines(update.body["blocks"])[0] == "Yes ▇▇▇▇▇▇▇▇ 1 vote (100%)"
