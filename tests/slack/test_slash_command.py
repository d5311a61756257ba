"""``/ai-choice``: signed slash commands answered in the acknowledgement, and the buttons."""

from __future__ import annotations

import json
import time

import pytest

from bot.content import Content
from tests.slack.conftest import SlackBot, button, buttons, header, shown_text
from tests.wording import progress, shaped_like

PRIVACY = "is open source better for privacy?"


async def test_start_answers_with_the_first_question_in_the_ack(
    bot: SlackBot, content: Content
) -> None:
    started = time.perf_counter()
    ack = await bot.slash("")
    elapsed = time.perf_counter() - started
    assert ack["response_type"] == "ephemeral"
    assert progress(content, 1) in shown_text(ack["blocks"])
    assert header(ack["blocks"])
    assert ack["text"]  # the notification fallback
    assert elapsed < 3.0
    # The answer options carry the core's action and value.
    first = button(ack["blocks"], "quiz.answer")
    assert ":" in first["value"]


async def test_clicking_through_every_question_ends_with_a_recommendation(
    bot: SlackBot, content: Content
) -> None:
    ack = await bot.slash("")
    blocks = ack["blocks"]
    for step in range(1, 11):
        assert progress(content, step) in shown_text(blocks)
        name = f"q{step}"
        started = time.perf_counter()
        await bot.press(button(blocks, "quiz.answer", index=step % 2), response_url=name)
        assert time.perf_counter() - started < 3.0
        (call,) = await bot.slack.wait_for(lambda name=name: bot.slack.responses(name))
        assert call.body["replace_original"] is True
        blocks = call.body["blocks"]
    assert shaped_like(content.strings.result_header).fullmatch(header(blocks))
    assert content.strings.reasons_title in shown_text(blocks)
    # Nothing went anywhere else: every step replaced the message in place.
    assert not bot.slack.api_calls("chat.postMessage")


async def test_back_replaces_the_message_with_the_previous_question(
    bot: SlackBot, content: Content
) -> None:
    ack = await bot.slash("")
    await bot.press(button(ack["blocks"], "quiz.answer"), response_url="one")
    (call,) = await bot.slack.wait_for(lambda: bot.slack.responses("one"))
    await bot.press(button(call.body["blocks"], "quiz.back"), response_url="back")
    (back,) = await bot.slack.wait_for(lambda: bot.slack.responses("back"))
    assert back.body["replace_original"] is True
    assert progress(content, 1) in shown_text(back.body["blocks"])


