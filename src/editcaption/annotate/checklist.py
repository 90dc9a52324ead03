"""The human-evaluation checklist of the paper's Appendix A (Table 6), and its hierarchy.

Eight rows; rows 1–3 split into a *subject* variant (P0) and a *non-subject* variant (P1:
background text, or an element covering under 1/10 of the image). Annotators work
through the levels in order of severity (§5.2.1): if any P0 row applies, the item ends
there (P1 and P2 are not considered); otherwise the P1 rows, then the P2 rows. The
result is the most severe level ticked, or ``correct`` when none is.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("P0", "P1", "P2")


@dataclass(frozen=True)
class ChecklistRow:
    id: str  # stored in JudgementRecord.checklist
    table_id: int  # the row number in Table 6 (also the key that ticks it in the studio)
    level: str  # P0 | P1 | P2
    scope: str  # subject | non-subject | "" (rows 4–8 have no split)
    title: str
    help: str


ROWS: tuple[ChecklistRow, ...] = (
    ChecklistRow("1-subject", 1, "P0", "subject", "Text read or edited wrongly",
                 "Text on the main subject contradicts the instruction: unchanged, altered, garbled or misspelled."),
    ChecklistRow("2-subject", 2, "P0", "subject", "Wrong edit or attribute",
                 "The main edit or one of its attributes (colour, shape, material, style, count…) is wrong, "
                 "or it affects more than 1/10 of the image, or it cannot be checked from the images."),
    ChecklistRow("3-subject", 3, "P0", "subject", "Edit or attribute missing",
                 "A main edit is left out, or a needed attribute is (colour or place of an added object, which "
                 "of several people to remove); remove+add where replace fits; add where move fits; frame edits."),
    ChecklistRow("4", 4, "P0", "", "Viewpoint or spatial relation wrong",
                 "Same scene only: camera angle, orientation, distance or occlusion is wrong or not mentioned "
                 "(e.g. the right hand named where the target shows the left)."),
    ChecklistRow("1-background", 1, "P1", "non-subject", "Background text read or edited wrongly",
                 "As row 1, for text in the background."),
    ChecklistRow("2-non-subject", 2, "P1", "non-subject", "Wrong edit or attribute (minor element)",
                 "As row 2, for a secondary edit covering less than 1/10 of the image."),
    ChecklistRow("3-non-subject", 3, "P1", "non-subject", "Edit or attribute missing (minor element)",
                 "As row 3, for a secondary edit covering less than 1/10 of the image."),
    ChecklistRow("5", 5, "P1", "", "Global look wrong or missing",
                 "A change of lighting, tone, brightness or saturation is described wrongly or not at all."),
    ChecklistRow("6", 6, "P1", "", "Target leak",
                 "The instruction relies on something only the target image shows "
                 "(e.g. 'put the cup back' when only the target has the cup)."),
    ChecklistRow("7", 7, "P2", "", "Redundant or verbose",
                 "Repeated, contradictory or empty phrasing (e.g. remove X and add Y in its place instead of "
                 "replace X with Y)."),
    ChecklistRow("8", 8, "P2", "", "Other minor issue",
                 "Anything else minor, including describing two identical images as different. Add a note."),
)

ROWS_BY_ID = {r.id: r for r in ROWS}


class ChecklistError(ValueError):
    """A judgement that breaks the checklist's rules (unknown row, or P1/P2 ticked beside a P0)."""


def rows_at(level: str) -> list[ChecklistRow]:
    return [r for r in ROWS if r.level == level]


def level_of(checked: list[str] | tuple[str, ...] | set[str]) -> str:
    """The judgement for the ticked rows: the most severe level, or ``correct``.

    Raises :class:`ChecklistError` for an unknown row id or for P1/P2 rows ticked beside a
    P0 row — the hierarchy says a P0 ends the item, so such a judgement is not valid.
    """
    unknown = sorted(set(checked) - ROWS_BY_ID.keys())
    if unknown:
        raise ChecklistError(f"unknown checklist row(s): {', '.join(unknown)}")
    levels = {ROWS_BY_ID[c].level for c in checked}
    if "P0" in levels and levels - {"P0"}:
        raise ChecklistError("a P0 ends the item: P1/P2 rows cannot be ticked together with a P0 row")
    for level in LEVELS:
        if level in levels:
            return level
    return "correct"


def ordered(checked: list[str] | set[str]) -> list[str]:
    """Row ids in the table's order (what is stored), without duplicates."""
    wanted = set(checked)
    return [r.id for r in ROWS if r.id in wanted]
