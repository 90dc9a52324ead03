"""Safe decoding: every accepted format comes out upright 8-bit RGB; every bad file is refused by name."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import imagefactory as f
from editcaption.imageio import ImageDecodeError, decode_bytes, decode_file, encode_png, resize_max_side


def test_exif_orientation_is_applied(tmp_path):
    path = f.exif_rotated_jpeg(tmp_path / "sideways.jpg", stored_w=40, stored_h=20)
    img = decode_file(path)
    # Stored 40×20 with orientation 6: displayed 20 wide, 40 tall.
    assert (img.width, img.height) == (20, 40)
    assert img.rgb.shape == (40, 20, 3)
    # The red block stored at the top-left lands at the top-right after a 90° clockwise turn.
    stored = np.asarray(Image.open(path).convert("RGB"))
    expected = np.rot90(stored, k=-1)
    assert np.abs(img.rgb.astype(int) - expected.astype(int)).mean() < 1.0


def test_rgba_is_composited_on_white(tmp_path):
    arr = np.zeros((10, 10, 4), dtype=np.uint8)
    arr[..., 0] = 255
    arr[:, :5, 3] = 255  # left half opaque red, right half fully transparent
    img = decode_file(f.save(arr, tmp_path / "a.png"))
    assert img.mode == "RGBA"
    assert tuple(img.rgb[0, 0]) == (255, 0, 0)
    assert tuple(img.rgb[0, 9]) == (255, 255, 255)


@pytest.mark.parametrize(
    "maker, mode",
    [
        (lambda p: f.save(f.scene(), p / "rgb.jpg"), "RGB"),
        (lambda p: f.save(Image.fromarray(f.scene()).convert("L"), p / "gray.png"), "L"),
        (lambda p: f.save(Image.fromarray(f.scene()).convert("LA"), p / "la.png"), "LA"),
        (lambda p: f.save(Image.fromarray(f.scene()).convert("P"), p / "pal.png"), "P"),
        (lambda p: f.cmyk_jpeg(p / "cmyk.jpg"), "CMYK"),
        (lambda p: f.png16(p / "deep.png"), None),
        (lambda p: f.save(f.scene(), p / "pic.webp", "WEBP"), "RGB"),
        (lambda p: f.save(f.scene(), p / "pic.bmp", "BMP"), "RGB"),
        (lambda p: f.save(f.scene(), p / "pic.tif", "TIFF"), "RGB"),
    ],
)
def test_accepted_modes_become_rgb(tmp_path, maker, mode):
    img = decode_file(maker(tmp_path))
    assert img.rgb.dtype == np.uint8 and img.rgb.ndim == 3 and img.rgb.shape[2] == 3
    assert (img.width, img.height) == (64, 48)
    if mode:
        assert img.mode == mode


def test_sixteen_bit_keeps_its_range(tmp_path):
    img = decode_file(f.png16(tmp_path / "deep.png"))
    assert img.rgb.min() == 0 and img.rgb.max() == 255


def test_cmyk_colours_survive(tmp_path):
    img = decode_file(f.cmyk_jpeg(tmp_path / "cmyk.jpg"))
    r, g, b = img.rgb[5, 5].astype(int)
    assert r > 150 and g < 90 and b < 90  # the red block is still red


@pytest.mark.parametrize("maker", [f.animated_gif, f.animated_webp])
def test_animated_first_frame_with_warning(tmp_path, maker):
    img = decode_file(maker(tmp_path / ("anim.gif" if maker is f.animated_gif else "anim.webp")))
    assert img.frames == 3
    assert img.warnings and "first frame" in img.warnings[0]


@pytest.mark.parametrize(
    "maker, reason",
    [
        (lambda p: f.truncated_jpeg(p / "cut.jpg"), "truncated"),
        (lambda p: (p / "junk.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 10) and p / "junk.png", "corrupt"),
        (lambda p: (p / "empty.jpg").write_bytes(b"") or p / "empty.jpg", "empty file"),
        (lambda p: (p / "notes.png").write_text("hello, not an image") and p / "notes.png", "not a recognised image"),
        (lambda p: f.svg(p / "vector.svg"), "SVG"),
        (lambda p: f.heic_like(p / "phone.heic"), "HEIC"),
        (lambda p: f.bomb_png(p / "bomb.png"), "decompression bomb"),
        (lambda p: p / "does-not-exist.jpg", "file not found"),
    ],
)
def test_bad_files_are_refused_by_name(tmp_path, maker, reason):
    path = maker(tmp_path)
    with pytest.raises(ImageDecodeError) as err:
        decode_file(path)
    message = str(err.value)
    assert reason.lower() in message.lower()
    assert str(path) in message and "\n" not in message


def test_pixel_limit_is_configurable(tmp_path, monkeypatch):
    path = f.save(f.scene(), tmp_path / "small.png")
    with pytest.raises(ImageDecodeError, match="decompression bomb"):
        decode_file(path, max_pixels=100)
    monkeypatch.setenv("EDITCAPTION_MAX_PIXELS", "100")
    with pytest.raises(ImageDecodeError):
        decode_file(path)


def test_original_bytes_are_kept(tmp_path):
    path = f.save(f.scene(), tmp_path / "x.jpg")
    img = decode_bytes(path.read_bytes(), "x.jpg")
    assert img.data == path.read_bytes()
    import hashlib

    assert img.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_resize_never_upscales():
    arr = np.zeros((100, 50, 3), dtype=np.uint8)
    assert resize_max_side(arr, 40).shape == (40, 20, 3)
    assert resize_max_side(arr, 400).shape == (100, 50, 3)


def test_upright_bytes_rotates_only_when_exif_says_so(tmp_path):
    from editcaption.imageio import exif_orientation, upright_bytes

    turned = f.exif_rotated_jpeg(tmp_path / "t.jpg").read_bytes()
    plain = f.save(f.scene(), tmp_path / "p.jpg").read_bytes()
    assert exif_orientation(turned) == 6 and exif_orientation(plain) == 1
    assert upright_bytes(plain, ".jpg") == (plain, ".jpg")
    data, ext = upright_bytes(turned, ".jpg")
    assert ext == ".png" and Image.open(__import__("io").BytesIO(data)).size == (20, 40)


@pytest.mark.parametrize("fast", [False, True])
def test_encode_png_is_lossless_and_deterministic(fast):
    rgb = f.scene(37, 23, seed=5)
    data = encode_png(rgb, fast=fast)
    back = decode_bytes(data)
    assert back.format == "PNG" and np.array_equal(back.rgb, rgb)
    assert encode_png(rgb.copy(), fast=fast) == data
