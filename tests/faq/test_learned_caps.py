"""Learned FAQ entries are capped per workspace: one workspace's experts never push out
another's answers or phrasings (the Teams bot serves many tenants from one Redis)."""

from __future__ import annotations

from bot import faq_learned
from bot.faq_learned import LearnedStore
from bot.store import StateStore


async def test_a_busy_workspace_makes_room_from_its_own_oldest_entries(
    store: StateStore,
) -> None:
    learned = LearnedStore(store)
    theirs = await learned.add(
        "Do we pay for the hosted model?",
        "Yes, through finance.",
        expert="U1",
        expert_name="Ana",
        platform="teams",
        workspace="tenant-b",
    )
    ours = [
        await learned.add(
            f"Question {n} about our tools?",
            f"Answer {n}.",
            expert="U2",
            expert_name="Bo",
            platform="teams",
            workspace="tenant-a",
        )
        for n in range(faq_learned.MAX_LEARNED_PER_WORKSPACE + 5)
    ]
    kept = {entry.id for entry in await learned.all()}
    assert theirs.id in kept  # another tenant's answer survives
    assert {e.id for e in ours[:5]}.isdisjoint(kept)  # tenant-a's own oldest made way
    assert {e.id for e in ours[5:]} <= kept
    assert len(kept) == faq_learned.MAX_LEARNED_PER_WORKSPACE + 1


async def test_one_workspace_filling_an_entrys_phrasings_leaves_room_for_another(
    store: StateStore,
) -> None:
    learned = LearnedStore(store)
    for n in range(faq_learned.MAX_PHRASINGS_PER_ENTRY):
        assert await learned.add_phrasing("cost", f"what does it cost us {n}", "slack", "T1")
    assert not await learned.add_phrasing("cost", "and one more", "slack", "T1")
    assert await learned.add_phrasing("cost", "is it cheaper to host", "slack", "T2")
    texts = [p["text"] for p in (await learned.phrasings())["cost"]]
    assert "is it cheaper to host" in texts
    assert "and one more" not in texts
    assert len(texts) == faq_learned.MAX_PHRASINGS_PER_ENTRY + 1
