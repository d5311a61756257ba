"""Learned FAQ entries: answers the team's experts gave, matched like content entries.

An expert's answer marked "add to the FAQ" becomes a learned entry, and an expert can
attach an asker's wording to an existing entry as a new phrasing. Both live in Redis, so
every replica answers from them at once:

* ``experts:{learned}:entries``   hash: learned id → JSON (question, answer, the expert,
  when, the workspace it belongs to); at most :data:`MAX_LEARNED_PER_WORKSPACE` per
  workspace (its own oldest make way, so one workspace never pushes out another's) and
  :data:`MAX_LEARNED` in all.
* ``experts:{learned}:phrasings`` hash: entry id → JSON list of added phrasings (each with
  its workspace); at most :data:`MAX_PHRASINGS_PER_ENTRY` per entry and workspace, and
  :data:`MAX_PHRASINGS_PER_ENTRY_IN_ALL` per entry, one field per entry.
* ``experts:{learned}:version``   a counter bumped by every change.

The content's matcher is not touched. :class:`LearnedIndex` is a second, small index
consulted when the content's index declines: the same :class:`~bot.faq_matcher.FaqMatcher`
built over the content's entries (with the added phrasings) plus the learned ones, so a
learned entry has to beat every content entry to answer. Each replica rebuilds it when the
version counter moves (one ``GET`` per declined question). Entries and phrasings answer
only in the workspace whose experts wrote them; those in ``content/learned.yaml``
(reviewed, exported with ``ai-choice faq export-learned``) answer everywhere.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import yaml

from bot.content import Content, DeclineRules, Faq, FaqEntry
from bot.faq_matcher import FaqMatcher, Match
from bot.store import StateStore, reachable

log = logging.getLogger(__name__)

TAG = "{learned}"
ENTRIES = ("experts", TAG, "entries")
PHRASINGS = ("experts", TAG, "phrasings")
VERSION = ("experts", TAG, "version")
#: How many learned entries one workspace keeps; its own oldest make way for new ones.
MAX_LEARNED_PER_WORKSPACE = 50
#: How many learned entries are kept in all (the oldest make way): the index stays small.
MAX_LEARNED = 500
#: How many phrasings one workspace's experts may add to one entry.
MAX_PHRASINGS_PER_ENTRY = 20
#: How many phrasings one entry holds in all (the oldest make way).
MAX_PHRASINGS_PER_ENTRY_IN_ALL = 200
#: Learned entries' ids in the index start with this (content ids never do: no "-").
LEARNED_PREFIX = "learned-"
#: Longest learned question and answer kept, in characters.
MAX_LEARNED_QUESTION = 500
MAX_LEARNED_ANSWER = 900


# KEYS[1] = the phrasings hash, KEYS[2] = the version counter; ARGV = entry id, the new
# phrasing as JSON, the most one workspace may add to an entry, the most an entry holds in
# all. Appends (the entry's oldest make way past the second), bumps the version; 1, or 0
# when the phrasing's workspace has added all it may.
_APPEND_PHRASING = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local items = raw and cjson.decode(raw) or {}
local new = cjson.decode(ARGV[2])
local mine = 0
for _, item in ipairs(items) do
  if item.platform == new.platform and item.workspace == new.workspace then mine = mine + 1 end
end
if mine >= tonumber(ARGV[3]) then return 0 end
while #items >= tonumber(ARGV[4]) do table.remove(items, 1) end
items[#items + 1] = new
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(items))
redis.call('INCR', KEYS[2])
return 1
"""


@dataclass(frozen=True, slots=True)
class LearnedAnswer:
    """One answer the experts taught the FAQ."""

    id: str
    question: str
    answer: str
    expert: str
    expert_name: str
    at: float
    platform: str
    workspace: str
    ticket: str = ""

    def as_json(self) -> dict[str, Any]:
        """What Redis holds for it."""
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "expert": self.expert,
            "expert_name": self.expert_name,
            "at": self.at,
            "platform": self.platform,
            "workspace": self.workspace,
            "ticket": self.ticket,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LearnedAnswer:
        """The entry Redis held as ``data``."""
        return cls(
            id=str(data.get("id", "")),
            question=str(data.get("question", "")),
            answer=str(data.get("answer", "")),
            expert=str(data.get("expert", "")),
            expert_name=str(data.get("expert_name", "")),
            at=float(data.get("at", 0)),
            platform=str(data.get("platform", "")),
            workspace=str(data.get("workspace", "")),
            ticket=str(data.get("ticket", "")),
        )


