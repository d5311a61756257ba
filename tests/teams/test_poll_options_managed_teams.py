"""A ``--multi --allow-add`` poll card in Teams carries both forms of the one mechanism: the
"Add an option" box on the card beside its button, the edit form behind "Manage". An option
a voter added is renamed there with every pick kept; the card stays valid throughout."""

from __future__ import annotations

from adapters.teams.cards import render_card
from bot.content import Content
from bot.conversation import Conversation
from bot.poll_render import PollRenderer
from bot.replies import Reply
from tests.teams.conftest import StandInConnector
from tests.teams.poll_flow import (
    CheckCard,
    Client,
    banner,
    buttons,
    execute,
    inputs,
    lines,
    manage_card,
    start,
    updates,
)


async def test_the_add_box_and_the_manage_form_live_on_one_card_and_edit_keeps_picks(
    teams: Client,
    connector: StandInConnector,
    conversation: Conversation,
    content: Content,
    assert_valid_card: CheckCard,
) -> None:
    conversation.polls.refresh_window = 0.01
    manage, words = content.poll_manage.messages, content.polls.option_messages
    card = await start(teams, connector, 'poll "Snacks?" "Tea" "Cake" --multi 2 --allow-add')
    assert_valid_card(card)
    (box,) = inputs(card)  # the add box on the card; the edit fields behind Manage
    assert box["id"] == "option" and box["placeholder"] == words.add_placeholder.format(max=75)
    behind = {e["id"] for e in manage_card(card, manage.menu_title)["body"] if "id" in e}
    assert behind == {"question", "option_0", "option_1"}

    options = buttons(card)
    add = options[words.add_button]
    assert await banner(teams, execute(connector.url, {**add, "option": "Fruit"}, by=3)) == (
        words.added.format(option="Fruit")
    )
    await conversation.polls.drain()
    card = updates(connector)[-1]
    assert_valid_card(card)
    behind = {
        e["id"]: e.get("value")
        for e in manage_card(card, manage.menu_title)["body"]
        if e["type"] == "Input.Text"
    }
    assert behind == {
        "question": "Snacks?",
        "option_0": "Tea",
        "option_1": "Cake",
        "option_2": "Fruit",
    }
    options = buttons(card)
    for label in ("Tea", "Fruit"):
        await banner(teams, execute(connector.url, options[label], by=2))
    picks = (await conversation.polls.polls.tally(add["aic_value"], 3, with_voters=True)).picks

    save = {**options[manage.edit_submit], "option_2": "Fresh fruit", "option_0": "Green tea"}
    assert await banner(teams, execute(connector.url, save, by=1)) == manage.edited
    await conversation.polls.drain()
    card = updates(connector)[-1]
    assert_valid_card(card)
    assert [t for t in buttons(card) if t in ("Green tea", "Cake", "Fresh fruit")] == [
        "Green tea",
        "Cake",
        "Fresh fruit",
    ]
    assert words.picks_note.format(limit=2) in " ".join(lines(card))
    after = await conversation.polls.polls.tally(add["aic_value"], 3, with_voters=True)
    assert after.picks == picks and len(next(iter(picks.values()))) == 2

    # A refused edit names what to fix; nothing changes.
    dup = {**buttons(card)[manage.edit_submit], "option_1": "green TEA"}
    refused = await banner(teams, execute(connector.url, dup, by=1))
    assert refused == content.polls.messages.duplicate_option.format(option="green TEA")
    meta = await conversation.polls.polls.meta(add["aic_value"])
    assert meta is not None and meta["options"] == ["Green tea", "Cake", "Fresh fruit"]


def test_a_refused_field_shows_its_error_under_its_box_on_a_valid_card(
    content: Content, assert_valid_card: CheckCard
) -> None:
    meta = {"id": "0123456789ab", "allow_add": True, "options": ["A", "B"]}
    form = PollRenderer(content).add_form(meta, error="Type the option first.")
    card = render_card(Reply(kind="poll.add_form", text="Add one", forms=(form,)))
    assert_valid_card(card)
    (box,) = inputs(card)
    after = card["body"][card["body"].index(box) + 1]
    assert after["text"] == "Type the option first." and after["color"] == "attention"
    # The form's submit is the card's button, sending the box with it.
    (submit,) = card["actions"]
    assert submit["data"]["aic_action"] == "poll.add_option"
