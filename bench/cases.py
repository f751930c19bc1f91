"""The benchmark: the demo organisation at each size and backend, and what each user-facing job costs on it.

Each (backend, size) runs in a fresh child process, so peak memory is that case's own and "cold" means a
process that has cached nothing. Every timing is also given as a ratio to one plain scan of the raw
usage table measured in the same database: the ratio says how a job compares with the cheapest possible
pass over the data, which is steadier across machines than seconds.
"""

import multiprocessing
import os
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from itertools import pairwise
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from payoff.store import db, demo
from payoff.store.demo.org import build

# The baseline: every row of the usage table read once, nothing returned but a total.
SCAN_SQL = "SELECT count(*), sum(input_tokens + output_tokens) FROM ai_usage_daily"


@dataclass(frozen=True)
class Org:
    """The demo organisation a case generates: ``people`` people and ``months`` months ending with ``end``."""

    people: int
    months: int = 12
    end: str = "2026-10"
    seed: int = 7


@dataclass(frozen=True)
class Case:
    backend: str  # sqlite | postgresql
    people: int
    url: str
    measures: tuple[str, ...] = ()  # names from MEASURES; empty: all


@dataclass(frozen=True)
class Measure:
    """One job timed on a populated database; ``run`` returns seconds (already the median of its repeats)."""

    name: str
    label: str
    run: Callable[[str, Org], float]


def seconds(job: Callable[[], object], repeat: int = 3) -> float:
    """Median wall time of ``repeat`` runs (one slow run on a shared machine should not decide a figure);
    a job slower than a second runs once, or the 10,000-person size would take hours."""
    times = []
    while len(times) < repeat:
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
        if times[0] > 1:
            break
    return statistics.median(times)


def scan(url: str, shape: Org) -> float:
    with db.engine(url).connect() as connection:
        return seconds(lambda: connection.execute(text(SCAN_SQL)).one())


def month_of(shape: Org) -> str:
    return shape.end


def org_month_metrics(url: str, shape: Org) -> float:
    """Every person's metrics for the newest month (what ``payoff metrics`` and the org page compute)."""
    from payoff.metrics import queries

    def job() -> None:
        with db.session(url) as session:
            queries.person_month(session, month=month_of(shape))

    return seconds(job)


def director(shape: Org) -> str:
    """Whose team page the benchmark loads: the first group's director (75 people or so below them), or
    the only leader of a small organisation."""
    leaders = [m for m in build(shape.people, shape.seed).members if m.role == "leader"]
    return next((m for m in leaders if m.manager_email), leaders[0]).email


def _manager(url: str, shape: Org):
    from payoff.app import access

    with db.session(url) as session:
        return access.viewer_for(session, director(shape))


def _team_page(viewer, month: str) -> None:
    """The loader calls the Team page makes for its manager (app/views/team.py)."""
    from payoff.app import loaders

    loaders.group(viewer, "team")
    loaders.group_trend(viewer, "team", month)
    loaders.group_ai_vs_other(viewer, "team", month)
    loaders.group_teams(viewer, "team", month)
    loaders.group_distribution(viewer, "team", month)
    loaders.drillable(viewer)


def team_page_cold(url: str, shape: Org) -> float:
    """The team page's data with empty caches (the first viewer after a restart or the cache's expiry).

    Empty caches, not a first import: a running server imported the app's modules when it started, and
    importing them (altair, fpdf2, streamlit) took 1.7 s of the first figure at 10,000 people.
    """
    import streamlit as st

    from payoff.app import loaders  # noqa: F401

    viewer = _manager(url, shape)

    def job() -> None:
        st.cache_data.clear()
        _team_page(viewer, month_of(shape))

    return seconds(job)


def team_page_warm(url: str, shape: Org) -> float:
    """The same viewer opening the page again (cached per viewer)."""
    viewer = _manager(url, shape)
    _team_page(viewer, month_of(shape))
    return seconds(lambda: _team_page(viewer, month_of(shape)))


def team_export(url: str, shape: Org) -> float:
    """The monthly PDF review of the manager's own team, as they export it."""
    from payoff.app.review import Subject, export

    viewer = _manager(url, shape)

    def job() -> None:
        with db.session(url) as session:
            export(session, viewer, month_of(shape), Subject("team", viewer.team), "pdf")

    return seconds(job)


MEASURES: list[Measure] = [
    Measure("scan_s", "raw usage scan", scan),
    Measure("metrics_org_month_s", "metrics for one org-month", org_month_metrics),
    Measure("team_page_cold_s", "team page data, cold", team_page_cold),
    Measure("team_page_warm_s", "team page data, warm", team_page_warm),
    Measure("team_export_s", "monthly team export (PDF)", team_export),
]


