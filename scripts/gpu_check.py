"""`make gpu-check`: prove the training stack on one NVIDIA GPU, offline, and write one results file.

    make gpu-check                                   # writes benchmarks/results/gpu-check.md
    python scripts/gpu_check.py --out FILE.md [--budget 480] [--skip tests,fsdp]

Expects a machine with an NVIDIA GPU, CUDA torch and the ``train`` extra installed
(``pip install -e '.[train]'``; pytest for the test stage, ``liger-kernel`` optional); it needs
no network: every model is randomly initialised from a config, every dataset is synthetic.
Stages, each with its own time limit, the results file rewritten after each one (so a stage
that hangs or crashes still leaves the others' results):

1. ``e2e``: a randomly initialised 0.78 B-parameter Qwen3-VL in bf16 autocast through the CLI:
   ``train sft`` → ``train reference`` → ``train dpo --loss hae`` → ``caption --model hf:…``;
2. ``bench``: ``benchmarks/dpo_step.py --device cuda --precision bf16`` (TRL vs ours, tokens/s,
   model FLOP utilisation);
3. ``fsdp``: the shipped FSDP (and, when DeepSpeed imports, ZeRO-3) accelerate configs start and
   train two steps with one process;
4. ``tests``: ``tests/train`` and the quick miniature (``tests/reproduce``) on CUDA.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGES = ("e2e", "bench", "fsdp", "tests")

# The e2e model: the benchmark's GPU preset (Qwen3-VL, 2048 × 14 text layers, 1024 × 24 vision).
E2E_MODEL = dict(hidden=2048, layers=14, heads=16, kv_heads=8, vision_hidden=1024, vision_layers=24, image_size=448)
# --device cpu: the same stages on a tiny model, to check the plumbing where no GPU is at hand
CPU_MODEL = dict(hidden=64, layers=2, heads=4, kv_heads=2, vision_hidden=64, vision_layers=1, image_size=64)
CPU_BENCH = ["--hidden", "64", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--vision-hidden", "64",
             "--vision-layers", "1", "--image-size", "112", "--pairs", "2", "--rounds", "2"]
DEVICE = "cuda"


@dataclass
class Stage:
    name: str
    status: str = "not run"  # pass | fail | skipped | timeout | not run
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)  # Markdown for the results file
    log_tail: str = ""


def env() -> dict[str, str]:
    out = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1"}
    src = str(REPO / "src")
    if src not in out.get("PYTHONPATH", "").split(os.pathsep):
        out["PYTHONPATH"] = os.pathsep.join(p for p in (src, out.get("PYTHONPATH", "")) if p)
    return out


def run(cmd: list[str], *, timeout: float, cwd: Path = REPO, log: list[str] | None = None) -> tuple[int, str]:
    """Run a command; (return code, output). A timeout gives code 124."""
    started = time.time()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True, timeout=timeout)
        code, out = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        code = 124
        out = ((exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or ""))
        out += ((exc.stderr or b"").decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or ""))
    if log is not None:
        log.append(f"$ {' '.join(cmd)}  # exit {code}, {time.time() - started:.1f} s")
    return code, out


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "editcaption.cli", *args]


# --------------------------------------------------------------------------- stages


def stage_e2e(st: Stage, work: Path, deadline: float) -> None:
    """SFT → reference → HAE-DPO → hf: captioning on a 0.78 B Qwen3-VL, bf16 autocast, through the CLI."""
    import torch

    from editcaption.train.tiny import build_tiny, save_tiny

    t0 = time.time()
    sizes = E2E_MODEL if DEVICE == "cuda" else CPU_MODEL
    side = str(sizes["image_size"])
    model, processor = build_tiny("qwen3_vl", **sizes)
    params = sum(p.numel() for p in model.parameters())
    start = save_tiny(model, processor, work / "start")
    del model
    st.lines.append(f"- model: randomly initialised Qwen3-VL, {params / 1e9:.2f} B parameters "
                    f"(text {sizes['hidden']} × {sizes['layers']}, vision {sizes['vision_hidden']} × "
                    f"{sizes['vision_layers']}), images {side}², built in {time.time() - t0:.0f} s, on {DEVICE}")
    log: list[str] = []
    common = ["precision=bf16", "model_dtype=fp32", "report_to=[none]", "save_steps=1000", "logging_steps=5",
              "eval_split=null", "per_device_batch_size=4", "max_length=4096", "learning_rate=1e-5"]
    steps = [
        ("sft data", cli("train", "synth-data", "-o", str(work / "sft"), "--kind", "sft", "--n", "48", "--n-val", "0",
                         "--image-size", side)),
        ("preference data", cli("train", "synth-data", "-o", str(work / "pref"), "--kind", "preference", "--n", "32",
                                "--n-val", "0", "--image-size", side)),
        ("train sft", cli("train", "sft", str(REPO / "examples/train/tiny-sft.yaml"), f"model={start}",
                          f"data={work / 'sft'}", f"output_dir={work / 'run-sft'}", "max_steps=12", *common)),
        ("train reference", cli("train", "reference", str(REPO / "examples/train/tiny-dpo.yaml"),
                                f"model={work / 'run-sft/final'}", f"data={work / 'pref'}",
                                f"output_dir={work / 'run-ref'}", *common, "--out", str(work / "pref-ref"))),
        ("train dpo --loss hae", cli("train", "dpo", str(REPO / "examples/train/tiny-dpo.yaml"),
                                     f"model={work / 'run-sft/final'}", f"data={work / 'pref-ref'}",
                                     f"output_dir={work / 'run-dpo'}", "loss=hae", "max_steps=8", *common)),
        ("ingest sample pairs", cli("ingest", str(REPO / "src/editcaption/samples/pairs/manifest.jsonl"),
                                    "--workspace", str(work / "ws"))),
        ("caption hf:", cli("caption", "--workspace", str(work / "ws"), "--model", f"hf:{work / 'run-dpo/final'}",
                            "--device", DEVICE, *(["--dtype", "bfloat16"] if DEVICE == "cuda" else []),
                            "--max-tokens", "24", "--batch-size", "4",
                            "--no-progress", "--json")),
    ]
    rows = []
    ok = True
    for name, cmd in steps:
        left = deadline - time.time()
        if left <= 5:
            rows.append((name, "timeout", 0.0, "stage time used up"))
            ok = False
            break
        t = time.time()
        code, out = run(cmd, timeout=left, log=log)
        note = _e2e_note(name, work, out) if code == 0 else _last_error(out)
        rows.append((name, "pass" if code == 0 else ("timeout" if code == 124 else "fail"), time.time() - t, note))
        if code != 0:
            st.log_tail = out[-4000:]
            ok = False
            break
    st.status = "pass" if ok else ("timeout" if rows and rows[-1][1] == "timeout" else "fail")
    st.lines += ["", "| step | result | seconds | notes |", "|---|---|---|---|"]
    st.lines += [f"| {n} | {r} | {s:.1f} | {note} |" for n, r, s, note in rows]
    st.lines += ["", "<details><summary>commands</summary>", "", "```", *log, "```", "", "</details>"]
    if torch.cuda.is_available():
        st.lines.append(f"- peak GPU memory of this process: {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")


def _e2e_note(name: str, work: Path, out: str) -> str:
    runs = {"train sft": "run-sft", "train dpo --loss hae": "run-dpo"}
    if name in runs:
        summary = json.loads((work / runs[name] / "train_summary.json").read_text())
        first, last = summary.get("first_logged") or {}, summary.get("last_logged") or {}
        extra = f", forward {summary['dpo_forward']}" if "dpo_forward" in summary else ""
        return (f"{summary['global_step']} steps, loss {first.get('loss', float('nan')):.3f} → "
                f"{last.get('loss', float('nan')):.3f}{extra}")
    if name == "train reference":
        return "reference log-probs written to pref-ref/"
    if name == "caption hf:":
        data = {}
        for line in out.splitlines():
            if line.startswith("{"):
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
        return f"{data.get('done', '?')} pairs captioned, {data.get('failed', '?')} failed"
    return ""


def _last_error(out: str) -> str:
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else "no output").replace("|", "/")[:200]


def stage_bench(st: Stage, work: Path, deadline: float) -> None:
    out_json = work / "dpo_step.json"
    log: list[str] = []
    sizes = ["--rounds", "5"] if DEVICE == "cuda" else CPU_BENCH
    code, out = run([sys.executable, str(REPO / "benchmarks/dpo_step.py"), "--device", DEVICE, "--precision", "bf16",
                     *sizes, "--json", str(out_json)], timeout=max(deadline - time.time(), 1), log=log)
    if code != 0:
        st.status = "timeout" if code == 124 else "fail"
        st.log_tail = out[-4000:]
        st.lines.append(f"- failed: {_last_error(out)}")
        return
    st.status = "pass"
    found = re.search(r"^date .*?^shared / TRL.*?$", out, flags=re.M | re.S)
    report = found.group(0) if found else out
    st.lines += ["```", report.strip(), "```"]
    res = json.loads(out_json.read_text())
    shared = next(r for r in res["rows"] if r["name"] == "ours shared")
    st.lines.append(f"- prefix-shared step / TRL: **{res['ratios']['shared_vs_trl']:.2f}×** (goal ≤ 0.35×); "
                    f"utilisation of the shared step: **{100 * shared['utilisation']:.1f}%** of "
                    f"{res['peak_tflops']:.0f} TFLOP/s ({res['peak_source']}; goal ≥ 35%)")
    (work / "dpo_step.md").write_text(report, encoding="utf-8")


def stage_fsdp(st: Stage, work: Path, deadline: float) -> None:
    """The shipped multi-GPU configs start and take steps with one process."""
    log: list[str] = []
    rows = []
    code, out = run(cli("train", "synth-data", "-o", str(work / "fsdp-data"), "--kind", "sft", "--n", "16", "--n-val", "0"),
                    timeout=120, log=log)
    configs = [("fsdp.yaml", "FSDP2")]
    try:
        import deepspeed  # noqa: F401

        configs.append(("deepspeed-zero3.yaml", "DeepSpeed ZeRO-3"))
    except Exception as exc:  # noqa: BLE001
        rows.append(("deepspeed-zero3.yaml", "skipped", 0.0, f"deepspeed does not import ({type(exc).__name__})"))
    ok = code == 0
    for cfg, label in configs if ok else []:
        t = time.time()
        cpu = ["--cpu"] if DEVICE == "cpu" else []
        cmd = [sys.executable, "-m", "accelerate.commands.launch", "--config_file",
               str(REPO / "examples/train/accelerate" / cfg), "--num_processes", "1", *cpu, "-m", "editcaption.cli",
               "train", "sft", str(REPO / "examples/train/tiny-sft.yaml"), "model=tiny:qwen3_vl",
               f"data={work / 'fsdp-data'}", f"output_dir={work / ('run-' + cfg)}", "max_steps=2", "precision=bf16",
               "report_to=[none]", "eval_split=null", "save_steps=1000"]
        c, o = run(cmd, timeout=max(min(deadline - time.time(), 300), 1), log=log)
        summary_file = work / ("run-" + cfg) / "train_summary.json"
        summary = json.loads(summary_file.read_text()) if c == 0 and summary_file.is_file() else {}
        engaged = summary.get("distributed") in ("FSDP", "DEEPSPEED")
        if not summary:
            note = _last_error(o)
        else:
            note = (f"{summary['global_step']} steps on {summary.get('device')}, distributed type "
                    f"{summary.get('distributed')}, final model saved"
                    + ("" if engaged else f" — {label} did not engage"))
        c = c if engaged or c != 0 else 1
        rows.append((cfg, "pass" if c == 0 else "fail", time.time() - t, f"{label}: {note}"))
        if c != 0:
            ok = False
            st.log_tail += o[-3000:]
    st.status = "pass" if ok else "fail"
    st.lines += ["| config | result | seconds | notes |", "|---|---|---|---|"]
    st.lines += [f"| {n} | {r} | {s:.1f} | {note} |" for n, r, s, note in rows]


def stage_tests(st: Stage, work: Path, deadline: float) -> None:
    try:
        import pytest  # noqa: F401
    except ImportError:
        st.status = "skipped"
        st.lines.append("- pytest is not installed")
        return
    junit = work / "junit.xml"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/train", "tests/reproduce",
           f"--junitxml={junit}", "-o", "addopts=", "--timeout=600"]
    try:
        import xdist  # noqa: F401

        cmd += ["-n", "4"]
    except ImportError:
        pass
    code, out = run(cmd, timeout=max(deadline - time.time(), 1))
    counts = _junit_counts(junit)
    st.status = "pass" if code == 0 else ("timeout" if code == 124 else "fail")
    st.lines.append(f"- `pytest tests/train tests/reproduce` on CUDA: {counts}")
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", out, flags=re.M)
    st.lines += [f"  - failed: `{f}`" for f in failed[:40]]
    if code != 0:
        st.log_tail = out[-6000:]


def _junit_counts(path: Path) -> str:
    if not path.is_file():
        return "no junit report"
    text = path.read_text(errors="replace")
    m = re.search(r'<testsuite[^>]*errors="(\d+)"[^>]*failures="(\d+)"[^>]*skipped="(\d+)"[^>]*tests="(\d+)"', text)
    if not m:
        return "unreadable junit report"
    errors, failures, skipped, tests = map(int, m.groups())
    return f"{tests - errors - failures - skipped} passed, {failures} failed, {errors} errors, {skipped} skipped"


# --------------------------------------------------------------------------- report


def machine() -> list[str]:
    import torch

    lines = [f"- date: {time.strftime('%Y-%m-%d %H:%M %Z')}", f"- host: {platform.node()} ({platform.machine()}, "
             f"{os.cpu_count()} CPU cores), Python {platform.python_version()}"]
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        lines.append(f"- GPU: {props.name}, {props.total_memory / 2**30:.0f} GiB, {props.multi_processor_count} SMs, "
                     f"CUDA {torch.version.cuda}, {torch.cuda.device_count()} visible")
    smi = shutil.which("nvidia-smi")
    if smi:
        code, out = run([smi, "--query-gpu=driver_version", "--format=csv,noheader"], timeout=30)
        if code == 0:
            lines.append(f"- driver: {out.strip().splitlines()[0]}")
    versions = []
    for name in ("torch", "transformers", "trl", "accelerate", "peft", "datasets", "liger_kernel", "deepspeed"):
        try:
            mod = __import__(name)
            versions.append(f"{name} {getattr(mod, '__version__', '?')}")
        except Exception:  # noqa: BLE001
            versions.append(f"{name} —")
    lines.append("- versions: " + ", ".join(versions))
    return lines


def write_report(path: Path, stages: list[Stage], header: list[str], started: float) -> None:
    out = ["# `make gpu-check` results", "", "Written by `scripts/gpu_check.py` (run with `make gpu-check`).", "",
           *header, f"- total: {time.time() - started:.0f} s", "", "| stage | result | seconds |", "|---|---|---|"]
    out += [f"| {s.name} | {s.status} | {s.seconds:.0f} |" for s in stages]
    for s in stages:
        out += ["", f"## {s.name}", "", *(s.lines or ["(not run)"])]
        if s.log_tail:
            out += ["", "<details><summary>output (tail)</summary>", "", "```", s.log_tail.strip(), "```", "",
                    "</details>"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/gpu-check.md"))
    ap.add_argument("--budget", type=float, default=480, help="seconds for all stages together")
    ap.add_argument("--skip", default="", help=f"comma-separated stages to skip ({', '.join(STAGES)})")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda",
                    help="cpu: the same stages on a tiny model (checks the plumbing where no GPU is at hand)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO / "src"))
    import torch

    global DEVICE
    DEVICE = args.device
    if DEVICE == "cuda" and not torch.cuda.is_available():
        print("gpu-check: no CUDA device is visible (torch.cuda.is_available() is False)", file=sys.stderr)
        return 2
    started = time.time()
    # seconds per stage, in order; a stage may use what an earlier one left unused
    shares = {"e2e": 0.30, "bench": 0.20, "fsdp": 0.10, "tests": 0.40}
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    stages = [Stage(name) for name in STAGES]
    header = machine()
    work = Path(tempfile.mkdtemp(prefix="editcaption-gpu-check-"))
    out = Path(args.out)
    runners = {"e2e": stage_e2e, "bench": stage_bench, "fsdp": stage_fsdp, "tests": stage_tests}
    try:
        for i, st in enumerate(stages):
            if st.name in skip:
                st.status = "skipped"
                continue
            left = args.budget - (time.time() - started)
            later = sum(shares[s.name] for s in stages[i + 1:] if s.name not in skip)
            mine = shares[st.name]
            deadline = time.time() + max(left * mine / (mine + later), 30)
            t = time.time()
            print(f"gpu-check: {st.name} …", flush=True)
            try:
                runners[st.name](st, work, deadline)
            except Exception as exc:  # noqa: BLE001 - one stage's crash never hides the others' results
                st.status = "fail"
                st.lines.append(f"- crashed: {type(exc).__name__}: {exc}")
            st.seconds = time.time() - t
            print(f"gpu-check: {st.name} {st.status} in {st.seconds:.0f} s", flush=True)
            write_report(out, stages, header, started)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    write_report(out, stages, header, started)
    print(f"gpu-check: results in {out}")
    return 0 if all(s.status in ("pass", "skipped") for s in stages) else 1


if __name__ == "__main__":
    sys.exit(main())