@dataclass(frozen=True, slots=True)
class Found:
    """What the learned index answers: a learned entry, or a content entry that an added
    phrasing now matches."""

    learned: LearnedAnswer | None
    entry_id: str
    score: float


class LearnedStore:
    """Learned entries and added phrasings in Redis."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._append = store.client.register_script(_APPEND_PHRASING)

    def _key(self, parts: tuple[str, ...]) -> str:
        return self.store.key(*parts)

    async def add(
        self,
        question: str,
        answer: str,
        *,
        expert: str,
        expert_name: str,
        platform: str,
        workspace: str,
        ticket: str = "",
    ) -> LearnedAnswer:
        """Keep a new learned entry: past :data:`MAX_LEARNED_PER_WORKSPACE`, the workspace's
        own oldest goes; past :data:`MAX_LEARNED`, the oldest of all."""
        entry = LearnedAnswer(
            id=secrets.token_hex(5),
            question=question[:MAX_LEARNED_QUESTION],
            answer=answer[:MAX_LEARNED_ANSWER],
            expert=expert,
            expert_name=expert_name,
            at=time.time(),
            platform=platform,
            workspace=workspace,
            ticket=ticket,
        )
        every = await self.all()  # oldest first
        own = [e for e in every if (e.platform, e.workspace) == (platform, workspace)]
        leaving = own[: max(0, len(own) + 1 - MAX_LEARNED_PER_WORKSPACE)]
        rest = [e for e in every if e not in leaving]
        leaving += rest[: max(0, len(rest) + 1 - MAX_LEARNED)]
        async with reachable("learned_add"), self.store.client.pipeline(transaction=True) as pipe:
            pipe.hset(self._key(ENTRIES), entry.id, json.dumps(entry.as_json()))
            for old in leaving:
                pipe.hdel(self._key(ENTRIES), old.id)
            pipe.incr(self._key(VERSION))
            await pipe.execute()
        return entry

    async def remove(self, entry_id: str) -> bool:
        """Take a learned entry out; False when there was none."""
        async with (
            reachable("learned_remove"),
            self.store.client.pipeline(transaction=True) as pipe,
        ):
            pipe.hdel(self._key(ENTRIES), entry_id)
            pipe.incr(self._key(VERSION))
            removed, _ = await pipe.execute()
        return bool(removed)

    async def get(self, entry_id: str) -> LearnedAnswer | None:
        """One learned entry, or None."""
        async with reachable("learned_get"):
            raw = await self.store.client.hget(self._key(ENTRIES), entry_id)
        return LearnedAnswer.from_json(json.loads(raw)) if raw else None

    async def all(self) -> list[LearnedAnswer]:
        """Every learned entry, oldest first."""
        async with reachable("learned_all"):
            raw: Any = await self.store.client.hgetall(self._key(ENTRIES))
        entries = [LearnedAnswer.from_json(json.loads(value)) for value in raw.values()]
        return sorted(entries, key=lambda e: (e.at, e.id))

    async def add_phrasing(self, entry_id: str, text: str, platform: str, workspace: str) -> bool:
        """Attach ``text`` as a new way of asking entry ``entry_id``; False when this
        workspace has added all the phrasings it may to that entry."""
        phrasing = {
            "text": text[:MAX_LEARNED_QUESTION],
            "platform": platform,
            "workspace": workspace,
        }
        keys = [self._key(PHRASINGS), self._key(VERSION)]
        args: list[str | int] = [
            entry_id,
            json.dumps(phrasing),
            MAX_PHRASINGS_PER_ENTRY,
            MAX_PHRASINGS_PER_ENTRY_IN_ALL,
        ]
        async with reachable("learned_phrasing"):
            added: Any = await self._append(keys=keys, args=args)
        return bool(added)

    async def phrasings(self) -> dict[str, list[dict[str, str]]]:
        """Every added phrasing, by entry id."""
        async with reachable("learned_phrasings"):
            raw: Any = await self.store.client.hgetall(self._key(PHRASINGS))
        found: dict[str, list[dict[str, str]]] = {}
        for entry_id, value in raw.items():
            items = json.loads(value)
            if isinstance(items, list):
                found[entry_id] = [p for p in items if isinstance(p, dict)]
        return found

    async def version(self) -> int:
        """The change counter (0 before the first change)."""
        async with reachable("learned_version"):
            raw = await self.store.client.get(self._key(VERSION))
        return int(raw or 0)


@dataclass(frozen=True, slots=True)
class _Built:
    """One build of the index: the version it reflects, its matcher, what each id means."""

    version: int
    matcher: FaqMatcher | None
    learned: dict[str, LearnedAnswer]
    #: content entry id → the workspaces ("platform:workspace") whose experts added a
    #: phrasing to it; "*" for everywhere (content/learned.yaml).
    added: dict[str, set[str]]


def _scope(platform: str, workspace: str) -> str:
    return f"{platform}:{workspace}"


class LearnedIndex:
    """The second index: content entries with added phrasings, plus learned entries."""

    def __init__(self, content: Content, learned: LearnedStore) -> None:
        self.content = content
        self.store = learned
        self._built = _Built(-1, None, {}, {})
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        """Rebuild when Redis holds a newer version than the one built (every replica
        sees a new learned entry on its next declined question)."""
        version = await self.store.version()
        if version == self._built.version:
            return
        async with self._lock:
            if version == self._built.version:
                return
            entries = await self.store.all()
            phrasings = await self.store.phrasings()
            # Building takes a sixth of a second: off the event loop.
            self._built = await asyncio.to_thread(self._build, version, entries, phrasings)

    def _build(
        self,
        version: int,
        entries: list[LearnedAnswer],
        phrasings: dict[str, list[dict[str, str]]],
    ) -> _Built:
        faq = self.content.faq
        added: dict[str, set[str]] = {}
        extra: dict[str, list[str]] = {}
        for entry_id, items in phrasings.items():
            for item in items:
                extra.setdefault(entry_id, []).append(str(item.get("text", "")))
                scope = _scope(str(item.get("platform", "")), str(item.get("workspace", "")))
                added.setdefault(entry_id, set()).add(scope)
        index_entries: list[FaqEntry] = [
            FaqEntry.model_construct(
                **{**entry.__dict__, "phrasings": [*entry.phrasings, *extra.get(entry.id, [])]}
            )
            for entry in faq.entries
        ]
        learned: dict[str, LearnedAnswer] = {}
        shipped = [
            LearnedAnswer(e.id, e.question, e.answer, "", e.answered_by, 0.0, "*", "*")
            for e in self.content.learned.entries
        ]
        for entry in [*shipped, *entries]:
            index_id = LEARNED_PREFIX + entry.id
            learned[index_id] = entry
            texts = extra.get(index_id, [])
            shipped_phrasings = next(
                (e.phrasings for e in self.content.learned.entries if e.id == entry.id), []
            )
            index_entries.append(
                FaqEntry.model_construct(
                    id=index_id,
                    question=entry.question,
                    answer=entry.answer,
                    phrasings=[*shipped_phrasings, *texts],
                    related=[],
                    offers=[],
                )
            )
        if not learned and not added:
            return _Built(version, None, learned, added)
        # The content's thresholds, without what declines named products and nearby
        # topics: those are what the experts' answers are for.
        index_faq = Faq.model_construct(
            **{
                **faq.__dict__,
                "entries": index_entries,
                "decline_topics": {},
                "decline_rules": DeclineRules(),
                "intents": [],
                "situations": [],
                "situation_replaces": [],
            }
        )
        return _Built(version, FaqMatcher(index_faq), learned, added)

    def find(self, question: str, platform: str, workspace: str) -> Found | None:
        """The learned entry (or newly phrased content entry) that answers ``question``
        in this workspace, or None."""
        built = self._built
        if built.matcher is None:
            return None
        match: Match = built.matcher.match(question)
        if not match.answered or match.entry is None:
            return None
        entry_id = match.entry.id
        learned = built.learned.get(entry_id)
        here = {_scope(platform, workspace), "*:*"}
        if learned is not None:
            if _scope(learned.platform, learned.workspace) not in here:
                return None
            return Found(learned, entry_id, match.score)
        if built.added.get(entry_id, set()) & here:
            return Found(None, entry_id, match.score)
        return None


def export_yaml(entries: list[LearnedAnswer], phrasings: dict[str, list[dict[str, str]]]) -> str:
    """``content/learned.yaml`` for ``entries``: what ``ai-choice content check`` accepts."""
    items = []
    for entry in entries:
        added = [str(p.get("text", "")) for p in phrasings.get(LEARNED_PREFIX + entry.id, [])]
        items.append(
            {
                "id": f"learned_{entry.id}",
                "question": entry.question,
                "answer": entry.answer,
                "phrasings": added,
                "answered_by": entry.expert_name or entry.expert,
                "answered_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(entry.at)),
            }
        )
    header = (
        "# Answers the team's experts gave, exported with `ai-choice faq export-learned`.\n"
        "# Reviewed content: these answer in every workspace.\n"
    )
    return header + yaml.safe_dump({"entries": items}, allow_unicode=True, sort_keys=False)
