"""Systematic wording habits: the errors a teacher and its human refiners leave in the SFT set.

The ``systematic`` regime of the miniature (docs/guides/reproduce.md) asks what preference
training does for a model that *sees* the change and still writes it wrong, because part of its
training data was written wrong in the same way every time (paper §1 and §4.2: left and right
taken from the wrong perspective, a camera move written as an object move, a detail left out).

Each habit rewrites the truth of one pair into a wrong instruction in EditWorld's own phrasings
(:func:`editcaption.synth.phrasings`), so the exact scorer reads it like any other answer:

* ``pan_content_direction`` — a camera pan written in the direction the *content* slides
  (the camera pans right, the picture moves left: "pan left"); the scorer calls it viewpoint/P0;
* ``move_as_camera`` — an object move written as the camera move that slides the content the same
  way ("tilt the camera down" for an object that moved up): viewpoint/P0 and the move omitted;
* ``mirrored_move`` — an object move with its direction mirrored: orientation/P0;
* ``dropped_colour`` — the object named by its shape alone: an incomplete description, detail/P2.

Which rows get a habit is exact per seed: of the eligible rows (the scene set's subtype, and the
axis the habit is tied to), ``round(rate × eligible)`` are drawn with a generator seeded by the
seed, the subtype and the habit, so the counts are known before training and recorded.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..directions import opposite
from ..synth import ParsedInstruction, parse_instruction, phrasings
from ..synth.ops import Edit
from .annotator import _edit
from .config import Habit, MiniConfig

HORIZONTAL = ("left", "right")
VERTICAL = ("up", "down")


def _primary(row: dict[str, Any]) -> Edit | None:
    changes = (row.get("ground_truth") or {}).get("primary") or []
    return _edit(changes[0]) if len(changes) == 1 else None


def applies(habit: Habit, row: dict[str, Any]) -> bool:
    """Whether the pair's one primary change is of the kind and on the axis the habit is tied to."""
    edit = _primary(row)
    if edit is None or edit.op not in HABIT_OPS[habit.kind]:
        return False
    axis = axis_words(habit)
    return axis is None or edit.direction in axis


def axis_words(habit: Habit) -> tuple[str, str] | None:
    """The two directions of the axis a habit is tied to (None: any change of its kind)."""
    return {"horizontal": HORIZONTAL, "vertical": VERTICAL}.get(habit.when)


def read_answer(text: str | None) -> ParsedInstruction | None:
    """An answer as EditWorld's instruction parser reads it (None when it is not in the language);
    read once per answer, then given to :func:`shows_habit` and :func:`written_direction`."""
    return parse_instruction(text or "")


def _pick(options: list[str], rng: random.Random) -> str | None:
    return rng.choice(options) if options else None


def pan_content_direction(edit: Edit, rng: random.Random) -> str | None:
    return _pick(phrasings(dataclasses.replace(edit, direction=opposite(edit.direction))), rng)


def move_as_camera(edit: Edit, rng: random.Random) -> str | None:
    # content that slides up is what a camera tilting down shows
    camera = Edit("pan", "camera", direction=opposite(edit.direction))
    return _pick(phrasings(camera), rng)


def mirrored_move(edit: Edit, rng: random.Random) -> str | None:
    return _pick(phrasings(dataclasses.replace(edit, direction=opposite(edit.direction))), rng)


def dropped_colour(edit: Edit, rng: random.Random) -> str | None:
    words = (edit.object or "").split()
    if len(words) < 2:
        return None
    return _pick(phrasings(dataclasses.replace(edit, object=words[-1])), rng)


HABITS: dict[str, Callable[[Edit, random.Random], str | None]] = {
    "pan_content_direction": pan_content_direction,
    "move_as_camera": move_as_camera,
    "mirrored_move": mirrored_move,
    "dropped_colour": dropped_colour,
}
HABIT_OPS: dict[str, tuple[str, ...]] = {
    "pan_content_direction": ("pan",),
    "move_as_camera": ("move",),
    "mirrored_move": ("move",),
    "dropped_colour": ("move", "recolor"),
}


