"""The review as Markdown: figures and charts become tables, so it reads well as plain text.

Every piece of text goes through ``markdown.text``: names, team names, notes and evidence are the
people's own words, and must reach a reader's Markdown renderer as words, not as HTML, images or links.
"""

from payoff.app.markdown import text
from payoff.app.review.document import Chart, Figures, Paragraph, Review, Table


def _table(table: Table) -> list[str]:
    lines = []
    if table.caption:
        lines += [f"*{text(table.caption)}*", ""]
    lines.append("| " + " | ".join(text(c) for c in table.columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in table.columns) + "|")
    lines += ["| " + " | ".join(text(v) for v in row) + " |" for row in table.rows]
    return lines


def _block(block) -> list[str]:
    if isinstance(block, Paragraph):
        return [text(block.text)]
    if isinstance(block, Figures):
        rows = tuple((f.label, f.value, f.detail) for f in block.items)
        return _table(Table(("", "value", "detail"), rows))
    if isinstance(block, Chart):
        caption = [f"*{text(block.caption)}*", ""] if block.caption else []
        return [f"**{text(block.title)}**", "", *caption, *_table(block.table)]
    return _table(block)


def render(review: Review) -> bytes:
    lines = [f"# {text(review.title)}", ""]
    for section in review.sections:
        lines += [f"## {text(section.title)}", ""]
        for block in section.blocks:
            lines += [*_block(block), ""]
    lines += ["---", "", f"*{text(review.footer)}*", ""]
    return "\n".join(lines).encode()
