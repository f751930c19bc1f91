"""The review's charts as Altair specs: trends across the months under review, never a ranking of people."""

import altair as alt
import pandas as pd

WIDTH, HEIGHT = 470, 170
PALETTE = ["#3b6ea8", "#e08a3c", "#5a9e6f", "#b5505a"]


def _base(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).properties(width=WIDTH, height=HEIGHT)


def _configured(chart) -> dict:
    return (
        chart.configure_axis(labelFontSize=11, titleFontSize=11, grid=True, gridColor="#eef1f4")
        .configure_legend(orient="bottom", labelFontSize=11, title=None)
        .configure_view(stroke=None)
        .to_dict()
    )


def grouped_bars(frame: pd.DataFrame, unit: str) -> dict:
    """``frame``: month, measure, value — one bar per measure, side by side within each month."""
    chart = (
        _base(frame)
        .mark_bar()
        .encode(
            x=alt.X("month:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("measure:N", sort=None),
            y=alt.Y("value:Q", title=unit),
            color=alt.Color("measure:N", sort=None, scale=alt.Scale(range=PALETTE)),
            tooltip=["month", "measure", "value"],
        )
    )
    return _configured(chart)


def stacked_bars(frame: pd.DataFrame, unit: str) -> dict:
    """``frame``: month, measure, value — the measures stacked (e.g. the phases of cycle time)."""
    chart = (
        _base(frame)
        .mark_bar()
        .encode(
            x=alt.X("month:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=unit, stack="zero"),
            color=alt.Color("measure:N", sort=None, scale=alt.Scale(range=PALETTE)),
            order=alt.Order("order:Q"),
            tooltip=["month", "measure", "value"],
        )
    )
    return _configured(chart)


def bars_and_line(frame: pd.DataFrame, bar: str, line: str) -> dict:
    """``frame``: month and two columns: ``bar`` as bars on the left axis, ``line`` as a line on the right."""
    base = _base(frame).encode(x=alt.X("month:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(color=PALETTE[1], opacity=0.8).encode(
        y=alt.Y(f"{bar}:Q", title=bar, axis=alt.Axis(titleColor=PALETTE[1]))
    )
    points = base.mark_line(color=PALETTE[0], point=True, strokeWidth=2.5).encode(
        y=alt.Y(f"{line}:Q", title=line, axis=alt.Axis(titleColor=PALETTE[0]))
    )
    return _configured(alt.layer(bars, points).resolve_scale(y="independent"))


def interval_band(frame: pd.DataFrame, unit: str) -> dict:
    """``frame``: month, estimate, low, high, survey — the estimate with its 80 % interval as a vertical
    rule, and the self-reported hours beside it as open diamonds."""
    base = _base(frame).encode(x=alt.X("month:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_rule(color=PALETTE[0], strokeWidth=2).encode(y=alt.Y("low:Q", title=unit), y2="high:Q")
    estimate = base.mark_point(filled=True, size=70, color=PALETTE[0]).encode(y="estimate:Q")
    survey = base.mark_point(shape="diamond", size=80, color=PALETTE[1], strokeWidth=2).encode(y="survey:Q")
    return _configured(alt.layer(bars, estimate, survey))
