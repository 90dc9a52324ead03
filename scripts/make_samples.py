"""Rebuild the sample photos and pairs bundled in src/editcaption/samples/ (deterministic).

    .venv/bin/python scripts/make_samples.py

The base photos come from scikit-image's bundled data (public domain / CC0, see
src/editcaption/samples/LICENSES.md). Each sample pair applies one known edit whose
ground truth follows the direction convention in editcaption.directions.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image, ImageDraw

from editcaption.colors import PALETTE_RGB

OUT = Path(__file__).resolve().parents[1] / "src" / "editcaption" / "samples"
PHOTOS = {"astronaut": skimage.data.astronaut, "chelsea": skimage.data.chelsea,
          "coffee": skimage.data.coffee, "rocket": skimage.data.rocket}


def save(img: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="JPEG", quality=90, optimize=True)


def main() -> None:
    photos: dict[str, Image.Image] = {}
    for name, fn in PHOTOS.items():
        img = Image.fromarray(fn()).convert("RGB")
        img.thumbnail((512, 512), Image.Resampling.LANCZOS)
        photos[name] = img
        save(img, OUT / "photos" / f"{name}.jpg")

    rows = []

    def pair(name, src, tgt, category, subtype, instruction, primary, overall):
        save(src, OUT / "pairs" / f"{name}_src.jpg")
        save(tgt, OUT / "pairs" / f"{name}_tgt.jpg")
        rows.append({"id": name, "source": f"{name}_src.jpg", "target": f"{name}_tgt.jpg", "dataset": "samples",
                     "category": category, "subtype": subtype, "reference_instruction": instruction,
                     "ground_truth": {"primary": primary, "secondary": [], "overall": overall}})

    # 1. camera pan left: the target window lies 60 px further left, so content slides right.
    cat = photos["chelsea"]
    w, h = 360, 240
    src = cat.crop((80, 30, 80 + w, 30 + h))
    tgt = cat.crop((20, 30, 20 + w, 30 + h))
    pair("chelsea_pan_left", src, tgt, "structural", "camera_pan", "Pan the camera to the left.",
         [{"text": "The camera pans left.", "op": "pan", "object": "camera", "direction": "left"}],
         "The view of the cat shifts: the target shows more of the scene on the left.")

    # 2. brighter tone
    coffee = photos["coffee"]
    arr = np.asarray(coffee).astype(np.float32)
    bright = Image.fromarray(np.clip(arr * 1.3 + 12, 0, 255).astype(np.uint8))
    pair("coffee_brighter", coffee, bright, "stylistic", "tone", "Brighten the whole image.",
         [{"text": "The whole image becomes brighter.", "op": "tone", "attribute": "brightness", "after": "brighter"}],
         "The coffee photo is brightened evenly; nothing else changes.")

    # 3. mirror
    astro = photos["astronaut"]
    pair("astronaut_mirror", astro, astro.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "structural", "mirror",
         "Mirror the image horizontally.",
         [{"text": "The image is mirrored left to right.", "op": "mirror", "direction": "horizontal"}],
         "The portrait is flipped horizontally.")

    # 4. zoom in: the central 70% enlarged to the full frame.
    rocket = photos["rocket"]
    rw, rh = rocket.size
    cw, ch = int(rw * 0.7), int(rh * 0.7)
    box = ((rw - cw) // 2, (rh - ch) // 2, (rw - cw) // 2 + cw, (rh - ch) // 2 + ch)
    pair("rocket_zoom_in", rocket, rocket.crop(box).resize((rw, rh), Image.Resampling.LANCZOS), "structural",
         "camera_zoom", "Zoom in on the center of the image.",
         [{"text": "The camera zooms in.", "op": "zoom", "object": "camera", "direction": "in"}],
         "The rocket launch is shown closer, centred on the middle of the frame.")

    # 5. grayscale
    pair("chelsea_grayscale", cat, cat.convert("L").convert("RGB"), "stylistic", "style",
         "Convert the whole image to black and white.",
         [{"text": "The image becomes grayscale.", "op": "style", "after": "grayscale"}],
         "The cat photo loses all colour.")

    # 6. add an object at the upper right
    added = astro.copy()
    d = ImageDraw.Draw(added)
    d.ellipse((380, 40, 460, 120), fill=PALETTE_RGB["red"])
    pair("astronaut_add_red_disc", astro, added, "semantic", "add",
         "Add a red disc at the upper right of the image.",
         [{"text": "A red disc appears at the upper right.", "op": "add", "object": "disc", "after": "red",
           "direction": "upper right"}],
         "A solid red disc is added in the upper right corner; the rest is unchanged.")

    with (OUT / "pairs" / "manifest.jsonl").open("w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    print(f"wrote {len(rows)} pairs and {len(photos)} photos under {OUT}")


if __name__ == "__main__":
    main()
