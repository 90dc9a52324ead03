"""The pairs of one seed: EditWorld runs per role and scene set, ingested into the workspace.

Roles: ``pool`` (the teacher captions these; the kept ones become the SFT set), ``mine`` (fresh
pairs the SFT model captions to find its failures), ``test`` (held out for evaluation) and ``val``
(validation: settings are chosen on it; empty unless ``n_val`` is set). Each
(role, set) is a separate EditWorld run with its own seed, so no pair is shared between roles.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ingest.stage import ingest, pair_id_for
from ..synth import generate_run, read_manifest
from ..synth.taxonomy import quotas
from ..workspace import Workspace
from .config import MiniConfig, SceneSet

ROLES = ("pool", "mine", "test", "val", "pretrain")  # append only: the index seeds EditWorld


class SceneError(RuntimeError):
    """Pairs that could not be generated or ingested (one line)."""


@dataclass
class RolePairs:
    """Pair ids (workspace ids) of one role, and the EditWorld manifest row of each."""

    ids: list[str]
    rows: dict[str, dict[str, Any]]  # pair id → manifest row (+ ``run_dir``, its EditWorld run)

    def to_json(self) -> dict[str, Any]:
        return {"ids": self.ids, "rows": self.rows}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RolePairs:
        return cls(list(data["ids"]), dict(data["rows"]))


def editworld_seed(seed: int, role: str, set_index: int) -> int:
    return 1000 * seed + 100 * ROLES.index(role) + set_index


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def role_size(config: MiniConfig, role: str) -> int:
    return {"pool": config.n_pool, "mine": config.n_mine, "test": config.n_test, "val": config.n_val,
            "pretrain": config.n_pretrain}[role]


def scene_settings(scene: SceneSet) -> dict[str, Any]:
    """The EditWorld scene settings a set overrides; the others keep EditWorld's defaults."""
    return {k: v for k, v in (("checker_cell", scene.checker_cell), ("pan_shift", scene.pan_shift)) if v is not None}


def make_role(ws: Workspace, config: MiniConfig, seed: int, role: str, out: Path) -> RolePairs:
    """Generate and ingest the pairs of ``role`` for ``seed`` (resumes: EditWorld and ingest both do)."""
    if role_size(config, role) == 0:
        return RolePairs([], {})
    counts = quotas(role_size(config, role), {str(i): s.share for i, s in enumerate(config.scenes)})
    ids: list[str] = []
    rows: dict[str, dict[str, Any]] = {}
    for i, scene in enumerate(config.scenes):
        n = counts[str(i)]
        if n == 0:
            continue
        run_dir = out / f"{role}-{i}-{scene.subtype}"
        report = generate_run(n, editworld_seed(seed, role, i), run_dir, size=config.image_size, family="objects",
                              n_objects=scene.objects, backgrounds=scene.backgrounds, signs=False,
                              subtypes=[scene.subtype], **scene_settings(scene))
        ingested = ingest(ws, report.manifest, "manifest")
        if ingested.rejected:
            first = ingested.rejected[0]
            raise SceneError(f"{len(ingested.rejected)} EditWorld pair(s) were refused by ingest "
                             f"(e.g. {first['path']}: {first['reason']})")
        for row in read_manifest(report.manifest):
            pid = pair_id_for(_sha(run_dir / row["source"]), _sha(run_dir / row["target"]))
            if pid in rows:  # two runs drew byte-identical pairs: keep one
                continue
            ids.append(pid)
            rows[pid] = {**row, "run_dir": str(run_dir)}  # source/target are relative to it
    return RolePairs(ids, rows)


def pair_images(row: dict[str, Any]) -> tuple[Path, Path]:
    """The source and target files of a role's manifest row."""
    return Path(row["run_dir"]) / row["source"], Path(row["run_dir"]) / row["target"]
