"""The four task kinds. Each module turns a submitted form into a validated payload
(``parse``), writes its workspace record (``save``) and supplies its page (``page``)."""

from __future__ import annotations

from types import ModuleType

from . import judge, prefer, refine, verify_gt

KIND_MODULES: dict[str, ModuleType] = {
    "refine": refine,
    "prefer": prefer,
    "judge": judge,
    "verify-gt": verify_gt,
}


def module_for(kind: str) -> ModuleType:
    return KIND_MODULES[kind]
