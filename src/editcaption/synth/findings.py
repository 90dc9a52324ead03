"""How a parsed clause relates to a truth change: matching by operation and object, and
the *findings* — what the clause states wrongly, leaves out, or names ambiguously.

Findings are plain facts; :mod:`.scorer` turns them into rubric counts and
:mod:`.errors` into Table 6 types and severities.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .assertion import Assertion, ObjectRef, Position

OBJECT_OPS = ("add", "remove", "replace", "recolor", "material", "move", "resize")


@dataclass(frozen=True)
class Finding:
    kind: str  # wrong | missing_key | missing | incomplete | ambiguous
    what: str
    spatial: bool = False


def agreeing(ref: ObjectRef, inventory: list[ObjectRef]) -> list[ObjectRef]:
    return [o for o in inventory if ref.agrees_with(o)]


def identity(c: Assertion, t: Assertion, inventory: list[ObjectRef]) -> int:
    """3 = the clause names the truth's object fully, 2 = partly (nothing contradicts),
    1 = it contradicts it but names no other object that exists, 0 = another object."""
    if t.obj is None or c.obj is None:
        return 3 if t.obj is None and c.obj is None else 0
    if c.obj.agrees_with(t.obj):
        return 3 if c.obj.complete() else 2
    others = [o for o in agreeing(c.obj, inventory) if o != t.obj]
    return 0 if others else 1


def as_truth_op(c: Assertion, t: Assertion) -> Assertion | None:
    """The clause in the truth's terms when the two operations say the same thing."""
    if c.op == t.op:
        return c
    if t.op == "recolor" and c.op == "replace" and c.new is not None and c.obj is not None and (
        c.new.shape is None or c.new.shape == c.obj.shape
    ):
        # "replace the red circle with a blue circle" is a recolour
        return replace(c, op="recolor", after=c.new.color, before=c.obj.color, new=None)
    if t.op == "replace" and c.op == "recolor":
        # a recolour said where the shape changed too: the replacement's shape is missing
        return replace(c, op="replace", new=ObjectRef(c.after, None), after=None)
    return None


def _descriptor(c_ref: ObjectRef | None, t_ref: ObjectRef | None, inventory: list[ObjectRef], *, content: bool,
                role: str) -> list[Finding]:
    """Findings on how an object is named. ``content``: the object is what the edit
    creates (an added or replacing object), so its colour is required and its shape key."""
    if t_ref is None:
        return []
    if c_ref is None:
        return [Finding("missing_key" if content else "missing", role)]
    out: list[Finding] = []
    if c_ref.color and t_ref.color and c_ref.color != t_ref.color:
        out.append(Finding("wrong", f"{role} color ({c_ref.color}, not {t_ref.color})"))
    if c_ref.shape and t_ref.shape and c_ref.shape != t_ref.shape:
        out.append(Finding("wrong", f"{role} shape ({c_ref.shape}, not {t_ref.shape})"))
    if t_ref.shape == "sign":
        return out
    if content:
        if c_ref.shape is None:
            out.append(Finding("missing_key", f"{role} shape"))
        if c_ref.color is None:
            out.append(Finding("missing", f"{role} color"))
    elif not c_ref.complete():
        gap = "color" if c_ref.color is None else "shape"
        if len(agreeing(c_ref, inventory)) >= 2:
            out.append(Finding("ambiguous", f"{role} named without its {gap}: several objects fit"))
        else:
            out.append(Finding("incomplete", f"{role} named without its {gap}"))
    return out


def _position(cp: Position | None, tp: Position | None) -> list[Finding]:
    if tp is None:
        return []
    if cp is None:
        return [Finding("missing", "position of the added object")]
    out = []
    for i, (name, neutral) in enumerate((("side", "center"), ("height", "middle"))):
        if cp[i] is not None and cp[i] != tp[i]:
            out.append(Finding("wrong", f"position {name} ({cp[i]}, not {tp[i]})", spatial=True))
        elif cp[i] is None and tp[i] != neutral:
            out.append(Finding("incomplete", f"position {name} not stated (it is {tp[i]})"))
    return out


