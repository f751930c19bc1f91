"""``payoff.toml``: which sources to sync and with what scope, the people file, settings to seed and the
schedule — everything but secrets, which stay in the environment.

    [people]
    file = "people.csv"                 # imported first by `payoff sync`

    [sources.github]                    # one table per source, named like `payoff sync <source>`;
    org = "acme"                        # its keys are that command's options (--base-url is base-url)
    repo = ["api", "web"]

    [settings]                          # written once, where the database has no value yet
    min_group_size = 5

    [schedule]                          # cron lines for `payoff config crontab`
    sync = "0 * * * *"
    deliver = "0 7 2 * *"

A mistake is a ``ConfigError`` naming the file, the line and what is wrong: an unknown key, a wrong type,
a missing required option, a secret written into the file. tomllib gives no line numbers for values, so
the line of a key is found in the text.
"""

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from payoff.connectors.connector import Connector, Option
from payoff.connectors.registry import CONNECTORS
from payoff.store.config import settings

FILE_NAME = "payoff.toml"
SECTIONS = ("people", "sources", "settings", "schedule")
SCHEDULE = ("sync", "deliver")
SECRET = re.compile(r"(token|secret|password|passwd|api[-_]?key|admin[-_]?key)$", re.I)
CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z]+$")


class ConfigError(ValueError):
    def __init__(self, path: Path, line: int, problem: str):
        self.path, self.line, self.problem = path, line, problem
        super().__init__(f"{path}, line {line}: {problem}")


@dataclass(frozen=True)
class Source:
    connector: Connector
    options: dict[str, Any]  # every declared option: the file's value, else the declared default
    given: frozenset[str]  # the options the file sets
    line: int


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    people: Path | None
    sources: tuple[Source, ...]  # in sync order: outcomes (the sources that link tickets) first, then usage
    settings: dict[str, Any]
    schedule: dict[str, str]

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.connector.name == name), None)


def default_path() -> Path:
    """PAYOFF_CONFIG; else payoff.toml beside a SQLite database when one is there; else in the working folder."""
    config = settings()
    if config.config_path:
        return Path(config.config_path)
    # Read without SQLAlchemy: loading it would cost every `payoff sync` command a second before its first line.
    database = re.match(r"sqlite(?:\+\w+)?:///([^?]+)", config.database_url)
    if database and database.group(1) != ":memory:":
        beside = Path(database.group(1)).resolve().parent / FILE_NAME
        if beside.exists():
            return beside
    return Path.cwd() / FILE_NAME


def find() -> ConfigFile | None:
    """The configuration in effect, ``None`` when there is no file (``ConfigError`` when it is wrong)."""
    path = default_path()
    return load(path) if path.exists() else None


def load(path: Path) -> ConfigFile:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(error))) else 1
        raise ConfigError(path, line, f"not valid TOML ({error})") from None
    where = _Lines(path, text)
    for section, value in data.items():
        if section not in SECTIONS:
            where.fail((), section, f"unknown section [{section}]; known: {', '.join(SECTIONS)}")
        if not isinstance(value, dict):
            where.fail((), section, f"{section} must be a table: [{section}]")
    return ConfigFile(
        path,
        _people(where, data.get("people", {})),
        _sources(where, data.get("sources", {})),
        _settings(where, data.get("settings", {})),
        _schedule(where, data.get("schedule", {})),
    )


