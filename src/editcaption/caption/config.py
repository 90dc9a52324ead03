"""What a caption run is asked to do: one record, stored in full as the Run's config."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from ..llm.call_config import ModelCallConfig, ModelCallConfigError
from ..llm.spec import ModelSpec, parse_model_spec
from ..prompts import PromptTemplate, load_prompt

EXECUTORS = ("local", "ray")


class CaptionConfigError(ValueError):
    """A caption request that cannot run as given (one line saying why)."""


DEFAULT_TEMPERATURE = 0.0  # greedy, unless --temperature says otherwise


@dataclass
class GenerationOptions:
    """Sampling settings of the openai and hf backends besides the temperature (in ``calls``)."""

    max_tokens: int = 512
    top_p: float | None = None
    seed: int | None = None


@dataclass
class CaptionConfig:
    model: str
    prompt_path: str | None = None  # --prompt FILE; default: the packaged instruction prompt
    grounded: bool = False  # add the delta analyzer's hints to the prompt
    where: dict[str, list[str]] = field(default_factory=dict)
    limit: int | None = None  # the run covers the first N matching pairs
    # How the model is called: API key variable, extra body, temperature, timeout, retries, and
    # concurrency (requests in flight for openai:, analyses in parallel for delta; None = the
    # backend's default).
    calls: ModelCallConfig = field(default_factory=ModelCallConfig)
    run_name: str | None = None
    retry_failed: bool = False
    executor: str = "local"
    ray_address: str | None = None
    ray_workers: int = 2
    ray_batch_size: int = 16
    ray_gpus_per_worker: float = 0.0
    # openai backend
    image_max_side: int = 1024
    image_format: str = "jpeg"
    # hf backend
    device: str = "auto"  # a GPU where one is visible
    dtype: str | None = None
    batch_size: int = 4
    generation: GenerationOptions = field(default_factory=GenerationOptions)

    def spec(self) -> ModelSpec:
        return parse_model_spec(self.model)

    def validate(self) -> None:
        spec = self.spec()  # raises ModelSpecError (a ValueError) with the accepted forms
        if self.executor not in EXECUTORS:
            raise CaptionConfigError(f"--executor must be one of {', '.join(EXECUTORS)}, not {self.executor!r}")
        if spec.kind == "delta" and (self.grounded or self.prompt_path):
            raise CaptionConfigError("the delta backend writes its own text from measurements; "
                                     "--prompt and --grounded apply to openai: and hf: models")
        if self.prompt_path and self.grounded:
            raise CaptionConfigError("use either --prompt FILE or --grounded (put {hints} in your file for both)")
        if self.limit is not None and self.limit < 1:
            raise CaptionConfigError("--limit must be at least 1")
        try:
            self.calls.validate()
        except ModelCallConfigError as exc:
            raise CaptionConfigError(str(exc)) from None
        if self.batch_size < 1 or self.ray_workers < 1 or self.ray_batch_size < 1:
            raise CaptionConfigError("batch sizes and worker counts must be at least 1")
        if self.image_format not in ("jpeg", "png"):
            raise CaptionConfigError(f"--image-format must be jpeg or png, not {self.image_format!r}")

    def prompt(self) -> PromptTemplate | None:
        """The prompt the run uses, or None for the delta backend."""
        if self.spec().kind == "delta":
            return None
        try:
            if self.prompt_path:
                return load_prompt(path=self.prompt_path)
            return load_prompt("instruction-grounded" if self.grounded else "instruction")
        except (OSError, UnicodeDecodeError) as exc:
            raise CaptionConfigError(f"cannot read prompt {self.prompt_path}: {exc}") from None

    @property
    def temperature(self) -> float:
        return self.calls.temperature_or(DEFAULT_TEMPERATURE)

    def wants_hints(self, prompt: PromptTemplate | None) -> bool:
        """Grounding hints are computed when the prompt has a ``{hints}`` slot."""
        return prompt is not None and "{hints}" in prompt.text

    def producer_key(self) -> str:
        """What must match for a run to be resumed: the model, not where it is served."""
        spec = self.spec()
        return {"openai": f"openai:{spec.model}", "hf": f"hf:{spec.path}"}.get(spec.kind, spec.kind)

    def default_run_name(self, prompt: PromptTemplate | None) -> str:
        """A stable name, so running the same command again resumes the same run."""
        base = "caption-" + re.sub(r"[^A-Za-z0-9._-]+", "-", self.producer_key()).strip("-")
        if prompt is not None:
            base += "-" + prompt.id.replace("@", "-")
        return base[:128]

    def to_record(self, prompt: PromptTemplate | None) -> dict[str, Any]:
        """The Run's config: every option, plus the prompt's id and origin (never a secret).

        The model-call settings are stored at the top level, as every stage stores them.
        """
        data = dataclasses.asdict(self)
        data.update(data.pop("calls"))
        data["temperature"] = self.temperature
        data["producer_key"] = self.producer_key()
        data["prompt_id"] = prompt.id if prompt else None
        data["prompt_source"] = prompt.source if prompt else None
        return data
