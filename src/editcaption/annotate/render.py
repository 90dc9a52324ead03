"""Rendering pages: every template gets the user, the CSRF token and pending flash messages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from .auth import csrf_token


def flash(request: Request, message: str, kind: str = "info") -> None:
    request.session["flash"] = [*request.session.get("flash", []), [kind, message]][-5:]


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    ctx = dict(context or {})
    ctx.setdefault("user", getattr(request.state, "user", None))
    ctx["csrf_token"] = csrf_token(request)
    ctx["flashes"] = request.session.pop("flash", []) if "flash" in request.session else []
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status_code)
