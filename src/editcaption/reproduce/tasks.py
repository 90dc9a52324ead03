"""The tasks of one seed, each a function of (run directory, seed) that leaves its result on disk.

A task reads what earlier tasks wrote (the seed's workspace, ``roles.json``, exported datasets,
checkpoints) and returns a JSON-able result, which the scheduler stores as
``seed-<k>/tasks/<task>.json`` — the marker that lets a killed run resume where it stopped.

Layout of a seed directory::

    seed-<k>/workspace/        the seed's EditCaption workspace (SQLite + image store)
    seed-<k>/editworld/        the EditWorld runs behind the pairs
    seed-<k>/roles.json        pair ids and manifest rows per role (pool, mine, test)
    seed-<k>/prompts/          the prompt files (plain and grounded)
    seed-<k>/data/             exported datasets (sft, sft-blank, prefs, prefs-ref)
    seed-<k>/models/           start model, sft, sft-blank, dpo-<loss>
    seed-<k>/tasks/, logs/     results and logs per task
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from .config import MiniConfig, SFTBudget

EVAL_PREFIX = "eval:"
VAL_PREFIX = "val:"
PRETRAIN_RUN = "pretrain-delta"


def seed_dir(root: Path, seed: int) -> Path:
    return root / f"seed-{seed}"


def results_path(root: Path, seed: int, target: str, role: str = "test") -> Path:
    """Where one model's scored answers on one role's pairs are kept (held-out ones by target name)."""
    return seed_dir(root, seed) / "results" / (f"{target}.jsonl" if role == "test" else f"{role}-{target}.jsonl")


def _ws(root: Path, seed: int) -> Any:
    from ..workspace import Workspace

    return Workspace.init(seed_dir(root, seed) / "workspace")


def _roles(root: Path, seed: int) -> dict[str, Any]:
    from .scenes import RolePairs

    data = json.loads((seed_dir(root, seed) / "roles.json").read_text(encoding="utf-8"))
    return {role: RolePairs.from_json(v) for role, v in data.items()}


def _prompts(root: Path, seed: int) -> tuple[Path, Path]:
    d = seed_dir(root, seed) / "prompts"
    return d / "mini.txt", d / "mini-grounded.txt"


def _fresh(path: Path) -> Path:
    """An output directory emptied first: a task that is re-run starts from scratch."""
    if path.exists():
        shutil.rmtree(path)
    return path


# --------------------------------------------------------------------------- tasks


def task_prepare(root: Path, config: MiniConfig, seed: int) -> dict[str, Any]:
    """Pairs, teacher captions, exact scores + filter, simulated refinement, the SFT export(s)."""
    import time

    from .annotator import refine
    from .evaluation import blank_dataset
    from .scenes import ROLES, make_role
    from .teacher import delta_captions, run_pairs, score_and_filter, teacher_run
    from .training import export_sft_set, write_prompts

    sd = seed_dir(root, seed)
    ws = _ws(root, seed)
    seconds: dict[str, float] = {}
    clock = time.time()

    def lap(name: str) -> None:
        nonlocal clock
        seconds[name] = round(time.time() - clock, 1)
        clock = time.time()

    try:
        roles = {role: make_role(ws, config, seed, role, sd / "editworld") for role in ROLES}
        (sd / "roles.json").write_text(json.dumps({k: v.to_json() for k, v in roles.items()}), encoding="utf-8")
        lap("pairs")
        pool = roles["pool"].ids
        delta = delta_captions(ws, pool)
        teacher = teacher_run(ws, config, seed, pool)
        lap("teacher")
        filtered = score_and_filter(ws, config)
        lap("score_filter")
        kept = run_pairs(ws)
        habit_texts, habits = {}, None
        if any(scene.habits for scene in config.scenes):
            from .habits import inject_habits

            habit_texts, habits = inject_habits(config, seed, [pid for pid, _ in kept], roles["pool"].rows)
            _write_json(sd / "data" / "habits.json", habits)
        refined = refine(ws, kept, roles["pool"].rows, habit_texts)
        plain, grounded = write_prompts(sd / "prompts")
        sft_set = export_sft_set(ws, [pid for pid, _ in kept], plain, sd / "data" / "sft")
        lap("refine_export")
        pretrain_rows = None
        if config.pretrain is not None:
            pretrain_rows = _pretrain_set(ws, roles["pretrain"], plain, sd / "data" / "sft-pretrain")
            lap("pretrain_export")
        if config.grounded:
            export_sft_set(ws, [pid for pid, _ in kept], grounded, sd / "data" / "sft-grounded", grounded=True)
            lap("grounded_export")
        if config.blank_control:
            blank_dataset(sd / "data" / "sft", _fresh(sd / "data" / "sft-blank"), config.image_size)
    finally:
        ws.close()
    return {"pairs": {r: len(v.ids) for r, v in roles.items()}, "delta": delta, "teacher": teacher,
            "filter": filtered, "refined": refined, "sft_rows": sft_set["splits"].get("train", 0),
            "pretrain_rows": pretrain_rows, "seconds": seconds,
            "habits": None if habits is None else {k: {kk: vv for kk, vv in v.items() if kk != "pairs"}
                                                   for k, v in habits["habits"].items()}}


def _pretrain_set(ws: Any, pairs: Any, prompt: Path, out: Path) -> int:
    """The pretraining pairs as an SFT set of their reference instructions: the delta captioner's run
    gives each pair an instruction record for the refinement to hang on; no teacher mistake, no habit."""
    from .annotator import refine
    from .teacher import delta_captions, run_pairs
    from .training import export_sft_set

    delta_captions(ws, pairs.ids, run=PRETRAIN_RUN)
    kept = run_pairs(ws, PRETRAIN_RUN, kept_only=False)
    refine(ws, kept, pairs.rows)
    return int(export_sft_set(ws, [pid for pid, _ in kept], prompt, out)["splits"].get("train", 0))


def tokenizer_corpus(root: Path, seed: int) -> list[str]:
    """Texts the tiny tokenizer learns besides its generic corpus: the pool's instructions (every
    reference phrasing of their edits) and the prompts."""
    from ..synth import phrasings
    from .annotator import _edit

    plain, grounded = _prompts(root, seed)
    lines = plain.read_text(encoding="utf-8").splitlines() + grounded.read_text(encoding="utf-8").splitlines()
    hinted = seed_dir(root, seed) / "data" / "sft-grounded" / "train.parquet"
    if hinted.is_file():  # the hint lines the grounded model reads
        import pyarrow.parquet as pq

        for prompt in pq.read_table(hinted, columns=["prompt"]).column("prompt").to_pylist()[:300]:
            lines += [p["text"] for p in prompt[0]["content"] if p["type"] == "text" and p["text"]]
    for row in _roles(root, seed)["pool"].rows.values():
        for change in row["ground_truth"].get("primary", []) + row["ground_truth"].get("secondary", []):
            edit = _edit(change)
            if edit is not None:
                lines += phrasings(edit)
    return lines


def _start_model(root: Path, config: MiniConfig, seed: int) -> Path:
    from .training import build_start_model

    out = seed_dir(root, seed) / "models" / "start"
    if not (out / "config.json").is_file():
        build_start_model(config, seed, tokenizer_corpus(root, seed), _fresh(out))
    return out


def _train_sft(root: Path, config: MiniConfig, seed: int, data: str, name: str, steps: int | None = None, *,
               start: Path | None = None, budget: SFTBudget | None = None) -> dict:
    from .training import train_sft

    sd = seed_dir(root, seed)
    start = start or _start_model(root, config, seed)
    summary = train_sft(config, seed, start, sd / "data" / data, _fresh(sd / "models" / name), steps, budget=budget)
    return {k: summary.get(k) for k in ("global_step", "seconds", "first_logged", "last_logged", "train_rows")}


def task_pretrain(root: Path, config: MiniConfig, seed: int) -> dict[str, Any]:
    """The pretrained-like start: SFT on clean reference instructions of pairs of its own."""
    if config.pretrain is None:
        raise ValueError("this run has no pretraining budget (MiniConfig.pretrain)")
    return _train_sft(root, config, seed, "sft-pretrain", "pretrain", budget=config.pretrain)


def task_sft(root: Path, config: MiniConfig, seed: int) -> dict[str, Any]:
    """SFT on the refined rows, from the pretrained-like start where the run has one."""
    start = seed_dir(root, seed) / "models" / "pretrain" / "final" if config.pretrain is not None else None
    return _train_sft(root, config, seed, "sft", "sft", start=start)


def task_sft_blank(root: Path, config: MiniConfig, seed: int) -> dict[str, Any]:
    return _train_sft(root, config, seed, "sft-blank", "sft-blank")


def task_sft_grounded(root: Path, config: MiniConfig, seed: int) -> dict[str, Any]:
    """SFT on the same refined set, each prompt carrying the pair's delta hints."""
    return _train_sft(root, config, seed, "sft-grounded", "sft-grounded", config.grounded_steps)


