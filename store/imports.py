"""Imports for sources without an API: people (CSV), AI usage (CSV or JSONL) and survey answers (CSV).

A file is read and checked whole before anything is written, and then written in one transaction: a
bad file writes nothing and raises ``BadFile`` naming the file, line and column. Every row gets a
stable id, so importing the same file twice changes nothing. docs/imports.md describes the formats.
"""

import csv
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from math import isfinite
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from payoff.store import db, writes
from payoff.store.models import ROLES, Person
from payoff.store.progress import Progress, quiet, upsert_in_steps
from payoff.store.self_service import COMMENT_MAX_CHARS, MAX_HOURS_SAVED, capped

SOURCE = "import"
# Further identity columns of the people file: <source>_email | _login | _user_id | _id.
IDENTITY_COLUMN = re.compile(r"([a-z][a-z0-9]*(?:_[a-z0-9]+)*?)_(email|login|user_id|id)")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Limits that keep a wrong file from being stored: a name or tool longer than this is a broken column,
# a count beyond BIGINT does not fit the database, and usage is dated between these years and tomorrow.
MAX_TEXT = 200
MAX_COUNT = 2**63 - 1
FIRST_DAY = date(2000, 1, 1)


class BadFile(ValueError):
    """What is wrong with an import file, and where; nothing has been written."""

    def __init__(self, path: Path, line: int, column: str, problem: str):
        self.path, self.line, self.column, self.problem = path, line, column, problem
        super().__init__(f"{path}, line {line}, column {column}: {problem}")


# --- reading -------------------------------------------------------------------------------------

