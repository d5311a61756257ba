"""Getting rendered replies to Slack: Web API methods and ``response_url`` posts.

Every way a reply can travel is one method here. A failure is logged (method, error
code, never a token or the message text) and reported as ``False``, so callers can
apologise through ``response_url`` instead of letting a traceback reach anyone. Rate
limiting (HTTP 429) is retried after ``Retry-After`` by slack_sdk's retry handler.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.blocks import escape_mrkdwn, fallback_text, home_view, render_blocks
from bot.replies import Attachment, Reply

log = logging.getLogger(__name__)

#: How many times a rate-limited call is tried again (after Slack's ``Retry-After``).
RATE_LIMIT_RETRIES = 2
#: How many times a call answered with 500 or 503 is tried again.
SERVER_ERROR_RETRIES = 2
#: Seconds before a Web API or response_url call gives up.
HTTP_TIMEOUT = 10


def retry_handlers() -> list[Any]:
    """slack_sdk's default retry handlers (connection errors), 429 after Retry-After, and
    500/503 with a short backoff (Slack processed nothing when it answered with those)."""
    return [
        *async_default_handlers(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]


def web_client(token: str, api_url: str | None) -> AsyncWebClient:
    """The Web API client; ``api_url`` (``SLACK_API_URL``) overrides Slack's base URL."""
    kwargs: dict[str, Any] = {}
    if api_url:
        kwargs["base_url"] = api_url if api_url.endswith("/") else api_url + "/"
    return AsyncWebClient(
        token=token, timeout=HTTP_TIMEOUT, retry_handlers=retry_handlers(), **kwargs
    )


class SlackDelivery:
    """Sends the core's replies to Slack in the shape each route needs.

    Every Web API call and ``response_url`` post shares one HTTP session (and so its
    kept-alive connections), opened on first use and closed by :meth:`close`; without
    one, slack_sdk would open a session and a connection per call.
    """

    def __init__(self, client: AsyncWebClient, apology: str) -> None:
        self.client = client
        #: What a person sees when their reply could not be posted (content/strings.yaml).
        self.apology = apology
        self._session: aiohttp.ClientSession | None = None
        self._retry_handlers = retry_handlers()
        self._closed = False

    def open(self) -> aiohttp.ClientSession | None:
        """The shared HTTP session, opened now if need be (in the running loop); None
        once :meth:`close` has run, so a late call makes its own instead of leaking one."""
        if self._closed:
            return None
        if self._session is None or self._session.closed:
            # No cap on connections (limit=0): a session per call had none either, and a
            # queue for a free connection would eat into each call's timeout.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT),
            )
            self.client.session = self._session
        return self._session

    async def close(self) -> None:
        """Close the shared session; later calls open their own (slack_sdk's default)."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            if self.client.session is session:
                self.client.session = None
            await session.close()

    @staticmethod
    def message(reply: Reply) -> dict[str, Any]:
        """The ``blocks`` and ``text`` of a message showing ``reply``."""
        return {"blocks": render_blocks(reply), "text": fallback_text(reply)}

    async def respond(self, response_url: str, reply: Reply, *, replace: bool) -> bool:
        """Post to an interaction's ``response_url``: replace its message, or add an ephemeral."""
        fields = self.message(reply)
        if replace:
            return await self._webhook(response_url, replace_original=True, **fields)
        return await self._webhook(
            response_url, response_type="ephemeral", replace_original=False, **fields
        )

    async def apologise(self, response_url: str) -> None:
        """Tell the person, privately, that their reply could not be delivered."""
        await self._webhook(
            response_url, text=self.apology, response_type="ephemeral", replace_original=False
        )

    async def post(self, channel: str, reply: Reply, thread_ts: str = "") -> bool:
        """``chat.postMessage``: a message everyone in ``channel`` (or the thread) sees."""
        kwargs: dict[str, Any] = {"channel": channel, **self.message(reply)}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        return await self._call("chat_postMessage", kwargs)

    async def post_for_reference(
        self, channel: str, reply: Reply, thread_ts: str = ""
    ) -> dict[str, str] | None:
        """``chat.postMessage`` that returns where the message is (``channel``, ``ts``),
        so it can be updated later; None when Slack refused it."""
        kwargs: dict[str, Any] = {"channel": channel, **self.message(reply)}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        response = await self._call_for("chat_postMessage", kwargs)
        if response is None:
            return None
        posted_channel, ts = response.get("channel"), response.get("ts")
        if not isinstance(ts, str) or not ts:
            return None
        return {"channel": posted_channel if isinstance(posted_channel, str) else channel, "ts": ts}

    async def update(self, channel: str, ts: str, reply: Reply) -> bool:
        """``chat.update``: replace a message the bot posted with ``reply``."""
        return await self._call(
            "chat_update", {"channel": channel, "ts": ts, **self.message(reply)}
        )

    async def send_file_to_dm(self, user: str, attachment: Attachment, comment: str) -> bool:
        """Upload ``attachment`` into the bot's direct message with ``user``
        (``conversations.open``, then ``files_upload_v2``)."""
        opened = await self._call_for("conversations_open", {"users": user})
        channel = opened.get("channel") if opened is not None else None
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        if not isinstance(channel_id, str) or not channel_id:
            return False
        upload = {
            "channel": channel_id,
            "filename": attachment.filename,
            "title": attachment.filename,
            "content": attachment.content,
            "initial_comment": escape_mrkdwn(comment),
        }
        return await self._call("files_upload_v2", upload)

    async def post_ephemeral(
        self, channel: str, user: str, reply: Reply, thread_ts: str = ""
    ) -> bool:
        """``chat.postEphemeral``: a message only ``user`` sees, in ``channel`` or the thread."""
        kwargs: dict[str, Any] = {"channel": channel, "user": user, **self.message(reply)}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        return await self._call("chat_postEphemeral", kwargs)

    async def publish_home(self, user: str, reply: Reply) -> bool:
        """``views.publish``: show ``reply`` on ``user``'s App Home tab."""
        return await self._call("views_publish", {"user_id": user, "view": home_view(reply)})

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> bool:
        """``views.open``: show a modal to the person whose press gave ``trigger_id``."""
        return await self._call("views_open", {"trigger_id": trigger_id, "view": view})

    async def _call(self, method: str, kwargs: dict[str, Any]) -> bool:
        return await self._call_for(method, kwargs) is not None

    async def _call_for(self, method: str, kwargs: dict[str, Any]) -> dict[str, Any] | None:
        """The method's response data, or None (logged) when it failed."""
        self.open()
        try:
            response = await getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            data = getattr(exc.response, "data", None)
            error = data.get("error") if isinstance(data, dict) else None
            log.warning(
                "slack %s failed: %s (HTTP %s)",
                method,
                error or "unknown error",
                getattr(exc.response, "status_code", "?"),
            )
            return None
        except Exception as exc:
            log.warning("slack %s failed: %s", method, type(exc).__name__)
            return None
        data = getattr(response, "data", None)
        return data if isinstance(data, dict) else {}

    async def _webhook(self, response_url: str, **fields: Any) -> bool:
        webhook = AsyncWebhookClient(
            response_url,
            timeout=HTTP_TIMEOUT,
            session=self.open(),
            retry_handlers=self._retry_handlers,
        )
        try:
            response = await webhook.send(**fields)
        except Exception as exc:
            log.warning("slack response_url post failed: %s", type(exc).__name__)
            return False
        if response.status_code != 200:
            log.warning("slack response_url post failed: HTTP %s", response.status_code)
            return False
        return True
