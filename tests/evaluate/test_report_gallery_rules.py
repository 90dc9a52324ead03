"""The gallery's rules on hand-made examples: which example is the worst and which the most
typical, where a flag points in the text, how highlighted pieces merge, and how two runs
compare."""

from __future__ import annotations

from editcaption.evaluate.report.findings import Example, Finding, flag_spans
from editcaption.evaluate.report.gallery import build_cells, compare_runs, message_shape, pick
from editcaption.evaluate.report.highlight import Piece, pieces


def ex(iid: int, S: float | None, *findings: tuple[str, str, str], pair: str | None = None,  # noqa: N803
       run: str = "r", text: str = "Pan the camera to the right.") -> Example:
    return Example(run, iid, pair or f"p{iid}", pair or f"p{iid}", text, S,
                   [Finding("checker", t, sev, msg) for t, sev, msg in findings])


def test_message_shape_sets_aside_quotes_and_numbers():
    a = message_shape("says the camera moves right ('Pan the camera to the right'), but it moves left")
    b = message_shape("says the camera moves right ('pan right now'), but it moves left")
    assert a == b == "says the camera moves right …, but it moves left"
    assert message_shape("common content is 1.25× its source size") == "common content is …× its source size"


def test_worst_and_typical():
    pan = "says the camera moves left ('{}'), but it moves right"
    members = [
        (ex(1, 3.0), [pan.format("pan left")]),
        (ex(2, 1.0), ["does not mention the camera change (the camera pans right)"]),  # lowest S: the worst
        (ex(3, 4.5), [pan.format("move the view left")]),
        (ex(4, 2.5), [pan.format("camera goes left")]),
    ]
    chosen = pick(members)
    # commonest shape: the pan message (3 of 4); median S of the cell (1.0, 2.5, 3.0, 4.5) is 2.75,
    # nearest among the pan ones: #1 (3.0) and #4 (2.5) tie at 0.25 — the lower id wins
    assert [(e.instruction_id, roles) for e, roles in chosen] == [(2, ["worst"]), (1, ["typical"])]
    # unscored examples come after scored ones; among them, more findings is worse
    assert pick([(ex(5, None), ["a"]), (ex(6, None), ["a", "b"])])[0][0].instruction_id == 6
    assert pick([(ex(7, None), ["a"]), (ex(8, 4.9), ["a"])])[0][0].instruction_id == 8
    # one member: worst and typical at once
    assert [roles for _, roles in pick([(ex(9, 2.0), ["x"])])] == [["worst", "typical"]]


def test_cells_in_table6_order():
    examples = [ex(1, 2.0, ("detail", "P1", "m"), ("viewpoint", "P0", "v")), ex(2, 3.0, ("orientation", "P0", "o")),
                ex(3, 1.0, ("other", "P2", "x"), ("viewpoint", "P0", "w"))]
    cells, left_out = build_cells(examples)
    assert [(t, sev, sorted(e.instruction_id for e, _ in m)) for t, sev, m in cells] == [
        ("orientation", "P0", [2]), ("viewpoint", "P0", [1, 3]), ("detail", "P1", [1]), ("other", "P2", [3])]
    assert left_out == 0


def test_flag_spans():
    text = "Add a red object at the upper left of the image."
    msg = "places the edit at the upper left ('at the upper left of the image'), but the change is at the upper right"
    assert flag_spans({"message": msg}, text) == [(17, 47)]
    assert text[17:47] == "at the upper left of the image"
    # the flag's own span wins; an out-of-range span is dropped
    assert flag_spans({"message": msg, "span": [4, 9]}, text) == [(4, 9)]
    assert flag_spans({"message": msg, "spans": [[0, 3], [40, 99]]}, text) == [(0, 3)]
    assert flag_spans({"message": msg, "start": 0, "end": 3}, text) == [(0, 3)]
    assert flag_spans({"message": "x", "phrase": "upper left"}, text) == [(24, 34)]
    # omissions point nowhere; a quote not in the text is skipped
    assert flag_spans({"message": "does not mention that the image is mirrored left to right"}, text) == []
    assert flag_spans({"message": "says ('zoom in'), but"}, text) == []


def test_pieces_merge_overlaps_keeping_the_most_severe():
    e = Example("r", 1, "p", "p", "Pan left and zoom in.", None, [
        Finding("checker", "viewpoint", "P1", "a", spans=[(0, 8)]),
        Finding("checker", "viewpoint", "P0", "b", spans=[(4, 8)]),
        Finding("checker", "detail", "P2", "c", spans=[(13, 20)])])
    assert pieces(e) == [Piece("Pan ", "P1", "P1 viewpoint: a"), Piece("left", "P0", "P1 viewpoint: a · P0 viewpoint: b"),
                         Piece(" and "), Piece("zoom in", "P2", "P2 detail: c"), Piece(".")]
    assert pieces(Example("r", 2, "p", "p", "Fine.")) == [Piece("Fine.")]


def test_compare_runs():
    a = [ex(1, 4.0, pair="x", run="a"), ex(2, 3.0, ("viewpoint", "P0", "v"), pair="y", run="a"),
         ex(3, 4.0, pair="z", run="a"), ex(4, 4.0, pair="only-a", run="a")]
    b = [ex(11, 4.0, ("orientation", "P0", "o"), pair="x", run="b"),  # correct → P0: worse
         ex(12, 3.5, pair="y", run="b"),  # P0 → correct: better
         ex(13, 3.0, pair="z", run="b"),  # same level and findings, lower S: worse
         ex(14, 1.0, pair="only-b", run="b")]
    worse, better, same, both = compare_runs(a, b)
    assert [(x.pair_id, y.instruction_id) for x, y in worse] == [("x", 11), ("z", 13)]  # the level change first
    assert [(x.pair_id, y.instruction_id) for x, y in better] == [("y", 12)]
    assert (same, both) == (0, 3)
