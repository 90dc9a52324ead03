"""The annotator's own submissions: list them, open one, submit a correction (a new version)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ..accounts import User
from ..auth import current_user
from ..render import flash, render
from ..revisions import NothingChanged, correct, history, load_own, my_submissions, payload_form, version_count
from ..submissions import NotYours
from ..tasks.common import Form, InvalidSubmission

router = APIRouter()
SubmissionId = Path(ge=1, le=2**62)
NOT_YOURS = "no such submission of yours"


@router.get("/mine")
def mine(request: Request, before: int | None = Query(None, ge=1, le=2**62),
         user: User = Depends(current_user)) -> Response:
    with request.app.state.ws.session() as s:
        rows = my_submissions(s, user, before_id=before)
    return render(request, "mine.html", {"rows": rows, "more": rows[-1]["id"] if len(rows) >= 100 else None})


def revisit_page(request: Request, submission_id: int, user: User, form: Form | None = None,
                 error: str | None = None, status_code: int = 200) -> Response:
    from .work import task_page

    with request.app.state.ws.session() as s:
        try:
            sub, a, _ctx = load_own(s, submission_id, user)
        except NotYours:
            raise HTTPException(status_code=404, detail=NOT_YOURS) from None
        revisit = {"submission_id": sub.id, "version": version_count(s, sub.id), "history": history(s, sub.id),
                   "form": payload_form(sub.kind, sub.payload), "action": f"/mine/{sub.id}/correct",
                   "outcome": sub.outcome}
        assignment_id = a.id
    return task_page(request, assignment_id, user, form, error, status_code, revisit=revisit)


@router.get("/mine/{submission_id}")
def show_submission(request: Request, submission_id: int = SubmissionId,
                    user: User = Depends(current_user)) -> Response:
    return revisit_page(request, submission_id, user)


@router.post("/mine/{submission_id}/correct")
async def correct_submission(request: Request, submission_id: int = SubmissionId,
                             user: User = Depends(current_user)) -> Response:
    from .work import form_of

    form = await form_of(request)
    token = (form.get("submission_token") or [""])[0]
    try:
        done = await run_in_threadpool(correct, request.app.state.ws, submission_id, user, token, form)
    except NotYours:
        raise HTTPException(status_code=404, detail=NOT_YOURS) from None
    except (InvalidSubmission, NothingChanged) as exc:
        return await run_in_threadpool(revisit_page, request, submission_id, user, form, str(exc), 422)
    flash(request, f"Correction saved: version {done.version} of this item (the earlier ones are kept).")
    return RedirectResponse("/mine", status_code=303)
