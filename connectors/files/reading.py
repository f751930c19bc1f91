"""Reading an import file: CSV or JSONL (by extension), every cell checked, every problem placed.

A file is read and checked whole before anything is written: a bad file raises ``BadFile`` naming the
file, line and column. docs/imports.md describes the formats.
"""

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from math import isfinite
from pathlib import Path
from typing import Any

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NAME = re.compile(r"[a-z][a-z0-9_]*")
# Limits that keep a wrong file from being stored: a name or tool longer than MAX_TEXT (a title or summary
# longer than MAX_PROSE) is a broken column, a count beyond BIGINT does not fit the database, and days
# and times lie between FIRST_DAY and tomorrow.
MAX_TEXT = 200
MAX_PROSE = 5_000
MAX_COUNT = 2**63 - 1
FIRST_DAY = date(2000, 1, 1)
# (step, done, total), as the CLI's progress bars take it.
Progress = Callable[[str, int, int], None]


def quiet(step: str, done: int, total: int) -> None:
    """The default: report nothing."""


class BadFile(ValueError):
    """What is wrong with an import file, and where; nothing has been written."""

    def __init__(self, path: Path, line: int, column: str, problem: str):
        self.path, self.line, self.column, self.problem = path, line, column, problem
        super().__init__(f"{path}, line {line}, column {column}: {problem}")


class BadCell(ValueError):
    """A value a column does not accept (placed on its line by ``Spec.rows``)."""

    def __init__(self, column: str, problem: str):
        self.column, self.problem = column, problem
        super().__init__(f'column "{column}": {problem}')


# --- the file ------------------------------------------------------------------------------------


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise BadFile(
            path,
            line,
            str(column),
            f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8 and import it again",
        ) from None
    if not text.strip():
        raise BadFile(path, 1, "1", "the file is empty")
    return text


def _records(path: Path, text: str, spec: "Spec") -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, {column: value}) for each row of a CSV file or a JSONL file (by extension)."""
    if path.suffix.lower() == ".jsonl":
        yield from _jsonl(path, text, spec)
        return
    lines = text.splitlines()
    reader = csv.reader(lines)
    header = [name.strip().lower() for name in next(reader)]
    spec.check(path, 1, header)
    rows = 0
    for values in _csv_rows(path, reader, lines):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise BadFile(
                path,
                reader.line_num,
                str(min(len(values), len(header)) + 1),
                f"{len(values)} values for {len(header)} columns",
            )
        rows += 1
        yield reader.line_num, dict(zip(header, values, strict=True))
    if not rows:
        raise BadFile(path, 2, "1", "the file has a header but no rows")


def _csv_rows(path: Path, reader, lines: list[str]) -> Iterator[list[str]]:
    """The reader's rows; a value beyond the csv module's field limit is a BadFile naming where it is."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num
            limit = csv.field_size_limit()
            parts = lines[line - 1].split(",") if line <= len(lines) else []
            column = next((str(i) for i, part in enumerate(parts, 1) if len(part) > limit), "1")
            raise BadFile(
                path, line, column, f"a value longer than {limit:,} characters ({error}); is a quote left open?"
            ) from None


