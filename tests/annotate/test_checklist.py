"""The Table 6 checklist and its hierarchy."""

from __future__ import annotations

import pytest

from editcaption.annotate.checklist import ROWS, ChecklistError, level_of, ordered, rows_at


def test_eight_table_rows_with_subject_splits():
    assert sorted({r.table_id for r in ROWS}) == list(range(1, 9))
    # Rows 1–3 exist twice: P0 for the subject, P1 for non-subject elements.
    for table_id in (1, 2, 3):
        variants = {(r.level, r.scope) for r in ROWS if r.table_id == table_id}
        assert variants == {("P0", "subject"), ("P1", "non-subject")}
    assert [r.table_id for r in rows_at("P0")] == [1, 2, 3, 4]
    assert [r.table_id for r in rows_at("P1")] == [1, 2, 3, 5, 6]
    assert [r.table_id for r in rows_at("P2")] == [7, 8]
    assert len({r.id for r in ROWS}) == len(ROWS)


def test_level_is_the_most_severe_ticked():
    assert level_of([]) == "correct"
    assert level_of(["7"]) == "P2"
    assert level_of(["7", "5"]) == "P1"
    assert level_of(["2-non-subject", "8"]) == "P1"
    assert level_of(["4"]) == "P0"
    assert level_of(["1-subject", "4"]) == "P0"


def test_p0_ends_the_item():
    with pytest.raises(ChecklistError, match="P0 ends the item"):
        level_of(["4", "5"])
    with pytest.raises(ChecklistError, match="P0 ends the item"):
        level_of(["2-subject", "7"])
    with pytest.raises(ChecklistError, match="unknown"):
        level_of(["9"])


def test_ordered_follows_the_table():
    assert ordered(["8", "5", "5", "1-background"]) == ["1-background", "5", "8"]
