"""Task pages: show an item, serve its images, keep its draft, take a submission, skip it (and undo).

Items are addressed by assignment id; every handler first checks that the assignment is
the signed-in user's (otherwise 404, so ids of other people's items reveal nothing).
Images are looked up through the pair's image hashes, never from a path in the request.
Revisiting one's own submissions is :mod:`.mine`.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from .. import media
from ..accounts import User
from ..auth import Claims, current_user, load_user, session_in_query
from ..drafts import DraftError, clean_fields, draft_of, save_draft
from ..leases import skip
from ..queues import counts_of
from ..render import flash, render
from ..submissions import NotYours, SubmitConflict, load_context, read_context, submit
from ..tasks import module_for
from ..tasks.common import Form, InvalidSubmission
from ..timeutil import as_utc, now
from ..undo import UndoRefused, undo_skip
from . import mine
from .home import item_redirect, next_item_redirect

router = APIRouter()
AssignmentId = Path(ge=1, le=2**62)
NOT_YOURS = "no such item for you"
UNDO_KEY = "undo_skip"  # in the session: the skip the next page may undo, until the next action


def task_page(request: Request, assignment_id: int, user: User | Claims, form: Form | None = None,
              error: str | None = None, status_code: int = 200, revisit: dict[str, Any] | None = None) -> Response:
    """An item's page: the viewer and its task form, filled from ``form`` (an answer that failed
    validation), else the user's draft, else ``revisit['form']`` (the saved answer), else the item.
    ``user`` may be the session's claims: they are checked in the page's one query."""
    ws = request.app.state.ws
    with request.app.state.db.read() as conn:  # one query: the item, the draft, the counts
        try:
            row, a, ctx, user = read_context(conn, assignment_id, user, page=True)
        except NotYours:
            raise HTTPException(status_code=404, detail=NOT_YOURS) from None
    request.state.user = user
    draft = draft_of(row.d_fields, row.d_updated_at)
    if form is None and draft is not None:
        form = draft[0]
    if revisit is None and a.status in ("submitted", "skipped") and error is None:
        return _closed(request, row.closed_sub, a, ctx, draft)
    if form is None and revisit is not None:
        form = revisit["form"]
    kind = module_for(ctx.queue.kind)
    instruction_text = ctx.instruction.text if ctx.instruction else None
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
    undo = request.session.get(UNDO_KEY)
    expires_at = as_utc(a.expires_at)
    progress, done = counts_of(row, ctx.queue.overlap)
    context = {
        "assignment_id": assignment_id, "queue": ctx.queue, "kind": ctx.queue.kind, "pair": pair,
        "instruction": ctx.instruction, "viewer": viewer, "task": kind.page(ctx, form), "error": error,
        "progress": progress, "done": done,
        "expires_at": expires_at, "lease_over": a.status != "leased" or (expires_at or now()) <= now(),
        "action": revisit["action"] if revisit else f"/a/{assignment_id}/submit",
        "revisit": revisit, "draft_at": draft[1].isoformat() if draft else "",
        "undo": undo if revisit is None and undo and undo.get("queue") == ctx.queue.id
        and undo.get("id") != assignment_id else None,
    }
    return render(request, kind.TEMPLATE, context, status_code=status_code)


def _closed(request: Request, sub_id: int | None, a: Any, ctx: Any, draft: Any) -> Response:
    """The page of an item that is no longer open for a first answer (and what to do instead)."""
    words = {"submitted": "already submitted", "skipped": "skipped"}
    return render(request, "message.html", {
        "title": "Item closed", "message": f"This item is {words.get(a.status, a.status)}.",
        "next_queue": ctx.queue.id, "kept": draft[0] if draft else None,
        "revisit_link": f"/mine/{sub_id}" if sub_id else None}, status_code=409)


@router.get("/a/{assignment_id}")
@session_in_query
def show_task(request: Request, assignment_id: int = AssignmentId) -> Response:
    return task_page(request, assignment_id, request.state.claims)


@router.get("/a/{assignment_id}/image/{which}")
def task_image(request: Request, which: Literal["source", "target", "heatmap"], assignment_id: int = AssignmentId,
               user: User = Depends(current_user)) -> Response:
    ws = request.app.state.ws
    with request.app.state.db.read() as conn:
        try:
            _a, ctx = load_context(conn, assignment_id, user)
        except NotYours:
            raise HTTPException(status_code=404, detail=NOT_YOURS) from None
    pair = ctx.pair
    if which == "heatmap":
        path = media.heatmap_path(ws, pair)
        if path is None:
            raise HTTPException(status_code=404, detail=media.delta_available() or "no heatmap")
        media_type = "image/png"
    else:
        path, media_type = media.display_image(ws, pair.source if which == "source" else pair.target)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=86400"})


@router.post("/a/{assignment_id}/draft")
async def task_draft(request: Request, assignment_id: int = AssignmentId,
                     user: User = Depends(current_user)) -> Response:
    """Keep what the page's form holds now (JSON ``{"fields": {name: [values]}}``, sent as the user types)."""
    try:
        body = await request.json()
        fields = clean_fields(body.get("fields") if isinstance(body, dict) else None)
    except (ValueError, DraftError) as exc:
        return JSONResponse({"detail": str(exc) if isinstance(exc, DraftError) else "send JSON"}, status_code=400)
    at = await run_in_threadpool(save_draft, request.app.state.ws, assignment_id, user, fields)
    if at is None:
        raise HTTPException(status_code=404, detail=NOT_YOURS)
    return JSONResponse({"saved_at": at.isoformat()})


