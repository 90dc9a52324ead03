"""One structured statement about an edit — the common shape of a ground-truth change and
of a parsed instruction clause, so that the scorer compares like with like.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .vocab import SHAPES, SIGN, canonical_color

# Frame positions as (side, vertical); None = not stated.
Position = tuple[str | None, str | None]


@dataclass(frozen=True)
class ObjectRef:
    """How an object is named: colour and shape, either of which may be missing."""

    color: str | None
    shape: str | None

    @classmethod
    def from_name(cls, name: str | None) -> ObjectRef | None:
        """"red circle" → (red, circle); "sign" → (None, sign); anything else → None."""
        if not name:
            return None
        words = name.lower().split()
        if not words:
            return None
        if words[-1] == SIGN:
            return cls(None, SIGN)
        shape = words[-1] if words[-1] in SHAPES else None
        color = canonical_color(words[0]) if len(words) > 1 or shape is None else None
        if shape is None and color is None:
            return None
        return cls(color, shape)

    @property
    def name(self) -> str:
        return " ".join(w for w in (self.color, self.shape or "object") if w)

    def complete(self) -> bool:
        return self.shape == SIGN or (self.color is not None and self.shape is not None)

    def agrees_with(self, other: ObjectRef) -> bool:
        """No stated attribute contradicts ``other`` (missing ones are not contradictions)."""
        return (self.color is None or self.color == other.color) and (self.shape is None or self.shape == other.shape)


@dataclass(frozen=True)
class Assertion:
    """An edit statement. Fields by op:

    add: obj, position · remove: obj · replace: obj → new · recolor: obj, before/after colour ·
    material: obj, after texture · move: obj, direction · resize: obj, after larger|smaller ·
    text: before/after word · background: before/after ("plain white", "blue gradient") ·
    style: after · tone: attribute, after · pan / zoom / rotate / mirror: direction.
    """

    op: str
    obj: ObjectRef | None = None
    new: ObjectRef | None = None
    attribute: str | None = None
    before: str | None = None
    after: str | None = None
    direction: str | None = None
    position: Position | None = None
    text: str = ""

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["obj"] = self.obj.name if self.obj else None
        d["new"] = self.new.name if self.new else None
        d["position"] = list(self.position) if self.position else None
        return {k: v for k, v in d.items() if v is not None and v != ""}


_SIDES = {"left": "left", "right": "right", "center": "center", "centre": "center", "middle": "center"}
_VERTICALS = {"top": "top", "upper": "top", "bottom": "bottom", "lower": "bottom", "middle": "middle",
              "center": "middle", "centre": "middle"}


def position_from_phrase(phrase: str | None) -> Position | None:
    """"upper left" → (left, top); "left" → (left, middle); "top center" → (center, top);
    "center" → (center, middle). The inverse of :func:`editcaption.directions.position_phrase`."""
    if not phrase:
        return None
    words = phrase.lower().replace("-", " ").split()
    if words == ["center"] or words == ["centre"] or words == ["middle"]:
        return ("center", "middle")
    side = next((_SIDES[w] for w in words if w in ("left", "right")), None)
    vertical = next((_VERTICALS[w] for w in words if w in ("top", "upper", "bottom", "lower")), None)
    if side is None and any(w in ("center", "centre", "middle") for w in words):
        side = "center"
    if side is None and vertical is None:
        return None
    return (side or "center", vertical or "middle")


def assertion_from_change(change: dict[str, Any]) -> Assertion:
    """A ground-truth Change (docs/concepts/data-contracts.md) as an :class:`Assertion`."""
    op = (change.get("op") or "").lower()
    obj_name = change.get("object")
    obj = None if obj_name in (None, "camera", "image", "background") else ObjectRef.from_name(obj_name)
    new = None
    position = None
    before, after = change.get("before"), change.get("after")
    if op == "add":
        position = position_from_phrase(after)
        after = None
    elif op == "replace":
        new = ObjectRef.from_name(after)
    elif op in ("remove", "move"):
        before, after = None, None  # positions are informative here, not asserted by instructions
    return Assertion(op=op, obj=obj, new=new, attribute=change.get("attribute"), before=before, after=after,
                     direction=change.get("direction"), position=position, text=change.get("text") or "")

