"""Every format, parsed back: Hugging Face Parquet (with datasets), LLaMA-Factory, ms-swift, JSONL, WebDataset."""

from __future__ import annotations

import ast
import json
import os
import re
import tarfile
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import pytest
from export_helpers import SAMPLE_TEXTS, sample_preferences

from editcaption.export import ExportError, ExportOptions, export_prefs, export_sft, export_triplets
from editcaption.export.examples import flatten_content
from editcaption.prompts import instruction_messages, load_prompt
from editcaption.workspace.models import PairRecord

SPLIT = "train=0.5,val=0.25,test=0.25"
PROMPT = instruction_messages(load_prompt().render())


def store_bytes(ws, pair_id: str) -> tuple[bytes, bytes]:  # noqa: ANN001
    with ws.session() as s:
        p = s.get(PairRecord, pair_id)
        return ws.store.read(p.source_sha, p.source.ext), ws.store.read(p.target_sha, p.target.ext)


def pair_sizes(ws) -> dict[str, tuple[tuple[int, int], tuple[int, int]]]:  # noqa: ANN001
    with ws.session() as s:
        return {p.id: ((p.source.width, p.source.height), (p.target.width, p.target.height))
                for p in s.query(PairRecord).all()}


# -- Hugging Face ---------------------------------------------------------------------------------


def test_hf_sft_loads_with_datasets_images_as_image_features(sample_ws, tmp_path):  # noqa: ANN001
    out = tmp_path / "sft"
    report = export_sft(sample_ws, out, ExportOptions(format="hf", split=SPLIT))
    files = {s: out / info["file"] for s, info in report.manifest["splits"].items()}
    assert set(files) == {"train", "val", "test"}
    ds = datasets.load_dataset("parquet", data_files={s: str(p) for s, p in files.items()})
    train = ds["train"]
    assert train.column_names == ["id", "images", "prompt", "completion", "category", "subtype"]
    assert isinstance(train.features["images"], datasets.List)
    assert isinstance(train.features["images"].feature, datasets.Image)
    sizes = pair_sizes(sample_ws)
    names = {v: k for k, v in sample_ws.ids.items()}
    seen = 0
    for split in ds:
        for row in ds[split]:
            src, tgt = row["images"]
            assert (src.size, tgt.size) == sizes[row["id"]]  # source first, then target
            assert [{k: v for k, v in part.items() if v is not None} for part in row["prompt"][0]["content"]] == \
                PROMPT[0]["content"]
            assert row["prompt"][0]["role"] == "user"
            assert row["completion"] == [{"role": "assistant",
                                          "content": [{"type": "text", "text": SAMPLE_TEXTS[names[row["id"]]]}]}]
            seen += 1
    assert seen == 6
    # The embedded bytes are the originals from the image store.
    raw = pq.read_table(files["train"]).to_pylist()[0]
    assert (raw["images"][0]["bytes"], raw["images"][1]["bytes"]) == store_bytes(sample_ws, raw["id"])
    # The card's YAML header lets datasets find the splits from the folder alone.
    whole = datasets.load_dataset(str(out))
    assert set(whole) == {"train", "validation", "test"} and sum(len(d) for d in whole.values()) == 6


def test_hf_card_names_the_splits_as_datasets_loads_them(sample_ws, tmp_path):  # noqa: ANN001
    out = tmp_path / "sft"
    report = export_sft(sample_ws, out, ExportOptions(format="hf", split=SPLIT))
    rows = {s: info["rows"] for s, info in report.manifest["splits"].items()}
    assert set(rows) == {"train", "val", "test"}  # our names, and the files: train/val/test.parquet
    card = (out / "README.md").read_text()
    header = card.split("---\n")[1]
    assert header == ("configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: train.parquet\n"
                      "  - split: validation\n    path: val.parquet\n  - split: test\n    path: test.parquet\n")
    snippet = re.search(r'load_dataset\("parquet", data_files=(\{.*?\})\)', card).group(1)
    data_files = ast.literal_eval(snippet)
    assert data_files == {"train": "train.parquet", "validation": "val.parquet", "test": "test.parquet"}
    by_snippet = datasets.load_dataset("parquet", data_files={k: str(out / v) for k, v in data_files.items()})
    by_folder = datasets.load_dataset(str(out))
    expected = {"train": rows["train"], "validation": rows["val"], "test": rows["test"]}
    assert {k: len(v) for k, v in by_snippet.items()} == {k: len(v) for k, v in by_folder.items()} == expected
    assert f"| validation | {rows['val']} | `val.parquet` |" in card


