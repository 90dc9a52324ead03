"""Added, removed, recoloured or moved: the region kinds on real photos with exact truth.

The pairs come from the benchmark's photo set (``benchmarks/region_photos/photoset.py``):
object cut-outs of public-domain scikit-image photos pasted onto other photos, removed again,
recoloured inside their mask or moved. Each case below is one the classifier that read a
region's median colour against the median of a ring around it got wrong (named in the test).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from deltahelpers import jpeg, photo, region_over

from editcaption.delta import analyze, describe
from editcaption.delta.analyzer import run_analysis
from editcaption.delta.moves import object_moves
from editcaption.delta.thresholds import DEFAULT

pytest.importorskip("skimage")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "region_photos"))
from photoset import make_pair, make_set, write_set  # noqa: E402


@pytest.mark.parametrize("index", [4, 17, 5])  # a coin on brick, a coin on grass, the cameraman on brick (faded)
def test_an_object_pasted_on_a_textured_background_appeared(index):
    pair = make_pair("tuning", "appeared", index)
    assert "textured" in pair.tags
    assert region_over(analyze(pair.src, pair.tgt).regions, pair.bbox).kind == "appeared"


@pytest.mark.parametrize("index", [11, 12, 35])  # coins on the cell image, the coffee and the cameraman photo
def test_a_removed_object_of_low_contrast_disappeared(index):
    pair = make_pair("tuning", "disappeared", index)
    assert "low-contrast" in pair.tags
    assert region_over(analyze(pair.src, pair.tgt).regions, pair.bbox).kind == "disappeared"


def test_an_object_covering_something_distinct_is_not_read_as_gone():
    # a coin pasted over the astronaut's suit: the ring around it differs from the coin in
    # both images, so a comparison with the surroundings' median read a removal
    pair = make_pair("tuning", "appeared", 23)
    assert pair.background == "astronaut"
    region = region_over(analyze(pair.src, pair.tgt).regions, pair.bbox)
    assert region.kind == "appeared"
    assert region.color_after == "grey"


@pytest.mark.parametrize("index", [10, 14, 38])  # the clock tinted in place, a coin on brick, a coin on the suit
def test_a_recoloured_object_keeps_its_shading_and_reads_recoloured(index):
    pair = make_pair("tuning", "recolored", index)
    region = region_over(analyze(pair.src, pair.tgt).regions, pair.bbox)
    assert region.kind == "recolored"
    assert region.color_before != region.color_after


def test_a_moved_object_is_one_move_in_its_direction():
    pair = make_pair("tuning", "moved", 9)  # the clock, from the top of the astronaut photo to the bottom
    assert pair.direction == "down" and "short" not in pair.tags
    report = analyze(pair.src, pair.tgt)
    assert [m.direction for m in object_moves(report)] == ["down"]
    assert describe(report).startswith("Move the grey object")


@pytest.mark.parametrize("index", [22, 28, 44])  # a spoon on the cell image, a patch on brick (twice)
def test_a_thing_moved_over_a_still_background_is_a_move_not_a_pan(index):
    # the features all sit on the moved thing (the cell image and the brick have few that
    # match), so their fit follows it: a pan of the whole picture. Unmoved, the two frames agree
    # far better, so the camera stood still and the thing moved.
    pair = make_pair("tuning", "moved", index)
    report = analyze(pair.src, pair.tgt)
    assert not report.camera.moved and report.camera.method == "unmoved"
    assert [m.direction for m in object_moves(report)] == [pair.direction]


def test_a_faint_object_that_passes_the_threshold_in_pieces_is_one_region():
    # a feathered coin on the text page: only bits of it pass the change threshold, each too
    # small to keep (no region at all before the mask was grown into the faint changes)
    pair = make_pair("tuning", "appeared", 40)
    assert pair.background == "text" and "soft" in pair.tags
    region = region_over(analyze(pair.src, pair.tgt).regions, pair.bbox)
    assert region.kind == "appeared"
    assert region.area >= 0.5 * pair.area


def test_a_removed_object_is_read_by_its_own_outline_not_by_the_detail_it_covered():
    # the blurred clock removed from the text page: only the text it hid differs clearly, and
    # that part alone reads as text that appeared; the larger thing it belongs to reads removed
    pair = make_pair("tuning", "disappeared", 43)
    assert pair.background == "text"
    assert region_over(analyze(pair.src, pair.tgt).regions, pair.bbox).kind == "disappeared"


def test_a_long_move_whose_two_places_both_look_new_is_paired_by_its_pixels():
    # the cameraman moved right on brick: each place alone reads "appeared" (before the pairing
    # by pixels), so no move was reported
    pair = make_pair("tuning", "moved", 62)
    assert pair.direction == "right" and "short" not in pair.tags
    report = analyze(pair.src, pair.tgt)
    assert "right" in [m.direction for m in object_moves(report)]
    assert sorted(r.kind for r in report.regions[:2]) == ["appeared", "disappeared"]


def test_the_second_held_out_part_is_new_in_objects_and_compositions():
    heldout2 = make_set("heldout2", 2)
    earlier = {p.object for split in ("tuning", "heldout") for p in make_set(split, 3)}
    assert {p.object for p in heldout2}.isdisjoint(earlier)
    assert {p.kind for p in heldout2} == {"appeared", "disappeared", "recolored", "moved"}
    again = make_pair("heldout2", "moved", 1)
    assert np.array_equal(again.src, heldout2[7].src) and again.direction == heldout2[7].direction
    # the same index in another part is another pair (its own random stream)
    assert make_pair("heldout2", "appeared", 0).object != make_pair("heldout", "appeared", 0).object


def test_the_fifth_held_out_part_turns_its_backgrounds_a_quarter_turn_clockwise():
    from photoset import TURNS, _turn

    assert TURNS["heldout5"] not in {turn for part, turn in TURNS.items() if part != "heldout5"}
    grid = np.arange(6, dtype=np.uint8).reshape(2, 3, 1).repeat(3, axis=2)
    assert _turn(grid, "quarter")[:, :, 0].tolist() == [[3, 0], [4, 1], [5, 2]]
    # its own random stream: the same index in the fourth part is another pair
    fifth, fourth = make_pair("heldout5", "appeared", 0), make_pair("heldout4", "appeared", 0)
    assert not (fifth.src.shape == fourth.src.shape and np.array_equal(fifth.src, fourth.src))
    assert {p.kind for p in make_set("heldout5", 1)} == {"appeared", "disappeared", "recolored", "moved"}


@pytest.mark.parametrize("part, before, grid_after", [
    ("heldout6", "heldout5", [[2, 1, 0], [5, 4, 3]]),  # mirrored left to right, not turned
    ("heldout7", "heldout6", [[3, 4, 5], [0, 1, 2]]),  # mirrored top to bottom
    ("heldout8", "heldout7", [[5, 2], [4, 1], [3, 0]]),  # a quarter turn back, then mirrored left to right
])
def test_the_later_held_out_parts_mirror_their_backgrounds(part, before, grid_after):
    from photoset import TURNS, _turn

    assert TURNS[part] not in {turn for p, turn in TURNS.items() if p != part}
    grid = np.arange(6, dtype=np.uint8).reshape(2, 3, 1).repeat(3, axis=2)
    assert _turn(grid, TURNS[part])[:, :, 0].tolist() == grid_after
    # its own random stream: the same index in the part before is another pair
    this, last = make_pair(part, "disappeared", 0), make_pair(before, "disappeared", 0)
    assert not (this.src.shape == last.src.shape and np.array_equal(this.src, last.src))
    assert {p.kind for p in make_set(part, 1)} == {"appeared", "disappeared", "recolored", "moved"}


def test_the_photo_set_is_exact_and_reproducible(tmp_path):
    first, again = make_pair("heldout", "appeared", 3), make_pair("heldout", "appeared", 3)
    assert np.array_equal(first.src, again.src) and np.array_equal(first.tgt, again.tgt)
    # the truth box holds every pixel that changed by more than JPEG noise
    changed = np.abs(first.src.astype(int) - first.tgt.astype(int)).max(axis=2) > 40
    h, w = changed.shape
    ys, xs = np.nonzero(changed)
    x0, y0, x1, y1 = first.bbox
    assert xs.min() >= x0 * w - 2 and xs.max() <= x1 * w + 2 and ys.min() >= y0 * h - 2 and ys.max() <= y1 * h + 2
    # tuning and held-out share no object, and every kind is there
    tuning, heldout = make_set("tuning", 2), make_set("heldout", 2)
    assert not {p.object for p in tuning} & {p.object for p in heldout}
    assert {p.kind for p in heldout} == {"appeared", "disappeared", "recolored", "moved"}
    truth = write_set("heldout", 1, tmp_path)
    rows = truth.read_text().splitlines()
    assert len(rows) == 4 and (tmp_path / "heldout-moved-000-target.png").is_file()


@pytest.mark.parametrize("index", [27, 45])  # the cameraman and a faded coin taken off brick, both cut by the frame
def test_a_removed_object_whose_region_is_the_detail_it_hid_is_read_from_its_whole_extent(index):
    # only the mortar lines the object covered pass the thresholds: that region's outline is an
    # edge in the image without the object (read "appeared"); the whole extent of what differs,
    # weak changes included, stands out from its surroundings in the source only
    pair = make_pair("tuning", "disappeared", index)
    assert pair.background == "brick"
    assert region_over(analyze(pair.src, pair.tgt).regions, pair.bbox).kind == "disappeared"


@pytest.mark.parametrize(("kind", "index"), [("appeared", 16), ("disappeared", 57), ("disappeared", 37)])
def test_an_object_over_something_distinct_is_read_by_which_image_continues_its_surroundings(kind, index):
    # a feathered head, coin or spoon over the astronaut photo (the rocket, the flag, the suit):
    # the outline is about as much an edge in both images, so the outline steps and the median
    # colours misread it (as the opposite kind, or as changed); in the image without the object
    # the pixels just inside the outline continue those just outside it
    pair = make_pair("tuning", kind, index)
    assert pair.background == "astronaut" and "soft" in pair.tags
    assert region_over(analyze(pair.src, pair.tgt).regions, pair.bbox).kind == kind


def test_the_image_whose_inside_continues_its_surroundings_shows_the_background():
    from editcaption.delta.regions import _explained

    # stripes everywhere in one image; in the other a flat disc of the stripes' mean colour
    # (an object faded to its surroundings: the band means on both sides of its outline agree)
    size, yy, xx = 96, *np.mgrid[0:96, 0:96]
    stripes = np.zeros((size, size, 3), np.float32)
    stripes[..., 0] = np.where((xx // 4) % 2 == 0, 30.0, 70.0)
    disc = (yy - 48) ** 2 + (xx - 48) ** 2 <= 20 ** 2
    covered = stripes.copy()
    covered[disc] = (50.0, 0.0, 0.0)
    valid = np.ones((size, size), bool)
    bare, held = _explained(disc, stripes, covered, valid, size)
    assert bare < 5 and held > 3 * bare
    held, bare = _explained(disc, covered, stripes, valid, size)
    assert bare < 5 and held > 3 * bare


_RULES_AT_ONE_THRESHOLD = dataclasses.replace(DEFAULT, regions=dataclasses.replace(DEFAULT.regions, quiet_delta_e=None))


@pytest.mark.parametrize("kind, index", [("appeared", 93), ("appeared", 48), ("disappeared", 42)])
def test_a_faint_object_in_a_quiet_pair_is_found_at_the_lower_threshold(kind, index):
    """A low-contrast object pasted into (or taken out of) an otherwise unchanged photo differs by
    less than ``delta_e``; the pair's own noise is near zero, so the quiet search finds it."""
    pair = make_pair("tuning", kind, index)
    assert "low-contrast" in pair.tags
    assert analyze(pair.src, pair.tgt, thresholds=_RULES_AT_ONE_THRESHOLD).regions == []
    analysis = run_analysis(pair.src, pair.tgt)
    assert analysis.changes.quiet is not None
    assert region_over(analysis.report.regions, pair.bbox).kind == kind


def test_the_quiet_search_adds_nothing_where_the_first_search_found_the_change():
    pair = make_pair("tuning", "appeared", 0)
    assert analyze(pair.src, pair.tgt) == analyze(pair.src, pair.tgt, thresholds=_RULES_AT_ONE_THRESHOLD)


def test_moved_frames_and_tone_changes_are_not_quiet():
    """A warp's resampling differs along every edge and a tone change everywhere: neither pair is
    searched at the lower threshold, so neither grows false regions from it."""
    base = photo("coffee")
    turned = cv2.warpAffine(base, cv2.getRotationMatrix2D((base.shape[1] / 2, base.shape[0] / 2), 3.0, 1.0),
                            (base.shape[1], base.shape[0]), borderMode=cv2.BORDER_REFLECT)
    assert run_analysis(jpeg(base), jpeg(turned)).changes.quiet is None
    brighter = np.clip(base.astype(np.float32) * 1.25 + 10, 0, 255).astype(np.uint8)
    assert run_analysis(jpeg(base), jpeg(brighter)).changes.quiet is None
    assert run_analysis(jpeg(base), jpeg(base, 80)).changes.quiet is not None  # re-encoded only: quiet