async def test_share_posts_the_result_to_the_channel(bot: SlackBot, content: Content) -> None:
    ack = await bot.slash("")
    blocks = ack["blocks"]
    for step in range(10):
        await bot.press(button(blocks, "quiz.answer"), response_url=f"s{step}")
        (call,) = await bot.slack.wait_for(lambda step=step: bot.slack.responses(f"s{step}"))
        blocks = call.body["blocks"]
    await bot.press(button(blocks, "quiz.share"), response_url="share")
    (post,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postMessage"))
    assert post.body["channel"] == "C2147483705"
    assert shaped_like(content.strings.result_header).fullmatch(header(post.body["blocks"]))
    assert "steve" in shown_text(post.body["blocks"])
    assert post.headers["Authorization"].startswith("Bearer xoxb-")
    await bot.finish()
    assert not bot.slack.responses("share")  # no apology


async def test_ask_answers_the_question_privately(bot: SlackBot, content: Content) -> None:
    ack = await bot.slash(f"ask {PRIVACY}")
    assert ack["response_type"] == "ephemeral"
    assert "privacy" in shown_text(ack["blocks"]).lower()
    labels = [b["text"]["text"] for b in buttons(ack["blocks"])]
    assert content.strings.faq_helpful in labels
    assert content.strings.faq_not_helpful in labels


async def test_feedback_button_thanks_privately(bot: SlackBot, content: Content) -> None:
    ack = await bot.slash(f"ask {PRIVACY}")
    helpful = next(
        b for b in buttons(ack["blocks"]) if b["text"]["text"] == content.strings.faq_helpful
    )
    await bot.press(helpful, response_url="thanks")
    (call,) = await bot.slack.wait_for(lambda: bot.slack.responses("thanks"))
    assert call.body["response_type"] == "ephemeral"
    assert call.body["replace_original"] is False
    assert content.strings.faq_thanks.split(",")[0] in shown_text(call.body["blocks"])


async def test_compare_shows_the_table_as_lines(bot: SlackBot, content: Content) -> None:
    ack = await bot.slash("compare")
    text = shown_text(ack["blocks"])
    for dimension in content.comparison.dimensions:
        assert f"*{dimension.name}* — " in text.replace("&amp;", "&")


#: Every flag the ``poll`` command reads (README "Team polls" and "Scheduled and
#: recurring polls").
POLL_FLAGS = (
    "--anonymous",
    "--hide-results",
    "--closes-in",
    "--closes",
    "--multi",
    "--allow-add",
    "--template",
    "--remind-in",
    "--post-at",
    "--post-in",
    "--repeat",
    "--at",
)


async def test_help_names_every_flag_the_poll_command_reads(
    bot: SlackBot, content: Content
) -> None:
    ack = await bot.slash("help")
    words = set(shown_text(ack["blocks"]).replace("|", " ").replace(",", " ").split())
    assert [flag for flag in POLL_FLAGS if flag not in words] == []
    # ... and each is a flag the command knows (a flag it no longer reads would be named
    # as unknown).
    for flag in POLL_FLAGS:
        ack = await bot.slash(f'poll "Q?" "A" "B" {flag}')
        unknown = content.polls.messages.unknown_flag.format(flag=flag)
        assert unknown not in shown_text(ack.get("blocks", [])), flag


async def test_unknown_subcommand_gets_usage(bot: SlackBot, content: Content) -> None:
    ack = await bot.slash("frobnicate now")
    assert header(ack["blocks"]) == content.strings.help_header
    assert "frobnicate" in shown_text(ack["blocks"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HELP", "help"),
        ("  Help  ", "help"),
        ("Ask    is open source better for privacy?  ", "privacy"),
        ("COMPARE", "compare"),
        ("Start", "start"),
    ],
)
async def test_subcommands_ignore_case_and_extra_spaces(
    bot: SlackBot, content: Content, text: str, expected: str
) -> None:
    ack = await bot.slash(text)
    shown = shown_text(ack["blocks"])
    if expected == "help":
        assert header(ack["blocks"]) == content.strings.help_header
    elif expected == "privacy":
        assert "privacy" in shown.lower()
    elif expected == "compare":
        assert header(ack["blocks"]) == content.comparison.title
    else:
        assert progress(content, 1) in shown


@pytest.mark.parametrize("typed", ["<!channel> hi", "&lt;!channel&gt; hi", "<@U0ADMIN> <!here>"])
async def test_mentions_typed_by_a_user_are_never_live(bot: SlackBot, typed: str) -> None:
    ack = await bot.slash(typed)
    raw = json.dumps(ack)
    assert "<!channel>" not in raw and "<!here>" not in raw and "<@U0ADMIN>" not in raw
    assert "&lt;!" in shown_text(ack["blocks"]) or "&lt;@" in shown_text(ack["blocks"])


async def test_a_question_containing_the_word_payload_is_answered(bot: SlackBot) -> None:
    ack = await bot.slash("ask what payload size can open source models take?")
    assert ack.get("blocks"), ack


async def test_an_expired_button_gets_the_menu_not_an_error(
    bot: SlackBot, content: Content
) -> None:
    stale = {"action_id": "quiz.retired|3", "text": {"type": "plain_text", "text": "Old"}}
    await bot.press(stale, response_url="stale")
    (call,) = await bot.slack.wait_for(lambda: bot.slack.responses("stale"))
    assert content.strings.unknown_action in shown_text(call.body["blocks"])


async def test_a_press_on_app_home_is_answered_in_the_dm(bot: SlackBot, content: Content) -> None:
    start = {"action_id": "quiz.start|0", "text": {"type": "plain_text", "text": "Take it"}}
    payload = bot.press_payload(
        start,
        container={"type": "view", "view_id": "V0HOME01"},
        view={"id": "V0HOME01", "type": "home"},
    )
    del payload["response_url"], payload["channel"]  # App Home presses have neither
    response = await bot.interact(payload)
    assert response.status == 200
    (post,) = await bot.slack.wait_for(lambda: bot.slack.api_calls("chat.postMessage"))
    assert post.body["channel"] == "U2147483697"
    assert progress(content, 1) in shown_text(post.body["blocks"])
