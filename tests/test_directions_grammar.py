"""The grammar reader on real phrasing: examples from the development part of the corpus.

The held-out parts (``split: heldout`` and ``heldout2``) are never read here: they are only
measured, by ``benchmarks/phrasing.py``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from editcaption.directions import find_statements, read

CORPUS = Path(__file__).parent / "data" / "phrasing" / "corpus.jsonl"
README = CORPUS.parent / "README.md"


def rows() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def facts(text: str) -> list[tuple[str, str | None, str | None]]:
    return [(s.kind, s.direction, s.vertical) for s in read(text)]


# every text here is quoted from the corpus's development part (its id in the comment)
@pytest.mark.parametrize("text, expected", [
    # camera verbs beyond pan/move/shift (cbcap-*, director-*, vb2aug-*)
    ("The camera smoothly trucks slightly to the left, then quickly tilts downward before moving backward to "
     "follow the skateboarder, maintaining minimal shaking throughout.",  # cbcap-43
     [("pan", "left", None), ("pan", "down", None), ("zoom", "out", None)]),
    ("The camera moves slowly and smoothly backward with minimal shaking.", [("zoom", "out", None)]),  # cbcap-9
    ("The camera smoothly pedestals upward while moderately dollying backward, capturing the scene with a "
     "steady, shake-free motion.", [("pan", "up", None), ("zoom", "out", None)]),  # cbcap-31
    ("The camera quickly pans from right to left while smoothly tilting down, maintaining minimal shaking "
     "throughout the movement.", [("pan", "left", None), ("pan", "down", None)]),  # cbcap-20
    ("The camera moves forward while panning left and shifting right, with a slightly unsteady motion that "
     "includes some shaking.", [("zoom", "in", None), ("pan", "left", None), ("pan", "right", None)]),  # cbcap-113
    ("While the character moves right, the camera performs a push in.",  # director-2
     [("move", "right", None), ("zoom", "in", None)]),
    ("While the character stays static, the camera performs a boom top.", [("pan", "up", None)]),  # director-5
    # rolls turn the picture the other way; an orbit's sense is no rotation (cbcap-*)
    ("The camera rolls clockwise with a slightly unsteady motion, exhibiting some shaking.",  # cbcap-136
     [("rotate", "counter-clockwise", None)]),
    ("The camera slowly and smoothly performs a counterclockwise arc while simultaneously executing a "
     "counterclockwise roll, steadily approaching the smartphone without any shaking.",  # cbcap-105
     [("rotate", "clockwise", None)]),
    ("The camera arcs counterclockwise in a slow, smooth motion with minimal shaking.", []),  # cbcap-109
    ("The camera remains completely fixed, exhibiting no movement or shaking.", []),  # cbcap-19
    ("Does the camera move backward while zooming in?", []),  # camerabench-2: a question states nothing
    # positions of edited things, including removed ones (cbedit-*, ggip2p-*)
    ("delete the right surfboard\r\ndelete the left surfboard\r\nchange the left person to a woman",  # cbedit-57
     [("position", "right", None), ("position", "left", None), ("position", "left", None)]),
    ("delete the hat of the person\r\ndelete the kite at the center right\r\nchange the person to wear a T-shirt",
     [("position", "right", "middle")]),  # cbedit-25
    ("change the right sports ball to red bucket\r\nchange the bottom sheep to yellow hay bale\r\n"
     "change the top sheep to brown cow",  # cbedit-23
     [("position", "right", None), ("position", None, "bottom"), ("position", None, "top")]),
    ("Remove the top balloon", [("position", None, "top")]),  # ggip2p-tf-140
    ("replace the right-side animals with humans", [("position", "right", None)]),  # ggip2p-tf-106
    ("take away the left man's newspaper", [("position", "left", None)]),  # ggip2p-tf-176
    ("make the cameras on the bottom shelf out of gold", []),  # ggip2p-test-38
    # relative to another thing; own sides
    ("Place a horse right of the skateboard", [("relative", "right", None)]),  # i2ebench-60
    ("Add a small caterpillar on top of the fork", [("relative", None, "top")]),  # i2ebench-34
    ("turn the son on the playground's left into a dog", [("relative", "left", None)]),  # ggip2p-tf-111
    ("make the stone on the bird's left a penguin", [("own_side", "left", None)]),  # ggip2p-tf-172
    ("change the snowboard to ski\r\nadd the ski pole to the right hand\r\nadd the ski pole to the left hand",
     [("own_side", "right", None), ("own_side", "left", None)]),  # cbedit-78
    ("Move them to the right side.", [("move", "right", None)]),  # ggip2p-tf-158
    ("Move the chair to the left of the table.", [("relative", "left", None)]),  # ggip2p-tf-151
    # global tone; words that look like directions but are not
    ("Amping up the lighting", [("tone", "brighter", None)]),  # i2ebench-97
    ("heavily darken the image", [("tone", "darker", None)]),  # ggip2p-tf-13
    ("Make them all have a darker skin tone", []),  # ggip2p-tf-149
    ("flip the sky to have a starry night.", []),  # ggip2p-tf-132
    ("More like a tilt-shift photo", []),  # ggip2p-tf-134
    ("Flip image horizontally (left to right).", [("mirror", None, None)]),  # pillow-2
    # tone verbs and light nouns (i2ebench-149..162)
    ("Advancing the illumination", [("tone", "brighter", None)]),  # i2ebench-149
    ("Illuminating with finesse", []),  # i2ebench-150: no picture lit
    ("Elevating the glow", [("tone", "brighter", None)]),  # i2ebench-151
    # a second place joined to the first; a place named after the side (cbedit-52, cbedit-124)
    ("change the dog to monkey\r\nadd a banana in the monkey's hand\r\ndelete the elephant on the left and center",
     [("position", "left", None), ("position", "center", None)]),  # cbedit-52
    ("change the left chair to brown leather armchair\r\nchange the right chair to wooden stool\r\n"
     "delete the dining table on the left bottom",
     [("position", "left", None), ("position", "right", None), ("position", "left", "bottom")]),  # cbedit-124
    # requests without a known edit verb still name frame positions (ggip2p-tf-177, -179)
    ("with a portal on the right", [("position", "right", None)]),  # ggip2p-tf-177
    ("the man on the right is a caveman", [("position", "right", None)]),  # ggip2p-tf-179
])
def test_reads_development_phrasings(text, expected):
    assert facts(text) == expected


def test_a_filmed_scene_s_layout_is_no_fact():
    """vb2aug-70..75: in a text about a camera move, where things stand relative to each other
    ("under a clear blue sky", "The sky above") describes the scene; only the camera's move is read."""
    by_id = {r["id"]: r for r in rows()}
    for i in range(70, 76):
        r = by_id[f"vb2aug-{i}"]
        assert r["split"] == "dev"
        assert [(s.kind, s.direction) for s in read(r["text"])] == [(f["kind"], f["direction"]) for f in r["facts"]], r["id"]


