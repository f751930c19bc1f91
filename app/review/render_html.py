"""The review as one self-contained HTML file: inline CSS, charts as data: URIs, no script, no link.

It opens offline and can be mailed or archived as it is; nothing in it reaches the network.
"""

import base64
from html import escape

from payoff.app.review import charts
from payoff.app.review.document import Chart, Figures, Paragraph, Review, Table

STYLE = """
body{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#1f2933;
 max-width:60rem;margin:2rem auto;padding:0 1.5rem;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}
h2{font-size:1.2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.25rem;margin-top:2rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.75rem}
.card{border:1px solid #d9e2ec;border-radius:.5rem;padding:.6rem .8rem;background:#f8fafc}
.card .label{font-size:.8rem;color:#52606d}
.card .value{font-size:1.35rem;font-weight:600}
.card .detail{font-size:.78rem;color:#52606d}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.88rem}
th,td{border-bottom:1px solid #e4e7eb;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f4f8}
td:first-child{white-space:nowrap}
caption{caption-side:top;text-align:left;color:#52606d;font-size:.85rem;padding-bottom:.3rem}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}
figcaption{font-weight:600;margin-bottom:.3rem}
details,.caption{font-size:.85rem;color:#52606d}
footer{margin-top:3rem;border-top:1px solid #d9e2ec;padding-top:.5rem;font-size:.8rem;color:#52606d}
@media print{body{margin:0;max-width:none}figure,table,.cards{break-inside:avoid}}
"""


def _table(table: Table) -> str:
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in table.rows)
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figures(figures: Figures) -> str:
    cards = "".join(
        f'<div class="card"><div class="label">{escape(f.label)}</div><div class="value">{escape(f.value)}</div>'
        + (f'<div class="detail">{escape(f.detail)}</div>' if f.detail else "")
        + "</div>"
        for f in figures.items
    )
    return f'<div class="cards">{cards}</div>'


def _chart(chart: Chart) -> str:
    image = charts.png(chart.spec)
    width, _ = charts.size(image)
    data = base64.b64encode(image).decode()
    return (
        f"<figure><figcaption>{escape(chart.title)}</figcaption>"
        f'<img src="data:image/png;base64,{data}" width="{width // charts.SCALE}" alt="{escape(chart.title)}">'
        + (f'<p class="caption">{escape(chart.caption)}</p>' if chart.caption else "")
        + f"<details><summary>Data</summary>{_table(chart.table)}</details></figure>"
    )


def _block(block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Figures):
        return _figures(block)
    if isinstance(block, Chart):
        return _chart(block)
    return _table(block)


def render(review: Review) -> bytes:
    sections = "".join(
        f"<section><h2>{escape(s.title)}</h2>{''.join(_block(b) for b in s.blocks)}</section>" for s in review.sections
    )
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(review.title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(review.title)}</h1>{sections}"
        f"<footer>{escape(review.footer)}</footer></body></html>"
    )
    return page.encode()
