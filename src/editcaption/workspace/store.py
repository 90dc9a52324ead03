"""Kept for imports written before the store package: the image store lives in :mod:`editcaption.store`."""

from ..store import ImageKey, ImageStore, LocalStore, StoreError

__all__ = ["ImageKey", "ImageStore", "LocalStore", "StoreError"]
