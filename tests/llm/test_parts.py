"""Pure parts of the llm package: reply cleaning, retry timing, model specs, message layout."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from editcaption.llm import (
    ImageEncoding,
    ModelSpecError,
    RetryPolicy,
    clean_reply,
    encode_pair,
    openai_messages,
    parse_model_spec,
    parse_retry_after,
)
from editcaption.prompts import instruction_messages


@pytest.mark.parametrize(
    ("raw", "text", "reasoning"),
    [
        ("Pan left.", "Pan left.", None),
        ("<think>a\nb</think>\n\nPan left.", "Pan left.", "a\nb"),
        ("thoughts without an opening tag</think>Pan left.", "Pan left.", "thoughts without an opening tag"),
        ("Pan left.<think>cut off mid-thought", "Pan left.", None),
        ("<|begin_of_box|>Zoom in.<|end_of_box|>", "Zoom in.", None),
        ("Answer: <|begin_of_box|>Zoom in.<|end_of_box|> done", "Zoom in.", None),
        ("```\nMirror it horizontally.\n```", "Mirror it horizontally.", None),
        ("```markdown\nLine one.\nLine two.\n```", "Line one.\nLine two.", None),
        ("  \n", "", None),
        (None, "", None),
    ],
)
def test_clean_reply(raw, text, reasoning):  # noqa: ANN001
    out = clean_reply(raw)
    assert (out.text, out.reasoning) == (text, reasoning)


def test_retry_after_seconds_and_http_dates():
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = dt.datetime(2026, 11, 23, 12, 0, 0, tzinfo=dt.timezone.utc)
    assert parse_retry_after("Mon, 23 Nov 2026 12:00:07 GMT", now=now) == 7.0
    assert parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", now=now) == 0.0


def test_backoff_is_exponential_with_full_jitter_and_retry_after_is_a_capped_floor():
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, max_retry_after=60.0)
    rng = random.Random(0)
    for n, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (7, 8.0)]:
        samples = [policy.delay(n, rng=rng) for _ in range(200)]
        assert 0 <= min(samples) and max(samples) <= ceiling
        assert max(samples) > ceiling * 0.8  # jitter spans the whole window
    assert 5.0 <= policy.delay(1, retry_after=5.0, rng=rng) <= 6.0
    assert 60.0 <= policy.delay(1, retry_after=3600.0, rng=rng) <= 61.0


@pytest.mark.parametrize(
    ("text", "kind", "model", "url", "path"),
    [
        ("delta", "delta", None, None, None),
        ("openai:Qwen/Qwen3-VL-8B-Instruct@http://gpu1:8000/v1", "openai", "Qwen/Qwen3-VL-8B-Instruct",
         "http://gpu1:8000/v1", None),
        ("openai:zai-org/GLM-4.5V@https://host/v1/", "openai", "zai-org/GLM-4.5V", "https://host/v1", None),
        ("openai:gpt-4o", "openai", "gpt-4o", "https://api.openai.com/v1", None),
        ("hf:/models/ckpt-1000", "hf", None, None, "/models/ckpt-1000"),
    ],
)
def test_model_specs(text, kind, model, url, path):  # noqa: ANN001
    spec = parse_model_spec(text)
    assert (spec.kind, spec.model, spec.base_url, spec.path) == (kind, model, url, path)
    assert parse_model_spec(str(spec)) == spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gpt-4o", "expected delta, openai:<model>@<base_url> or hf:<path>"),
        ("vllm:qwen", "unknown model spec kind 'vllm'"),
        ("openai:", "expected"),
        ("openai:qwen@gpu1:8000/v1", "must start with http:// or https://"),
        ("openai:@http://h/v1", "names no model"),
        ("openai:m@http://user:pw@host/v1", "credentials"),
        ("hf:", "expected"),
    ],
)
def test_bad_model_specs(text, message):  # noqa: ANN001
    with pytest.raises(ModelSpecError) as info:
        parse_model_spec(text)
    assert message in str(info.value)


def test_openai_messages_fill_placeholders_in_order_and_check_counts():
    msgs = openai_messages(instruction_messages("P"), ["data:a", "data:b"], system="You write edits.")
    assert msgs[0] == {"role": "system", "content": "You write edits."}
    urls = [p["image_url"]["url"] for p in msgs[1]["content"] if p["type"] == "image_url"]
    assert urls == ["data:a", "data:b"]
    assert instruction_messages("P")[0]["content"][1] == {"type": "image"}  # the template is not modified
    with pytest.raises(ValueError, match="more image slots than the 1 images given"):
        openai_messages(instruction_messages("P"), ["data:a"])
    with pytest.raises(ValueError, match="3 images given but the messages have 2 image slots"):
        openai_messages(instruction_messages("P"), ["data:a", "data:b", "data:c"])


def test_encode_pair_resizes_once_and_keeps_order():
    src = np.zeros((300, 600, 3), np.uint8)
    tgt = np.full((200, 100, 3), 255, np.uint8)
    pair = encode_pair(src, tgt, ImageEncoding(max_side=150, format="png"))
    assert (pair.source.width, pair.source.height) == (150, 75)
    assert (pair.target.width, pair.target.height) == (75, 150)
    assert pair.urls == [pair.source.url, pair.target.url] and pair.urls[0].startswith("data:image/png;base64,")
    small = encode_pair(tgt[:40, :30], tgt[:40, :30], ImageEncoding(max_side=150))
    assert (small.source.width, small.source.height) == (30, 40)  # never upscaled


def _image_files(folder) -> dict[str, str]:  # noqa: ANN001
    """Stored-image kinds the encoder meets: plain JPEG/PNG, large (resized), EXIF-rotated, grey, RGBA, a comment."""
    import io

    from PIL import Image

    rng = np.random.default_rng(3)
    rgb = Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)).resize((400, 300))
    big = Image.fromarray(rng.integers(0, 255, (60, 90, 3), dtype=np.uint8)).resize((1800, 1200))
    files = {"jpeg": "a.jpg", "png": "b.png", "big": "c.jpg", "rotated": "d.jpg", "grey": "e.jpg", "rgba": "f.png",
             "comment": "g.jpg", "broken": "h.jpg"}
    paths = {k: str(folder / v) for k, v in files.items()}
    rgb.save(paths["jpeg"], quality=95)
    rgb.save(paths["png"])
    big.save(paths["big"], quality=80)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to view
    rgb.save(paths["rotated"], exif=exif.tobytes())
    rgb.convert("L").save(paths["grey"])
    rgb.convert("RGBA").save(paths["rgba"])
    rgb.save(paths["comment"], comment=b"taken by the test suite", dpi=(300, 300))
    buf = io.BytesIO()
    rgb.save(buf, format="JPEG")
    (folder / files["broken"]).write_bytes(buf.getvalue()[:500])
    return paths


@pytest.mark.parametrize("fmt", ["jpeg", "png"])
def test_encoding_a_file_gives_the_bytes_of_encoding_its_decoded_pixels(tmp_path, fmt):  # noqa: ANN001
    from editcaption.imageio import ImageDecodeError, load_rgb
    from editcaption.llm.images import encode_image, encode_image_file

    encoding = ImageEncoding(max_side=512, format=fmt)
    for kind, path in _image_files(tmp_path).items():
        if kind == "broken":
            with pytest.raises(ImageDecodeError, match="truncated"):
                encode_image_file(path, encoding)
            continue
        fast, full = encode_image_file(path, encoding), encode_image(load_rgb(path), encoding)
        assert fast == full, kind  # same URL (so the same request bytes and cache keys), same size
    rotated = encode_image_file(str(tmp_path / "d.jpg"), encoding)
    assert (rotated.width, rotated.height) == (300, 400)  # upright
    assert (encode_image_file(str(tmp_path / "c.jpg"), encoding).width,) == (512,)


def test_a_stored_jpeg_that_fits_is_sent_as_stored_and_nothing_else_is(tmp_path):  # noqa: ANN001
    import base64
    import hashlib

    from editcaption.imageio import ImageDecodeError, load_rgb
    from editcaption.llm.images import encode_image, encode_image_file

    paths = _image_files(tmp_path)
    store = tmp_path / "store"
    store.mkdir()

    def stored(kind: str) -> str:  # a copy named as the workspace store names it: the sha256 of its bytes
        data = open(paths[kind], "rb").read()
        copy = store / f"{hashlib.sha256(data).hexdigest()}.jpg"
        copy.write_bytes(data)
        return str(copy)

    plain = stored("jpeg")
    sent = encode_image_file(plain, ImageEncoding(max_side=512))
    assert sent.url == "data:image/jpeg;base64," + base64.b64encode(open(plain, "rb").read()).decode()
    assert (sent.width, sent.height) == (400, 300)
    # re-encoded as before: too large, PNG wanted, EXIF (rotation) or a comment to drop, bytes changed since ingest
    cases = [(plain, ImageEncoding(max_side=256)), (plain, ImageEncoding(max_side=512, format="png")),
             (stored("rotated"), ImageEncoding(max_side=512)), (stored("comment"), ImageEncoding(max_side=512))]
    for path, encoding in cases:
        assert encode_image_file(path, encoding) == encode_image(load_rgb(path), encoding), (path, encoding)
    # A store copy damaged after ingest (its bytes no longer match its name) is decoded, and fails with its reason.
    damaged = stored("jpeg")
    data = bytearray(open(damaged, "rb").read())
    data[len(data) // 2:] = b"\x00" * (len(data) - len(data) // 2 - 2)  # pixels gone, end marker kept
    open(damaged, "wb").write(bytes(data))
    with pytest.raises(ImageDecodeError, match="truncated image data"):
        encode_image_file(damaged, ImageEncoding(max_side=512))
