"""Merging outcomes into the workspace is idempotent: one row per (run, pair), first good answer wins."""

from __future__ import annotations

from captionhelpers import make_workspace
from sqlalchemy import select

from editcaption.caption.items import Outcome, reason_of
from editcaption.caption.records import run_counts, select_tasks, write_outcomes
from editcaption.workspace.models import InstructionRecord
from editcaption.workspace.queries import get_or_start_run


def test_merge_rules(tmp_path, db_url):  # noqa: ANN001
    ws = make_workspace(tmp_path, 3, db_url)
    a, b, c = (t.pair_id for t in select_tasks(ws, None, None))
    with ws.session() as s:
        get_or_start_run(s, "m", "caption", {})
    write_outcomes(ws, "m", "x", "p1", [
        Outcome(a, text="Pan left.", usage={"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}),
        Outcome.failed(b, "http_500", "500 from server (gave up after 6 attempts)", attempts=6),
    ])
    # the same results again (a resumed or re-delivered batch), a late failure for a, a fix for b, a new c
    changed = write_outcomes(ws, "m", "x", "p1", [
        Outcome.failed(a, "timeout", "slow"),
        Outcome(b, text="Zoom in.", attempts=2),
        Outcome.failed(c, "empty_content", "nothing"),
    ])
    assert changed == 2
    write_outcomes(ws, "m", "x", "p1", [Outcome(a, text="Pan right.")])
    with ws.session() as s:
        rows = {r.pair_id: r for r in s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == "m"))}
        counts = run_counts(s, "m")
    assert len(rows) == 3
    assert (rows[a].status, rows[a].text, rows[a].attempts) == ("ok", "Pan left.", 1)
    assert (rows[b].status, rows[b].text, rows[b].error, rows[b].attempts) == ("ok", "Zoom in.", None, 8)
    assert (rows[c].status, rows[c].text, rows[c].error) == ("failed", None, "empty_content: nothing")
    assert counts == {"ok": 2, "failed": 1, "failed_by_reason": {"empty_content": 1},
                      "tokens": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}}
    assert reason_of("http_429: too many") == "http_429" and reason_of(None) == "unknown"
    ws.close()