# constructed phrasings (not corpus texts) for the rules these classes need
@pytest.mark.parametrize("text, expected", [
    # a request phrased as a question asks for what it names; a real question states nothing
    ("Can you make the image brighter?", [("tone", "brighter", None)]),
    ("Could you please move the camera to the left?", [("pan", "left", None)]),
    ("Is it possible to zoom in?", [("zoom", "in", None)]),
    ("Does the camera zoom in?", []),
    ("Is the cat on the left?", []),
    # tone verbs that need the picture as their object
    ("Illuminate the scene.", [("tone", "brighter", None)]),
    ("Light up the photo a bit.", [("tone", "brighter", None)]),
    ("The lamp lights up the corner.", []),
    ("Push the brightness.", [("tone", "brighter", None)]),
    # things worn in pairs: the wearer's side when a wearer is named, else the picture's side
    ("Change the left shoe to red.", [("position", "left", None)]),
    ("Remove the right boots.", [("position", "right", None)]),
    ("Change the man's left shoe to red.", [("own_side", "left", None)]),
    ("Tie the lace of the left shoe she is wearing.", [("own_side", "left", None)]),
    ("Add a ring to the left hand.", [("own_side", "left", None)]),
    # a scene filmed by a moving camera: relations between things are its layout
    ("The camera pans left over a village beneath the peaks.", [("pan", "left", None)]),
    ("A village beneath the peaks; add a bird above the church.", [("relative", None, "bottom"),
                                                                    ("relative", None, "top")]),
    # camera and mirror verbs that are things after a determiner; camera moves named as nouns stay moves
    ("Put a truck left of the house.", [("relative", "left", None)]),
    ("Truck left slowly.", [("pan", "left", None)]),
    ("The camera performs a push in.", [("zoom", "in", None)]),
    ("Add a mirror frame to the wall.", []),
    ("Mirror the image.", [("mirror", None, None)]),
    # a frame that is a thing is no frame of the picture
    ("Add a vase on the right of the wooden picture frame.", [("relative", "right", None)]),
    ("Add a vase on the right of the picture.", [("position", "right", None)]),
    # the light and the weather relate nothing, but a light that is a thing and clouds seen from above do
    ("Add a dog beneath a clear sky.", []),
    ("Add a bicycle below a traffic light.", [("relative", None, "bottom")]),
    ("Add a plane above the clouds.", [("relative", None, "top")]),
    # heldout3's misses, read after its one run; general causes, each with a counter-case
    ("Move the cloth up towards his face", [("move", "up", None)]),
    ("Move the spoon with rice down towards the bowl", [("move", "down", None)]),
    ("put the white mug further right", [("move", "right", None)]),
    ("move the black and yellow hammer further left", [("move", "left", None)]),
    ("Lift the frying pan up", []),
    ("Put the pan down next to the plate", []),
    ("The camera performs a pan to the left.", [("pan", "left", None)]),
    ("Let the hand pull out some contents of the box", []),
    ("The camera pulls back the view.", [("zoom", "out", None)]),
    ("She has dark hair pulled back.", []),
    ("place the hat on the right hand of the red towel", [("relative", "right", None)]),
    ("add the glove on the left hand of the man", [("own_side", "left", None)]),
    ("could it be a couch on the right side?", [("position", "right", None)]),
    ("Make her turn to the left", []),
    ("He turns his head to the left, then back to the right.", []),
    ("Make him lift up the plastic bag", []),
    ("Make the person walk down the stairs", []),
    ("The dog walks down.", [("move", "down", None)]),
    ("Have the middle of the plane catch fire.", [("relative", "center", None)]),
    ("Add a star in the middle of the image.", [("position", "center", None)]),
    ("Put Roger Rabbit on the middle pedestal", []),
    ("Let the middle toilet be open.", []),
    ("Make the man in the middle smile.", [("position", "center", None)]),
    ("Delete the center tree.", [("position", "center", None)]),
    ("The lighting is dim and blue.", []),
    ("Dim the lights.", [("tone", "darker", None)]),
    ("focused on the woman's face and upper torso", []),
    ("a warm light source off-screen to the left", []),
    ("the sun shining from the upper left", []),
    ("Add a banana magnet in the bottom picture", []),
    # heldout4's misses, read after its one run
    ("A bird flies from right to the left of the sky.", [("move", "left", None)]),
    ("A pattern that moves from top to bottom", [("move", "down", None)]),
    ("A meteor streaks from upper left to lower right corner", [("move", "right", None), ("move", "down", None)]),
    ("pictures moving left to right like a slide show", [("move", "right", None)]),
    ("The people from left to right are Tom and Ann.", []),
    ("The camera moves from left to right.", [("pan", "right", None)]),
    ("Doctor reading files. camera moving from right to left.", [("pan", "left", None)]),
    ("Driving forward on a road at dawn", [("zoom", "in", None)]),
    ("Aerial shot over a town, flying forwards.", [("zoom", "in", None)]),
    ("drone flying towards the coastline", [("zoom", "in", None)]),
    ("Aerial drone view descending towards the sea", [("pan", "down", None)]),
    ("The dog walks towards the house.", []),
    ("A ball drops, hits a racket and bounces upwards.", [("move", "up", None)]),
    ("a cat jumping up", []),
    ("two guys ride upwards", [("move", "up", None)]),
    ("cartoon characters driving a plane across a rainbow to the right", [("move", "right", None)]),
    ("A banana's peel darkening", []),
    ("Brightening the image", [("tone", "brighter", None)]),
    ("brighten the room with sunlight.", [("tone", "brighter", None)]),
    ("books stacked on top of each other", []),
    ("a crown with a ruby in its center", [("relative", "center", None)]),
    ("a tornado with a house at its top", [("relative", None, "top")]),
    ("a bird above it", [("relative", None, "top")]),
    ("a full moon rising above a mountain at night", [("relative", None, "top")]),
    ("Add a dog under a clear blue sky.", []),
    ("Zoomed out view of a giraffe", []),
    ("Give me a zoomed out view.", [("zoom", "out", None)]),
    # heldout5's misses, read after its one run
    ("Get closer to the dogs face", [("zoom", "in", None)]),
    ("Get farther to the dogs face", [("zoom", "out", None)]),
    ("Step back and show the whole room.", [("zoom", "out", None)]),
    ("The man steps back.", []),
    ("The dog moves closer.", []),
    ("Close up on dog face", [("zoom", "in", None)]),
    ("a closer-up photograph of the cat", [("zoom", "in", None)]),
    ("Zoom on the dog's face", [("zoom", "in", None)]),
    ("a duck swimming above water", [("relative", None, "top")]),
    ("Put the cup above towels.", [("relative", None, "top")]),
    ("Take the penguin under water", []),
    ("one box on top of the other", []),
    ("a cup with holes in its top half", []),
    ("face the left of the image", []),
    ("Place the warthog facing viewer's right", []),
    ("Put a lamp on the viewer's left", [("position", "left", None)]),
    ("one ray swimming to the top right of the image", [("move", "right", None), ("move", "up", None)]),
    ("Add a ray to the top right of the image", [("position", "right", "top")]),
    # heldout6's misses, read after its one run
    ("train going by on left", [("position", "left", None)]),
    ("A smooth eggshell becoming cracked from right to left.", []),
    ("we see the person on our right", [("position", "right", None)]),
    ("a second skier enters the frame, far right", [("position", "right", None)]),
    ("two people walk up stairs to the far left", [("position", "left", None)]),
    ("kid runs down road", []),
    ("truck exits frame right", [("move", "right", None)]),
    ("the girl exits to the left", [("move", "left", None)]),
    ("red vehicles takes off in the left direction", [("move", "left", None)]),
    ("Turn the falling leaves on the right into butterflies", [("position", "right", None)]),
    ("camera pans all the way to the top", [("pan", "up", None)]),
    ("camera moves slightly to the right and then to the left", [("pan", "right", None), ("pan", "left", None)]),
    ("then camera moves down and drastically left.", [("pan", "down", None), ("pan", "left", None)]),
    ("tree branch is in upper left hand side of screen", [("position", "left", "top")]),
    ("decoration lights from the right", []),
    ("Change the traffic light on the right to gold.", [("position", "right", None)]),
    ("Focus on the upper body of the horse", []),
    # heldout7's misses, read after its one run
    ("the camera starts to move right.", [("pan", "right", None)]),
    ("the camera zooms into the baby on the left of the scene.", [("zoom", "in", None), ("position", "left", None)]),
    ("camera view turns to the right.", [("pan", "right", None)]),
    ("the camera zooms to a river", [("zoom", "in", None)]),
    ("camera zooms back into the dog", [("zoom", "in", None)]),
    ("he's left sitting at the desk", []),
    ("Add a hat on it's right side", [("own_side", "right", None)]),
    ("Dr. Gregory left Lisa and James.", []),
    ("they are at the right location", []),
    ("remove the right man", [("position", "right", None)]),
    ("He runs right into Beckett", []),
    ("the chick runs quickly right off frame.", [("move", "right", None)]),
    ("Esposito walks up to the tv", []),
    ("baby first turns head to left.", []),
    ("Phillip was incarcerated under his given name", []),
    ("They argue in the middle of a discussion", []),
    ("a bird in the upper right hand corner of frame", [("position", "right", "top")]),
    # heldout9's misses and wrong readings, read after its one run; general causes, each with a counter-case
    # a bare place after "with"/"has" lies on the thing that carries it (a wall, a shelf; a text, a base)
    ("A flat TV screen with the text at the bottom.", []),
    ("A white shelf has a board placed on the top.", []),
    ("A lamp with ceramic base at the bottom", []),
    ("A street with a black car on the left.", [("position", "left", None)]),
    ("A wall with graffiti is on the left.", [("position", "left", None)]),
    ("The image has text at the bottom.", [("position", None, "bottom")]),
    ("Have the text on the left.", [("position", "left", None)]),
    # both sides at once place nothing on one side
    ("Vines hang to the left and right of the tree.", []),
    ("a black border on the left and right side of the image", []),
    ("a cat on the left and a dog on the right", [("position", "left", None), ("position", "right", None)]),
    # a small offset after a place narrows it
    ("a bee on the flower in the middle, slightly to the right", [("position", "center", None)]),
    ("a bee in the middle and a wasp to the right", [("position", "center", None), ("position", "right", None)]),
    # a tone said of a part of the picture asks for no change
    ("The background is too dark.", []),
    ("The photo is too dark.", [("tone", "brighter", None)]),
    # camera moves without a camera verb, in a sentence about the camera
    ("The camera arcs around the subject, smoothly incorporating an upward movement.", [("pan", "up", None)]),
    ("The drone tilts down and concludes with a slight forward movement.", [("pan", "down", None), ("zoom", "in", None)]),
    ("The camera begins with an arc, transitioning into a leftward trucking motion.", [("pan", "left", None)]),
    ("Near the end, the camera halts its backward motion.", []),
    ("The camera dollies forward and descends to the table.", [("zoom", "in", None), ("pan", "down", None)]),
    ("The camera arcs smoothly while gently descending.", [("pan", "down", None)]),
    ("The camera follows the plane as it descends.", []),
    ("The camera soars above the desert.", []),
    ("The camera leads the cat by continuously moving backward.", [("zoom", "out", None)]),
    ("The handheld camera lead-tracks the man, moving backward as he walks.", [("zoom", "out", None)]),
    ("The camera pans left to right.", [("pan", "right", None)]),
    ("The camera pans left to reveal a tree.", [("pan", "left", None)]),
    ("The camera trucks right before smoothly transitioning to the left.", [("pan", "right", None),
                                                                           ("pan", "left", None)]),
    ("the camera zooms inward", [("zoom", "in", None)]),
    ("the camera zooms away from the crowd", [("zoom", "out", None)]),
    ("camera first moves right", [("pan", "right", None)]),
    ("camera zooms in and back out", [("zoom", "in", None), ("zoom", "out", None)]),
    ("camera turns left and back slightly", [("pan", "left", None)]),
    ("the camera moves forward and back", []),
    ("woman holding camera moves to the left side", [("move", "left", None)]),
    ("the twins cross in front of the camera from the left to right", [("move", "right", None)]),
    ("Raj walks into the room and walks right back out.", []),
    ("go towards the blue block and lift it", []),
    ("Get closer to the dog", [("zoom", "in", None)]),
    # corners said in other orders
    ("A light is shining in the right upper corner.", [("position", "right", "top")]),
    ("On the left side bottom there is something written.", [("position", "left", "bottom")]),
    ("Add a dog on the right upper corner of the house", [("relative", "right", "top")]),
    ("sunlight streaming from the upper right corner", []),  # light sent in from outside the frame
    # leaving or entering by a side of the frame
    ("a tree exits left of frame", [("move", "left", None)]),
    ("the train exits the left of the frame", [("move", "left", None)]),
    ("an arm enters from frame left", [("position", "left", None)]),
    ("a man walks through frame right to left", [("move", "left", None)]),
    # parts of things named by a plural edge
    ("concrete at the bottom edges of the house", [("relative", None, "bottom")]),
    # looking or reaching under a thing places nothing
    ("She reaches under her coat.", []),
    ("He looks under it.", []),
    ("a cat sleeps under the table", [("relative", None, "bottom")]),
    # a direction adverb after a verb that has no way of its own is a move
    ("push the switch upwards", [("move", "up", None)]),
    ("push the button down", []),
    ("lift the box upwards", []),
    # heldout10's and heldout11's misses and wrong readings, read after their one run; general causes
    # the camera's move said by the side of the video, its start alone, a path it records, or an approach
    ("The camera moves to the right side of the video.", [("pan", "right", None)]),
    ("a cat on the left side of the video", [("position", "left", None)]),
    ("a cat in the middle of the video", []),  # a time
    ("add a cat in the middle of the scene", [("position", "center", None)]),
    ("the camera moves from left and sees more people.", [("pan", "right", None)]),
    ("the camera moves from left and right", []),
    ("the camera starts recording from left to right", [("pan", "right", None)]),
    ("the people from left to right are Tom and Ann", []),
    ("the camera man moves his camera towards left", [("pan", "left", None)]),
    ("The camera pans closer to the cat.", [("zoom", "in", None)]),
    ("The camera pans farther to the cat.", [("zoom", "out", None)]),
    # "back to the right": a return, the side is the way; "back" alone goes away
    ("The camera moves back to the right side.", [("pan", "right", None)]),
    ("The camera moves back.", [("zoom", "out", None)]),
    # what the camera shows moves, not the camera; the camera's own move after it stays its own
    ("The camera shows the group walking from left to right side.", [("move", "right", None)]),
    ("The camera shows a tank drive down a hill.", []),
    ("The drone captures the dusk scene of a city, initially moving forward.", [("zoom", "in", None)]),
    ("The camera shows the room, then pans left.", [("pan", "left", None)]),
    # a side the thing leaves by; a way to travel; a posture; a turn of the head; both ways said at once
    ("A man walks out from the left side.", [("move", "left", None)]),
    ("He walks out of the left door.", [("position", "left", None)]),
    ("A child is dancing toward the right side.", [("move", "right", None)]),
    ("A clock on a mantelpiece leaning slightly to the left.", []),
    ("The baby moves his face left.", []),
    ("move the red ball to the left", [("move", "left", None)]),
    ("The camera pans left and right again and again.", []),
    ("about to ski down it", []),
    # "the right direction" is the correct one unless the left one is named too
    ("starts moving the car in the right direction.", []),
    ("the camera pans in the right direction.", [("pan", "right", None)]),
    ("A smoking jet going straight up in the sky.", [("move", "up", None)]),
    ("she goes straight up the stairs", []),
    ("the car turns in the left direction, then in the right direction", [("move", "left", None),
                                                                         ("move", "right", None)]),
    # a compartment or page named by its side is a part of a thing; "the left one" picks a thing
    ("place it in the left compartment of the caddy", []),
    ("with sketches on the left page", []),
    ("the left one sports a chimney, while the right one has none", [("position", "left", None),
                                                                     ("position", "right", None)]),
    ("pick the right one", []),
    # sunk in, buried, or the idiom; counted things; a light in the picture; a depicted zoom
    ("A boat is floating under the water.", []),
    ("Rub both hands under the water tab", [("relative", None, "bottom")]),
    ("a bird flying above the water", [("relative", None, "top")]),
    ("A mechanic working under the hood of a car.", []),
    ("Eight wavy lines are under three polygonal signs.", [("relative", None, "bottom")]),
    ("The sun illuminates the garden.", []),
    ("Illuminate the scene", [("tone", "brighter", None)]),
    ("a map that is zoomed into a location", []),
    ("the first structure that is zoomed in on", [("zoom", "in", None)]),
    # heldout12's, read after its one run
    ("I am standing with a door on my immediate left.", [("own_side", "left", None)]),
    ("a couple dancing with a full moon illuminating the scene.", []),
    ("Illuminating the scene.", [("tone", "brighter", None)]),
    # fourteenth round (read parts only): the other part of a named thing; a carrier's top; a
    # narrator in the room; places on a face; beside the camera; slips of typing
    ("the left side of the table is neat, but the right side is cluttered", []),  # parts named, no place
    ("the left side of the image is dark, the right side is bright", [("position", "left", None),
                                                                      ("position", "right", None)]),
    ("a desk with a can on the left and some tools to the right", []),
    ("a room with a can on the left", [("position", "left", None)]),
    ("a harp with a carved eagle at the top", []),
    ("a kitchen with a lamp at the top", [("position", None, "top")]),
    ("I am washing the sink on the left.", []),
    ("I want the sink on the left.", [("position", "left", None)]),
    ("She rubs under her chin.", []),
    ("a bird above its head", [("relative", None, "top")]),
    ("a pillow under Barney's foot", [("relative", None, "bottom")]),
    ("a woman walks to the right of the camera", []),
    ("in the middle of taking a photo", []),
    ("Remove all the cows but the big one in teh center.", [("position", "center", None)]),
    ("The ginger is to the right of of the cinnamon.", [("relative", "right", None)]),
    ("text in the bottom left corner of a tv screen", [("relative", "left", "bottom")]),
    ("text in the bottom left corner of the screen", [("position", "left", "bottom")]),
    ("a crow comes from the right", [("position", "right", None)]),
    ("sunlight coming from the right", []),
    ("we pass a blue birdhouse to the right", [("position", "right", None)]),
    ("a car passes to the right", [("move", "right", None)]),
    ("the man disappears to the left", [("move", "left", None)]),
    ("a dog looking at the left", []),
    ("tentacles facing towards the top of the water", []),
    ("Turn the couple sitting to the left of the fountain into a family", [("relative", "left", None)]),
    ("neither of them got their right order", []),
    ("the girl looks to your left", []),
    ("raise your right hand", [("own_side", "right", None)]),
    ("Amy removes the top off a bottle", []),
    ("the man on the left steps down", [("position", "left", None)]),
    ("sit on the bottom steps", []),
    ("the swing is abandoned and a left exit is made", [("move", "left", None)]),
    ("one person comes into the scene form the right", [("position", "right", None)]),
    ("camera zooms in on the baby on the right", [("zoom", "in", None), ("position", "right", None)]),
    ("the camera zooms in on the left", [("zoom", "in", None)]),
    ("camera pans right then quickly comes back to the guy", [("pan", "right", None)]),
    ("the camera comes back to reveal the city", [("zoom", "out", None)]),
    ("camera pans right to show a bench ' a couple walk in to view", [("pan", "right", None)]),
    ("the baby looks at the camera and then moves to the left", [("move", "left", None)]),
    ("she turns her head to the left", []),
    # heldout13's, read after its one run: a thing that turns; a thing held over another; a named move
    ("a small rotating platform that rotates clockwise", []),
    ("The match rotates clockwise and touches the balloon.", []),
    ("Rotate the image 90 degrees clockwise", [("rotate", "clockwise", None)]),
    ("rotate it by 90 degrees clockwise", [("rotate", "clockwise", None)]),
    ("Please rotate the whole thing clockwise", [("rotate", "clockwise", None)]),
    ("A grabber holds a paper towel over a bowl of water.", [("relative", None, "top")]),
    ("the plane flies over the town", []),
    ("a coat over a white shirt", []),
    ("a city captured with a pull forward cinematic shot", [("zoom", "in", None)]),
    ("a city captured with a pull back cinematic shot", [("zoom", "out", None)]),
    ("the animal runs right then left in the frame", [("move", "right", None), ("move", "left", None)]),
    ("the plane goes left, then upwards", [("move", "left", None), ("move", "up", None)]),
    ("the player runs to the right side corner, then to the middle", [("move", "right", None)]),
    ("the camera is moving from right to left and left to right", []),
    ("the car moves from left to right", [("move", "right", None)]),
    ("the light moves to the far right of the screen", [("move", "right", None)]),
    ("two people walk up the stairs to the far left", [("position", "left", None)]),
    ("A snowy owl perched to the right on a frost-covered branch.", []),
    ("a woman sitting on the left side on a sofa", [("position", "left", None)]),
    # heldout14's, read after its one run: structured prompts, a second corner, a camera in a relative clause
    ("- Scene: a robot.\n- Left: its front view.\n- Right: its back view.", [("position", "left", None),
                                                                             ("position", "right", None)]),
    ("- Task: extraction\n- Position: Center", [("position", "center", None)]),
    ("Placement: top left", [("position", "left", "top")]),
    ("Note: the left side is dark", [("position", "left", None)]),
    ("- Center the result and scale it to fit the canvas.", [("position", "center", None)]),
    ("Rocks on the bottom-left and bottom-right sides.", [("position", "left", "bottom"), ("position", "right", "bottom")]),
    ("the cat on the left and right", []),
    ("Begin with a high-angle drone shot that slowly descends.", [("pan", "down", None)]),
    ("a view of a bird that descends", []),
    # heldout16's, read after its one run: someone told to walk through a room; "your" side
    ("Turn to the right. Turn to the left and then face the desk on the left.", []),
    ("Walk around the bed and veer left to the desk.", []),
    ("Turn around, move across the couch to the right.", []),
    ("Walk to the shelf in front of you and to the right.", []),
    ("Turn right at the desk and walk by the bed on your right.", [("own_side", "right", None)]),
    ("then turn left again to face the desk", []),
    ("girl is looking to your left then turns at camera", []),
    ("put the cup on your left", [("own_side", "left", None)]),
    ("A woman is standing at the back and then walk toward the right.", [("move", "right", None)]),
    ("Move the lamp on the left to the right.", [("move", "right", None)]),
    # things that turn where they stand; a turn through a corner
    ("rotate left the blue block", []),
    ("The ballerina spins to the right.", []),
    ("The camera rotates left.", [("pan", "left", None)]),
    ("Slide the blue block to the left.", [("move", "left", None)]),
    ("the cyclist rounds a corner to the right.", []),
    ("a car parked on the corner to the right", [("position", "right", None)]),
    # the whole picture said to be brighter; a second way that is not the opposite; closer framings
    ("Same dog, the picture is brighter", [("tone", "brighter", None)]),
    ("The photo should be slightly warmer.", [("tone", "warmer", None)]),
    ("change to a darker photograph", [("tone", "darker", None)]),
    ("the room is darker", []),
    ("The camera pans left and up.", [("pan", "left", None), ("pan", "up", None)]),
    ("the camera tilts up and down", []),
    ("photograph taken closer-up and in black and white", [("zoom", "in", None)]),
    ("the same scene more close up", [("zoom", "in", None)]),
    ("the camera zooms up on the players.", [("zoom", "in", None)]),
    ("the camera zooms up", []),
    ("Guy in center without a shirt lifts weights.", [("position", "center", None)]),
    ("Put the vase in center.", [("position", "center", None)]),
    # heldout17's and heldout18's, read after their one run: the screen as the picture, leaving through
    # a side, "the left window", ranked and named parts, "centered", "furthest left"
    ("A man walked from the bottom of the screen to the top, then left.", [("move", "up", None)]),
    ("The man left quickly from the right side.", [("move", "right", None)]),
    ("A man in red walked out of the upper left corner of the screen", [("move", "left", None), ("move", "up", None)]),
    ("He left from the left side of the building.", [("relative", "left", None)]),
    ("she walks out of the left door", [("position", "left", None)]),
    ("A man walked to the left wall.", [("position", "left", None)]),
    ("the dog runs to the right while barking", [("move", "right", None)]),
    ("Then the man in red returned to the right.", [("move", "right", None)]),
    ("A black car drives past the bottom of the screen.", [("position", None, "bottom")]),
    ("he walks past the top of the stairs", []),
    ("the back of someone to the upper right corner of the picture", [("position", "right", "top")]),
    ("leftmost zebra", [("position", "left", None)]),
    ("bottom slice of a pizza with lettuce on top", []),
    ("the front left quarter of a pizza", []),
    ("the left half of a sandwich", []),
    ("on the left side of the street", [("relative", "left", None)]),
    ("the top three rows of the shelf", []),
    ("the two topmost being gray and the bottom two a pale tan", [("position", None, "top"), ("position", None, "bottom")]),
    ("the apple screen furthest left", [("position", "left", None)]),
    ("the broccoli furthest left on the plate", []),
    ("the plate that is centered", [("position", "center", None)]),
    ("golden clouds background, centered", [("position", "center", None)]),
    ("the camera is centered on the dog", []),
    ("a self-centered man", []),
    ("kid in middle", [("position", "center", None)]),
    ("vase in the front right hand side", [("position", "right", None)]),
    ("then the two left together", []),
    ("partially hidden by the middle horse", []),
    ("a bottle in middle of dinner table", [("relative", "center", None)]),
    ("he wakes in the middle of the night", []),
    # one photograph of several, named by its side, is no place in a picture
    ("The left image contains four laptops.", []),
    ("The bottles in the image on the right are set into a cake.", []),
    ("there are three dogs in the right side image", []),
    ("Each image shows one dog, and the dog on the right has its tongue out.", []),
    ("Each image shows a door, and the door in the left image is open, while the door on the right does not.", []),
    ("There is a herd of llamas in the center of both images.", [("position", "center", None)]),
    ("An image shows two glasses of wine, with the red wine on the left.", [("position", "left", None)]),
    ("Remove the left photo", [("position", "left", None)]),
    ("Create one image with a cat on the left", [("position", "left", None)]),
    ("In at least one image there is a dog on the right", []),
    ("add an image of a cat on the left", [("position", "left", None)]),
    ("Move the left picture to the right wall", [("position", "left", None), ("position", "right", None)]),
    # touching a part of a thing is a place by that thing; a place said not to hold is none
    ("There are two squares closely touching the bottom of a box.", [("relative", None, "bottom")]),
    ("There is a yellow circle closely touching right wall of a box.", [("relative", "right", None)]),
    ("There is no blue block above a black block.", []),
    ("There is a blue block above a black block.", [("relative", None, "top")]),
    # the side left unsaid answers a place beside a thing just read
    ("One perfume is to the right of its box, while the other perfume is to the left",
     [("relative", "right", None), ("relative", "left", None)]),
    ("a dog with its front paws angling to the lower left", []),
    ("The picture should have the product front and center, on a shelf", [("position", "center", None)]),
    # a thing headed some way in a picture points there; a right angle is geometry
    ("Both trains are headed diagonally down towards the left.", []),
    ("Each image shows a train headed leftward", []),
    ("the train moves to the left", [("move", "left", None)]),
    ("posing with a dumbbell lifted with the elbow forming a right angle", []),
    # a way with a corner after a travel verb is a move on both axes
    ("five dogs pulling a sled across the snow to the lower right", [("move", "right", None), ("move", "down", None)]),
    ("A bird is flying towards the right in one of the images.", [("move", "right", None)]),
    ("A rabbit burrowing downwards into its warren", [("move", "down", None)]),
    # a corner of a thing; a place on one's own head; where it is seen from
    ("a towel with a black label at its upper left corner", [("relative", "left", "top")]),
    ("a towel with a label at its bottom right corner", [("relative", "right", "bottom")]),
    ("the fridge is in my top right corner", [("own_side", "right", None)]),
    ("birds with blue coloring on top of their heads", []),
    ("a cat sitting on top of his face", [("relative", None, "top")]),
    ("one stingray shown from the top", []),
    ("a lift implement to the right of at least one upright barrel", [("relative", "right", None)]),
    # a table seen from above: where a block is moved, a place beside a point, a text that is only a place
    ("move the green block to the top right corner.", [("move", "right", None), ("move", "up", None)]),
    ("move all blocks 5cm toward the top.", [("move", "up", None)]),
    ("move the other blocks to the bottom corners.", [("move", "down", None)]),
    ("The stamp prints a word in red and disappears to the top.", [("position", None, "top")]),
    ("a point 10cm left of the green bowl", [("relative", "left", None)]),
    ("Make her turn to the left", []),
    ("a point in the middle betweeen the blue bowl and the green block", [("relative", "center", None)]),
    ("top right corner", [("position", "right", "top")]),
    ("the bottom corners.", [("position", None, "bottom")]),
    # a screen: the page is the picture; "right to X" and "left side of X" are beside X
    ("select the share button which is on the top right corner of the page", [("position", "right", "top")]),
    ("click on the bell icon at bottom of the page", [("position", None, "bottom")]),
    ("a small bird sits on top of a book page", [("relative", None, "top")]),
    ("click on the icon right to map", [("relative", "right", None)]),
    ("select the icon which is left side of the local access", [("relative", "left", None)]),
    ("select the text on the left to the close button on the web page", [("relative", "left", None)]),
    ("Ross is left to babysit a woman's kid.", []),
    ("arm enters from frame left to adjust the clothing", [("position", "left", None)]),
    ("the camera pans from left to right", [("pan", "right", None)]),
    ("click on search button symbol above browse categories", [("relative", None, "top")]),
    ("select the right arrow icon", []),
    ("go to top left corner", [("position", "left", "top")]),
    # a finger on a phone's screen is no move; "left" after an article is the side
    ("Scroll down to find the recipe", []),
    ("Swipe left to view more", []),
    ("Scroll from the bottom to the top.", []),
    ("the camera scrolls down", [("pan", "down", None)]),
    ("Click on the download option at the left bottom of the screen", [("position", "left", "bottom")]),
    ("Tap on Explore at the right bottom corner of the screen.", [("position", "right", "bottom")]),
    ("Go back to the previous page to view the inspire tab.", []),
    ("Step back", [("zoom", "out", None)]),
    ("Pull back to a wide shot", [("zoom", "out", None)]),
    ("adjust the left indent", []),
    ("click on right arrow symbol which is just below 1259", [("relative", None, "bottom")]),
    ("click on the button which is next right to the home button", [("relative", "right", None)]),
    ("select the star icon on left to text 2 on the web page", [("relative", "left", None)]),
    ("Put orange flowers on the right next to the windows.", [("position", "right", None)]),
    ('What is the posted time of the "Top News: Oil rally drags Sensex, Nifty below 8200; banks weigh."?', []),
    ('Put the cat on the left. "Great."', [("position", "left", None)]),
    # furniture: one of a stack is a part by its height, one of a row a place by its side
    ("Put heavy items on the left shelf and light items on the right shelf.",
     [("position", "left", None), ("position", "right", None)]),
    ("the leftmost shelf", [("position", "left", None)]),
    ("Put toys in the top cabinet", []),
    ("Put tea on the top rack", []),
    ("bottom cabinet", []),
    ("put the bowl in the left drawer of the desk", []),
    # a ranked list, a measure, an app's menu, a thing named by a quote or a number
    ("Find this post and tell me what the top comment says.", []),
    ("subscribe to forums that have a dog image in their top 3 posts", []),
    ("Find plants below 9ft tall", []),
    ("Buy me a shirt below $20", []),
    ("click on option below 50", [("relative", None, "bottom")]),
    ("convert 2100 Milliliters into Liter units under the Volume tab", []),
    ("under the water tab", [("relative", None, "bottom")]),
    ('click the icon to the right of "Settings"', [("relative", "right", None)]),
    ("a point 10cm to the right of [45 49 66]", [("relative", "right", None)]),
    # two relations sharing one thing
    ("a point 10cm above and 5cm to the left of the soup bowl", [("relative", None, "top"), ("relative", "left", None)]),
    ("Place the logo above and to the right of the title.", [("relative", None, "top"), ("relative", "right", None)]),
    ("have text above and below the animal", [("relative", None, "top"), ("relative", None, "bottom")]),
    # a request after a phrase put first; a question after one is still a question
    ("From the top row, can you add the two items to my cart?", [("position", None, "top")]),
    ("What is on the left, can you tell me?", []),
    # in a sentence about the camera, a verb with no subject of its own shares the last one named
    ("The camera cuts to the car, where the man quickly gets out, closes the door, and runs forward.", []),
    ("A man with a red hat takes a fish, walks down a bridge, and the camera switches to him.", []),
    ("The camera slowly moves backward as the lid closes, then quickly descends.",
     [("zoom", "out", None), ("pan", "down", None)]),
    ("The camera pans left and runs forward.", [("pan", "left", None), ("zoom", "in", None)]),
    ("the camera switched to show the boy getting up and running forward", []),
    # leaving to a side, a path said with "flash", a pan that ends in a close-up
    ("The girl turns and leaves to the left.", [("move", "left", None)]),
    ("Add leaves to the left", [("position", "left", None)]),
    ("sheets flashed one by one from the right to the left of the screen.", [("move", "left", None)]),
    ("The camera pans to a close-up of the pouring process.", [("zoom", "in", None)]),
    ("The camera cuts to a close-up of her face", []),
    ("The camera pans to a wide-angle of the pouring process", [("zoom", "out", None)]),
    # a hand raised or moved in a description is a gesture; asked for, it is an edit
    ("They tear the tickets, and raise a hand toward the left.", []),
    ("Move her hands with the bread down towards the table", [("move", "down", None)]),
    ("Finally, the camera moves up from the guitar, panning back towards the man's head.", [("pan", "up", None)]),
    ("He places a fish on the lower grill rack of an oven.", []),
    ("jumps to warm up their body", []),
    ("Warm up the colors", [("tone", "warmer", None)]),
    ("Seven mugs with patterns on the table while a bunch of roses on the left", [("position", "left", None)]),
    ("a harp with a carved eagle at the top", []),
    ("a bird sitting on top of a rear view mirror", [("relative", None, "top")]),
    ("A red ball is thrown from the left to the right in a garden", [("move", "right", None)]),
    ("turn left and face the counter left of the refrigerator", [("relative", "left", None)]),
    ("face the left of the image", []),
    ("the balconies face the viewer and extend out of the top right of the frame.", []),
    ("pick up the knife that is under the head of lettuce", [("relative", None, "bottom")]),
    ("rubs under his chin", []),
    # a prompt's shorthand: a centred thing, a thing and its corner; "below" as an adverb; the other of a pair
    ("Deliver a single centered logo with generous padding.", [("position", "center", None)]),
    ("subject centered with negative space on left", [("position", "center", None), ("position", "left", None)]),
    ("She is centered in the image but looking away from the camera", [("position", "center", None)]),
    ("trucks left while panning right to keep the person centered in the frame", [("pan", "left", None), ("pan", "right", None)]),
    ("Dog more centered and running on a trail", []),
    ("a user-centered design", []),
    ("logo top-right", [("position", "right", "top")]),
    ("select the image top left", [("position", "left", "top")]),
    ("A clean bar chart below showing market growth", []),
    ("a siamese cat with a green left eye and a blue right one", [("own_side", "left", None), ("own_side", "right", None)]),
    ("a zoomed out DSLR photo of a baby bunny sitting on top of a stack of pancakes", [("relative", None, "top")]),
    ("The camera zoomed in on the photo", [("zoom", "in", None)]),
    ("The camera follows a woman skiing down a snow covered mountain.", []),
    ("A man is tightening a screw under the illumination of a flashlight at night.", []),
    ("SpongeBob reached out and said something, ran forward, the camera switched to the door.", []),
    ("The camera moves downward, a group of people open a door and walk forward.", [("pan", "down", None)]),
    ("The monkey dodges to the right", [("move", "right", None)]),
    ("a person below quickly reacts.", []),
    ("the bed above Lily and Marshall", [("relative", None, "top")]),
    ("A skier is carrying his skis, walking up along a mountain ridge.", []),
    ("his body swaying as it moves back and forth from left to right.", []),
    ("The puppy squatted down, then suddenly backed away", []),
    ("The camera backed away from the house", [("zoom", "out", None)]),
    # a place said not to hold; a group named by its side; an order counted from a side
    ("the black chair not under the umbrella", []),
    ("the car that is neither blue nor on the left side of the road", []),
    ("the giraffe not in the middle with its mouth open", []),
    ("Put the cat on the left, not on the right", [("position", "left", None)]),
    ("a red bowl that is not on the top shelf of the right set of cabinets", [("position", "right", None)]),
    ("the left half of a sandwich", []),
    ("click the second check box from top", [("position", None, "top")]),
    ("select last check box from top", []),
    # framings compared, a noun "angle", "over" in a request, a body part moved up or to a side
    ("It is a more close shot and the pink color of the flowers are more brighter.", [("zoom", "in", None)]),
    ("It is a farther shot of the balls.", [("zoom", "out", None)]),
    ("a close shot of the dog", []),
    ("Change the angle of the store and add lettering to the left.", [("position", "left", None)]),
    ("Make her turn to the left", []),
    ("let there be a stop sign over the truck", [("relative", None, "top")]),
    ("put a coat over the shirt", []),
    ("add birds flying over the town", []),
    ("The man has moved his left hand up near his face.", [("own_side", "left", None), ("move", "up", None)]),
    ("she moves her left hand to the right", [("own_side", "left", None)]),
    ("The woman has opened the door slightly and moved her head up.", [("move", "up", None)]),
    ("moves his face left", []),
    ("The man has brought a glass up to his mouth for a drink.", []),
    ("The woman's arms are by her sides and her head is tilted down.", []),
    ("The camera is tilted down", [("pan", "down", None)]),
    ("Remove the jacket and extend hand to the left", []),
    ("The woman faces the right side holding a cup", []),
    ("Can it have a fan on top of the oven?", [("relative", None, "top")]),
    ("Focus on the top part of the dog instead of the closer view of the eyes.", [("relative", None, "top")]),
    ("Have the room more square with darker wood and a canopy over the bed.", [("relative", None, "top")]),
    ("the sky is filled with clouds, casting a soft light over the scene.", []),
    ("the bed no one sitting on, and not the upper bed", []),
    ("Approach the dog, remove the bird from its mouth", [("zoom", "in", None)]),
    ("The man approaches the dog", []),
    ("Move right hand up a bit", [("own_side", "right", None), ("move", "up", None)]),
    ("Extend the right hand to the left", [("own_side", "right", None)]),
    ("click on the box below arrival which says airport of arrival", [("relative", None, "bottom")]),
    ("select the text below the 2nd description", [("relative", None, "bottom")]),
    ("select bottom right symbol", [("position", "right", "bottom")]),
    ("The camera cuts to a billboard as the man rides the scooter down some steps and turns to the left, then leans back.", []),
    ("Leave only two cats, come closer and make them sit", [("zoom", "in", None)]),
    ("Go up a bit and get a little away", [("zoom", "out", None)]),
    ("Keep the book on the desk and move closer a bit", []),
    ("Go forward to the door, hang a right and go forward to the table.", []),
    ("Show me a person who bends over, then walks forward.", []),
    ("Get close to the monkey holding its baby", [("zoom", "in", None)]),
    ("Get up close to the car and add a house behind", [("zoom", "in", None)]),
    ("Take a photo of the dog adding more sunshine brightness to the image", [("tone", "brighter", None)]),
    ("Shows a tent with a canopy over two sleeping children", [("relative", None, "top")]),
    ("two folded blankets tilted up, one red and one blue", []),
    ("There should be a store with a green awning to your right and a bakery on the left.", [("own_side", "right", None)]),
    ("Go through the next intersection; the park is on the left.", []),
    ("Orient yourself so that the river is on the right.", []),
    ("Change the traffic light on the left to gold.", [("position", "left", None)]),
    ("a white van goes across the intersection toward the right", [("move", "right", None)]),
    ("There should be a bridge above you.", [("relative", None, "top")]),
    ("There should be a street light that looks like a lantern on your right.", [("own_side", "right", None)]),
    ("The girl is looking to your left", []),
    ("Do not take the right exit.", [("position", "right", None)]),
    ("a left exit is made", [("move", "left", None)]),
    ("Move the picture to the right side of the slide.", [("move", "right", None)]),
    ("Insert a logo at the middle of the slide.", [("position", "center", None)]),
    ("Move the picture to slide right", [("move", "right", None)]),
    ("Move the textbox to slide top", [("move", "up", None)]),
    ("put a logo on slide left", [("position", "left", None)]),
    ("slide left the red block", [("move", "left", None)]),
    ("Move the picture to the left top of the slide", [("move", "left", None), ("move", "up", None)]),
    ("Insert a green triangle. And move it in the left corner.", [("move", "left", None)]),
    ("insert an arrow and move it on the bottom of the slide.", [("move", "down", None)]),
    ("Align the text to the left.", []),
    ("Make all the textboxes right aligned on slide 9.", []),
    ("Could you tone down the brightness of my photo?", [("tone", "darker", None)]),
    ('Insert the content "Education falls under the Ministry of Education."', []),
    ('click on the icon to the right of "Settings"', [("relative", "right", None)]),
    ("Wear the right shoe", [("own_side", "right", None)]),
    ("Remove the right shoe", [("position", "right", None)]),
    ("The man has placed an object on the shelves above him.", [("relative", None, "top")]),
    ("Move back towards the door", []),
    ("Move back to show the whole room", [("zoom", "out", None)]),
    ("Move in towards the right side to touch the stove", [("move", "right", None)]),
    ("The man has moved slightly forward and to the right to block the door.", [("move", "right", None)]),
    ("The camera moves forward and to the right", [("zoom", "in", None), ("pan", "right", None)]),
    ("The camera cuts to a woman crawling forward, reaching a wall outlet.", []),
    ("The camera cuts to a puppy running forward, then tumbling and falling down the stairs.", []),
    ("The camera shows a man walking, then slowly panning left", [("pan", "left", None)]),
    ("The camera moves forward, then slowly descending", [("zoom", "in", None), ("pan", "down", None)]),
    ("A woman runs along the road, glancing to the left of the frame.", []),
    ("a man walks to the left of the frame", [("move", "left", None)]),
    ("Center, octagonal representation of Apollo and the Muses.", [("position", "center", None)]),
    ("Top row: Europa and the bull.", [("position", None, "top")]),
    ('Caption: "Born of Venus." Bottom row: Neptune riding over the sea.', [("position", None, "bottom")]),
    ("Right, now make the sky blue", []),
    ("Two cornucopiae at bottom.", [("position", None, "bottom")]),
    ("click on blue button at bottom", [("position", None, "bottom")]),
    ("put a logo on top", []),
    ("Turn yourself so that you will go down the street with the orange barriers on the left side.", []),
    ("Stop right by the small green double doors on the right.", []),
    ("You want to head down the road with two benches outside the first store on the right.", []),
    ("Continue along your same path by going towards the right.", []),
    ("pass a sidewalk to the right for first time", [("position", "right", None)]),
    ("Please insert a picture of the company's logo above the title.", [("relative", None, "top")]),
    ('post it under the title "Has anyone bought this?"', []),
    ("Move the title part into the bottom corner", [("move", "down", None)]),
    ("Move it the top corner of the slide", [("move", "up", None)]),
    ("Move the image to the right side on Slide 2.", [("move", "right", None)]),
    ("Zoom the view in/out.", []),
    ("Roll the view left/right.", []),
    ("The camera is pushed up/down/sideways by some translation.", []),
    ("To select one of the objects, right-click on it.", []),
    ("Lower values give a strong depth of field effect.", []),
    ("This add-on is split over two panels.", []),
    ("Swaps the image around, such that the left side is now on the right, and the right now on the left.",
     [("mirror", None, None)]),
    ("the dog is now on the right", [("position", "right", None)]),
    ("On top of the circular frame are two angels.", [("relative", None, "top")]),
    ("Above the upper entablature are two figures.", [("relative", None, "top")]),
    ("put the cup on top of the upper shelf", [("relative", None, "top")]),
    ("Touchdown is sitting in the center of the top of the news paper box.", [("relative", "center", None)]),
    ("She is shown from the right back walking, in the center.", [("position", "center", None)]),
    ('Screenshot of the menu bar. Under the open "GitHub Desktop" dropdown menu, a cursor hovers over "About".', []),
    ('Screenshot of a commit view. To the right of the "History" tab, a file is selected.', [("relative", "right", None)]),
    ('Screenshot of the "Clone a repository" window. At the top of the window, tabs are outlined.',
     [("position", None, "top")]),
    ("A cat at the top of the window", [("relative", None, "top")]),
    ("a drone hovering over the house", [("relative", None, "top")]),
    ("Screenshot of a list. To the right of a profile picture, a name is shown.", [("relative", "right", None)]),
    ("Make a side view of the dog allowing more sunshine into image", [("tone", "brighter", None)]),
    ("let more light into the room", []),
    ("A vehicle invades the ego's lane, forcing the ego to move right to avoid a collision.", []),
    ("Hero vehicle is turning right, while another car comes straight from the left.", []),
    ("The other car has the right of the way", []),
    ("The cat in the picture comes from the left", [("position", "left", None)]),
    ("The woman has closed the cabinet above her.", [("relative", None, "top")]),
    ("and find blood underneath her.", [("relative", None, "bottom")]),
    ("Have the woman look over her shoulder at the camera.", []),
    ("The man looks into the upper corner of the room.", []),
    ("an old man looks upward, pushed in the chest with a stick.", []),
    ("the camera pushes in", [("zoom", "in", None)]),
    ("then pick up the right front paw to continue", [("own_side", "right", None)]),
    ("with the image gradually darkening as the train enters a tunnel.", [("tone", "darker", None)]),
    ("This pattern is then repeated using both right and left hands.", []),
    ("The camera angles down and captures a boat.", [("pan", "down", None)]),
    ("a shelf angled down", []),
    ("Then I see the users listed under *Learners*", [("relative", None, "bottom")]),
    ("When I click the *Export* button to the left of the *Generate log* button", [("relative", "left", None)]),
    ("Then I see the link at the bottom of the sign-in page", [("position", None, "bottom")]),
    ("And select a CSV file with the right format", []),
    ("And tapping the left key on my keyboard does nothing", []),
    ("Move the star into the right side of the slide.", [("move", "right", None)]),
    ("A silver-gray car drove into the lower right corner of the screen.", [("position", "right", "bottom")]),
    ("Make the title and center align it.", []),
    ("move the image to the left side of the table.", [("relative", "left", None)]),
    ("shift the image to the left", [("pan", "left", None)]),
    ("The girl puts down the jacket and reaches over to the left.", []),
    ("Move forward towards the door", []),
    ("Move forward", [("zoom", "in", None)]),
    ("The camera then cuts to the mountaintop, as the skier slides down from the summit.", []),
    ("a lady walks up from a slope", []),
    ("It leans forward then backs away, trying repeatedly", []),
    ("The camera backs away from the house", [("zoom", "out", None)]),
    ("And swiping the image to the right does nothing", []),
    ("Mirrors the image so the top becomes the bottom.", [("flip_vertical", None, None)]),
    ("Mirror the image so it faces left", [("mirror", None, None)]),
    ("The gizmo in the top right corner of the viewport", [("position", "right", "top")]),
    ("the mouse was moved to the left during the transform.", []),
    ("move the mouse to the right", []),
    ("a mouse runs to the left", [("move", "left", None)]),
    ("When I scroll down to the bottom of the container", []),
    ("Move the logo to the bottom of the page", [("move", "down", None)]),
    ("It then pans back down to the horse's legs.", [("pan", "down", None)]),
    ("The camera follows it, first moving downward, then moving to the left", [("pan", "down", None), ("pan", "left", None)]),
    ("landing back on the track and continuing to slide left.", []),
    ("Move the head a bit to the right", [("move", "right", None)]),
    ("she moves her head to the left", []),
    ("Take the clothes towards the left", [("move", "left", None)]),
    ("Have the man take a step to the left.", [("move", "left", None)]),
    ("Take a step to the right", []),
    ("Open the right door of the wardrobe", [("relative", "right", None)]),
    ("the left half of a sandwich", []),
    ("Move closer to the desk towards the pot", []),
    ("Move away from the red towel on the cabinet", []),
    ("Get closer to the dog's face", [("zoom", "in", None)]),
    ("and then the right foot pulls back to scoop the ball up.", [("own_side", "right", None)]),
    ("The camera pulls back to reveal the city", [("zoom", "out", None)]),
    ("juggle the ball with alternating left and right feet.", []),
    ("a ring on the left ring finger", [("own_side", "left", None)]),
    ("The camera then moves to the right, ending with a close-up of the door lock.",
     [("pan", "right", None), ("zoom", "in", None)]),
    ("The video ends with a close-up of the cake.", []),
    ("With their back to the right, they face left and raise their hands.", []),
    ("three monks are seen walking from below the camera.", []),
    ("add the black pen above the camera", [("relative", None, "top")]),
    ("The camera cuts to a table where a man picks up a hamburger and then moves forward.", []),
    ("To show the status bar, press the menu button in the bottom-left corner of the window.",
     [("position", "left", "bottom")]),
    ("a house with a light in the top-right corner of the window", [("relative", "right", "top")]),
    ("At the bottom of the dialog, you can enable the option.", [("relative", None, "bottom")]),
    ("the options are located at the left of the bottom bar: two colors and a menu",
     [("relative", "left", None), ("position", None, "bottom")]),
    ("The selection tools have a new, more readable bottom pane.", [("position", None, "bottom")]),
    ("When I click the top left sidebar icon", [("position", "left", "top")]),
    ("The left and right sides are swapped.", [("mirror", None, None)]),
    ("The top and bottom are swapped.", [("flip_vertical", None, None)]),
    ("Select the format from the list to the right of the <gui>Filename format</gui> box.", [("relative", "right", None)]),
    ("Under the <gui>General</gui> tab, choose the printer you want to use.", []),
    ("In the above figure, the filter shows only files with gen in the name.", []),
    ("increase or decrease the saturation of the image", []),
    ("Scroll up to zoom in or scroll down to zoom out.", []),
    ("To zoom in, click the Enlarge icon, and to zoom out click the Shrink icon.", []),
    ("Adjusts the zoom to have the full width fit into the window.", []),
    ("Select Smooth images when zoomed out.", []),
    ("The picture on the left shows the plugins that are available by default.", []),
    ("Try setting `top: 0; bottom: 0; left: 0; right: 0;` on your elements.", []),
    ("an image floating inside a column, with the text wrapping around the left or right of it", []),
    ("It is shifted to the left, or right, until it touches the edge of its box.", []),
    ("This specifies the X coordinate relative to the left edge.", []),
    ("Two are floated left, and one is floated right.", [("position", "left", None), ("position", "right", None)]),
    ("the balloon floated to the left", [("move", "left", None)]),
    ("when the page is zoomed to increase text size", []),
    ("For languages that run left to right, the x- and y-axes run across to the right and down the page.", []),
    ("You can click on the *Main* tab at the bottom of the editor to do so.", [("position", None, "bottom")]),
    ("Screenshot of the diff view. On the right side of the editor, the plus sign is highlighted.",
     [("relative", "right", None)]),
    ("Set the top view using the menu in the viewport's top-left corner.", [("position", "left", "top")]),
    ("Select the node and on the right side of the interface, navigate to the *Node* dock.", [("position", "right", None)]),
    ("Move the cylinder so it's right outside the camera's view.", []),
    ("add another player on it's right", [("own_side", "right", None)]),
    ("Use the left joystick to move the character.", [("own_side", "left", None)]),
    ("If you compare it to the top down diagram above you can see it matches.", []),
    ("Adjust the far plane below about 35 and the ground disappears.", []),
    ("if we adjust the move speed the animation will speed up or slow down as well.", []),
    ("And I click one of the channel cards displayed at the top of the default page", [("position", None, "top")]),
    ("Screenshot of the right sidebar of a discussion. The option is highlighted.", [("relative", "right", None)]),
    ("Screenshot of a pull request. In the right sidebar, the file tree is outlined.", [("position", "right", None)]),
    ("a numbered item followed by a bulleted item nested one level to the right", []),
    ("Indent the paragraph to the right", []),
    ("Move the head and the mug down a bit while holding the snack", [("move", "down", None)]),
    ("Person has moved to the right closer to the white cabinets.", [("move", "right", None)]),
    ("The man has moved his right hand to the right so it is now visible.",
     [("own_side", "right", None), ("move", "right", None)]),
    ("she moves her finger to the left", []),
    ("Move back from the door", []),
    ("Extends his arms slightly towards the right.", []),
    ("Suddenly, the red car swerves to the right, coming to a halt.", []),
    ("At a junction, the car veers to the left, moving onto another road.", []),
    ("The shot pans from a low angle upwards, capturing a woman.", [("pan", "up", None)]),
    ("The movement of this person is from the right towards the left.", [("move", "left", None)]),
    ("Moving from the left to the right and back again, the little dogs frolic", []),
    ("hold down the left mouse button where you would normally right-click", []),
    ("Change the material of the left mouse button to ceramic", [("own_side", "left", None)]),
    ("Maximize a window by dragging it to the top of the screen.", [("move", "up", None)]),
    ("the white drug bottle is flipped upside down", []),
    ("The image is flipped horizontally.", [("mirror", None, None)]),
    ("Click the system menu and then choose the right option.", []),
    ("You can quickly turn zoom on and off by clicking the icon.", []),
    ("Ctrl+ and Ctrl-: Zoom in or zoom out.", []),
    ("choosing the right codec with the right settings for the right situation", []),
    ("click the corresponding checkbox in the middle pane", [("position", "center", None)]),
    ("To move a layer to the top of the layer order, click Move layer to top.", []),
    ("drag a clip just above the top layer or just below the bottom layer.", []),
    ("Open the top layer of the drawer and put the bowl inside", []),
    ("Pitivi is released under the LGPL.", []),
    ("The image below illustrates this relationship.", []),
    ("Zooms the viewport in to the next whole increment.", [("zoom", "in", None)]),
    ("Mirrors the viewport horizontally, flipping the view of the artwork.", [("mirror", None, None)]),
    ("Resets the viewport zoom to 100% which matches the canvas.", []),
    ("zooming in one step and out one step will leave you back at the original zoom level", []),
    ("Toggles visibility of the Properties panel on the upper-right side of the workspace.", [("position", "right", "top")]),
    ("It will end up directly above the selected layer.", []),
    ("Removes the selected folder, moving their contents up one level in the layer stack.", []),
    ("Screenshot that shows the contacts folder selected under the My Contacts page.", []),
    ("Information under the Detailed view tab.", []),
    ("Screenshot of the lower right arrow to expand the header.", [("position", "right", "bottom")]),
    ("click the right arrow", []),
    ("the moon is very slowly moving moving up and right", [("move", "up", None), ("move", "right", None)]),
    ("from behind the big tree, an owl flies up and right of the screen", [("move", "up", None), ("move", "right", None)]),
    ("a bird flies up and right of the tree", [("move", "up", None), ("relative", "right", None)]),
    ("Move backwards a bit from the wardrobe", []),
    ("Move the man down the hall and lift the shirt off the floor.", []),
    ("Move the clothes down a bit", [("move", "down", None)]),
    ("The man walks on, with one puppy running up behind him.", []),
    ("the man walks up beside the cow, bends down to look", []),
    ("The video depicts a running competition where players vie for the top spot.", []),
    ("A man rides a scooter on the road, raising one hand and waving to the right.", []),
    ("click on the arrow to the left of the page number.", [("relative", "left", None)]),
    ("Move the mouse pointer towards the bottom of the window to scroll down.", [("position", None, "bottom")]),
    ("hold down the left and right mouse buttons at the same time, then drag.", []),
    ("To move ten pages at a time, press Shift+Page Up or Shift+Page Down.", []),
    ("use the shortcuts <key>Ctrl+</key> to zoom in, or <key>Ctrl-</key> to zoom out.", []),
    ("If your scans come out too dark or too light you can adjust these settings:", []),
    ("right click on it and choose <gui>Move Left</gui> or <gui>Move Right</gui>.", []),
    ("increase the difference between darker and lighter colors", []),
    ("it will appear in the photo stream at the top of the <app>Cheese</app> window.", [("position", None, "top")]),
    ("At the right-hand side of the window list, GNOME displays the workspace.", [("relative", "right", None)]),
    ("Press the button in the top bar of the window.", [("position", None, "top")]),
    ("When you click, takes the colors under the cursor, and blends them.", []),
    ("For transparent glass, keep surfaces with roughness above the threshold opaque.", []),
    ("Put the cat under the mouse pad", [("relative", None, "bottom")]),
    ("A control that adds a button to change view and zoom to predefined values in options.", []),
    ("Clicking on a cluster zooms to the extent of the contained features.", []),
    ("Zoomify is a format for deep-zooming into high resolution images.", []),
    ("The camera zooms to a river", [("zoom", "in", None)]),
    ("Enable this by clicking the Split Map icon in the top right corner of your map:", [("position", "right", "top")]),
    ("a map of Europe hangs on the wall with a pin at the top of the map", [("relative", None, "top")]),
    ("You can use the same example above when you omit arguments.", []),
    ("Slidev is built on top of Vite, which provides instant HMR.", []),
    ("Marp only adds a few additional features on top of CommonMark.", []),
    ("add a red hat on top of the dog's head", [("relative", None, "top")]),
    ("Like the Brush tool, the Wand tool adapts: zoom out to select large regions, zoom in to select smaller ones.", []),
    ("Browser zoomed out, DevTools zoomed in.", []),
    ("Click the button shown in the bottom right corner of the viewer.", [("position", "right", "bottom")]),
    ("On top of the Viewer panel there is a group of 5 buttons.", [("relative", None, "top")]),
    ("Releases section in right-hand sidebar", [("position", "right", None)]),
    ('Screenshot of the "Dark" option under "Theme mode".', [("relative", None, "bottom")]),
    ('Under the "GitHub Desktop" dropdown menu, the option is highlighted.', []),
    ('open the "project" in the "user" folder under "home".', []),
    ("Move closer and place the book on the desk", []),
    ("Get closer and show only the case", [("zoom", "in", None)]),
    ("Make her lower her hands towards the right.", [("move", "right", None)]),
    ("Make the man approach the camera and raise his arm.", []),
    ("As can be seen in the below image, the result will be smoother.", []),
    ("Rotating an edge clockwise (CW) or counterclockwise (CCW) spins an edge between two faces.", []),
    ("Values above 1.0 are not allowed.", []),
    ("click on option below 50", [("relative", None, "bottom")]),
    ("The center of gravity is always in the geometric center of the shape.", []),
    ("you can change the frame by :kbd:`LMB`-dragging in the scrubbing area at the top of the editor.",
     [("position", None, "top")]),
    ("switch between files by using the tabs at the bottom of the <app>gedit</app> window.", [("position", None, "bottom")]),
    ("Holding the middle mouse button, dragging left, and then releasing it will navigate backward.", []),
    ("the first keyframe dragged down at the beginning of the clip", [("move", "down", None)]),
    ("The man has hunched over and moved the plate in his hands down towards the floor.", [("move", "down", None)]),
    ("a man carrying a pair of shoes in his hand rolled up his trouser legs", []),
    ('add the font under "Font/Data/0" in the theme', []),
    ("The Mirror effect flips the input video horizontally.", [("mirror", None, None)]),
    ("Click the button at the bottom of the monitor window to play the clip.", [("position", None, "bottom")]),
    ("a cat sleeps at the bottom of the monitor", [("relative", None, "bottom")]),
    ("The title slides from left offscreen to center.", [("move", "right", None)]),
    ("The logo slides from the top down to the center.", [("move", "down", None)]),
    ("Slides from left offscreen to right offscreen.", [("move", "right", None)]),
    ("turn right towards the middle of the bed", [("relative", "center", None)]),
    ("Under this situation it may be safer to use the spacer tool.", []),
    ("The clip dragged from the upper track replaced part of the clip on the lower track.", []),
    ("Trim the clip by dragging the left border of it in the timeline.", []),
    ("Note the slide being set up as a mix.", []),
    ("You can click-and-drag the map with the {leftclick} left mouse button to move it around.", []),
    ("The main map area shows OpenStreetMap data on top of a background.", []),
    ("The background imagery that appears beneath the map data is an important resource.", []),
    ("Zoom to my location", []),
    ("Open the panel to enable, disable, or zoom to your GPS data.", []),
    ("the camera zooms to a river in the distance", [("zoom", "in", None)]),
    ("click the button at the bottom of the Background Settings pane", [("relative", None, "bottom")]),
    ("a dog at the bottom of the background", [("position", None, "bottom")]),
    ("The resulting distance will be displayed at the bottom of the RViz window.", [("position", None, "bottom")]),
    ("a cat at the bottom of the Victorian window", [("relative", None, "bottom")]),
    ("**Right mouse button**: Click and drag to zoom in/out of the focal point.", []),
    ("Dragging up zooms in, down zooms out.", []),
    ("The square is shifted one unit in the ``UP`` direction from the origin.", [("move", "up", None)]),
    ("`left`: Clear items floated to the left.", [("position", "left", None)]),
    ("Click on the ``circle`` layer and select the green handle in the middle of the circle and drag it over the ``base``.",
     [("relative", "center", None)]),
    ("By default, mobjects are placed at the center of coordinates, or *origin*, when they are first created.", []),
    ("Add the import statement at the top of the file.", []),
    ("A man in a suit is placed down on top of a notebook.", [("relative", None, "top")]),
    ("Under the assumption that the scene is static, we render it once.", []),
    ("Choose the right configuration for your system.", []),
    ("Right-click the Activity Bar and select **Move Primary Side Bar Right**", []),
    ("**View: Move Panel To Bottom** (`workbench.action.positionPanelBottom`)", []),
    ("Move the cat to the **left** of the dog.", [("relative", "left", None)]),
    ("You can move the region to the left, right, bottom, or top of the editor.", []),
    ("open the file into the left-hand editor", [("position", "left", None)]),
    ("open the three-dot menu to the left of the ``Start call`` button", [("relative", "left", None)]),
    ("add the following code snippet below the ``CreateCircle`` class:", []),
    ("The Search field is in the upper right hand corner of your Web interface.", [("position", "right", "top")]),
    ("As the list items slide up the screen, each background image slides slightly downward.",
     [("move", "up", None), ("move", "down", None)]),
    ("the man walks up the hill", []),
    ("The command rotates the camera in the active [3D view](3D_view.md) around the view direction in 90-degree "
     "increments towards the left (counterclockwise).", [("rotate", "clockwise", None)]),
    ("That camera can be moved left, right, up and down (pan).", []),
    ("The cat moves left and the dog moves right.", [("move", "left", None), ("move", "right", None)]),
    ("Figure shows the rod that slides to the left along the conducting rails.", [("move", "left", None)]),
    ("The left image shows a staircase that ascends leftward.", []),
    ("Dust devil tracks. In panel (a), on the left, the paths of dust devils are seen as dark streaks.", []),
    ("On the left is a drawing of a rocket moving upward.", [("move", "up", None)]),
    ("An x y z coordinate system is shown, with positive x out of the page, positive y to the right, and positive z up.",
     []),
    ("a spaceship emitting a laser beam, which propagates to the right", [("move", "right", None)]),
    ("One boy sits on the edge of the seesaw three meters from the center.", []),
    ("On this graph, height above the photosphere is shown increasing to the right.", [("relative", None, "top")]),
    ("The woman has moved her foot and leg up to rest it on the ground.", [("move", "up", None)]),
    ("Select Property inspector in the :ref:`right sidebar <right-sidebar>`.", [("position", "right", None)]),
    ('The sidebars can be collapsed by selecting "Show Left Sidebar" or "Show Right Sidebar" in the View menu.', []),
    ("Use H and V to flip the image horizontally and vertically.", [("mirror", None, None), ("flip_vertical", None, None)]),
    ("You can flip the image horizontally or vertically.", []),
    ("The menu bar at the top of JupyterLab has top-level menus.", [("position", None, "top")]),
    ("Key binding info has been moved to the right of the :ref:`status_bar`.", [("relative", "right", None)]),
    ("The table below summarises possible cardinalities.", []),
    ("Hang the picture above the sofa.", [("relative", None, "top")]),
    ("the default orientation is for commits to run from left to right", []),
    ("Gantt Charts will record each task as one continuous bar that extends from the left to the right.", []),
    ("determine what text will be rendered inside the top right quadrant.", [("position", "right", "top")]),
    ("Position content inside the center-cut areas.", []),
    ("The nav bar is positioned at the bottom of screens for convenient access.", [("position", None, "bottom")]),
    ("The loading indicator shows progress that loads in under five seconds.", []),
    ("Press Ctrl and the middle mouse button as you hover over a target entity.", []),
    ("To override this behavior, press the **Shift** key down while you drop the asset.", []),
    ("your selected entity remains the center of focus in the viewport", []),
    ("click the Activities button, or just move your mouse pointer to the top-left hot corner.",
     [("position", "left", "top")]),
    ("click on the Serial Monitor button, located at the top right corner of the IDE.", [("position", "right", "top")]),
    ("`rightToLeft()` causes text to flow to the left from the cursor.", []),
    ("The joystick's resting values are around the middle of the range.", []),
    ("Add the include line at the top of your code.", []),
])
def test_reads_constructed_phrasings(text, expected):
    assert facts(text) == expected


