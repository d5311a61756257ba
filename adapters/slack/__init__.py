"""The Slack front end: slash command, buttons, mentions, DMs and App Home on Bolt.

The core finds it through the ``ai_choice.front_ends`` entry point
(:class:`adapters.slack.front_end.SlackFrontEnd`); nothing in ``bot/`` names it.
"""
