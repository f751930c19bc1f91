"""The harness's figures from many replications, as numbers (for the regression test) and Markdown."""

import numpy as np
import pandas as pd

from bench.validate import org
from bench.validate.run import Result

SIGNAL_TARGETS = {  # the styles a signal exists to catch (a flag on anyone else is a false positive)
    "usage_decoupled_from_outcomes": (*org.TOKENMAXXERS, "tiny_prs"),
    "pr_slicing": ("tiny_prs",),
    "quality_regression": ("self_bug",),
    "spend_without_outcomes": (),
    "repetitive_agent_runs": (),
}


def time_saved(results: list[Result]) -> pd.DataFrame:
    """Per level: runs, estimates, bias, RMSE (h/week), coverage of the 80 % interval, share of intervals
    wholly above zero."""
    frame = pd.DataFrame([dict(r, rep=i) for i, res in enumerate(results) for r in res.time_saved])
    if frame.empty:
        return frame
    frame["error"] = frame["estimate"] - frame["truth"]
    frame["covered"] = (frame["low"] <= frame["truth"]) & (frame["truth"] <= frame["high"])
    frame["above"] = frame["low"] > 0
    grouped = frame.groupby("level")
    return pd.DataFrame(
        {
            "estimates": grouped.size(),
            "bias": grouped["error"].mean(),
            "rmse": grouped["error"].apply(lambda e: float(np.sqrt((e**2).mean()))),
            "coverage": grouped["covered"].mean(),
            "above_zero": grouped["above"].mean(),
        }
    ).reindex(["person", "team", "org"])


def pairs(results: list[Result]) -> pd.DataFrame:
    """Per measure: pairs compared and the share where the gamer is strictly below the genuine adopter."""
    frame = pd.DataFrame([p for r in results for p in r.pairs])
    if frame.empty:
        return frame
    known = frame.dropna(subset=["gamer", "genuine"])
    below = (known["gamer"].astype(float) < known["genuine"].astype(float)).groupby(known["measure"]).mean()
    return pd.DataFrame(
        {
            "pairs": known.groupby("measure").size(),
            "gamer_below": below,
            "missing": frame.groupby("measure").size() - known.groupby("measure").size(),
        }
    )


def signals(results: list[Result]) -> pd.DataFrame:
    """Per waste signal: flags raised, precision against its targets, recall over its targets, and the
    share of legitimate heavy users it flags."""
    frame = pd.DataFrame([f for r in results for f in r.flags])
    rows = {}
    for signal, targets in SIGNAL_TARGETS.items():
        flagged = frame["flags"].apply(lambda names, s=signal: s in names)
        target = frame["style"].isin(targets)
        legit = frame["style"].isin(org.LEGITIMATE)
        rows[signal] = {
            "flags": int(flagged.sum()),
            "precision": flagged[target].sum() / flagged.sum() if flagged.sum() else np.nan,
            "recall": flagged[target].mean() if target.any() else np.nan,
            "legit_flagged": flagged[legit].mean() if legit.any() else np.nan,
        }
    any_flag = frame["flags"].apply(bool)
    rows["(any signal)"] = {
        "flags": int(any_flag.sum()),
        "precision": (any_flag & frame["style"].isin(set(sum(SIGNAL_TARGETS.values(), ())))).sum() / any_flag.sum()
        if any_flag.sum()
        else np.nan,
        "recall": any_flag[frame["style"].isin(org.TOKENMAXXERS + ("tiny_prs",))].mean(),
        "legit_flagged": any_flag[frame["style"].isin(org.LEGITIMATE)].mean(),
    }
    by_style = any_flag.groupby(frame["style"]).mean()
    return pd.DataFrame(rows).T, by_style


def comparisons(results: list[Result]) -> pd.DataFrame:
    """AI-assisted vs other with a true difference of zero: share of pages showing a difference, per
    measure and group size."""
    frame = pd.DataFrame([c for r in results for c in r.comparisons]).dropna(subset=["shown"])
    if frame.empty:
        return frame
    frame["shown"] = frame["shown"].astype(bool)
    return frame.pivot_table(index="measure", columns="size", values="shown", aggfunc="mean")


def units_ratio(results: list[Result]) -> float:
    """Mean outcome units of tiny-PR gamers over those of genuine heavy adopters."""
    frame = pd.DataFrame([u for r in results for u in r.units])
    means = frame.groupby("style")["units"].mean()
    return float(means.get("tiny_prs", np.nan) / means.get("genuine_heavy", np.nan))


def _md(frame: pd.DataFrame, digits: int = 2) -> str:
    if frame is None or len(frame) == 0:
        return "(none)\n"
    frame = frame.reset_index()
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(_cell(v, digits) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body]) + "\n"


def _cell(value, digits: int) -> str:
    if isinstance(value, float):
        return "—" if np.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def markdown(results: dict[str, list[Result]], units: dict[str, float]) -> str:
    parts = []
    rows = []
    for name, res in results.items():
        table = time_saved(res)
        for level, row in table.iterrows():
            rows.append({"scenario": name, "level": level, **row.to_dict()})
    parts.append("### Time saved (h/week): bias, RMSE, 80 % interval coverage, intervals wholly above 0\n")
    parts.append(_md(pd.DataFrame(rows).set_index("scenario")))
    if "gaming" in results:
        gaming = results["gaming"]
        parts.append("### Gamers and tokenmaxxers vs genuine heavy adopters (share of pairs with the gamer below)\n")
        parts.append(_md(pairs(gaming)))
        parts.append(f"Tiny-PR gamer's outcome units / genuine heavy adopter's: {units_ratio(gaming):.2f}\n")
        table, by_style = signals(gaming)
        parts.append("### Waste signals (gaming scenario)\n")
        parts.append(_md(table))
        parts.append(
            "Any signal, share flagged by style: "
            + ", ".join(f"{style} {share:.2f}" for style, share in by_style.items())
            + "\n"
        )
    shown = {name: comparisons(res) for name, res in results.items() if name != "gaming"}
    parts.append("### AI-assisted vs other, true difference 0: share of pages showing a difference, by group size\n")
    for name, table in shown.items():
        parts.append(f"{name}:\n\n" + _md(table))
    parts.append("### Outcome units of single moves\n")
    parts.append(", ".join(f"{k} {v:.2f}" for k, v in units.items()) + "\n")
    return "\n".join(parts)
