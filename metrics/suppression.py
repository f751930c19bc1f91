"""Minimum group size: an aggregate over fewer than k people can be read back to individuals, so it is
hidden from viewers who may not see those individuals."""

import pandas as pd

KEEP = ("team", "month", "period", "people", "suppressed")


def suppress(table: pd.DataFrame, *, k: int, individuals_visible: bool, size: str = "people") -> pd.DataFrame:
    """Blank every figure of rows whose ``size`` column is below ``k``, unless ``individuals_visible``;
    ``suppressed`` says which rows were blanked. The group's name and size stay visible."""
    frame = table.astype(object).copy()
    hidden = (table[size] < k) & (not individuals_visible)
    figures = [c for c in frame.columns if c not in KEEP]
    frame.loc[hidden, figures] = None
    frame["suppressed"] = hidden
    return frame
