"""The review as Markdown: figures and charts become tables, so it reads well as plain text."""

from payoff.app.review.document import Chart, Figures, Paragraph, Review, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> list[str]:
    lines = []
    if table.caption:
        lines += [f"*{table.caption}*", ""]
    lines.append("| " + " | ".join(_cell(c) for c in table.columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in table.columns) + "|")
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]
    return lines


def _block(block) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Figures):
        rows = tuple((f.label, f.value, f.detail) for f in block.items)
        return _table(Table(("", "value", "detail"), rows))
    if isinstance(block, Chart):
        caption = [f"*{block.caption}*", ""] if block.caption else []
        return [f"**{block.title}**", "", *caption, *_table(block.table)]
    return _table(block)


def render(review: Review) -> bytes:
    lines = [f"# {review.title}", ""]
    for section in review.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += [*_block(block), ""]
    lines += ["---", "", f"*{review.footer}*", ""]
    return "\n".join(lines).encode()