def test_hf_prefs_columns_and_reference_logprobs(sample_ws, tmp_path):  # noqa: ANN001
    sample_preferences(sample_ws, sample_ws.ids)
    out = tmp_path / "prefs"
    export_prefs(sample_ws, out, ExportOptions(format="hf", split="train=1"))
    train = datasets.load_dataset("parquet", data_files=str(out / "train.parquet"), split="train")
    assert train.column_names == ["id", "images", "prompt", "chosen", "rejected", "error_type", "severity"]
    row = next(r for r in train if r["error_type"] == "orientation" and r["severity"] == "P0")
    assert row["chosen"][0]["content"][0]["text"] == "Pan left."
    assert row["rejected"][0]["content"][0]["text"] == "Pan right."
    assert len(row["images"]) == 2
    # Reference log-probs (as `editcaption train reference` writes them) are merged by row id.
    ids = train["id"]
    ref = tmp_path / "ref.jsonl"
    ref.write_text("".join(json.dumps({"id": i, "ref_chosen_logps": -10.0 - n, "ref_rejected_logps": -12.5,
                                       "ref_chosen_logps_mean": -1.25}) + "\n" for n, i in enumerate(ids[:-1])))
    report = export_prefs(sample_ws, tmp_path / "prefs-ref", ExportOptions(format="hf", split="train=1", ref_logps=ref))
    assert report.warnings == [f"reference log-probs found for {len(ids) - 1} of {len(ids)} preferences"]
    table = pq.read_table(tmp_path / "prefs-ref" / "train.parquet").to_pylist()
    by_id = {r["id"]: r for r in table}
    assert by_id[ids[0]]["ref_chosen_logps"] == -10.0 and by_id[ids[0]]["ref_rejected_logps"] == -12.5
    assert by_id[ids[0]]["ref_chosen_logps_mean"] == -1.25 and "ref_rejected_logps_mean" not in by_id[ids[0]]
    assert by_id[ids[-1]]["ref_chosen_logps"] is None
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": ids[0], "ref_chosen_logps": "x"}) + "\n")
    with pytest.raises(ExportError, match="row 1 needs id, ref_chosen_logps and ref_rejected_logps"):
        export_prefs(sample_ws, tmp_path / "p3", ExportOptions(ref_logps=bad))


def test_hf_triplets_use_instructpix2pix_columns(sample_ws, tmp_path):  # noqa: ANN001
    out = tmp_path / "tri"
    export_triplets(sample_ws, out, ExportOptions(format="hf", split="train=1"))
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "export.json", "train.parquet"]  # no empty splits
    ds = datasets.load_dataset("parquet", data_files=str(out / "train.parquet"), split="train")
    assert ds.column_names == ["id", "input_image", "edited_image", "edit_prompt", "category", "subtype"]
    assert isinstance(ds.features["input_image"], datasets.Image)
    sizes = pair_sizes(sample_ws)
    for row in ds:
        assert (row["input_image"].size, row["edited_image"].size) == sizes[row["id"]]
        assert row["edit_prompt"]


# -- LLaMA-Factory ----------------------------------------------------------------------------------


def validate_llamafactory(folder: Path, ranking: bool) -> dict[str, list[dict[str, Any]]]:
    """Check a folder against LLaMA-Factory's documented sharegpt layout (data/README.md + its converter).

    Returns dataset name → examples.
    """
    info = json.loads((folder / "dataset_info.json").read_text())
    out = {}
    for name, entry in info.items():
        assert entry["formatting"] == "sharegpt"
        assert entry.get("ranking", False) is ranking
        cols = entry["columns"]
        assert cols["messages"] == "conversations" and cols["images"] == "images"
        if ranking:
            assert cols["chosen"] == "chosen" and cols["rejected"] == "rejected"
        examples = json.loads((folder / entry["file_name"]).read_text())
        assert isinstance(examples, list) and examples
        for ex in examples:
            turns = ex[cols["messages"]]
            for i, turn in enumerate(turns):  # human/observation at odd positions, gpt/function at even
                assert set(turn) == {"from", "value"} and isinstance(turn["value"], str)
                assert turn["from"] == ("human" if i % 2 == 0 else "gpt")
            if ranking:
                assert len(turns) % 2 == 1
                for key in ("chosen", "rejected"):
                    assert ex[cols[key]]["from"] == "gpt" and ex[cols[key]]["value"].strip()
                assert ex["chosen"]["value"] != ex["rejected"]["value"]
            else:
                assert len(turns) % 2 == 0
            text = "".join(t["value"] for t in turns)
            assert text.count("<image>") == len(ex[cols["images"]]) == 2
            for path in ex[cols["images"]]:  # relative to dataset_dir, which LLaMA-Factory uses as media_dir
                assert not os.path.isabs(path) and (folder / path).is_file()
        out[name] = examples
    return out