class _Lines:
    """Line numbers of tables and keys, found in the text (tomllib gives none)."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines = path, text.splitlines()

    def line(self, table: tuple[str, ...], key: str | None = None) -> int:
        header, current = 1, ()
        for number, raw in enumerate(self.lines, 1):
            stripped = raw.split("#", 1)[0].strip()
            if stripped.startswith("["):
                current = tuple(part.strip().strip("\"'") for part in stripped.strip("[]").split("."))
                if current == table:
                    header = number
                continue
            if current == table and key is not None and re.match(rf"""^["']?{re.escape(key)}["']?\s*=""", stripped):
                return number
            if not table and key is not None and current == () and re.match(rf"^{re.escape(key)}\s*=", stripped):
                return number
        if not table and key is not None:  # a top-level table: its header
            return self.line((key,))
        return header

    def fail(self, table: tuple[str, ...], key: str | None, problem: str):
        raise ConfigError(self.path, self.line(table, key), problem)


def _people(where: _Lines, table: dict) -> Path | None:
    for key in table:
        if key != "file":
            where.fail(("people",), key, f"unknown key {key!r} in [people]; known: file")
    file = table.get("file")
    if file is None:
        return None
    if not isinstance(file, str):
        where.fail(("people",), "file", "file must be a string: the people CSV's path")
    return where.path.parent / file


def _sources(where: _Lines, table: dict) -> tuple[Source, ...]:
    by_command = {c.command: c for c in CONNECTORS.values() if c.connect is not None}
    found = []
    for name, values in table.items():
        connector = by_command.get(name) or by_command.get(name.replace("_", "-"))
        if connector is None:
            where.fail(("sources", name), None, f"unknown source [sources.{name}]; known: {', '.join(by_command)}")
        if not isinstance(values, dict):
            where.fail(("sources",), name, f"sources.{name} must be a table: [sources.{name}]")
        found.append(_source(where, ("sources", name), connector, values))
    # Outcomes first (they also link tickets and pull requests), then usage, each in the registry's order.
    order = list(CONNECTORS)
    return tuple(sorted(found, key=lambda s: (not s.connector.links_tickets, order.index(s.connector.name))))


def _source(where: _Lines, table: tuple[str, ...], connector: Connector, values: dict) -> Source:
    options = {o.flag.removeprefix("--"): o for o in connector.options}
    chosen: dict[str, Any] = {}
    for key, value in values.items():
        option = options.get(key) or options.get(key.replace("_", "-"))
        if option is None:
            if SECRET.search(key):
                names = ", ".join(k.variable for k in connector.keys)
                where.fail(
                    table,
                    key,
                    f"{key} looks like a secret: payoff.toml holds none; set {names} in the "
                    "environment (or the secrets your deployment injects) instead",
                )
            where.fail(table, key, f"unknown key {key!r} in [{'.'.join(table)}]; known: {', '.join(options)}")
        chosen[option.name] = _value(where, table, key, option, value)
    for option in connector.options:
        if option.default is ... and option.name not in chosen:
            where.fail(
                table,
                None,
                f"[{'.'.join(table)}] needs {option.flag.removeprefix('--')} ({option.help.split('.')[0].lower()})",
            )
    return Source(
        connector,
        {o.name: chosen.get(o.name, None if o.default is ... else o.default) for o in connector.options},
        frozenset(chosen),
        where.line(table),
    )


def _value(where: _Lines, table: tuple[str, ...], key: str, option: Option, value: Any) -> Any:
    def wrong(expected: str):
        where.fail(table, key, f"{key} must be {expected}, not {type(value).__name__} {value!r}")

    if option.type is str:
        return value if isinstance(value, str) else wrong("a string")
    if option.type is float:
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else wrong("a number")
    if option.type is date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value) if isinstance(value, str) else wrong("a date (2026-10-01)")
        except ValueError:
            return wrong("a date (2026-10-01)")
    if option.type is Path:
        return where.path.parent / value if isinstance(value, str) else wrong("a path (a string)")
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return wrong('a list of strings, e.g. ["a", "b"]')


def _settings(where: _Lines, table: dict) -> dict[str, Any]:
    from payoff.store import org_settings

    for key, value in table.items():
        if key not in org_settings.DEFAULTS:
            where.fail(("settings",), key, f"unknown setting {key!r}; known: {', '.join(org_settings.DEFAULTS)}")
        default = org_settings.DEFAULTS[key]
        kind = (int, float) if isinstance(default, float) else type(default)
        if not isinstance(value, kind) or isinstance(value, bool) != isinstance(default, bool):
            where.fail(
                ("settings",),
                key,
                f"{key} must be {type(default).__name__} like {default!r}, not {type(value).__name__} {value!r}",
            )
        try:
            org_settings.check(key, value)
        except ValueError as error:
            where.fail(("settings",), key, str(error))
    return dict(table)


def _schedule(where: _Lines, table: dict) -> dict[str, str]:
    for key, value in table.items():
        if key not in SCHEDULE:
            where.fail(("schedule",), key, f"unknown key {key!r} in [schedule]; known: {', '.join(SCHEDULE)}")
        if not (isinstance(value, str) and len(value.split()) == 5 and all(CRON_FIELD.match(f) for f in value.split())):
            where.fail(("schedule",), key, f'{key} must be a cron schedule of five fields, e.g. "0 * * * *"')
    return dict(table)