def test_find_statements_leaves_out_own_sides_and_tone_and_marks_an_ambiguous_pan():
    assert find_statements("Raise the woman's left hand and brighten the image.") == []
    (s,) = find_statements("Shift the image to the left.")
    assert (s.kind, s.direction, s.convention) == ("pan", "left", "ambiguous")
    (s,) = find_statements("Pan the camera to the left.")
    assert s.convention is None


def test_development_part_figures():
    """Recall and wrong facts on the development part, scored as the benchmark scores them."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from phrasing import score_reader

    dev = [r for r in rows() if r["split"] == "dev"]
    result = score_reader(dev, read)
    assert result["labelled"] >= 500
    assert result["recall"] >= 0.99, result["misses"]
    assert result["wrong"] <= 0.01, result["wrongs"]


def test_corpus_has_sources_licences_and_a_fixed_split():
    all_rows = rows()
    assert len(all_rows) >= 900 and len({r["id"] for r in all_rows}) == len(all_rows)
    readme = README.read_text(encoding="utf-8")
    for r in all_rows:
        assert re.fullmatch(r"dev|heldout\d*", r["split"]), r["id"]
        assert r["source"]["url"].startswith("https://") and r["source"]["licence"], r["id"]
        assert f"`{r['id'].rsplit('-', 1)[0]}`" in readme, r["id"]  # every source is described
        for f in r["facts"]:
            assert f["words"] in r["text"], r["id"]
    splits = Counter(r["split"] for r in all_rows)
    assert splits["heldout"] >= 300 and splits["dev"] >= 500 and splits["heldout2"] >= 150
    # the fresh held-out part comes from sources the other parts do not use
    fresh = {r["id"].rsplit("-", 1)[0] for r in all_rows if r["split"] == "heldout2"}
    assert fresh and not fresh & {r["id"].rsplit("-", 1)[0] for r in all_rows if r["split"] != "heldout2"}
    kinds = Counter(f["kind"] for r in all_rows for f in r["facts"])
    for kind in ("pan", "zoom", "rotate", "mirror", "flip_vertical", "move", "position", "relative", "own_side", "tone"):
        assert kinds[kind] >= 1, kind


@pytest.mark.parametrize("row_id", ["cbcap-43", "cbcap-136", "ggip2p-tf-158", "cbedit-39"])
def test_checker_on_dev_texts_and_their_reversals_against_pairs_that_show_them(row_id):
    """The benchmark's instrument on a few dev texts: a pair built from the labels passes the
    text as written, and the text with its labelled directions reversed is flagged."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from phrasing_pairs import build

    from editcaption.delta import analyze, check

    (row,) = [r for r in rows() if r["id"] == row_id]
    assert row["split"] == "dev"
    case = build(row)
    report = analyze(case.src, case.tgt)
    assert [f for f in check(report, case.text) if f.severity != "P2"] == []
    assert case.reversed and case.reversed != case.text
    assert any(f.severity == "P0" for f in check(report, case.reversed)), case.reversed
