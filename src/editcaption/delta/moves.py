"""Objects that moved, read off the local regions of a report.

A move shows up in one of two ways: an object shifted by less than its own size gives one
region holding the same-coloured thing at two places (``Region.moved``); a longer move gives
a region the thing left (its colour there *before*) and a region it arrived in (its colour
there *after*). Colours are compared in Lab, since a textured object need not keep one name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..directions import position_phrase
from .report import DeltaReport, Region


@dataclass(frozen=True)
class Move:
    colour: str | None
    dx: float  # displacement, fractions of the frame (x right, y down)
    dy: float
    evidence: str
    regions: tuple[Region, ...]
    origin: Region | None = None  # the region the object left, for a long move

    @property
    def direction(self) -> str:
        """The dominant direction of the move: left, right, up or down."""
        if abs(self.dx) >= abs(self.dy):
            return "right" if self.dx > 0 else "left"
        return "down" if self.dy > 0 else "up"


def _place(r: Region) -> str:
    return position_phrase(r.side, r.vertical)


def _lab_distance(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5)


def object_moves(report: DeltaReport, min_shift: float = 0.06, same_colour: float = 20.0,
                 min_area: float = 0.004) -> list[Move]:
    """Measured object moves (a pair of regions must be at least ``min_shift`` of the frame apart)."""
    moves: list[Move] = []
    for r in report.regions:
        if r.moved:  # the analyzer marks a region moved only for a clear inner displacement
            moves.append(Move(r.moved_color, r.moved[0], r.moved[1],
                              f"{r.moved_color} thing displaced by ({r.moved[0]:+.2f}, {r.moved[1]:+.2f}) of the "
                              f"frame around the {_place(r)}", (r,)))
    big = [r for r in report.regions if min_area <= r.area <= 0.5 and r.moved is None]
    used: set[int] = set()
    for old in big:
        for new in big:
            if old is new or id(old) in used or id(new) in used or old.lab_before is None or new.lab_after is None \
                    or old.kind == "appeared" or new.kind == "disappeared":
                continue
            # a region read as gone and one read as new need less agreement than two that only
            # changed: the kinds already say that a thing left one place and came to another
            # (the two parts of a short move also differ in size more than two whole places do)
            sure = old.kind == "disappeared" and new.kind == "appeared"
            low, high = (0.25, 4.0) if sure else (0.4, 2.5)
            if not low <= new.area / old.area <= high or _lab_distance(old.lab_before, new.lab_after) > same_colour:
                continue  # not the same thing
            if not sure and old.lab_after is not None and _lab_distance(old.lab_before, old.lab_after) < same_colour:
                continue  # the old place did not lose the thing
            dx, dy = new.centroid[0] - old.centroid[0], new.centroid[1] - old.centroid[1]
            if max(abs(dx), abs(dy)) >= min_shift:
                used.update((id(old), id(new)))
                moves.append(Move(old.color_before, dx, dy, f"a {old.color_before} thing left the {_place(old)} and "
                                  f"a matching one appeared at the {_place(new)}", (old, new), origin=old))
    return moves
