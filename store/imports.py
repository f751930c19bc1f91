"""Imports: people (CSV) and survey answers (CSV) here; AI usage, pull requests and tickets through the
files connector (``connectors.files``), written like a sync page with their raw payloads.

A file is read and checked whole before anything is written, and then written in one transaction: a
bad file writes nothing and raises ``BadFile`` naming the file, line and column. Every row gets a
stable id, so importing the same file twice changes nothing. docs/imports.md describes the formats.
"""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from payoff.connectors.files import mapping as files
from payoff.connectors.files import reading
from payoff.connectors.files.reading import BadFile, Progress, Spec, quiet
from payoff.connectors.sync import Page
from payoff.store import db, writes
from payoff.store.models import ROLES, Person
from payoff.store.progress import upsert_in_steps
from payoff.store.linking import relink
from payoff.store.self_service import COMMENT_MAX_CHARS, MAX_HOURS_SAVED, capped

__all__ = ["BadFile", "import_file", "import_people", "import_survey"]

# Further identity columns of the people file: <source>_email | _login | _user_id | _id.
IDENTITY_COLUMN = re.compile(r"([a-z][a-z0-9]*(?:_[a-z0-9]+)*?)_(email|login|user_id|id)")
STEP = 5_000  # objects per write, between progress reports


def _people(session: Session) -> dict[str, tuple[int, str]]:
    """Lower-cased email -> (person id, stored email)."""
    return {address.lower(): (pid, address) for pid, address in session.exec(select(Person.id, Person.email))}


def _known(path: Path, line: int, address: str, people: dict[str, tuple[int, str]]) -> tuple[int, str]:
    if address not in people:
        raise BadFile(
            path, line, '"email"', f"{address} is not a known person; import them with `payoff import people` first"
        )
    return people[address]


def _role(value: Any) -> str:
    role = "employee" if value is None or not str(value).strip() else str(value).strip().lower()
    if role not in ROLES:
        raise ValueError(f"{value!r} is not a role ({' | '.join(ROLES)})")
    return role


# --- usage, pull requests, tickets ---------------------------------------------------------------


def import_file(path: Path, url: str | None = None, progress: Progress = quiet, *, stream: str) -> dict[str, int]:
    """Import a file of the format ``stream`` (usage | pull_requests | tickets) as the files connector's
    pages, raw payloads included (so ``payoff remap`` applies), then re-link tickets and pull requests.
    Usage must name known people, as the survey does."""
    read = files.read(stream, path, progress)
    counts: dict[str, int] = {}
    with db.session(url) as s:
        if stream == "usage":
            people = _people(s)
            for line, row in read.rows:
                _known(path, line, row["email"], people)
        for start in range(0, len(read.objects), STEP):
            page = Page()
            for object_id, payload, rows in read.objects[start : start + STEP]:
                page.add(rows)
                page.raw.append((object_id, payload))
            writes.save_page(s, source=files.SOURCE, stream=stream, scope=path.name, rows=page.rows, raw=page.raw)
            for table, batch in page.rows.items():
                counts[table] = counts.get(table, 0) + len(batch)
            progress(f"Writing {path.name}", min(start + STEP, len(read.objects)), len(read.objects))
        if stream != "usage":
            relink(s)
    return counts


# --- people --------------------------------------------------------------------------------------


def _codes(value: Any) -> bool:
    """Whether the person's role has delivery work (code, tickets): yes | no."""
    answer = str(value).strip().lower()
    if answer not in ("yes", "no", "true", "false", "1", "0"):
        raise ValueError(f"{value!r} is neither yes nor no")
    return answer in ("yes", "true", "1")


PEOPLE = Spec(
    required={
        "email": reading.email,
        "name": reading.text,
        "team": str,
        "manager_email": str,
        "role": _role,
        "github_login": str,
        "jira_account_id": str,
    },
    optional={"codes": _codes},
    extra=IDENTITY_COLUMN,
)


def _identity_columns(header: list[str]) -> dict[str, str]:
    """Identity column -> source: GitHub, Jira, and every further ``<source>_email`` (etc.) column."""
    sources = {"github_login": "github", "jira_account_id": "jira"}
    for name in header:
        if name not in PEOPLE.required and name not in PEOPLE.optional:
            sources[name] = IDENTITY_COLUMN.fullmatch(name).group(1)
    return sources


def import_people(path: Path, url: str | None = None, progress: Progress = quiet) -> dict[str, int]:
    """Create or update people, their teams and their identities, then re-match every personal row."""
    rows = [(line, row) for line, _, row in PEOPLE.records(path, progress)]
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
        people.append(
            {
                "email": email,
                "name": row["name"],
                "team": team,
                "role": row["role"],
                "codes": row.get("codes") is not False,
                "manager_email": spelled(manager) if manager else None,
            }
        )
        for column, source in sources.items():
            value = str(row.get(column) or "").strip()
            if not value:
                continue
            external = value if column.endswith("_id") else value.lower()
            identity_id = f"{source}:{external}"
            if identity_id in claimed:
                raise BadFile(
                    path, line, f'"{column}"', f"{value} is already given to someone on line {claimed[identity_id]}"
                )
            claimed[identity_id] = line
            identities.append(
                {"id": identity_id, "source": source, "external_id": external, "label": email, "email": email}
            )
    return people, list(teams.values()), identities


# --- survey --------------------------------------------------------------------------------------


def _hours(value: Any) -> float:
    hours = reading.amount(value)
    if hours > MAX_HOURS_SAVED:
        raise ValueError(f"{value!r} hours saved in one week is more than {MAX_HOURS_SAVED}")
    return hours


def _comment(value: Any) -> str | None:
    return capped(str(value), COMMENT_MAX_CHARS, "the comment")


SURVEY = Spec(
    required={"week": reading.day, "email": reading.email, "hours_saved": _hours}, optional={"comment": _comment}
)


def import_survey(path: Path, url: str | None = None, progress: Progress = quiet) -> dict[str, int]:
    """Weekly self-reported hours saved; ``week`` may be any day of the week, stored as its Monday."""
    rows = [(line, row) for line, _, row in SURVEY.records(path, progress)]
    with db.session(url) as s:
        people = _people(s)
        answers: dict[str, tuple[int, dict]] = {}
        for line, row in rows:
            person_id, email = _known(path, line, row["email"], people)
            week = row["week"] - timedelta(days=row["week"].weekday())
            answer_id = f"survey:{email}:{week}"
            if answer_id in answers:
                raise BadFile(
                    path,
                    line,
                    '"week"',
                    f"{email} already answered for the week of {week} on line {answers[answer_id][0]}",
                )
            answers[answer_id] = (
                line,
                {
                    "id": answer_id,
                    "person_id": person_id,
                    "week": week,
                    "hours_saved": row["hours_saved"],
                    "comment": row.get("comment"),
                },
            )
        upsert_in_steps(s, "survey_response", [answer for _, answer in answers.values()], progress)
    return {"survey_response": len(answers)}
