"""Team polls in Slack, end to end: signed slash commands and presses in, Web API calls out."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis

from adapters.slack.blocks import render_blocks
from bot.content import Content
from bot.conversation import Conversation
from bot.events import Actor, ButtonPress, Command
from bot.store import StateStore
from tests.slack.block_kit import block_kit_problems
from tests.slack.conftest import (
    SlackBot,
    button,
    buttons,
    direct,
    header,
    load_payload,
    shown_text,
)
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
from tests.wording import csv_header, progress, shaped_like, votes

DM_USER = "U2147483697"  # who sends the recorded direct message
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
    assert set(controls(poll.blocks)) == {"poll.close", "poll.export", "poll.remind"}
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
    # The display name from users.info.
    assert content.polls.messages.started_by.format(name="Steve") in shown
    meta = await conversation.polls.polls.meta(poll.id)
    assert meta is not None
    assert meta["deadline"] == when.timestamp() and meta["time_zone"] == "Europe/Paris"
    assert option_lines(poll.blocks) == []  # hidden until it closes


async def test_a_poll_typed_in_any_form_gets_the_creators_time_zone(
    bot: SlackBot, conversation: Conversation
) -> None:
    # The core asks Slack who the creator is whenever it starts a poll: "poll:" (typed with
    # a colon in a DM) used to slip past the adapter's own guess and lose the time zone.
    bot.slack.users[DM_USER] = person(DM_USER, tz="Asia/Tokyo", name="Kenji")
    tokyo = ZoneInfo("Asia/Tokyo")
    when = (datetime.now(tokyo) + timedelta(days=3)).replace(hour=9, minute=0, second=0)
    text = f'poll: "Sushi or ramen?" "Sushi" "Ramen" --closes "{when:%Y-%m-%d %H:%M}"'
    assert (await bot.event(direct(text, event_id="Ev0POLLCOLON"))).status == 200
    (post,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postMessage"))
    poll_id = button(post.body["blocks"], "poll.vote")["value"].partition(":")[0]
    meta = await conversation.polls.polls.meta(poll_id)
    assert meta is not None
    assert meta["time_zone"] == "Asia/Tokyo"
    assert meta["deadline"] == when.replace(microsecond=0).timestamp()
    assert meta["creator"]["name"] == "Kenji"


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
        f"Open source ▇▇▇▇▁▁▁▁ {votes(content, 1)} (50%)",
        f"Closed source ▇▇▇▇▁▁▁▁ {votes(content, 1)} (50%)",
        f"Hybrid ▁▁▁▁▁▁▁▁ {votes(content, 0)} (0%)",
    ]
    assert "ann" in shown_text(last.body["blocks"]) and "bob" in shown_text(last.body["blocks"])
    withdrawn = await press(bot, poll, poll.vote_button(0), "U0ANN", "ann")
    assert messages.withdrawn.format(option="Open source") in shown_text(withdrawn.body["blocks"])
    assert withdrawn.body["replace_original"] is False
    await settle(conversation)
    assert option_lines(updates(bot)[-1].body["blocks"])[:2] == [
        f"Open source ▁▁▁▁▁▁▁▁ {votes(content, 0)} (0%)",
        f"Closed source ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)",
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
    assert progress(content, 1) in shown_text(question.body["blocks"])
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
    cast = shaped_like(content.polls.messages.quiz_vote_cast)
    assert cast.search(shown_text(vote.body["blocks"]))
    await settle(conversation)
    final = shown_text(updates(bot)[-1].body["blocks"])
    assert content.polls.messages.priorities_title in final
    assert content.polls.messages.voters.format(count=1) in final
    assert len(bot.slack.api_calls("chat.postMessage")) == 1


async def test_anonymous_polls_never_show_who_voted_anywhere(
    bot: SlackBot, conversation: Conversation, content: Content
) -> None:
    conversation.polls.refresh_window = FAST
    poll = await start_poll(bot, conversation, '"Secret?" "Yes" "No" --anonymous')
    voters = {f"U0SECRET{n}": f"whistleblower{n}" for n in range(6)}
    for n, (user, name) in enumerate(voters.items()):
        await press(bot, poll, poll.vote_button(n % 2), user, name)
    await settle(conversation)
    assert option_lines(updates(bot)[-1].body["blocks"]) == [
        f"Yes ▇▇▇▇▁▁▁▁ {votes(content, 3)} (50%)",
        f"No ▇▇▇▇▁▁▁▁ {votes(content, 3)} (50%)",
    ]
    export = controls(poll.blocks)["poll.export"]
    await press(bot, poll, export, CREATOR, "steve")
    (_, data) = (await bot.slack.wait_for(bot.slack.uploaded_files))[0]
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows == [csv_header(content), ["Yes", "3", "50"], ["No", "3", "50"]]
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
    assert option_lines(final) == [
        f"Yes ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)",
        f"No ▁▁▁▁▁▁▁▁ {votes(content, 0)} (0%)",
    ]
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
    assert option_lines(blocks) == [
        f"Yes ▁▁▁▁▁▁▁▁ {votes(content, 0)} (0%)",
        f"No ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)",
    ]
    assert shaped_like(content.polls.messages.closed_at).search(shown_text(blocks))


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
        csv_header(content),
        ["Lisbon", "1", "33"],
        ["Porto, Portugal", "2", "67"],
        [],
        [content.polls.messages.csv_voter, content.polls.messages.csv_option],
        ["ann", "Lisbon"],
        ["bob", "Porto, Portugal"],
        ["cat", "Porto, Portugal"],
    ]
    refused = await press(bot, poll, controls(poll.blocks)["poll.export"], "U0ANN", "ann")
    assert content.polls.messages.not_allowed_export in shown_text(refused.body["blocks"])
    assert len(bot.slack.api_calls("files.completeUploadExternal")) == 1


async def test_ten_long_options_and_two_hundred_voters_fit_block_kit(
    bot: SlackBot, conversation: Conversation, content: Content
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
    assert option_lines(blocks) == [f"{o} ▇▁▁▁▁▁▁▁ {votes(content, 20)} (10%)" for o in options]
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
    bot: SlackBot, conversation: Conversation, content: Content
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
    assert option_lines(update.body["blocks"])[0] == f"Yes ▇▇▇▇▇▇▇▇ {votes(content, 1)} (100%)"


FORMULAS = ("=HYPERLINK(A1,B1)", "+1 for lunch", "@SUM(1+1)", "-2 degrees")


async def test_an_export_never_hands_a_spreadsheet_a_formula(
    bot: SlackBot, conversation: Conversation
) -> None:
    """Option labels and voters' display names that start like a formula arrive in the CSV
    with a leading ' (OWASP's advice), every other character intact."""
    quoted = " ".join(f'"{label}"' for label in FORMULAS)
    poll = await start_poll(bot, conversation, f'"=cmd|calc?" {quoted}')
    voters = {
        "U0EQ": "=HYPERLINK(A1)",
        "U0PLUS": "+1 Ann",
        "U0AT": "@SUM(A1)",
        "U0MINUS": "-2 Bob",
        "U0TAB": "\t=Cat",
        "U0CR": "\r=Dan",
    }
    for n, (user, name) in enumerate(voters.items()):
        await press(bot, poll, poll.vote_button(n % len(FORMULAS)), user, name)
    await press(bot, poll, controls(poll.blocks)["poll.export"], CREATOR, "steve")
    ((_, data),) = await bot.slack.wait_for(bot.slack.uploaded_files)
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert rows == [
        ["option", "votes", "percent"],
        ["'=HYPERLINK(A1,B1)", "2", "33"],
        ["'+1 for lunch", "2", "33"],
        ["'@SUM(1+1)", "1", "17"],
        ["'-2 degrees", "1", "17"],
        [],
        ["voter", "option"],
        ["'\t=Cat", "'=HYPERLINK(A1,B1)"],
        ["'\r=Dan", "'+1 for lunch"],
        ["'+1 Ann", "'+1 for lunch"],
        ["'-2 Bob", "'-2 degrees"],
        ["'=HYPERLINK(A1)", "'=HYPERLINK(A1,B1)"],
        ["'@SUM(A1)", "'@SUM(1+1)"],
    ]
    risky = ("=", "+", "-", "@", "\t", "\r")
    assert not [cell for row in rows for cell in row if cell.startswith(risky)]


async def test_a_questionnaire_vote_in_an_anonymous_poll_leaves_no_link_in_redis(
    bot: SlackBot,
    conversation: Conversation,
    content: Content,
    store: StateStore,
    redis_client: aioredis.Redis,
) -> None:
    """ "Not sure" → the questionnaire → its result is the vote; afterwards no key holds both
    the voter and the poll (the questionnaire state no longer names the poll)."""
    conversation.polls.refresh_window = FAST
    poll = await start_poll(bot, conversation, "--anonymous")
    voter = {"id": "U0QUIET", "username": "quiet", "name": "quiet", "team_id": "T0001"}
    payload = bot.press_payload(
        poll.vote_button(3),
        "anon-0",
        user=voter,
        container={"type": "message", "message_ts": poll.ts, "channel_id": CHANNEL},
    )
    await bot.interact(payload)
    await bot.slack.wait_for(lambda: len(bot.slack.responses("anon-0")) == 2)
    blocks = bot.slack.responses("anon-0")[1].body["blocks"]
    for step in range(1, 11):
        await bot.interact(
            bot.press_payload(button(blocks, "quiz.answer"), f"anon-{step}", user=voter)
        )
        await bot.slack.response_named(f"anon-{step}")
        blocks = bot.slack.responses(f"anon-{step}")[0].body["blocks"]
    await bot.slack.wait_for(lambda: len(bot.slack.responses("anon-10")) == 2)
    assert "team poll" in shown_text(bot.slack.responses("anon-10")[1].body["blocks"])
    await settle(conversation)
    assert "1 voter" in shown_text(updates(bot)[-1].body["blocks"])
    linked = []
    async for key in redis_client.scan_iter(match=f"{store.prefix}:*"):
        held = key + json.dumps(await dump_key(redis_client, key))
        if "U0QUIET" in held and poll.id in held:
            linked.append(key)
    assert linked == []
    # The result is still there for "Why?" and "Share".
    await bot.interact(bot.press_payload(button(blocks, "quiz.explain"), "anon-why", user=voter))
    why = await bot.slack.response_named("anon-why")
    assert header(why.body["blocks"]) == content.strings.contributions_title


async def dump_key(client: aioredis.Redis, key: str) -> object:
    """Everything a key holds, whatever its type."""
    kind = await client.type(key)
    if kind == "hash":
        return await client.hgetall(key)
    if kind == "zset":
        return await client.zrange(key, 0, -1, withscores=True)
    if kind == "set":
        return sorted(await client.smembers(key))
    if kind == "list":
        return await client.lrange(key, 0, -1)
    return await client.get(key)


async def test_options_that_differ_only_by_invisible_characters_are_refused(
    bot: SlackBot, content: Content
) -> None:
    """A zero-width twin of an option, an option of only a zero-width space: a private
    note each, and nothing is posted."""
    messages = content.polls.messages
    twin = await bot.slash('poll "Pick one" "A" "A\u200b"')
    assert messages.duplicate_option.format(option="A") in shown_text(twin["blocks"])
    invisible = await bot.slash('poll "Pick one" "A" "\u200b"')
    assert messages.invisible_option.format(number=2) in shown_text(invisible["blocks"])
    assert twin["response_type"] == invisible["response_type"] == "ephemeral"
    assert not bot.slack.api_calls("chat.postMessage")


async def test_bidi_controls_are_stripped_from_what_is_posted(
    bot: SlackBot, conversation: Conversation
) -> None:
    """A right-to-left override in the question or an option never reaches the channel."""
    poll = await start_poll(
        bot, conversation, '"Which \u202ecod\u202c?" "\u2066Yes\u2069" "N\u200fo"'
    )
    posted = json.dumps(poll.post.body, ensure_ascii=False)
    for control in ("\u202e", "\u202c", "\u2066", "\u2069", "\u200f"):
        assert control not in posted
    assert header(poll.blocks) == "Which cod?"
    assert [b["text"]["text"] for b in buttons(poll.blocks)][:2] == ["Yes", "No"]


async def test_formatting_characters_in_a_long_question_and_names_show_as_typed(
    bot: SlackBot, conversation: Conversation
) -> None:
    """``*``, ``_``, ``~`` and backticks in a question too long for a header (so shown in
    mrkdwn) and in the creator's name reach Slack as literal tokens, never as markup."""
    conversation.polls.refresh_window = FAST
    question = "Should we *really* ship ~everything~ in `main`, or snake_case _it_ later? " * 2
    question += "Say **yes** or __no__."
    assert 150 < len(question) <= 200
    bot.slack.users[CREATOR] = person(CREATOR, name="*The_Boss*")
    poll = await start_poll(bot, conversation, f'"{question}" "Yes" "No"')
    section = poll.blocks[0]["text"]
    assert section["type"] == "mrkdwn"
    inner = section["text"][1:-1]  # inside the adapter's own bold
    assert not any(ch in re.sub(LITERAL, "", inner) for ch in "*_~`")
    assert re.sub(LITERAL, lambda t: t.group(1), inner) == question
    context = next(b for b in poll.blocks if b["type"] == "context")["elements"][0]["text"]
    assert "Started by <!date^00000000^{_}|*>The<!date^00000000^{_}|_>Boss" in context
    await press(bot, poll, poll.vote_button(0), "U0VOTER", "~strike_me~")
    await settle(conversation)
    voters = next(
        b["elements"][0]["text"] for b in updates(bot)[-1].body["blocks"] if b["type"] == "context"
    )
    assert re.sub(LITERAL, lambda t: t.group(1), voters) == "~strike_me~"
    assert not any(ch in re.sub(LITERAL, "", voters) for ch in "*_~`")


LITERAL = r"<!date\^00000000\^\{_\}\|([*_~`]+)>"


async def test_line_breaks_never_reach_a_header_or_a_button(
    bot: SlackBot, conversation: Conversation
) -> None:
    poll = await start_poll(bot, conversation, '"Lunch\non Friday?" "Pizza\nor pasta" "Salad"')
    assert header(poll.blocks) == "Lunch on Friday?"
    labels = [b["text"]["text"] for b in buttons(poll.blocks)]
    assert labels[:2] == ["Pizza or pasta", "Salad"]
    assert not [text for text in labels if "\n" in text]
    assert not block_kit_problems(poll.blocks)
