"""One replication: write a generated organisation into a fresh database through the store's write paths,
read the month through the metrics API, and compare what it says with the truth."""

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlmodel import select

from bench.validate import org
from payoff.metrics import ai_assisted, load
from payoff.metrics import tables as assembly
from payoff.store import db
from payoff.store.models import Person
from payoff.store.writes import upsert, write_rows


class Databases:
    """A migrated empty SQLite database, copied afresh for every replication (migrating costs a second)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="payoff-validate-"))
        self.template = self.folder / "template.db"
        db.upgrade(f"sqlite:///{self.template}")
        db.engine(f"sqlite:///{self.template}").dispose()
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        path = self.folder / f"run{self.count}.db"
        shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def done(self, url: str) -> None:
        db.engine(url).dispose()
        Path(url.removeprefix("sqlite:///")).unlink()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def write(url: str, people: list[dict], tables: dict[str, list[dict]]) -> None:
    """People first, then every activity table in one transaction, as a sync page writes them."""
    with db.session(url) as s:
        upsert(s, "team", [{"name": t, "parent": None} for t in sorted({p["team"] for p in people})])
        upsert(s, "person", people, on=["email"])
    with db.session(url) as s:
        write_rows(s, {name: rows for name, rows in tables.items() if rows})


@dataclass
class Result:
    """What one replication measured: estimates beside the truth, per level."""

    time_saved: list[dict] = field(default_factory=list)  # level, who, estimate, low, high, truth
    pairs: list[dict] = field(default_factory=list)  # measure, gamer style, gamer value, genuine value
    flags: list[dict] = field(default_factory=list)  # person style, signal names
    comparisons: list[dict] = field(default_factory=list)  # group size, measure, difference shown
    units: list[dict] = field(default_factory=list)  # style, outcome units of the month


def replicate(databases: Databases, scenario: org.Scenario, seed: int) -> Result:
    truth, people, tables = org.generate(scenario, seed)
    url = databases.fresh()
    try:
        write(url, people, tables)
        with db.session(url) as s:
            ids = dict(s.exec(select(Person.email, Person.id)).all())
            data = load.load_month(s, org.MONTH)
            persons = assembly.person_table(data)
            teams = assembly.group_table(data, "team", persons)
            whole = assembly.whole_table(data)
        return measure(truth, ids, data, persons, teams, whole)
    finally:
        databases.done(url)


def _interval(value) -> tuple[float, float, float] | None:
    if not isinstance(value, dict) or value.get("estimate") is None:
        return None
    return float(value["estimate"]), float(value["low"]), float(value["high"])


def measure(
    truth: org.Truth,
    ids: dict[str, int],
    data: load.MonthData,
    persons: pd.DataFrame,
    teams: pd.DataFrame,
    whole: pd.DataFrame,
) -> Result:
    result = Result()
    by_id = {ids[p.email]: p for p in truth.persons}
    rows = persons.set_index("person_id")
    estimated = []
    for pid, row in rows.iterrows():
        p = by_id[pid]
        shown = _interval(row["time_saved_hours_per_week"])
        if shown is not None and p.adopt is not None:
            estimated.append(p)
            result.time_saved.append(
                {
                    "level": "person",
                    "who": p.n,
                    "estimate": shown[0],
                    "low": shown[1],
                    "high": shown[2],
                    "truth": truth.hours(p.gain),
                    "style": p.style,
                }
            )
        result.flags.append({"style": p.style, "flags": list(row["flags"]), "adopter": p.adopt is not None})
        result.units.append(
            {
                "style": p.style,
                "units": float(row["outcome_units"] or 0),
                "value": row["value_per_million_tokens"],
                "saved": shown[0] if shown else None,
            }
        )
    for level, frame, member in (("team", teams, lambda p, name: p.team == name), ("org", whole, lambda p, name: True)):
        for _, row in frame.iterrows():
            shown = _interval(row["time_saved_hours_per_week"])
            members = [p for p in estimated if member(p, row["team"])]
            if shown is not None and members:
                gain = float(np.mean([p.gain for p in members]))
                result.time_saved.append(
                    {
                        "level": level,
                        "who": row["team"],
                        "estimate": shown[0],
                        "low": shown[1],
                        "high": shown[2],
                        "truth": truth.hours(gain),
                    }
                )
    result.pairs = _pairs(result.units)
    if not truth.scenario.gaming:
        result.comparisons = _comparisons(truth, ids, data)
    return result


def _pairs(units: list[dict]) -> list[dict]:
    """Every gamer or tokenmaxxer against every genuine heavy adopter of the organisation."""
    genuine = [u for u in units if u["style"] == "genuine_heavy"]
    gaming = [u for u in units if u["style"] in org.GAMERS + org.TOKENMAXXERS]
    out = []
    for g in gaming:
        for h in genuine:
            for measure in ("value", "saved", "units"):
                out.append({"measure": measure, "style": g["style"], "gamer": g[measure], "genuine": h[measure]})
    return out


def _comparisons(truth: org.Truth, ids: dict[str, int], data: load.MonthData) -> list[dict]:
    """AI-assisted vs other on team pages of several sizes (true difference zero): does the page show a
    difference? Groups: each team, pairs of teams, the whole organisation."""
    teams = sorted({p.team for p in truth.persons})
    groups = [[t] for t in teams] + [teams[i : i + 2] for i in range(0, len(teams) - 1, 2)] + [teams]
    out = []
    for group in groups:
        members = {ids[p.email] for p in truth.persons if p.team in group}
        prs = data.prs[data.prs["person_id"].isin(members)]
        for measure, shown in differences(prs).items():
            out.append({"size": len(members), "measure": measure, "shown": shown})
    return out


def differences(prs: pd.DataFrame) -> dict[str, bool | None]:
    """Per measure, whether the page states a difference (its verdict says AI-assisted is higher or lower);
    None when it gives no verdict for lack of people."""
    table = ai_assisted.ai_vs_other(prs)
    rows = table[table["side"] == "difference"].set_index("measure")
    return {
        m: (None if r["estimate"] is None or pd.isna(r["estimate"]) else r["verdict"].startswith("AI-assisted"))
        for m, r in rows.iterrows()
    }