def task_mine(root: Path, config: MiniConfig, seed: int) -> dict[str, Any]:
    """The SFT model on fresh pairs → labelled preferences → balanced export → reference log-probs."""
    from .evaluation import caption_with_model, run_results, summarize
    from .mining import balance_spec, mine
    from .training import export_preference_set, reference_pass

    sd = seed_dir(root, seed)
    roles = _roles(root, seed)
    plain, _ = _prompts(root, seed)
    ws = _ws(root, seed)
    try:
        caption = caption_with_model(ws, config, sd / "models" / "sft" / "final", plain, roles["mine"].ids, "mine-sft")
        metrics = summarize(run_results(ws, "mine-sft"))
        mined, counts = mine(ws, "mine-sft", roles["mine"].rows)
        if not mined:
            raise RuntimeError(f"no orientation, viewpoint or detail failure to learn from on the mining pairs "
                               f"(outcomes: {counts['outcomes']})")
        spec, by_mode = balance_spec(mined)
        exported = export_preference_set(ws, sorted({m.pair_id for m in mined}), plain, sd / "data" / "prefs", spec)
    finally:
        ws.close()
    reference = reference_pass(config, seed, sd / "models" / "sft" / "final", sd / "data" / "prefs",
                               _fresh(sd / "data" / "prefs-ref"), sd / "models" / "reference-work")
    return {"caption": caption, "sft_on_mine": metrics, "mined": counts, "by_mode": by_mode, "balance": spec,
            "exported": exported["splits"].get("train", 0), "balance_report": exported.get("balance"),
            "reference": reference}