def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise BadFile(path, line, str(column), f"byte 0x{data[error.start]:02x} is not UTF-8; save the file "
                                               "as UTF-8 and import it again") from None
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
            raise BadFile(path, reader.line_num, str(min(len(values), len(header)) + 1),
                          f"{len(values)} values for {len(header)} columns")
        rows += 1
        yield reader.line_num, dict(zip(header, values))
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
            raise BadFile(path, line, column, f"a value longer than {limit:,} characters ({error}); is a "
                                              "quote left open?") from None


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

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _str(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValueError("is empty")
    if len(text) > MAX_TEXT:
        raise ValueError(f"is {len(text):,} characters long; at most {MAX_TEXT} fit here")
    return text


def _email(value: Any) -> str:
    text = _str(value).lower()
    if not EMAIL.fullmatch(text):
        raise ValueError(f"{text!r} is not an email address")
    return text


def _plausible(day: date, value: Any) -> None:
    tomorrow = date.today() + timedelta(days=1)  # a day ahead: the file's time zone may be ahead of ours
    if not FIRST_DAY <= day <= tomorrow:
        raise ValueError(f"{value!r} is not between {FIRST_DAY} and {tomorrow}; is the year right?")


def _day(value: Any) -> date:
    try:
        day = date.fromisoformat(_str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2026-01-31") from None
    _plausible(day, value)
    return day


def _moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(_str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a time like 2026-01-31T14:05:00Z") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    _plausible(moment.date(), value)
    return moment


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number") from None


def _count(value: Any) -> int:
    number = None
    if isinstance(value, str) or type(value) is int:  # the fast path: most cells are plain digits
        try:
            number = int(value)
        except ValueError:
            pass
    if number is None:
        as_float = _number(value)
        if not as_float.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        number = int(as_float)
    if number < 0:
        raise ValueError(f"{value!r} is negative; counts are zero or more")
    if number > MAX_COUNT:
        raise ValueError(f"{value!r} is too large; counts are at most {MAX_COUNT:,}")
    return number


def _amount(value: Any) -> float:
    number = _number(value)
    if not isfinite(number) or number < 0:
        raise ValueError(f"{value!r} is not an amount of zero or more")
    return number


def _role(value: Any) -> str:
    role = "employee" if _blank(value) else str(value).strip().lower()
    if role not in ROLES:
        raise ValueError(f"{value!r} is not a role ({' | '.join(ROLES)})")
    return role


@dataclass(frozen=True)
class Spec:
    """The columns of one import: required ones must be present, optional ones may be blank (None),
    and columns matching ``extra`` are passed through unparsed; any other column is an error."""

    required: dict[str, Callable[[Any], Any]]
    optional: dict[str, Callable[[Any], Any]]
    extra: re.Pattern | None = None

    def check(self, path: Path, line: int, names: list[str]) -> None:
        missing = [name for name in self.required if name not in names]
        if missing:
            raise BadFile(path, line, f'"{missing[0]}"', f"the required column(s) {', '.join(missing)} are missing")
        for name in names:
            if name not in self.required and name not in self.optional and not (
                    self.extra and self.extra.fullmatch(name)):
                allowed = ", ".join([*self.required, *self.optional])
                raise BadFile(path, line, f'"{name}"', f"unknown column; the columns are {allowed}"
                              + (" and identity columns like cursor_email" if self.extra else ""))

    def rows(self, path: Path, progress: Progress) -> list[tuple[int, dict[str, Any]]]:
        text = _text(path)
        lines = text.count("\n") + 1
        parsed = []
        parsers = {**self.optional, **self.required}
        for line, record in _records(path, text, self):
            row = {}
            for name, value in record.items():
                parse = parsers.get(name)
                if parse is None:
                    row[name] = value
                    continue
                if name in self.optional and _blank(value):
                    row[name] = None
                    continue
                try:
                    row[name] = parse(value)
                except ValueError as error:
                    raise BadFile(path, line, f'"{name}"', str(error)) from None
            parsed.append((line, row))
            if len(parsed) % 20_000 == 0:
                progress(f"Checking {path.name}", line, lines)
        progress(f"Checking {path.name}", lines, lines)
        return parsed


def _people(session: Session) -> dict[str, tuple[int, str]]:
    """Lower-cased email -> (person id, stored email)."""
    return {email.lower(): (pid, email) for pid, email in session.exec(select(Person.id, Person.email))}


def _known(path: Path, line: int, email: str, people: dict[str, tuple[int, str]]) -> tuple[int, str]:
    if email not in people:
        raise BadFile(path, line, '"email"', f"{email} is not a known person; import them with "
                                             "`payoff import people` first")
    return people[email]


# --- people --------------------------------------------------------------------------------------

PEOPLE = Spec(required={"email": _email, "name": _str, "team": str, "manager_email": str, "role": _role,
                        "github_login": str, "jira_account_id": str}, optional={}, extra=IDENTITY_COLUMN)


def _identity_columns(header: list[str]) -> dict[str, str]:
    """Identity column -> source: GitHub, Jira, and every further ``<source>_email`` (etc.) column."""
    sources = {"github_login": "github", "jira_account_id": "jira"}
    for name in header:
        if name not in PEOPLE.required:
            sources[name] = IDENTITY_COLUMN.fullmatch(name).group(1)
    return sources


def import_people(path: Path, url: str | None = None, progress: Progress = quiet) -> dict[str, int]:
    """Create or update people, their teams and their identities, then re-match every personal row."""
    rows = PEOPLE.rows(path, progress)
    with db.session(url) as s:
        people, teams, identities = _people_rows(path, rows, _people(s))
        upsert_in_steps(s, "team", teams, progress, keep=("parent",))
        upsert_in_steps(s, "person", people, progress, on=["email"])
        ids = {email.lower(): pid for email, pid in s.exec(select(Person.email, Person.id))}
        for identity in identities:
            identity["person_id"] = ids[identity.pop("email").lower()]
        upsert_in_steps(s, "identity", identities, progress, keep=("first_seen",))
        writes.rematch(s)
    return {"person": len(people), "team": len(teams), "identity": len(identities)}


def _people_rows(path: Path, rows: list[tuple[int, dict]], stored: dict[str, tuple[int, str]]):
    """Person, team and identity rows; an email twice, an unknown manager or an identity claimed by two
    people is an error. Stored people keep the spelling of their email."""
    lines = {}
    for line, row in rows:
        if row["email"] in lines:
            raise BadFile(path, line, '"email"', f"{row['email']} is already on line {lines[row['email']]}")
        lines[row["email"]] = line
    spelled = lambda email: stored.get(email, (None, email))[1]  # noqa: E731
    sources = _identity_columns(list(rows[0][1]))
    people, teams, identities, claimed = [], {}, [], {}
    for line, row in rows:
        manager = row["manager_email"].strip().lower() or None
        if manager and manager not in lines and manager not in stored:
            raise BadFile(path, line, '"manager_email"', f"{manager} is neither in this file nor a known person")
        team = row["team"].strip() or None
        if team:
            teams[team] = {"name": team}
        email = spelled(row["email"])
        people.append({"email": email, "name": row["name"], "team": team, "role": row["role"],
                       "manager_email": spelled(manager) if manager else None})
        for column, source in sources.items():
            value = str(row.get(column) or "").strip()
            if not value:
                continue
            external = value if column.endswith("_id") else value.lower()
            identity_id = f"{source}:{external}"
            if identity_id in claimed:
                raise BadFile(path, line, f'"{column}"', f"{value} is already given to someone on line "
                                                         f"{claimed[identity_id]}")
            claimed[identity_id] = line
            identities.append({"id": identity_id, "source": source, "external_id": external, "label": email,
                               "email": email})
    return people, list(teams.values()), identities


# --- usage ---------------------------------------------------------------------------------------

USAGE = Spec(
    required={"date": _day, "email": _email, "tool": lambda v: _str(v).lower(), "input_tokens": _count,
              "output_tokens": _count, "cost_usd": _amount},
    optional={"requests": _count, "sessions": _count, "lines_accepted": _count, "agent": _str,
              "task_fingerprint": _str, "started_at": _moment},
)
SUMMED = ("input_tokens", "output_tokens", "cost_usd", "requests", "sessions", "lines_accepted")


def import_usage(path: Path, url: str | None = None, progress: Progress = quiet) -> dict[str, int]:
    """Daily usage per person, day and tool (rows of the same day are added up); rows naming an agent
    or a task fingerprint are also stored as agent runs."""
    rows = USAGE.rows(path, progress)
    with db.session(url) as s:
        identities, daily, runs = _usage_rows(path, rows, _people(s))
        upsert_in_steps(s, "identity", identities, progress, keep=("first_seen",))
        upsert_in_steps(s, "ai_usage_daily", daily, progress)
        upsert_in_steps(s, "agent_run", runs, progress)
    return {"ai_usage_daily": len(daily), "agent_run": len(runs), "identity": len(identities)}


def _usage_rows(path: Path, rows: list[tuple[int, dict]], people: dict[str, tuple[int, str]]):
    """Identity, daily usage and agent-run rows: one daily row per identity, day and tool."""
    daily: dict[str, dict] = {}
    runs: dict[str, dict] = {}
    untimed: Counter = Counter()
    identities: dict[str, dict] = {}
    for line, row in rows:
        person_id, email = _known(path, line, row["email"], people)
        tool = row["tool"]
        who = f"{tool}:{row['email']}"
        if who not in identities:
            identities[who] = {"id": who, "source": tool, "external_id": row["email"], "label": email,
                               "person_id": person_id}
        if row.get("agent") or row.get("task_fingerprint"):
            run = _agent_run(path, line, row, who, person_id, untimed)
            if run["id"] in runs:
                continue  # the same run twice in the file counts once
            runs[run["id"]] = run
        key = f"{who}:{row['date']}:{tool}"
        total = daily.get(key)
        if total is None:
            total = daily[key] = {"id": key, "person_id": person_id, "identity_id": who, "day": row["date"],
                                  "tool": tool, "source": SOURCE, **dict.fromkeys(SUMMED, 0)}
        for name in SUMMED:
            total[name] += row.get(name) or 0
    return list(identities.values()), list(daily.values()), list(runs.values())


def _agent_run(path: Path, line: int, row: dict, who: str, person_id: int, untimed: Counter) -> dict:
    if not row.get("task_fingerprint"):
        raise BadFile(path, line, '"task_fingerprint"', "an agent run needs a task fingerprint")
    agent = row.get("agent") or row["tool"]
    started = row.get("started_at")
    if started is None:  # without a start time, the n-th run of a task that day is told apart by n
        midnight = datetime.combine(row["date"], time(0), tzinfo=UTC)
        base = f"{SOURCE}:{agent}:{row['email']}:{row['date']}:{row['task_fingerprint']}"
        untimed[base] += 1
        return _run(f"{base}#{untimed[base]}", row, agent, who, person_id, midnight)
    return _run(f"{SOURCE}:{agent}:{row['email']}:{started.isoformat()}:{row['task_fingerprint']}", row, agent, who,
                person_id, started)


def _run(run_id: str, row: dict, agent: str, who: str, person_id: int, started: datetime) -> dict:
    return {"id": run_id, "person_id": person_id, "identity_id": who, "agent": agent, "started_at": started,
            "task_fingerprint": row["task_fingerprint"], "input_tokens": row["input_tokens"],
            "output_tokens": row["output_tokens"], "cost_usd": row["cost_usd"], "source": SOURCE}


# --- survey --------------------------------------------------------------------------------------

def _hours(value: Any) -> float:
    hours = _amount(value)
    if hours > MAX_HOURS_SAVED:
        raise ValueError(f"{value!r} hours saved in one week is more than {MAX_HOURS_SAVED}")
    return hours


def _comment(value: Any) -> str | None:
    return capped(str(value), COMMENT_MAX_CHARS, "the comment")


SURVEY = Spec(required={"week": _day, "email": _email, "hours_saved": _hours}, optional={"comment": _comment})


def import_survey(path: Path, url: str | None = None, progress: Progress = quiet) -> dict[str, int]:
    """Weekly self-reported hours saved; ``week`` may be any day of the week, stored as its Monday."""
    rows = SURVEY.rows(path, progress)
    with db.session(url) as s:
        people = _people(s)
        answers: dict[str, tuple[int, dict]] = {}
        for line, row in rows:
            person_id, email = _known(path, line, row["email"], people)
            week = row["week"] - timedelta(days=row["week"].weekday())
            answer_id = f"survey:{email}:{week}"
            if answer_id in answers:
                raise BadFile(path, line, '"week"', f"{email} already answered for the week of {week} on line "
                                                    f"{answers[answer_id][0]}")
            answers[answer_id] = (line, {"id": answer_id, "person_id": person_id, "week": week,
                                         "hours_saved": row["hours_saved"], "comment": row.get("comment")})
        upsert_in_steps(s, "survey_response", [answer for _, answer in answers.values()], progress)
    return {"survey_response": len(answers)}
