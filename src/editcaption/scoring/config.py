"""What a scoring run is asked to do: one record, stored (without secrets) as the run's config."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from ..llm.call_config import ModelCallConfig, ModelCallConfigError
from ..llm.spec import ModelSpec, parse_model_spec
from .editscore import DEFAULT_SEED, PROTOCOL
from .layout import BASES, guess_base

SCORER_KINDS = ("editscore",)
DEFAULT_CONCURRENCY = 8


class ScoreConfigError(ValueError):
    """A scoring request that cannot run as given (one line saying why)."""


@dataclass
class ScoreConfig:
    scorer: str  # editscore:<model>@<base_url>
    base: str | None = None  # qwen25vl | qwen3vl; None: from the model name
    passes: int = 1
    seed: int = DEFAULT_SEED
    run: str | None = None  # the instruction run; None: the only one in the workspace
    score_run: str | None = None  # default: derived from run and model
    where: dict[str, list[str]] = field(default_factory=dict)
    limit: int | None = None
    # How the server is called (API key variable, extra body, timeout, retries, requests in
    # flight: default 8); a temperature replaces the protocol's 0.7.
    calls: ModelCallConfig = field(default_factory=ModelCallConfig)
    rescore: bool = False  # score again even where this scoring run has an ok score
    use_cache: bool = True  # False: call the server even for requests answered before (and store the answers)
    image_max_side: int = 1024
    image_format: str = "jpeg"
    sc_prompt: str | None = None
    pq_prompt: str | None = None

    def spec(self) -> ModelSpec:
        return parse_model_spec(self.scorer, kinds=SCORER_KINDS)

    @property
    def concurrency(self) -> int:
        """Requests in flight."""
        return self.calls.in_flight(DEFAULT_CONCURRENCY)

    @property
    def scorer_name(self) -> str:
        return f"{PROTOCOL}:{self.spec().model}"

    def resolved_base(self) -> str:
        return self.base or guess_base(self.spec().model or "")

    def validate(self) -> None:
        self.spec()  # ModelSpecError (a ValueError) naming the accepted form
        if self.base is not None and self.base not in BASES:
            raise ScoreConfigError(f"--base must be one of {', '.join(BASES)}, not {self.base!r}")
        if self.passes < 1:
            raise ScoreConfigError("--passes must be at least 1")
        if self.limit is not None and self.limit < 1:
            raise ScoreConfigError("--limit must be at least 1")
        try:
            self.calls.validate()
        except ModelCallConfigError as exc:
            raise ScoreConfigError(str(exc)) from None
        if self.image_format not in ("jpeg", "png"):
            raise ScoreConfigError(f"--image-format must be jpeg or png, not {self.image_format!r}")
        if self.image_max_side < 16:
            raise ScoreConfigError("--image-max-side must be at least 16")

    def default_score_run(self, run: str) -> str:
        """``score-<run>-<model>``: stable, so the same command resumes the same scoring run."""
        model = re.sub(r"[^A-Za-z0-9._-]+", "-", self.spec().model or "").strip("-")
        run_part = re.sub(r"[^A-Za-z0-9._:-]+", "-", run).strip("-")
        return f"score-{run_part}-{model}"[:128]

    def to_record(self, run: str, prompt_ids: dict[str, str]) -> dict[str, Any]:
        spec = self.spec()
        data = dataclasses.asdict(self)
        data.update(data.pop("calls"))  # stored at the top level, as every stage stores them
        data.update(run=run, scorer_name=self.scorer_name, model=spec.model, base_url=spec.base_url,
                    base=self.resolved_base(), prompt_ids=prompt_ids)
        return data