def test_llamafactory_sft_and_prefs_follow_the_documented_layout(sample_ws, tmp_path):  # noqa: ANN001
    sample_preferences(sample_ws, sample_ws.ids)
    sft = validate_llamafactory(_export(export_sft, sample_ws, tmp_path / "lf-sft", "llamafactory"), ranking=False)
    assert set(sft) == {"editcaption_sft_train", "editcaption_sft_val", "editcaption_sft_test"}
    first = sft["editcaption_sft_train"][0]
    assert first["conversations"][0]["value"] == flatten_content(PROMPT)
    assert first["conversations"][0]["value"].startswith("Image 1 (source):<image>Image 2 (target):<image>")
    pair_id = next(pid for pid, name in ((v, k) for k, v in sample_ws.ids.items())
                   if first["conversations"][1]["value"] == SAMPLE_TEXTS[name])
    copied = tuple((tmp_path / "lf-sft" / p).read_bytes() for p in first["images"])
    assert copied == store_bytes(sample_ws, pair_id)  # source then target, original bytes
    prefs = validate_llamafactory(_export(export_prefs, sample_ws, tmp_path / "lf-prefs", "llamafactory"), ranking=True)
    assert sum(len(v) for v in prefs.values()) == 6


def _export(fn, ws, out: Path, fmt: str, **kw: Any) -> Path:  # noqa: ANN001
    fn(ws, out, ExportOptions(format=fmt, split=SPLIT, **kw))
    return out


# -- ms-swift ---------------------------------------------------------------------------------------

SWIFT_KEYS = {"messages", "rejected_response", "label", "images", "videos", "audios", "tools", "objects", "margin"}


def validate_swift(path: Path, preference: bool) -> list[dict[str, Any]]:
    """Check a JSONL file against ms-swift's documented standard format (Custom-dataset.md)."""
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows
    for row in rows:
        assert set(row) <= SWIFT_KEYS and "messages" in row
        msgs = row["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant"]
        assert all(set(m) == {"role", "content"} and isinstance(m["content"], str) for m in msgs)
        tags = sum(m["content"].count("<image>") for m in msgs)
        assert tags == len(row["images"]) == 2
        for p in row["images"]:
            assert (path.parent / p).is_file()
        if preference:
            assert isinstance(row["rejected_response"], str) and row["rejected_response"] != msgs[-1]["content"]
            assert isinstance(row["margin"], float)
        else:
            assert "rejected_response" not in row and "margin" not in row
    return rows


def test_swift_sft_and_prefs_follow_the_documented_layout(sample_ws, tmp_path):  # noqa: ANN001
    sample_preferences(sample_ws, sample_ws.ids)
    out = _export(export_sft, sample_ws, tmp_path / "sw-sft", "swift")
    rows = [r for s in ("train", "val", "test") for r in validate_swift(out / f"{s}.jsonl", preference=False)]
    assert len(rows) == 6 and rows[0]["messages"][0]["content"] == flatten_content(PROMPT)
    out = _export(export_prefs, sample_ws, tmp_path / "sw-prefs", "swift", absolute_paths=True)
    rows = [r for s in ("train", "val", "test") for r in validate_swift(out / f"{s}.jsonl", preference=True)]
    assert {(r["messages"][1]["content"], r["rejected_response"]) for r in rows} >= {("Pan left.", "Pan right.")}
    # margin = γ_st·s·c(t) with the paper's weights: P0 orientation 1·0.2, P1 orientation 0.5·0.2,
    # P0 viewpoint 1·0.15, P2 anything 0, P1 detail 0.5·0.1
    margins = {r["messages"][1]["content"]: r["margin"] for r in rows}
    assert margins == pytest.approx({"Pan left.": 0.2, "Mirror the image horizontally.": 0.1,
                                     "Zoom in on the rocket.": 0.15, "Turn the photo black and white.": 0.0,
                                     "Brighten the photo evenly.": 0.0, "Add a red disc at the top left.": 0.05})
    assert all(os.path.isabs(p) and Path(p).is_file() and str(out.resolve()) in p for r in rows for p in r["images"])


