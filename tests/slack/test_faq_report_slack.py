"""The editor's loop through Slack: questions asked with ``/ai-choice ask``, a mention and a
DM, and a 👎 pressed under an answer, show up in ``ai-choice faq report`` with real counts.

Everything goes over HTTP to the real app (signed slash command, events and interaction);
the report is read from the same Redis keys, by the core and by the CLI in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.content import Content
from bot.faq import ASKED, build_report
from bot.store import StateStore
from tests.slack.conftest import SlackBot, buttons, direct, header, mention, shown_text
from tests.wording import faq_question

PRIVACY = "is open source ai better for privacy"
UNKNOWN = "can you reset my vpn password"


async def ask_and_vote_through_slack(bot: SlackBot, content: Content) -> None:
    """One answered question with 👎 pressed under it, and one question asked twice that
    the FAQ cannot answer (once in a channel mention, once in a DM)."""
    strings = content.strings
    ack = await bot.slash(f"ask {PRIVACY}")
    assert header(ack["blocks"]) == faq_question(content, "privacy")
    not_helpful = [
        b for b in buttons(ack["blocks"]) if b["text"]["text"] == strings.faq_not_helpful
    ]
    assert len(not_helpful) == 1, buttons(ack["blocks"])
    assert not_helpful[0]["action_id"].startswith("faq.feedback|")

    response = await bot.event(mention(f"<@UBOT0001> {UNKNOWN}", "Ev0FAQREPORT1"))
    assert response.status == 200
    response = await bot.event(direct("Can you reset my VPN password?", "Ev0FAQREPORT2"))
    assert response.status == 200
    posts = await bot.slack.wait_for(
        lambda: (
            len(bot.slack.api_calls("chat.postMessage")) == 2
            and bot.slack.api_calls("chat.postMessage")
        )
    )
    assert {post.body["channel"] for post in posts} == {"C2147483705", "D0DM000001"}
    for post in posts:
        assert strings.faq_unknown in shown_text(post.body["blocks"])

    await bot.press(not_helpful[0], response_url="not-helpful")
    sorry = await bot.slack.response_named("not-helpful")
    assert sorry.body["response_type"] == "ephemeral"
    assert strings.faq_feedback_sorry in shown_text(sorry.body["blocks"])


async def test_slack_questions_and_a_thumbs_down_show_in_the_faq_report(
    bot: SlackBot, store: StateStore, content: Content
) -> None:
    """The editor sees the unanswered question twice and the privacy answer with one 👎."""
    await ask_and_vote_through_slack(bot, content)
    report = await build_report(store, content.faq)
    assert [(q.question, q.count, q.outcome) for q in report.unanswered] == [
        (UNKNOWN, 2, "unknown")
    ]
    assert [(d.entry, d.down, d.up) for d in report.downvoted] == [("privacy", 1, 0)]
    assert report.low_confidence == [], "the privacy question was answered confidently"
    asked = dict(await store.ranked_members(*ASKED))
    assert asked == {PRIVACY: 1, UNKNOWN: 2}


async def test_faq_report_cli_shows_what_slack_users_asked(
    bot: SlackBot, store: StateStore, content: Content, redis_url: str
) -> None:
    """``ai-choice faq report --json`` prints the same counts the Slack traffic produced."""
    await ask_and_vote_through_slack(bot, content)
    env = {**os.environ, "REDIS_URL": redis_url, "AI_CHOICE_KEY_PREFIX": store.prefix}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "faq", "report", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (unanswered,) = report["unanswered"]
    assert unanswered == {
        "question": UNKNOWN,
        "count": 2,
        "outcome": "unknown",
        "entry": None,
        "score": unanswered["score"],
    }
    assert report["low_confidence"] == []
    assert report["downvoted"] == [
        {
            "entry": "privacy",
            "question": "Is open source AI better for privacy?",
            "down": 1,
            "up": 0,
        }
    ]
