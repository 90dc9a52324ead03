"""The report as Markdown: one table per block, charts as PNG files beside it."""

from __future__ import annotations

from . import fmt
from .collect import ReportData
from .sections import Section, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _marked(text: str, mark: str | None) -> str:
    if mark == "best":
        return f"**{text}**"
    if mark == "second":
        return f"*{text}*"
    return text


def table_markdown(table: Table) -> str:
    lines = [f"### {table.title}", ""]
    if table.note:
        lines += [table.note, ""]
    if not table.rows:
        return "\n".join(lines + ["(nothing yet)", ""])
    lines.append("| " + " | ".join(_cell(h) for h in table.header) + " |")
    numeric = [i > 0 and all(fmt.is_numeric(row[i]) for row in table.rows) for i in range(len(table.header))]
    lines.append("|" + "|".join("---:" if right else "---" for right in numeric) + "|")
    for r, row in enumerate(table.rows):
        cells = [_marked(_cell(c), table.marks.get((r, i))) for i, c in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines + [""])


def render_markdown(data: ReportData, sections: list[Section], chart_dir: str = "charts") -> str:
    out = ["# EditCaption evaluation report", "",
           f"Generated {data.generated_at} by editcaption {data.version} from `{data.workspace}`.", ""]
    for section in sections:
        out += [f"## {section.title}", ""]
        if section.text:
            out += [section.text, ""]
        for table in section.tables:
            out.append(table_markdown(table))
        for chart in section.charts:
            out += [f"![{chart}]({chart_dir}/{chart})", ""]
    return "\n".join(out).rstrip() + "\n"