def inject_habits(config: MiniConfig, seed: int, pair_ids: list[str],
                  rows: dict[str, dict[str, Any]]) -> tuple[dict[str, str], dict[str, Any]]:
    """The wrong texts by pair id for the rows drawn for each habit, and the record of the draw.

    The record has, per habit, how many rows were eligible, how many were drawn and how the exact
    scorer labels the injected texts (failure mode/severity), plus ``sft_rows`` (all rows)."""
    from ..synth import score_one
    from .annotator import classify

    texts: dict[str, str] = {}
    record: dict[str, Any] = {"sft_rows": len(pair_ids), "habits": {}}
    for scene in config.scenes:
        for habit in scene.habits:
            eligible = sorted(pid for pid in pair_ids if pid not in texts
                              and rows[pid].get("subtype") == scene.subtype and applies(habit, rows[pid]))
            rng = random.Random(f"habit-{seed}-{scene.subtype}-{habit.kind}-{habit.when}")
            drawn = rng.sample(eligible, round(habit.rate * len(eligible)))
            labels: Counter[str] = Counter()
            for pid in sorted(drawn):
                text = HABITS[habit.kind](_primary(rows[pid]), rng)  # type: ignore[arg-type]
                if text is None:  # cannot happen for the ops HABIT_OPS allows; kept honest in the record
                    labels["not_applicable"] += 1
                    continue
                texts[pid] = text
                result = score_one(rows[pid], text)
                failure = classify([e.as_json() for e in result.errors]) if result.status == "scored" else None
                labels[f"{failure.error_type}/{failure.severity}" if failure else "no_failure_mode"] += 1
            record["habits"][f"{scene.subtype}:{habit.kind}:{habit.when}"] = {
                "subtype": scene.subtype, "kind": habit.kind, "when": habit.when, "rate": habit.rate,
                "eligible": len(eligible), "injected": sum(v for k, v in labels.items() if k != "not_applicable"),
                "labels": dict(sorted(labels.items())), "pairs": sorted(pid for pid in drawn if pid in texts)}
    return texts, record


def shows_habit(kind: str, row: dict[str, Any], parsed: ParsedInstruction | None) -> bool:
    """Whether an answer (:func:`read_answer`) makes exactly the habit's mistake on this pair (the
    opposite direction on the same axis, a camera move in place of the object's, the object's colour
    left out). Other wrong answers are perception or other errors."""
    edit = _primary(row)
    if edit is None or parsed is None:
        return False
    wrong_way = opposite(edit.direction) if edit.direction else None
    for clause in parsed.clauses:
        if kind in ("pan_content_direction", "move_as_camera") and clause.op == "pan" and clause.direction == wrong_way:
            return True
        if kind == "mirrored_move" and clause.op == "move" and clause.direction == wrong_way:
            return True
        if kind == "dropped_colour" and clause.op == edit.op and clause.obj is not None and clause.obj.color is None:
            return True
    return False


# the clause op that carries a direction habit's word: a pan is written as a pan, an object move as a move
DIRECTION_OPS: dict[str, str] = {"pan_content_direction": "pan", "mirrored_move": "move"}


def written_direction(kind: str, row: dict[str, Any], parsed: ParsedInstruction | None
                      ) -> tuple[str, str | None] | None:
    """(true direction, direction the answer writes for it) for a direction habit's pair, or None when
    the habit is not about a direction. The written one is that of the answer's (:func:`read_answer`)
    first clause with the habit's op and a direction on the same axis (None when no clause says one).
    Counted per true direction, this separates a model that reads the direction from the image from
    one whose preferred word moved: the latter writes the same word whatever the truth."""
    op = DIRECTION_OPS.get(kind)
    edit = _primary(row)
    if op is None or edit is None or edit.direction is None:
        return None
    axis = HORIZONTAL if edit.direction in HORIZONTAL else VERTICAL
    said = next((c.direction for c in (parsed.clauses if parsed else ()) if c.op == op and c.direction in axis), None)
    return edit.direction, said

