"""Admin pages: the dashboard and its exports (admins only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response, StreamingResponse

from ...workspace.models import AnnotationQueueRecord
from .. import dashboard
from ..accounts import User, list_users
from ..audit import recent_events
from ..auth import admin_user
from ..labelstudio import labeling_config
from ..queues import list_queues
from ..render import render

router = APIRouter(prefix="/admin")


@router.get("")
def admin_home(request: Request, user: User = Depends(admin_user)) -> Response:
    with request.app.state.ws.session() as s:
        queues = list_queues(s)
        context = {
            "progress": dashboard.progress(s),
            "throughput": dashboard.throughput(s),
            "agreement": [(q, dashboard.agreement(s, q)) for q in queues if q.overlap >= 2],
            "users": list_users(s),
            "events": recent_events(s, 30),
            "queue_names": {q.id: q.name for q in queues},
        }
    return render(request, "admin.html", context)


def _jsonl(rows: list[dict]) -> Iterator[bytes]:
    for row in rows:
        yield (json.dumps(row, ensure_ascii=False, default=str) + "\n").encode()


@router.get("/queues/{queue_id}/export.jsonl")
def export_queue(request: Request, queue_id: int = Path(ge=1), user: User = Depends(admin_user)) -> Response:
    with request.app.state.ws.session() as s:
        queue = s.get(AnnotationQueueRecord, queue_id)
        if queue is None:
            raise HTTPException(status_code=404, detail="no such queue")
        rows = list(dashboard.export_rows(s, queue))
        name = queue.name
    return StreamingResponse(_jsonl(rows), media_type="application/x-ndjson",
                             headers={"Content-Disposition": f'attachment; filename="{_filename(name)}.jsonl"'})


@router.get("/audit.jsonl")
def export_audit(request: Request, user: User = Depends(admin_user)) -> Response:
    with request.app.state.ws.session() as s:
        rows = recent_events(s, limit=100_000)
    return StreamingResponse(_jsonl(rows), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="annotation-audit.jsonl"'})


@router.get("/labelstudio/{kind}.xml")
def labelstudio_config(kind: Literal["refine", "prefer"], user: User = Depends(admin_user)) -> Response:
    return Response(labeling_config(kind), media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="labelstudio-{kind}.xml"'})


def _filename(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "queue"
