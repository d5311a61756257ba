"""Both front ends at once, on one conversation core and one store: the Slack app with
its Web API stand-in and the Teams app with its Bot Connector stand-in."""

from tests.slack.conftest import bot, slack, slack_settings
from tests.teams.conftest import connector, teams, teams_client_for

__all__ = ["bot", "connector", "slack", "slack_settings", "teams", "teams_client_for"]
