"""Task pages: show an item, serve its images, take a submission, skip it.

Items are addressed by assignment id; every handler first checks that the assignment is
the signed-in user's (otherwise 404, so ids of other people's items reveal nothing).
Images are looked up through the pair's image hashes, never from a path in the request.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from ...workspace.models import AnnotationAssignmentRecord as Assignment
from .. import media
from ..accounts import User
from ..auth import current_user
from ..leases import skip
from ..queues import queue_counts, user_progress
from ..render import render
from ..submissions import NotYours, SubmitConflict, TaskContext, load_context, submit
from ..tasks import module_for
from ..tasks.common import Form, InvalidSubmission
from ..timeutil import as_utc
from .home import next_item_redirect

router = APIRouter()
AssignmentId = Path(ge=1, le=2**62)
NOT_YOURS = "no such item for you"


def _context(s: Session, assignment_id: int, user: User) -> tuple[Assignment, TaskContext]:
    """:func:`load_context`, with an item that is not this user's answered as 404."""
    try:
        return load_context(s, assignment_id, user)
    except NotYours:
        raise HTTPException(status_code=404, detail=NOT_YOURS) from None


def _page(request: Request, assignment_id: int, user: User, form: Form | None = None, error: str | None = None,
          status_code: int = 200) -> Response:
    ws = request.app.state.ws
    with ws.session() as s:
        a, ctx = _context(s, assignment_id, user)
        if a.status != "leased" and form is None:
            state = {"submitted": "already submitted", "skipped": "skipped", "expired": "no longer leased to you"}
            return render(request, "message.html", {
                "title": "Item closed", "message": f"This item is {state.get(a.status, a.status)}.",
                "next_queue": ctx.queue.id}, status_code=409)
        kind = module_for(ctx.queue.kind)
        instruction_text = ctx.instruction.text if ctx.instruction else None
        progress = queue_counts(s, ctx.queue)
        done = user_progress(s, ctx.queue, user)["done"]
        pair = ctx.pair
        no_delta = media.delta_available()
        viewer = {
            "base": f"/a/{assignment_id}/image",
            "source": {"w": pair.source.width, "h": pair.source.height},
            "target": {"w": pair.target.width, "h": pair.target.height},
            "heatmap": no_delta is None,
            "heatmap_reason": no_delta,
            "hints": media.hints(ws, pair, instruction_text),
        }
        context = {
            "assignment_id": assignment_id, "queue": ctx.queue, "kind": ctx.queue.kind, "pair": pair,
            "instruction": ctx.instruction, "viewer": viewer, "task": kind.page(ctx, form), "error": error,
            "progress": progress, "done": done, "expires_at": as_utc(a.expires_at),
        }
        return render(request, kind.TEMPLATE, context, status_code=status_code)


@router.get("/a/{assignment_id}")
def task_page(request: Request, assignment_id: int = AssignmentId, user: User = Depends(current_user)) -> Response:
    return _page(request, assignment_id, user)


@router.get("/a/{assignment_id}/image/{which}")
def task_image(request: Request, which: Literal["source", "target", "heatmap"], assignment_id: int = AssignmentId,
               user: User = Depends(current_user)) -> Response:
    ws = request.app.state.ws
    with ws.session() as s:
        _a, ctx = _context(s, assignment_id, user)
        pair = ctx.pair
        if which == "heatmap":
            path = media.heatmap_path(ws, pair)
            if path is None:
                raise HTTPException(status_code=404, detail=media.delta_available() or "no heatmap")
            media_type = "image/png"
        else:
            path, media_type = media.display_image(ws, pair.source if which == "source" else pair.target)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=86400"})


async def _form_of(request: Request) -> Form:
    form = await request.form()
    return {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form.keys()}


@router.post("/a/{assignment_id}/submit")
async def task_submit(request: Request, assignment_id: int = AssignmentId,
                      user: User = Depends(current_user)) -> Response:
    form = await _form_of(request)
    token = (form.get("submission_token") or [""])[0]
    ws = request.app.state.ws
    try:
        result = await run_in_threadpool(submit, ws, assignment_id, user, token, form)
    except NotYours:
        raise HTTPException(status_code=404, detail=NOT_YOURS) from None
    except InvalidSubmission as exc:
        return await run_in_threadpool(_page, request, assignment_id, user, form, str(exc), 422)
    except SubmitConflict as exc:
        return render(request, "message.html", {"title": "Not saved", "message": str(exc), "kept": form,
                                                "next_queue": _queue_of(request, assignment_id, user)},
                      status_code=409)
    return await run_in_threadpool(next_item_redirect, request, result.queue_id, user)


def _queue_of(request: Request, assignment_id: int, user: User) -> int | None:
    with request.app.state.ws.session() as s:
        try:
            return load_context(s, assignment_id, user)[1].queue.id
        except NotYours:
            return None


@router.post("/a/{assignment_id}/skip")
def task_skip(request: Request, assignment_id: int = AssignmentId, user: User = Depends(current_user)) -> Response:
    queue_id = _queue_of(request, assignment_id, user)
    if queue_id is None:
        raise HTTPException(status_code=404, detail=NOT_YOURS)
    skip(request.app.state.ws, assignment_id, user)
    return next_item_redirect(request, queue_id, user)
