"""Tables as plain records: what JSON, CSV and templates take."""

import math
from typing import Any

import pandas as pd


def plain(value: Any) -> Any:
    """A JSON-friendly scalar: NaN -> None, numpy numbers -> Python numbers."""
    if isinstance(value, (list, dict)) or value is None:
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def as_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (NaN -> None), ready for JSON, CSV and templates."""
    names, columns = table.columns.tolist(), [_plain_column(table.iloc[:, i]) for i in range(table.shape[1])]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _plain_column(column: pd.Series) -> list[Any]:
    """``plain`` of each value of ``column``; numbers, booleans and strings converted for the whole column
    at once (``astype(object)`` gives Python scalars), the rest (lists, dicts, dates) value by value."""
    if pd.api.types.is_numeric_dtype(column) or isinstance(column.dtype, pd.StringDtype):
        return column.astype(object).where(column.notna(), None).tolist()
    return [plain(value) for value in column.tolist()]
