"""The report as one self-contained HTML page: inline CSS, charts as inline SVG (their text
is page text), gallery pictures as JPEG ``data:`` URLs and a few lines of inline script for
the enlarged view. No external resources: it opens offline, from a file or an e-mail."""

from __future__ import annotations

from typing import Any

from .charts import Chart
from .collect import ReportData
from .fmt import is_numeric, score
from .gallery import Gallery
from .highlight import pieces
from .sections import Section


def render_html(data: ReportData, sections: list[Section], charts: dict[str, Chart],
                gallery: Gallery | None = None) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=PackageLoader("editcaption.evaluate.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)
    # Numbers are right-aligned, text (names, notes) left-aligned.
    env.tests["numeric"] = is_numeric
    env.filters["pieces"] = pieces
    env.filters["score"] = score
    # the SVGs are our own matplotlib output, not user text
    svgs: dict[str, Any] = {name: Markup(chart.svg) for name, chart in charts.items()}
    return env.get_template("report.html.j2").render(data=data, sections=sections, svgs=svgs, gallery=gallery)
