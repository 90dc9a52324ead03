"""Caption backends, chosen by model spec (:mod:`editcaption.llm.spec`)."""

from __future__ import annotations

from ...llm.images import ImageEncoding
from ..config import CaptionConfig, CaptionConfigError
from .base import CaptionBackend


def build_backend(config: CaptionConfig) -> CaptionBackend:
    """The backend a config names. hf: imports torch; delta and openai: never do."""
    spec = config.spec()
    if spec.kind == "delta":
        from .delta_backend import DeltaBackend

        return DeltaBackend(concurrency=config.calls.concurrency)
    if spec.kind == "openai":
        from .openai_backend import OpenAIBackend

        return OpenAIBackend(
            spec, calls=config.calls, generation=config.generation, temperature=config.temperature,
            encoding=ImageEncoding(max_side=config.image_max_side, format=config.image_format),
        )
    if spec.kind == "hf":
        from .hf_backend import HFBackend

        try:
            return HFBackend(spec, generation=config.generation, temperature=config.temperature, device=config.device,
                             dtype=config.dtype, batch_size=config.batch_size, image_max_side=config.image_max_side)
        except (OSError, ValueError) as exc:  # a missing or unreadable checkpoint, an unknown dtype
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CaptionConfigError(f"cannot load {spec}: {first}") from exc
    raise ValueError(f"no backend for {spec}")


__all__ = ["CaptionBackend", "build_backend"]
