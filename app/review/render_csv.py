"""The review as CSV: the ``payoff metrics`` rows behind it, one per month (and team), same keys and values.

Nested values (an interval, a list of flags) are written as JSON, so a reader gets the exact numbers back.
"""

import json

from payoff.app.csv_writer import records_csv
from payoff.app.review.document import Review


def _cell(value) -> object:
    return json.dumps(value) if isinstance(value, dict | list | tuple) else value


def render(review: Review) -> bytes:
    columns = list(dict.fromkeys(key for record in review.records for key in record))
    return records_csv(columns, ({k: _cell(v) for k, v in record.items()} for record in review.records))