def analyze(url: str) -> None:
    """Refresh the planner's statistics after the bulk import, as autovacuum would soon do: without them
    PostgreSQL plans every query for an empty table."""
    with db.engine(url).begin() as connection:
        connection.execute(text("ANALYZE"))


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _quiet_streamlit() -> None:
    """Loaders cache with st.cache_data, which warns on every call outside a running app."""
    from streamlit import logger

    logger.set_log_level("error")


def run_case(case: Case, on_rows: Callable[[int], None] = lambda rows: None) -> dict:
    """Create, populate and measure one database; runs inside the child process. ``on_rows`` is told the
    rows written so far."""
    shape = Org(people=case.people)
    _quiet_streamlit()
    os.environ["PAYOFF_DATABASE_URL"] = case.url  # the app's loaders read the configured database
    db.upgrade(case.url)
    written = {"rows": 0, "usage_seconds": 0.0}

    def timed(table: str, rows: int, seconds: float) -> None:
        written["rows"] += rows
        if table == "ai_usage_daily":
            written["usage_seconds"] += seconds
        on_rows(written["rows"])

    started = time.perf_counter()
    counts = demo.seed(case.url, people=shape.people, months=shape.months, seed=shape.seed, end=shape.end, timed=timed)
    import_s = time.perf_counter() - started
    analyze(case.url)
    usage_rows, usage_seconds = counts["ai_usage_daily"], written["usage_seconds"]
    figures = {
        "backend": case.backend,
        "people": case.people,
        "months": shape.months,
        "rows": sum(counts.values()),
        "usage_rows": usage_rows,
        "import_s": round(import_s, 3),
        "import_usage_s": round(usage_seconds, 3),
        "import_rows_per_s": round(usage_rows / usage_seconds),
    }
    for measure in MEASURES:
        if case.measures and measure.name not in case.measures:
            continue
        figures[measure.name] = round(measure.run(case.url, shape), 4)
    figures["peak_memory_mb"] = round(peak_memory_mb(), 1)
    figures["load_average"] = round(os.getloadavg()[0], 1)  # the machine is shared: how busy it was
    db.engine(case.url).dispose()
    return figures


def in_child(case: Case, progress: Callable[[int], None] | None = None) -> dict:
    """Run one case in a fresh interpreter; ``progress`` receives the row count after every batch."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        rows = manager.Value("q", 0)
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            future = pool.submit(_child, case, rows)
            while not future.done():
                time.sleep(0.5)
                if progress:
                    progress(rows.value)
            return future.result()


def _child(case: Case, rows) -> dict:
    def report(count: int) -> None:
        rows.value = count

    return run_case(case, on_rows=report)


def sqlite_url(directory: Path, people: int) -> str:
    path = directory / f"payoff-bench-{people}.db"
    for stale in (path, path.with_suffix(".db-wal"), path.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def postgres_url(admin_url: str, people: int) -> str:
    """A fresh database named for the size, next to the one ``admin_url`` points at."""
    name = f"payoff_bench_{people}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop(url: str, admin_url: str | None) -> None:
    """Remove a benchmark database: the SQLite file, or the PostgreSQL database (through ``admin_url``)."""
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        for part in (path, path.with_suffix(".db-wal"), path.with_suffix(".db-shm")):
            part.unlink(missing_ok=True)
        return
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def server_version(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return version


def with_ratios(figures: dict) -> dict:
    """Each timing also as a multiple of the scan (``<name>_x_scan``); the import's is the time its usage rows took."""
    timed = {
        name: value
        for name, value in figures.items()
        if name.endswith("_s") and name not in ("scan_s", "import_s", "import_usage_s")
    }
    timed["import_rows_per_s"] = figures["import_usage_s"]
    return {**figures, **{f"{name}_x_scan": round(value / figures["scan_s"], 1) for name, value in timed.items()}}


def growth(runs: list[dict], name: str) -> list[float | None]:
    """Per run of one backend, cost growth over the previous size divided by the growth in people.

    1.0 is linear; above 1 grows faster than the organisation.
    """
    out: list[float | None] = [None]
    for before, after in pairwise(runs):
        if not before.get(name) or not after.get(name):
            out.append(None)
            continue
        ratio = after[name] / before[name]
        if name.endswith("_per_s"):  # a rate: compare the time its rows took instead
            ratio = after["usage_rows"] / before["usage_rows"] / ratio
        out.append(round(ratio / (after["people"] / before["people"]), 2))
    return out


# The targets, checked on the largest size run: (figure, "max" or "min", limit).
TARGETS = [
    ("import_rows_per_s", "min", 100_000),
    ("metrics_org_month_s_x_scan", "max", 5),
    ("team_page_warm_s", "max", 0.5),
    ("team_page_cold_s", "max", 2.0),
    ("team_export_s", "max", 3.0),
    ("peak_memory_mb", "max", 2048),
]


def target_met(name: str, value: float) -> bool | None:
    for figure, kind, limit in TARGETS:
        if figure == name:
            return value >= limit if kind == "min" else value <= limit
    return None
