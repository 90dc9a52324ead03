"""Optional dependencies: one place that says which extra to install.

Commands that do not train never import torch; code that needs a heavy library calls
:func:`require` first, which fails with one clear message naming the extra.
"""

from __future__ import annotations

import importlib.util

EXTRA_FOR = {
    "torch": "train",
    "transformers": "train",
    "trl": "train",
    "peft": "train",
    "accelerate": "train",
    "datasets": "train",
    "ray": "ray",
    "psycopg": "postgres",
    "playwright": "dev",
    "liger_kernel": "gpu",
}


class MissingExtraError(ImportError):
    pass


def is_available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def require(*modules: str, feature: str = "this command") -> None:
    """Raise :class:`MissingExtraError` unless every module is importable."""
    missing = [m for m in modules if not is_available(m)]
    if missing:
        extras = sorted({EXTRA_FOR.get(m, m) for m in missing})
        extra = ",".join(extras)
        raise MissingExtraError(
            f"{feature} needs {', '.join(missing)}: install the `{extra}` extra, "
            f"e.g. pip install 'editcaption[{extra}]'"
            + (" (on a CPU-only machine run `pip install torch==2.13.0` first)" if "train" in extras else "")
        )