async def form_of(request: Request) -> Form:
    form = await request.form()
    return {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form.keys()}


@router.post("/a/{assignment_id}/submit")
@session_in_query
async def task_submit(request: Request, assignment_id: int = AssignmentId) -> Response:
    """Save the answer and lease the next item in one transaction whose first query also checks the session."""
    form = await form_of(request)
    token = (form.get("submission_token") or [""])[0]
    ws, claims = request.app.state.ws, request.state.claims
    request.session.pop(UNDO_KEY, None)  # an answer is the next action: the skip before it stays
    try:
        result = await run_in_threadpool(submit, ws, assignment_id, claims, token, form, True)
    except NotYours:
        raise HTTPException(status_code=404, detail=NOT_YOURS) from None
    except InvalidSubmission as exc:
        return await run_in_threadpool(task_page, request, assignment_id, claims, form, str(exc), 422)
    except SubmitConflict as exc:
        user = request.state.user = await run_in_threadpool(load_user, request.app.state.db, claims)
        return render(request, "message.html", {"title": "Not saved", "message": str(exc), "kept": form,
                                                "next_queue": _queue_of(request, assignment_id, user)},
                      status_code=409)
    if result.next_assignment is not None:  # leased in the submission's transaction
        return item_redirect(request, result.queue_id, result.next_assignment)
    return await run_in_threadpool(item_redirect, request, result.queue_id, None, result.queue_name)


def _queue_of(request: Request, assignment_id: int, user: User) -> int | None:
    with request.app.state.db.read() as conn:
        try:
            return load_context(conn, assignment_id, user)[1].queue.id
        except NotYours:
            return None


@router.post("/a/{assignment_id}/skip")
def task_skip(request: Request, assignment_id: int = AssignmentId, user: User = Depends(current_user)) -> Response:
    queue_id = _queue_of(request, assignment_id, user)
    if queue_id is None:
        raise HTTPException(status_code=404, detail=NOT_YOURS)
    if skip(request.app.state.ws, assignment_id, user):
        request.session[UNDO_KEY] = {"id": assignment_id, "queue": queue_id}
    return next_item_redirect(request, queue_id, user)


@router.post("/a/{assignment_id}/unskip")
def task_unskip(request: Request, assignment_id: int = AssignmentId, user: User = Depends(current_user)) -> Response:
    """Undo the last skip: only the one the session offers, and only before the next action."""
    undo = request.session.get(UNDO_KEY) or {}
    if undo.get("id") != assignment_id:
        raise HTTPException(status_code=409, detail="there is no skip of this item to undo (only the last skip "
                                                    "can be undone, before the next answer or skip)")
    try:
        aid = undo_skip(request.app.state.ws, assignment_id, user)
    except UndoRefused as exc:
        request.session.pop(UNDO_KEY, None)
        flash(request, f"The skip could not be undone: {exc}.")
        return RedirectResponse("/", status_code=303)
    request.session.pop(UNDO_KEY, None)
    return RedirectResponse(f"/a/{aid}", status_code=303)


router.include_router(mine.router)
