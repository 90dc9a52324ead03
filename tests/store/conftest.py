"""Fixtures of the image-store tests; ``s3_server`` is shared with other folders (see s3server.py)."""

from store.s3server import moto_process, s3_server  # noqa: F401 - fixtures

__all__ = ["moto_process", "s3_server"]
