"""The home page (queues for the signed-in annotator) and taking the next item of a queue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from ...workspace.models import AnnotationQueueRecord
from ..accounts import User
from ..auth import current_user
from ..leases import lease_next
from ..queues import list_queues, queue_progress, user_progress
from ..render import flash, render

router = APIRouter()


@router.get("/")
def home(request: Request, user: User = Depends(current_user)) -> Response:
    with request.app.state.ws.session() as s:
        queues = [{**queue_progress(s, q), **user_progress(s, q, user)} for q in list_queues(s)]
    return render(request, "home.html", {"queues": queues})


def next_item_redirect(request: Request, queue_id: int, user: User) -> Response:
    """303 to the user's next item in the queue, or home with a note when none is left."""
    return item_redirect(request, queue_id, lease_next(request.app.state.ws, queue_id, user))


def item_redirect(request: Request, queue_id: int, assignment: int | None, queue_name: str | None = None) -> Response:
    """303 to a leased item, or (None) home with a note that nothing is left in the queue."""
    if assignment is None:
        if queue_name is None:
            with request.app.state.ws.session() as s:
                queue_name = s.get(AnnotationQueueRecord, queue_id).name
        flash(request, f"Nothing left for you in {queue_name}. Thank you!")
        return RedirectResponse("/", status_code=303)
    return RedirectResponse(f"/a/{assignment}", status_code=303)


@router.post("/queues/{queue_id}/next")
def take_next(request: Request, queue_id: int = Path(ge=1), user: User = Depends(current_user)) -> Response:
    with request.app.state.ws.session() as s:
        if s.get(AnnotationQueueRecord, queue_id) is None:
            raise HTTPException(status_code=404, detail="no such queue")
    return next_item_redirect(request, queue_id, user)
