"""What a miniature reproduction runs: scenes, budgets and hyper-parameters, in one record.

Two presets: ``full`` (the committed ``benchmarks/results/mini.md``, about 40 minutes on two
cores for three seeds) and ``quick`` (one seed, a few minutes, used by the test). Every value is
stored in the run's ``mini.json`` so a report always says what produced it.

Scene design (why the sets look like this): a tiny Qwen3-VL trained from scratch learns best on
one-object scenes (docs/guides/reproduce.md). Every scene has a checkered backdrop: its squares move
with the camera, so a pan is not the same picture as an object move, and the delta analyzer
(the teacher) can align on it. Object moves get a second, unmoved object: with a single object
the analyzer reads the move as a camera pan (it keeps 17% of one-object moves at S ≥ 4, 75% of
two-object ones). Each set is its own EditWorld run (subtype, backdrop, objects per scene).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Habit:
    """A systematic wording error written into a fixed share of one scene set's SFT rows
    (:mod:`.habits`): ``kind`` is the habit, ``when`` the axis of the change it is tied to
    (``horizontal``, ``vertical`` or ``any``), ``rate`` the share of the eligible rows it rewrites."""

    kind: str
    when: str = "any"
    rate: float = 0.75


@dataclass(frozen=True)
class SceneSet:
    """One slice of every pair pool: an EditWorld subtype on one kind of scene."""

    subtype: str
    backgrounds: tuple[str, ...] = ("plain",)
    objects: tuple[int, int] = (1, 1)
    share: float = 1.0  # relative weight of this set in each pool
    habits: tuple[Habit, ...] = ()  # systematic regime only: errors written into its refined rows
    # the checkered backdrop's squares and a pan's content shift, shares of the frame width; None keeps
    # EditWorld's defaults (editcaption.synth.scene.CHECKER_CELL, PAN_SHIFT)
    checker_cell: float | None = None
    pan_shift: tuple[float, float] | None = None


@dataclass(frozen=True)
class TeacherMistakes:
    """Rates of the mistakes injected into the delta captioner's text (the stand-in teacher VLM's
    failure modes): mirrored direction words, a camera operation in place of the right one,
    attributes left out."""

    direction_swap: float = 0.15
    wrong_camera: float = 0.10
    dropped_attribute: float = 0.10


@dataclass(frozen=True)
class TinyModel:
    """The model trained from scratch (the recipe in docs/guides/reproduce.md that learned direction)."""

    family: str = "qwen3_vl"
    hidden: int = 128
    layers: int = 4
    heads: int = 4
    kv_heads: int = 2
    vision_hidden: int = 128
    vision_layers: int = 2
    init_range: float = 0.08
    vocab_size: int = 1024


@dataclass(frozen=True)
class SFTBudget:
    steps: int = 1000
    batch_size: int = 16
    learning_rate: float = 2e-3
    warmup_ratio: float = 0.04


@dataclass(frozen=True)
class DPOBudget:
    """Preference-run settings. The defaults came out of the tuning log in
    ``benchmarks/results/mini.md``: gentler runs (lr 5e-5, 120 steps) leave every failure rate
    where SFT had it; harder ones without the chosen-NLL anchor make answers unreadable."""

    steps: int = 300
    batch_size: int = 8
    learning_rate: float = 1e-4
    beta: float = 0.1
    gamma_st: float = 1.0
    gamma_h: float = 1.0
    tau: float = 1.0
    hardness_norm: str = "mean"
    warmup_ratio: float = 0.1
    chosen_nll_weight: float = 0.2  # RPO-style anchor (train.DPOConfig.chosen_nll_weight); 0 = the paper's loss
    # "fixed": h = σ(Δref/τ) with the τ above (eq. 3); "standardised": h = σ((Δref − median)/spread), the
    # median and spread (IQR/1.349) of Δref measured on the run's own preference set, so h ranks pairs
    hardness_scale: str = "fixed"


PREFERENCE_LOSSES = ("dpo", "hae", "hae-severity", "hae-hardness")
# HAE-DPO with eq. 3 read literally (summed log-probs, τ = 1, no centre), beside a run whose
# hardness is standardised on its preference set (DPOBudget.hardness_scale)
LITERAL_HAE = "hae-eq3"
REGIMES = ("perception", "systematic")

DEFAULT_SCENES: tuple[SceneSet, ...] = (
    SceneSet("move_object", ("checkered",), (2, 2), share=3.0),
    SceneSet("recolor", ("checkered",), share=1.5),
    SceneSet("camera_pan", ("checkered",), share=2.0),
    SceneSet("camera_zoom", ("checkered",), share=1.0),
)

# The systematic regime: one object per scene, habits on fixed shares of the refined rows (0.9 of
# the eligible rows). The backdrop's squares are half the frame wide and pans shift the content by
# 0.3-0.45 of it: with the default squares (0.125) a pan of 0.15-0.3 moves the pattern by more than
# one square, which looks like a move the other way, and the model never learned a pan's direction
# (probe 63-73%); with these settings a linear probe on the SFT model reads it at 100% (tuning log
# in benchmarks/results/mini.md). Pans dominate: they are what a model of this size learns to see;
# object moves stay as the contrast it does not see. Vertical pans and zooms carry no habit: they
# show whether preference training disturbs what SFT already writes right.
_CELL = 0.5
SYSTEMATIC_SCENES: tuple[SceneSet, ...] = (
    SceneSet("camera_pan", ("checkered",), share=3.0, habits=(Habit("pan_content_direction", "horizontal", 0.9),),
             checker_cell=_CELL, pan_shift=(0.3, 0.45)),
    SceneSet("move_object", ("checkered",), share=1.0,
             habits=(Habit("move_as_camera", "vertical", 0.9), Habit("mirrored_move", "horizontal", 0.9)),
             checker_cell=_CELL),
    SceneSet("recolor", ("checkered",), share=1.5, habits=(Habit("dropped_colour", "any", 0.9),), checker_cell=_CELL),
    SceneSet("camera_zoom", ("checkered",), share=1.0, checker_cell=_CELL),
)


@dataclass(frozen=True)
class MiniConfig:
    preset: str = "full"
    regime: str = "perception"  # or "systematic" (SYSTEMATIC_SCENES, habits, probe; docs/guides/reproduce.md)
    seeds: int = 3
    workers: int = 2  # processes in parallel, one torch thread each
    image_size: int = 128
    scenes: tuple[SceneSet, ...] = DEFAULT_SCENES
    n_pool: int = 1100  # pairs the teacher captions (SFT candidates)
    n_mine: int = 2400  # fresh pairs the SFT model captions (failure mining; ~650 balanced preference pairs)
    n_test: int = 300  # held-out evaluation pairs
    n_val: int = 0  # validation pairs: every model is also scored on them (settings are tuned here, never on test)
    # A pretrained-like start: SFT on the reference instructions of n_pretrain pairs of their own (no habit,
    # no teacher mistake) with this budget, before the SFT on the refined rows starts from that model.
    # None trains the SFT model from the randomly initialised start (the perception regime).
    n_pretrain: int = 0
    pretrain: SFTBudget | None = None
    teacher: TeacherMistakes = field(default_factory=TeacherMistakes)
    threshold: float = 4.0  # exact S in the role of EditScore's 4.0 (paper §4.1)
    model: TinyModel = field(default_factory=TinyModel)
    sft: SFTBudget = field(default_factory=SFTBudget)
    dpo: DPOBudget = field(default_factory=DPOBudget)
    losses: tuple[str, ...] = PREFERENCE_LOSSES
    grounded: bool = True  # also train and evaluate an SFT model with delta hints in its prompt
    grounded_steps: int = 500  # its SFT budget (its sequences are about twice as long)
    blank_control: bool = False  # also train on blank images (does the model read the images?)
    probe: bool = False  # linear probes on the SFT model's hidden states: does it perceive the facts?
    probe_pairs: int = 600  # mining pairs the probe uses, drawn across the scene sets (seeded)
    max_new_tokens: int = 40
    generate_batch: int = 32

    def __post_init__(self) -> None:
        # the pretraining pairs and their budget only make sense together
        if (self.pretrain is None) != (self.n_pretrain == 0):
            raise ValueError(f"n_pretrain ({self.n_pretrain}) and pretrain ({self.pretrain}) go together: "
                             "set both for a pretrained-like start, or neither")

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def full_config(**overrides: Any) -> MiniConfig:
    """The full run behind ``benchmarks/results/mini.md``."""
    return dataclasses.replace(MiniConfig(), **overrides)


def quick_config(**overrides: Any) -> MiniConfig:
    """A few minutes on two cores: one seed, small pools and budgets, plus the blank-image control."""
    base = MiniConfig(
        preset="quick", seeds=1, n_pool=400, n_mine=160, n_test=120,
        sft=SFTBudget(steps=300, batch_size=16, learning_rate=2e-3, warmup_ratio=0.05),
        dpo=DPOBudget(steps=10, batch_size=8),
        grounded=False, blank_control=True,
    )
    return dataclasses.replace(base, **overrides)


def systematic_config(quick: bool = False, **overrides: Any) -> MiniConfig:
    """The systematic regime (``--regime systematic``): one-object scenes the model can see, habits
    in the refined SFT rows, no caption filter (every refined row is kept: the errors under study are
    the refiners', not the teacher's), a validation split, the perception probe and the literal-eq. 3
    HAE run beside the standardised one."""
    base = MiniConfig(
        preset="full", regime="systematic", scenes=SYSTEMATIC_SCENES, n_pool=900, n_mine=1200, n_test=300, n_val=200,
        probe_pairs=1200,
        teacher=TeacherMistakes(0.0, 0.0, 0.0), threshold=0.0, grounded=False, probe=True,
        # A pretrained-like start, then a short, gentle SFT on the refined rows: the model first learns
        # to write what it sees from 900 clean pairs of its own, and the habits are laid over that
        # mapping, as a refined set is laid over a pretrained VLM. Trained from scratch on the refined
        # rows alone, the habit *was* the model's mapping and DPO only erased it (one word for every
        # pan); over a pretrained mapping DPO restores the right words (tuning log, mini.md).
        n_pretrain=900, pretrain=SFTBudget(steps=1200, batch_size=16, learning_rate=2e-3, warmup_ratio=0.04),
        sft=SFTBudget(steps=300, batch_size=16, learning_rate=5e-4, warmup_ratio=0.04),
        # β 0.5 (not 0.1): on the validation pairs of all three seeds it removed 0.43-0.44 of SFT's targeted
        # P0 habits against 0.19-0.39 at 0.1, with fewer unreadable answers. Over the pretrained-like
        # start, 300 steps against 150: a larger cut on two seeds' validation pairs, the same on the third
        # (tuning log in mini.md)
        dpo=DPOBudget(steps=300, hardness_scale="standardised", beta=0.5), losses=PREFERENCE_LOSSES + (LITERAL_HAE,),
    )
    if quick:
        base = dataclasses.replace(
            base, preset="quick", seeds=1, n_pool=400, n_mine=240, n_test=120, n_val=0, probe_pairs=240,
            n_pretrain=400, pretrain=SFTBudget(steps=300, batch_size=16, learning_rate=2e-3, warmup_ratio=0.05),
            sft=SFTBudget(steps=100, batch_size=16, learning_rate=5e-4, warmup_ratio=0.05),
            dpo=DPOBudget(steps=10, batch_size=8, hardness_scale="standardised", beta=0.5))
    return dataclasses.replace(base, **overrides)


def _scene_set(s: dict[str, Any]) -> SceneSet:
    s = dict(s)
    s["backgrounds"], s["objects"] = tuple(s["backgrounds"]), tuple(s["objects"])
    s["habits"] = tuple(Habit(**h) for h in s.get("habits") or ())
    if s.get("pan_shift") is not None:
        s["pan_shift"] = tuple(s["pan_shift"])
    return SceneSet(**s)


def config_from_json(data: dict[str, Any]) -> MiniConfig:
    """Inverse of :meth:`MiniConfig.to_json` (used when a run is resumed or re-reported)."""
    d = dict(data)
    d["scenes"] = tuple(_scene_set(s) for s in d["scenes"])
    d["teacher"] = TeacherMistakes(**d["teacher"])
    d["model"] = TinyModel(**d["model"])
    d["sft"] = SFTBudget(**d["sft"])
    d["dpo"] = DPOBudget(**d["dpo"])
    d["pretrain"] = SFTBudget(**d["pretrain"]) if d.get("pretrain") else None
    d["losses"] = tuple(d["losses"])
    return MiniConfig(**d)
