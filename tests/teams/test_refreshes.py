"""Long-lived Teams keys are refreshed at most once per window: a second message from the
same chat costs no rewrite, a changed place is saved at once, and the memory is bounded."""

from __future__ import annotations

from adapters.teams.refreshes import Refreshes
from bot.store import StateStore
from tests.teams.conftest import StandInConnector, TeamsTestClient, payload

PERSONAL_CHAT = "a:1pL2xQ9WmH3k7bE_personal-chat-with-ada"
SENDER = "6b4a7a1e-3c0b-4d8e-9b2f-0c1d2e3f4a5b"  # the sender's Entra object id
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_refresh_is_due_again_after_the_window_or_with_a_new_value() -> None:
    clock = _Clock()
    refreshes = Refreshes(window=60, clock=clock)
    assert refreshes.due("k", "v")
    refreshes.done("k", "v")
    assert not refreshes.due("k", "v")
    assert refreshes.due("k", "other place")
    clock.now += 60
    assert refreshes.due("k", "v")


def test_the_memory_of_refreshes_is_bounded() -> None:
    refreshes = Refreshes(max_keys=3)
    for i in range(10):
        refreshes.done(i)
    assert len(refreshes) == 3
    assert refreshes.due(0) and not refreshes.due(9)


async def _ttl(store: StateStore, *parts: str) -> int:
    return int(await store.client.ttl(store.key(*parts)))


async def test_a_second_message_from_the_same_chat_rewrites_nothing(
    teams: TeamsTestClient, connector: StandInConnector, store: StateStore
) -> None:
    first = payload("personal_message", connector.url, id="refresh-1")
    assert (await teams.post("/api/messages", json=first)).status == 201
    personal = ("teams", "personal", TENANT, SENDER)
    assert await store.get_json(*personal) == {
        "conversation_id": PERSONAL_CHAT,
        "service_url": connector.url,
    }
    await store.client.expire(store.key(*personal), 100)  # a mark a rewrite would undo
    second = payload("personal_message", connector.url, id="refresh-2")
    assert (await teams.post("/api/messages", json=second)).status == 201
    assert len(connector.delivered) == 2  # both answered
    assert 0 < await _ttl(store, *personal) <= 100
    # A message from another chat of the same person is saved at once.
    moved = payload("personal_message", connector.url, id="refresh-3")
    moved["conversation"] = {**moved["conversation"], "id": "a:another-personal-chat"}
    assert (await teams.post("/api/messages", json=moved)).status == 201
    saved = await store.get_json(*personal)
    assert saved["conversation_id"] == "a:another-personal-chat"
    assert await _ttl(store, *personal) > 100