def _value(what: str, cv: str | None, tv: str | None, *, key: bool = True, spatial: bool = False) -> list[Finding]:
    if tv is None:
        return []
    if cv is None:
        return [Finding("missing_key", what, spatial)] if key else []
    if cv != tv:
        return [Finding("wrong", f"{what} ({cv}, not {tv})", spatial)]
    return []


def _background_parts(v: str | None) -> tuple[str | None, str | None]:
    if not v:
        return None, None
    words = v.split()
    pattern = "plain" if "plain" in words else next((w for w in words if w in ("gradient", "checkered")), None)
    color = next((w for w in words if w not in ("plain", "gradient", "checkered")), None)
    return pattern, color


def compare(t: Assertion, c: Assertion, inventory: list[ObjectRef]) -> list[Finding]:
    """What the clause gets wrong or leaves out about truth change ``t``."""
    op = t.op
    if op == "add":
        return _descriptor(c.obj, t.obj, [], content=True, role="added object") + _position(c.position, t.position)
    out: list[Finding] = []
    if op in OBJECT_OPS:
        out += _descriptor(c.obj, t.obj, inventory, content=False, role="object")
    if op == "replace":
        out += _descriptor(c.new, t.new, [], content=True, role="replacement")
    elif op == "recolor":
        out += _value("new color", c.after, t.after)
    elif op == "material":
        out += _value("new texture", c.after, t.after) + _value("old texture", c.before, t.before, key=False)
    elif op == "move":
        out += _value("direction", c.direction, t.direction, spatial=True)
    elif op == "resize":
        out += _value("size change", c.after, t.after)
    elif op == "text":
        out += _value("new text", c.after, t.after) + _value("old text", c.before, t.before, key=False)
    elif op == "style":
        out += _value("style", c.after, t.after)
    elif op == "tone":
        if c.attribute and t.attribute and c.attribute != t.attribute:
            out.append(Finding("wrong", f"tone attribute ({c.attribute}, not {t.attribute})"))
        else:
            out += _value("tone change", c.after, t.after)
    elif op == "background":
        (cp, cc), (tp, tc) = _background_parts(c.after), _background_parts(t.after)
        out += _value("background color", cc, tc)
        if cp is None and tp is not None and cc is not None:
            out.append(Finding("incomplete", "background pattern not stated"))
        elif cp is not None and cp != tp:
            out.append(Finding("wrong", f"background pattern ({cp}, not {tp})"))
        if c.before:
            (bp, bc), (tbp, tbc) = _background_parts(c.before), _background_parts(t.before)
            if (bc and bc != tbc) or (bp and bp != tbp):
                out.append(Finding("wrong", f"old background ({c.before}, not {t.before})"))
    elif op in ("pan", "zoom", "rotate", "mirror"):  # a mirror is horizontal; a vertical flip is wrong
        out += _value("direction", c.direction, t.direction, spatial=True)
    return out


def clause_clarity(c: Assertion, inventory: list[ObjectRef]) -> float:
    """Attribute completeness of one clause on its own (Appendix B.3, criterion 2)."""
    key_missing = False
    missing = 0
    ambiguous = False
    if c.op == "add":
        key_missing = c.obj is None or c.obj.shape is None
        missing += (c.obj is not None and c.obj.color is None) + (c.position is None)
    elif c.op in OBJECT_OPS or c.op == "text":
        if c.obj is not None and not c.obj.complete():
            if c.op != "text" and len(agreeing(c.obj, inventory)) >= 2:
                ambiguous = True
            else:
                missing += 1
        if c.op == "replace":
            key_missing = c.new is None or c.new.shape is None
            missing += c.new is not None and c.new.color is None
        elif c.op in ("recolor", "material", "resize", "text"):
            key_missing = c.after is None
        elif c.op == "move":
            key_missing = c.direction is None
    elif c.op in ("style", "tone", "background"):
        key_missing = c.after is None
        if c.op == "background" and c.after and _background_parts(c.after)[0] is None:
            missing += 1
    elif c.op in ("pan", "zoom", "rotate"):
        key_missing = c.direction is None
    if ambiguous:
        return 2.0
    if key_missing or missing >= 3:
        return 3.0
    return 4.0 if missing else 5.0


def same_statement(a: Assertion, b: Assertion) -> bool:
    return replace(a, text="") == replace(b, text="")