def swift_opens(path: str, root_image_dir: Path | None) -> Path:
    """The file ms-swift reads for an image path (its documented loader): the path as given, from its
    working directory, when that exists; else joined to $ROOT_IMAGE_DIR when set."""
    if not os.path.exists(path) and root_image_dir is not None:
        path = os.path.join(root_image_dir, path)
    return Path(os.path.abspath(path))


def test_swift_images_open_from_any_working_directory(sample_ws, tmp_path, monkeypatch):  # noqa: ANN001
    out = _export(export_sft, sample_ws, tmp_path / "sw", "swift")  # absolute paths: the format's default
    relative = _export(export_sft, sample_ws, tmp_path / "sw-rel", "swift", absolute_paths=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # where the trainer runs: not the export folder
    names = {v: k for k, v in sample_ws.ids.items()}
    for folder, root_image_dir in ((out, None), (relative, relative)):
        rows = [json.loads(line) for s in ("train", "val", "test")
                for line in (folder / f"{s}.jsonl").read_text().splitlines()]
        assert len(rows) == 6
        for row in rows:
            pair_id = next(sample_ws.ids[n] for n, t in SAMPLE_TEXTS.items() if t == row["messages"][1]["content"])
            opened = tuple(swift_opens(p, root_image_dir).read_bytes() for p in row["images"])
            assert opened == store_bytes(sample_ws, pair_id), names[pair_id]
        assert all(os.path.isabs(p) == (folder == out) for r in rows for p in r["images"])
    assert all(not swift_opens(p, None).exists() for p in rows[0]["images"])  # relative, without ROOT_IMAGE_DIR
    card = (out / "README.md").read_text()
    assert "swift sft --model <model> --dataset <this folder>/train.jsonl --val_dataset <this folder>/val.jsonl ..." \
        in card
    assert "Image paths are absolute, pointing into this folder where it was written, so ms-swift finds the images " \
           "from any working directory." in card
    card = (relative / "README.md").read_text()
    assert "ROOT_IMAGE_DIR=<this folder> swift sft --model <model> --dataset <this folder>/train.jsonl" in card
    assert "Image paths are relative to this folder. ms-swift opens a relative path from its working directory, " \
           "else from `$ROOT_IMAGE_DIR`" in card
    manifests = [json.loads((d / "export.json").read_text())["image_paths"] for d in (out, relative)]
    assert manifests == ["absolute", "relative"]


def test_export_reports_each_phase_with_its_total(sample_ws, tmp_path):  # noqa: ANN001
    events: list[tuple[str, int, int]] = []
    export_sft(sample_ws, tmp_path / "g", ExportOptions(format="swift", split=SPLIT, grounded=True),
               on_progress=lambda *e: events.append(e))
    phases = list(dict.fromkeys(phase for phase, _, _ in events))
    assert phases == ["hashing images", "computing grounding hints", "writing ms-swift JSONL"]
    # 11 distinct images (two sample pairs share their source), 6 pairs, 6 examples
    for phase, total in zip(phases, (11, 6, 6), strict=True):
        assert [(done, t) for p, done, t in events if p == phase] == [(n, total) for n in range(1, total + 1)]
    events.clear()
    export_triplets(sample_ws, tmp_path / "w", ExportOptions(format="webdataset", near_dup_distance=-1),
                    on_progress=lambda *e: events.append(e))
    assert events == [("writing WebDataset shards", n, 6) for n in range(1, 7)]  # no hashing without near-dups


# -- JSONL and WebDataset ----------------------------------------------------------------------------


def test_jsonl_keeps_metadata_and_images_are_shared_files(sample_ws, tmp_path):  # noqa: ANN001
    sample_preferences(sample_ws, sample_ws.ids)
    out = _export(export_prefs, sample_ws, tmp_path / "jl", "jsonl", link_images=True)
    rows = [json.loads(line) for s in ("train", "val", "test") for line in (out / f"{s}.jsonl").read_text().splitlines()]
    assert len(rows) == 6
    assert {r["error_type"] for r in rows} == {"orientation", "viewpoint", "detail"}
    assert all(r["prompt"] == PROMPT for r in rows)
    # The two astronaut pairs share their source: one file, linked from the store.
    img_files = list((out / "images").rglob("*.jpg"))
    assert len(img_files) == len({p for r in rows for p in r["images"]}) == 11
    some = rows[0]["images"][0]
    with sample_ws.session() as s:
        pair = s.get(PairRecord, rows[0]["pair_id"])
        stored = sample_ws.store.path_for(pair.source_sha, pair.source.ext)
    assert os.path.samefile(out / some, stored)
    triplets = _export(export_triplets, sample_ws, tmp_path / "tri", "jsonl")
    row = json.loads((triplets / "train.jsonl").read_text().splitlines()[0])
    assert set(row) == {"id", "name", "source_image", "target_image", "instruction", "category", "subtype"}


def test_webdataset_shards_group_samples_by_key_and_are_reproducible(sample_ws, tmp_path):  # noqa: ANN001
    out = _export(export_triplets, sample_ws, tmp_path / "wds", "webdataset", shard_size=4)
    manifest = json.loads((out / "export.json").read_text())
    total = 0
    for info in manifest["splits"].values():
        assert len(info["files"]) == -(-info["rows"] // 4)
        for shard in info["files"]:
            with tarfile.open(out / shard) as tar:
                names = tar.getnames()
                keys = sorted({n.split(".", 1)[0] for n in names})
                for key in keys:
                    members = {n.split(".", 1)[1]: tar.extractfile(n).read() for n in names if n.startswith(key + ".")}
                    assert set(members) == {"src.jpg", "tgt.jpg", "txt", "json"}
                    meta = json.loads(members["json"])
                    assert meta["id"] == key and meta["instruction"] == members["txt"].decode()
                    assert (members["src.jpg"], members["tgt.jpg"]) == store_bytes(sample_ws, key)
                    total += 1
    assert total == 6
    again = _export(export_triplets, sample_ws, tmp_path / "wds2", "webdataset", shard_size=4)
    for shard in out.glob("*.tar"):
        assert shard.read_bytes() == (again / shard.name).read_bytes()


# -- prompt, format checks ------------------------------------------------------------------------


def test_prompt_file_replaces_the_packaged_prompt(sample_ws, tmp_path):  # noqa: ANN001
    custom = tmp_path / "my-prompt.txt"
    custom.write_text("Describe the edit from image 1 to image 2 in one sentence.\n")
    out = tmp_path / "custom"
    report = export_sft(sample_ws, out, ExportOptions(format="swift", split="train=1", prompt_path=custom))
    row = json.loads((out / "train.jsonl").read_text().splitlines()[0])
    assert row["messages"][0]["content"] == \
        "Image 1 (source):<image>Image 2 (target):<image>Describe the edit from image 1 to image 2 in one sentence."
    assert report.manifest["prompt"]["source"] == str(custom)
    grounded = tmp_path / "grounded.txt"
    grounded.write_text("Hints: {hints}")
    with pytest.raises(ExportError, match="needs grounding hints"):
        export_sft(sample_ws, tmp_path / "g", ExportOptions(prompt_path=grounded))
    with pytest.raises(ExportError, match="cannot hold a triplets dataset"):
        export_triplets(sample_ws, tmp_path / "t", ExportOptions(format="swift"))
    with pytest.raises(ExportError, match="unknown format"):
        export_sft(sample_ws, tmp_path / "t", ExportOptions(format="csv"))



# -- an image missing from the store ----------------------------------------------------------------


@pytest.mark.parametrize(("kind", "fmt"), [("sft", "hf"), ("sft", "llamafactory"), ("sft", "swift"), ("sft", "jsonl"),
                                           ("triplets", "webdataset")])
def test_every_format_skips_and_records_an_item_whose_image_vanished(sample_ws, tmp_path, kind, fmt):  # noqa: ANN001
    from editcaption.export import formats
    from editcaption.export.examples import ExportJob
    from editcaption.export.sources import select_texts

    with sample_ws.session() as s:
        items = select_texts(s, sample_ws.store, "refined").items
    assert len(items) >= 2
    gone = items[0].pair  # selected while present, then removed before the writer reads it
    sample_ws.store.path_for(gone.target_sha, gone.target_ext).unlink()
    job = ExportJob(kind=kind, splits={"train": items}, store=sample_ws.store,
                    prompt_messages=PROMPT if kind == "sft" else None)
    (tmp_path / "out").mkdir()
    files = formats.write(fmt, job, tmp_path / "out")
    assert job.failures == [{"id": gone.id, "reason": job.failures[0]["reason"]}]
    assert job.failures[0]["reason"].startswith("cannot read image")
    assert files["train"]["rows"] == len(items) - 1
