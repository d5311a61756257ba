"""Keeping polls' shared messages current, and closing polls at their deadlines.

The refresher replaces a poll's shared message through its platform's outbound port
(:mod:`bot.outbound`) when the poll's results change. Updates are coalesced: at most one
per poll per refresh window (2 s), across all server replicas (a Redis ``SET NX PX``
claim), and the last update always shows the final state (the holder of the window checks
again when it ends). The
sweeper closes polls whose deadline passed, each exactly once across replicas.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.background import BackgroundWork, sweep_forever
from bot.outbound import Outbox
from bot.poll_render import PollRenderer
from bot.poll_store import PollStore
from bot.replies import Reply
from bot.store import StoreUnavailable

log = logging.getLogger("bot.polls")


class PollRefresher:
    """Publishes each poll's current state to its message, coalescing bursts of votes."""

    def __init__(
        self, polls: PollStore, renderer: PollRenderer, outbox: Outbox, refresh_window: float
    ) -> None:
        self.polls = polls
        self.renderer = renderer
        self.outbox = outbox
        self.refresh_window = refresh_window
        self._updates = BackgroundWork("polls")
        self._refreshing: set[str] = set()

    async def attach_message(self, poll_id: str, reference: dict[str, Any]) -> None:
        """Remember where the poll's shared message is, so it can be updated later."""
        await self.polls.update_meta(poll_id, {"message": reference})
        # A vote that landed while the message was being posted had nowhere to show.
        version, rendered = await self.polls.render_lag(poll_id)
        if version > max(rendered, 0):
            self.schedule(poll_id, force=True)  # its window claim found no message

    async def drain(self) -> None:
        """Wait for every pending message update (tests, graceful shutdown)."""
        await self._updates.drain()

    async def current(self, poll_id: str) -> tuple[dict[str, Any], Reply] | None:
        """The poll and its message as it should look now."""
        meta = await self.polls.meta(poll_id)
        if meta is None:
            return None
        named = not meta["anonymous"]
        tally = await self.polls.tally(poll_id, len(meta["options"]), with_voters=named)
        return meta, self.renderer.render(meta, tally)

    def schedule(self, poll_id: str, force: bool = False) -> None:
        """Update the poll's message soon (coalesced: at most one update per window)."""
        # One updater per poll per process: while it runs, its end-of-window check
        # picks up every vote that arrives, so a burst costs no extra tasks.
        if poll_id in self._refreshing and not force:
            return
        self._refreshing.add(poll_id)
        self._updates.spawn(self._refresh(poll_id, force), f"refresh of poll {poll_id}")

    async def _refresh(self, poll_id: str, force: bool) -> None:
        """Update the poll's message now if this server holds the window, then once more
        at the window's end if votes arrived meanwhile."""
        published = False
        try:
            published = await self._refresh_windows(poll_id, force)
        except StoreUnavailable:
            return
        except Exception:
            log.exception("updating poll %s failed", poll_id)
        finally:
            self._refreshing.discard(poll_id)
        if published:
            # A vote that landed after the last check still found this updater running,
            # so it started none of its own: look once more now that this one is done.
            try:
                version, rendered = await self.polls.render_lag(poll_id)
            except StoreUnavailable:
                return
            if version > rendered:
                self.schedule(poll_id)

    async def _refresh_windows(self, poll_id: str, force: bool) -> bool:
        """Publish once per window while votes keep arriving; True if anything was published."""
        window_ms = max(1, int(self.refresh_window * 1000))
        published = False
        while force or await self.polls.claim_render(poll_id, window_ms):
            force = False
            if not await self._publish(poll_id):
                return published
            published = True
            await asyncio.sleep(self.refresh_window)
            version, rendered = await self.polls.render_lag(poll_id)
            if version <= rendered:
                break
        return published

    async def _publish(self, poll_id: str) -> bool:
        current = await self.current(poll_id)
        if current is None:
            return False
        meta, reply = current
        message = meta.get("message")
        if not isinstance(message, dict) or not self.outbox.has(meta["platform"]):
            return False
        reply = replace(reply, viewers=tuple(await self.polls.viewers(poll_id)))
        if not await self.outbox.update(meta["platform"], message, reply):
            # Not marked as shown: the next vote (or the close) tries again.
            log.warning("poll %s: its message could not be updated", poll_id)
            return False
        await self.polls.mark_rendered(poll_id, int(reply.meta["version"]))
        return True


class DeadlineSweeper:
    """Closes polls whose deadline has passed (every replica sweeps; one wins each close)."""

    def __init__(
        self, polls: PollStore, refresher: PollRefresher, clock: Callable[[], float] = time.time
    ) -> None:
        self.polls = polls
        self.refresher = refresher
        self.clock = clock

    async def sweep(self, now: float | None = None) -> list[str]:
        """Close every poll whose deadline has passed; each exactly once across servers."""
        now = self.clock() if now is None else now
        closed = []
        for poll_id in await self.polls.due(now):
            if not await self.polls.claim_deadline(poll_id):
                continue  # another server got it
            if await self.polls.close(poll_id, now, "deadline") == 1:
                log.info("poll %s closed at its deadline", poll_id)
                closed.append(poll_id)
                self.refresher.schedule(poll_id, force=True)
        return closed

    async def run_sweeper(self, every: float = 1.0) -> None:
        """Sweep deadlines forever (a background task of ``serve``); survives Redis outages."""
        await sweep_forever(self.sweep, every, "deadline sweep", log)