def _jsonl(path: Path, text: str, spec: "Spec") -> Iterator[tuple[int, dict[str, Any]]]:
    rows = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise BadFile(path, number, str(error.colno), f"not valid JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise BadFile(path, number, "1", "each line must be one JSON object")
        record = {str(key).strip().lower(): value for key, value in record.items()}
        spec.check(path, number, list(record))
        rows += 1
        yield number, record
    if not rows:
        raise BadFile(path, 1, "1", "the file has no rows")


# --- values --------------------------------------------------------------------------------------


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def text(value: Any, limit: int = MAX_TEXT) -> str:
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValueError("is empty")
    if len(text) > limit:
        raise ValueError(f"is {len(text):,} characters long; at most {limit:,} fit here")
    return text


def prose(value: Any) -> str:
    """A title or summary: text that may be long."""
    return text(value, MAX_PROSE)


def email(value: Any) -> str:
    address = text(value).lower()
    if not EMAIL.fullmatch(address):
        raise ValueError(f"{address!r} is not an email address")
    return address


def name(value: Any) -> str:
    """A source or tool name as ids carry it: lower case, letters, digits and underscores."""
    word = text(value).lower()
    if not NAME.fullmatch(word):
        raise ValueError(f"{value!r} is not a name like gitlab or azure_devops (letters, digits, underscores)")
    return word


def _plausible(on: date, value: Any) -> None:
    tomorrow = date.today() + timedelta(days=1)  # a day ahead: the file's time zone may be ahead of ours
    if not FIRST_DAY <= on <= tomorrow:
        raise ValueError(f"{value!r} is not between {FIRST_DAY} and {tomorrow}; is the year right?")


def day(value: Any) -> date:
    try:
        on = date.fromisoformat(text(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2026-01-31") from None
    _plausible(on, value)
    return on


def moment(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(text(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a time like 2026-01-31T14:05:00Z") from None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    _plausible(when.date(), value)
    return when


def number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number") from None


def count(value: Any) -> int:
    whole = None
    if isinstance(value, str) or type(value) is int:  # the fast path: most cells are plain digits
        try:
            whole = int(value)
        except ValueError:
            pass
    if whole is None:
        as_float = number(value)
        if not as_float.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        whole = int(as_float)
    if whole < 0:
        raise ValueError(f"{value!r} is negative; counts are zero or more")
    if whole > MAX_COUNT:
        raise ValueError(f"{value!r} is too large; counts are at most {MAX_COUNT:,}")
    return whole


def amount(value: Any) -> float:
    figure = number(value)
    if not isfinite(figure) or figure < 0:
        raise ValueError(f"{value!r} is not an amount of zero or more")
    return figure


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word not in {"true", "false", "yes", "no", "1", "0"}:
        raise ValueError(f"{value!r} is not true or false")
    return word in {"true", "yes", "1"}


def items(value: Any) -> list[str]:
    """A list: a JSON array in JSONL, or values separated by ``;`` (in CSV, or a JSONL string)."""
    parts = value if isinstance(value, list) else str(value).split(";")
    return [str(part).strip() for part in parts if str(part).strip()]


@dataclass(frozen=True)
class Spec:
    """The columns of one format: required ones must be present, optional ones may be blank (None),
    and columns matching ``extra`` are passed through unparsed; any other column is an error.
    ``check_row`` refuses a row whose cells are fine alone but not together (raising ``BadCell``)."""

    required: dict[str, Callable[[Any], Any]]
    optional: dict[str, Callable[[Any], Any]]
    extra: re.Pattern | None = None
    check_row: Callable[[dict[str, Any]], None] = lambda row: None

    def check(self, path: Path, line: int, names: list[str]) -> None:
        missing = [name for name in self.required if name not in names]
        if missing:
            raise BadFile(path, line, f'"{missing[0]}"', f"the required column(s) {', '.join(missing)} are missing")
        for name in names:
            if (
                name not in self.required
                and name not in self.optional
                and not (self.extra and self.extra.fullmatch(name))
            ):
                allowed = ", ".join([*self.required, *self.optional])
                raise BadFile(
                    path,
                    line,
                    f'"{name}"',
                    f"unknown column; the columns are {allowed}"
                    + (" and identity columns like cursor_email" if self.extra else ""),
                )

    def parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """One record's cells parsed (blank optional cells become None); raises ``BadCell``."""
        row = {}
        for name, value in record.items():
            parse = self.required.get(name) or self.optional.get(name)
            if parse is None:
                row[name] = value
            elif name in self.optional and blank(value):
                row[name] = None
            else:
                try:
                    row[name] = parse(value)
                except ValueError as error:
                    raise BadCell(name, str(error)) from None
        self.check_row(row)
        return row

    def records(self, path: Path, progress: Progress = quiet) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
        """Every row of the file as (line, record as read, parsed row); raises ``BadFile``."""
        content = _text(path)
        lines = content.count("\n") + 1
        read = []
        for line, record in _records(path, content, self):
            try:
                read.append((line, record, self.parse(record)))
            except BadCell as error:
                raise BadFile(path, line, f'"{error.column}"', error.problem) from None
            if len(read) % 20_000 == 0:
                progress(f"Checking {path.name}", line, lines)
        progress(f"Checking {path.name}", lines, lines)
        return read