def task_probe(root: Path, config: MiniConfig, seed: int) -> dict[str, Any]:
    """Linear probes on the SFT model's hidden states (:mod:`.probe`), with the pairs' images and,
    as the control, with blank images (chance)."""
    from ..imageio import load_rgb, to_pil
    from .evaluation import blank_image
    from .probe import probe
    from .scenes import pair_images

    sd = seed_dir(root, seed)
    mine = _roles(root, seed)["mine"]
    import random

    ids = sorted(mine.ids)
    random.Random(f"probe-{seed}").shuffle(ids)  # the ids come grouped by scene set: draw across them
    rows = [mine.rows[pid] for pid in ids[: config.probe_pairs]]
    plain, _ = _prompts(root, seed)
    prompt = plain.read_text(encoding="utf-8").strip()
    model = sd / "models" / "sft" / "final"
    blank = to_pil(blank_image(config.image_size))

    def real(row: dict[str, Any]) -> tuple[Any, Any]:
        src, tgt = pair_images(row)
        return to_pil(load_rgb(src)), to_pil(load_rgb(tgt))

    seen = probe(model, prompt, rows, real)
    control = probe(model, prompt, rows, lambda _row: (blank, blank))
    return {"probe": [r.as_json() for r in seen], "blank": [r.as_json() for r in control]}


def task_dpo(root: Path, config: MiniConfig, seed: int, loss: str) -> dict[str, Any]:
    from .training import train_preference

    sd = seed_dir(root, seed)
    summary = train_preference(config, seed, sd / "models" / "sft" / "final", sd / "data" / "prefs-ref",
                               _fresh(sd / "models" / f"dpo-{loss}"), loss)
    keys = ("global_step", "seconds", "first_logged", "last_logged", "train_rows", "hardness_setting")
    return {k: summary.get(k) for k in keys}


# Evaluated models: name → (checkpoint under models/, prompt kind)
def eval_targets(config: MiniConfig) -> dict[str, tuple[str, str]]:
    targets = {"sft": ("sft", "plain")}
    targets.update({f"dpo-{loss}": (f"dpo-{loss}", "plain") for loss in config.losses})
    if config.grounded:
        targets["sft-grounded"] = ("sft-grounded", "grounded")
    if config.blank_control:
        targets["sft-blank"] = ("sft-blank", "blank")
    return targets


def task_eval(root: Path, config: MiniConfig, seed: int, target: str, role: str = "test") -> dict[str, Any]:
    """Evaluation of one model on the held-out pairs (``role`` test) or the validation pairs (val);
    the teacher row needs no model."""
    from .evaluation import blank_image_results, caption_with_model, run_results, summarize

    sd = seed_dir(root, seed)
    roles = _roles(root, seed)
    test = roles[role]
    plain, grounded = _prompts(root, seed)
    if target == "teacher":
        return _eval_teacher(root, config, seed)
    checkpoint, prompt_kind = eval_targets(config)[target]
    model = sd / "models" / checkpoint / "final"
    if prompt_kind == "blank":
        results = blank_image_results(config, model, plain, test.rows, test.ids)
    else:
        ws = _ws(root, seed)
        try:
            run = f"{role}-{target}"
            caption_with_model(ws, config, model, grounded if prompt_kind == "grounded" else plain, test.ids, run)
            results = run_results(ws, run)
        finally:
            ws.close()
    _write_jsonl(results_path(root, seed, target, role), results)
    return {"metrics": summarize(results)}


def _eval_teacher(root: Path, config: MiniConfig, seed: int) -> dict[str, Any]:
    """The teacher (delta + injected mistakes) on the held-out pairs, scored the same way."""
    from ..evaluate.exact import score_run_exact
    from .evaluation import run_results, summarize
    from .teacher import delta_captions, teacher_run

    test = _roles(root, seed)["test"]
    ws = _ws(root, seed)
    try:
        delta_captions(ws, test.ids, run="test-delta")
        teacher_run(ws, config, seed, test.ids, base_run="test-delta", run="test-teacher")
        score_run_exact(ws, "test-teacher")
        results = run_results(ws, "test-teacher")
    finally:
        ws.close()
    _write_jsonl(results_path(root, seed, "teacher"), results)
    return {"metrics": summarize(results)}


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, default=str) + "\n" for r in rows), encoding="utf-8")
