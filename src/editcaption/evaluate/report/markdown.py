"""The report as Markdown: one table per block, charts as PNG files beside it."""

from __future__ import annotations

from . import fmt
from .collect import ReportData
from .gallery import Gallery
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


def _findings(ex) -> str:  # noqa: ANN001 - an Example
    return "; ".join(f"{f.severity} {f.type} ({f.source}): {f.message}" for f in ex.findings) or fmt.DASH


def gallery_markdown(g: Gallery) -> list[str]:
    """The gallery without pictures (they are in report.html): one table per failure mode."""
    out = ["## Examples", "",
           f"{g.examined} instructions of {', '.join(g.runs)} checked; {g.flagged} have findings. "
           "Pictures, highlighted words and the enlarged view are in report.html.", ""]
    if g.compare:
        c = g.compare
        out += [f"### {c['a']} → {c['b']}: {c['worse_total']} pairs worse, {c['better_total']} better, "
                f"{c['unchanged']} unchanged (of {c['pairs']} in both)", ""]
        rows = [[ch.direction, ch.pair_name, f"{ch.a.level} → {ch.b.level}",
                 f"{fmt.score(ch.a.S)} → {fmt.score(ch.b.S)}", ch.a.text, ch.b.text]
                for ch in [*c["worse"], *c["better"]]]
        out.append(table_markdown(Table("Changed pairs", ["Change", "Pair", "Level", "S", c["a"], c["b"]], rows)))
    for cell in g.cells:
        rows = [[" and ".join(s.roles), s.example.run, s.example.pair_name, fmt.score(s.example.S), s.example.text,
                 s.example.reference or fmt.DASH, _findings(s.example)] for s in cell.shown]
        noun = "instruction" if cell.count == 1 else "instructions"
        out.append(table_markdown(Table(f"{cell.severity} {cell.type} — {cell.count} {noun}",
                                        ["Example", "Run", "Pair", "S", "Instruction", "Reference", "Findings"],
                                        rows)))
    return out


def render_markdown(data: ReportData, sections: list[Section], gallery: Gallery | None = None,
                    chart_dir: str = "charts") -> str:
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
    if gallery is not None:
        out += gallery_markdown(gallery)
    return "\n".join(out).rstrip() + "\n"
