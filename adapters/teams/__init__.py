"""The Microsoft Teams front end, on botbuilder's CloudAdapter.

Every botbuilder / botframework import in the project lives in this package, so moving
to the Microsoft 365 Agents SDK touches this folder alone (docs/teams.md). The core finds
it through the ``ai_choice.front_ends`` entry point.

- :mod:`adapters.teams.front_end`: what the core sees: variables, route, ``teams-package``
- :mod:`adapters.teams.settings`: the MICROSOFT_* variables
- :mod:`adapters.teams.mount`: settings → CloudAdapter, bot, authenticator, endpoint
- :mod:`adapters.teams.endpoint`: ``POST /api/messages``: parse, authenticate, dedupe
- :mod:`adapters.teams.auth`: Bot Framework JWT validation settings
- :mod:`adapters.teams.adapter`: the CloudAdapter with connector clients kept per turn
- :mod:`adapters.teams.connector_http`: those clients' HTTP on aiohttp, in the event loop
- :mod:`adapters.teams.activities`: activities → neutral events
- :mod:`adapters.teams.teams_bot`: the botbuilder bot: activities to the core, which reply where
- :mod:`adapters.teams.delivery`: replies as card activities, sent in the turn; banners
- :mod:`adapters.teams.cards`: neutral replies → Adaptive Card 1.5 (pure)
- :mod:`adapters.teams.private_cards`: what a poll button shows the presser alone
- :mod:`adapters.teams.outbound`: the core's outbound port: post, update, personal notes
- :mod:`adapters.teams.local_mode`: without credentials, only loopback peers are served
- :mod:`adapters.teams.service_urls`: which serviceUrls the bot may send to (SSRF line)
- :mod:`adapters.teams.connector_retry`: retries for throttled connector calls
- :mod:`adapters.teams.references`: conversation references for proactive posts
- :mod:`adapters.teams.personal_chats`: each person's personal chat with the bot, for private notes
- :mod:`adapters.teams.refreshes`: long-lived keys refreshed at most once per window
- :mod:`adapters.teams.package`, :mod:`adapters.teams.icons`: the Teams app package
"""
