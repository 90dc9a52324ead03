"""The neutral form of an export, handed from the builders to the format writers.

A writer receives an :class:`ExportJob`: what kind of dataset it is, the examples of each
split, the prompt (for SFT and preferences) and access to the image store. Helpers here
turn the shared prompt into the text-with-placeholders form that LLaMA-Factory and ms-swift
read, so every format carries the same prompt, token for token.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomicfile import temp_beside, write_atomic
from ..imageio import exif_orientation, upright_bytes
from ..progress import ProgressCallback
from ..store import ImageKey, ImageStore, StoreUnavailable
from .errors import ExportError
from .sources import PairRef

KINDS = ("sft", "prefs", "triplets")
IMAGE_TOKEN = "<image>"


@dataclass
class ExportJob:
    kind: str
    splits: dict[str, list[Any]]  # split name → TextItem / PreferenceItem, non-empty splits only
    store: ImageStore
    prompt_messages: list[dict[str, Any]] | None = None
    # grounded exports: each pair's own prompt (the shared text with that pair's delta hints)
    pair_prompts: dict[str, list[dict[str, Any]]] | None = None
    link_images: bool = False
    absolute_paths: bool = False
    shard_size: int = 1000
    failures: list[dict[str, str]] = field(default_factory=list)  # items a writer had to skip
    files: dict[str, Any] = field(default_factory=dict)  # what the writer produced, for the card
    on_progress: ProgressCallback | None = None  # (phase, done, total) after each example written
    phase: str = "writing"  # the writer names it after its format
    _shared_flat: str | None = field(default=None, init=False, repr=False)
    _written: int = field(default=0, init=False, repr=False)

    def fail(self, key: str, reason: str) -> None:
        self.failures.append({"id": key, "reason": reason})

    def messages_for(self, pair_id: str) -> list[dict[str, Any]]:
        """The prompt messages of one pair (its own in a grounded export, else the shared ones)."""
        if self.pair_prompts is not None:
            return self.pair_prompts[pair_id]
        assert self.prompt_messages is not None
        return self.prompt_messages

    def flat_prompt(self, pair_id: str) -> str:
        """:meth:`messages_for` as one string with ``<image>`` placeholders (:func:`flatten_content`)."""
        if self.pair_prompts is not None:
            return flatten_content(self.pair_prompts[pair_id])
        if self._shared_flat is None:
            assert self.prompt_messages is not None
            self._shared_flat = flatten_content(self.prompt_messages)
        return self._shared_flat

    def rows(self, items: Iterable[Any], build: Callable[[Any], Any]) -> Iterator[Any]:
        """``build(item)`` for each item; an item whose image cannot be read is recorded as a failure and skipped.

        Progress counts the items of every split, in the order the writer asks for them.
        """
        total = sum(len(its) for its in self.splits.values())
        for item in items:
            try:
                row = build(item)
            except StoreUnavailable as exc:  # the whole store is away: stop rather than write a partial dataset
                raise ExportError(f"{exc}; nothing was written: run the export again once the store answers") from None
            except OSError as exc:  # an image vanished from the store since selection
                self.fail(item.key, f"cannot read image: {exc.strerror or exc}")
            else:
                yield row
            self._written += 1
            if self.on_progress:
                self.on_progress(self.phase, self._written, total)


def assistant_messages(text: str) -> list[dict[str, Any]]:
    """A completion in TRL's conversational form: one assistant message with one text part."""
    return [{"role": "assistant", "content": [{"type": "text", "text": text}]}]


def flatten_content(messages: list[dict[str, Any]], image_token: str = IMAGE_TOKEN) -> str:
    """The user turn's parts joined into one string, an ``image_token`` per image part.

    Parts are joined with nothing in between, exactly as the Qwen-VL chat templates render a
    structured content list, so a framework that swaps ``<image>`` for the vision tokens sees
    the same sequence our own trainer builds from the structured prompt.
    """
    if len(messages) != 1 or messages[0].get("role") != "user":
        raise ValueError("the instruction prompt must be a single user message")
    out = []
    for part in messages[0]["content"]:
        if part["type"] == "image":
            out.append(image_token)
        elif part["type"] == "text":
            if image_token in part["text"]:
                raise ValueError(f"the prompt text contains the image placeholder {image_token!r}")
            out.append(part["text"])
        else:
            raise ValueError(f"unexpected prompt part type {part['type']!r}")
    return "".join(out)


def image_name(sha256: str, ext: str) -> str:
    return f"{sha256}{ext}"


class ImagePlacer:
    """Copies (or hard-links) store images into ``<out>/images/<sha[:2]>/<sha><ext>``.

    Files are content-addressed, so an image shared by several pairs is written once, and
    a file already present with the right size (from an interrupted export) is reused.
    """

    def __init__(self, out_dir: Path, store: ImageStore, link: bool = False, absolute: bool = False):
        self.out_dir = out_dir
        self.store = store
        self.link = link
        self.absolute = absolute
        self.written = 0
        self.reused = 0
        self.final_dir: Path | None = None  # where out_dir will end up (absolute paths point there)

    def place(self, sha256: str, ext: str) -> str:
        """The path to write in the dataset (relative to the output folder unless absolute).

        An original carrying an EXIF rotation is written as an upright PNG instead
        (``<sha>.upright.png``): the trainers these files feed do not apply EXIF.
        """
        src = self.store.local_path(sha256, ext)  # the stored file, or its read-cache copy
        size = src.stat().st_size  # FileNotFoundError propagates to the writer, which skips the item
        upright = None
        with src.open("rb") as fh:
            head = fh.read(1 << 16)  # EXIF sits in the header
        if exif_orientation(head) not in (0, 1):
            upright, _ = upright_bytes(src.read_bytes(), ext, str(src))
        key = ImageKey.of(sha256, ext)  # the dataset's images/ folder uses the store's layout
        rel = Path("images") / (key.derived_relpath(".upright.png") if upright is not None else key.relpath)
        dest = self.out_dir / rel
        expected = len(upright) if upright is not None else size
        if dest.exists() and dest.stat().st_size == expected:
            self.reused += 1
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if upright is not None:
                write_atomic(dest, upright)
            else:
                self._materialise(src, dest)
            self.written += 1
        if self.absolute:
            return str(((self.final_dir or self.out_dir) / rel).resolve())
        return rel.as_posix()

    def _materialise(self, src: Path, dest: Path) -> None:
        if self.link:
            try:
                tmp = dest.with_name(f".tmp-{os.getpid()}-{dest.name}")
                tmp.unlink(missing_ok=True)
                os.link(src, tmp)
                os.replace(tmp, dest)
                return
            except OSError:
                pass  # another filesystem: fall back to copying
        fd, tmp_name = temp_beside(dest)
        os.close(fd)
        try:
            shutil.copyfile(src, tmp_name)
            os.replace(tmp_name, dest)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def pair_paths(self, pair: PairRef) -> list[str]:
        return [self.place(pair.source_sha, pair.source_ext), self.place(pair.target_sha, pair.target_ext)]
