"""The report as one self-contained HTML page: inline CSS, charts embedded as base64 PNG,
no scripts and no external resources (it opens offline, from a file or an e-mail)."""

from __future__ import annotations

import base64

from .collect import ReportData
from .fmt import is_numeric
from .sections import Section


def render_html(data: ReportData, sections: list[Section], charts: dict[str, bytes]) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("editcaption.evaluate.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)
    # Numbers are right-aligned, text (names, notes) left-aligned.
    env.tests["numeric"] = is_numeric
    images = {name: base64.b64encode(png).decode("ascii") for name, png in charts.items()}
    return env.get_template("report.html.j2").render(data=data, sections=sections, images=images)
