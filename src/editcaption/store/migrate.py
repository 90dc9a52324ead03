"""Move a workspace's images to another store (``editcaption store migrate --to s3://...``).

Every image the database knows is copied, verified against its hash, and written with the
store's idempotent ``put``; an image already at the destination with the right size is
skipped, so a migration that was killed or lost the network is finished by running it again.
Only when every image is at the destination does ``workspace.json`` switch to it; the old
store is left untouched (delete it yourself once satisfied).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from .. import testhook
from ..imageio import sha256_bytes
from ..progress import ProgressCallback
from .base import ImageMissing, ImageStore, StoreError
from .keys import ImageKey

PHASE = "copying images"
HOOK = "store-migrate"  # EDITCAPTION_TEST_KILL_AFTER=store-migrate:K


@dataclass
class MigrateReport:
    source: str
    destination: str
    copied: int = 0
    present: int = 0  # already at the destination (an earlier, interrupted run)
    failed: dict[str, str] = field(default_factory=dict)  # image name → reason
    switched: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, "destination": self.destination, "copied": self.copied,
                "present": self.present, "failed": self.failed, "switched": self.switched}


def _keys(ws: Any) -> list[ImageKey]:
    from ..workspace.models import ImageRecord

    with ws.session() as s:
        rows = s.execute(select(ImageRecord.sha256, ImageRecord.ext).order_by(ImageRecord.sha256)).all()
    return [ImageKey.of(sha, ext) for sha, ext in rows]


def copy_one(src: ImageStore, dst: ImageStore, key: ImageKey) -> bool:
    """Copy one image; False when the destination already had it. The bytes are checked against
    the key's hash first, so a damaged source file is never spread to the new store."""
    want = src.size(key)
    if want is None:
        raise ImageMissing(f"image {key.name} is missing from {src.describe()}")
    if dst.size(key) == want:
        return False
    data = src.read_bytes(key)
    if sha256_bytes(data) != key.sha256:
        raise StoreError(f"image {key.name} in {src.describe()} does not match its hash (damaged file)")
    dst.put(data, key.ext, key.sha256)
    return True


def _bounded(pool: ThreadPoolExecutor, fn: Any, keys: list[ImageKey], limit: int
             ) -> Iterator[tuple[ImageKey, Future]]:
    """Submit ``fn(key)`` for each key with at most ``limit`` in flight; yield each as it finishes."""
    pending: dict[Future, ImageKey] = {}
    for key in keys:
        pending[pool.submit(fn, key)] = key
        if len(pending) >= limit:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                yield pending.pop(f), f
    for f in as_completed(list(pending)):
        yield pending.pop(f), f


def migrate_images(ws: Any, dst: ImageStore, *, concurrency: int = 8,
                   on_progress: ProgressCallback | None = None, switch_to: str | None = None) -> MigrateReport:
    """Copy every image of ``ws`` into ``dst``; record ``switch_to`` in workspace.json when all are there."""
    src = ws.store
    report = MigrateReport(source=src.describe(), destination=dst.describe())
    keys = _keys(ws)
    if on_progress:
        on_progress(PHASE, 0, len(keys))
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="migrate") as pool:
        for done, (key, fut) in enumerate(_bounded(pool, lambda k: copy_one(src, dst, k), keys, max(1, concurrency)), 1):
            try:
                copied = fut.result()
            except (StoreError, OSError) as exc:
                report.failed[key.name] = str(exc)
            else:
                if copied:
                    report.copied += 1
                else:
                    report.present += 1
                testhook.item_done(HOOK)
            if on_progress:
                on_progress(PHASE, done, len(keys))
    if not report.failed and switch_to is not None:
        ws.record_store(switch_to)
        report.switched = True
    return report
