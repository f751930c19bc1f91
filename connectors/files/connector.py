"""Files, declared once: AI usage, pull requests and tickets from CSV or JSONL (``payoff import``)."""

from payoff.connectors.connector import Connector
from payoff.connectors.files import mapping

CONNECTOR = Connector(
    name=mapping.SOURCE,
    help="AI usage, pull requests and tickets from CSV or JSONL files (payoff import; formats: docs/imports.md).",
    streams=tuple(mapping.FORMATS),
    remap=mapping.remap,
)
