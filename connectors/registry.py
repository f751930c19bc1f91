"""Which pure mapping turns a source's stored raw payloads back into domain rows.

``payoff remap`` replays every ``raw_payload`` row through the mapping registered here for its source,
so a fixed or extended mapping reaches old data without a single API call. Each connector adds one
entry: its source name (the ``source`` its streams carry and ``raw_payload`` stores) and a function
``(stream, payload) -> rows``, where ``stream`` is the stream name the payload was stored under and
``rows`` is a dict keyed by table name, exactly as the connector's pages carry it.
"""

from collections.abc import Callable

from payoff.connectors.claude_code import mapping as claude_code
from payoff.connectors.copilot import mapping as copilot
from payoff.connectors.cursor import mapping as cursor
from payoff.connectors.github import mapping as github
from payoff.connectors.jira import mapping as jira
from payoff.connectors.openai import mapping as openai

Remap = Callable[[str, dict], dict[str, list[dict]]]

MAPPINGS: dict[str, Remap] = {
    "claude_code": claude_code.remap,
    "copilot": copilot.remap,
    "cursor": cursor.remap,
    "github": github.remap,
    "jira": jira.remap,
    "openai": openai.remap,
}
