"""Who made a Label Studio annotation: the user's id on its server, the email where known, a name.

Label Studio 1.23 writes ``completed_by`` as a bare user id in the JSON export (a user object in
older versions) and ``annotator`` as an id or an email in JSON_MIN. Ids are only unique on one
server, so an annotator without a name in the user map is ``labelstudio:EMAIL`` when the email is
known, else ``labelstudio:HOST:PORT#ID``: two people on two servers are never merged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .common import LabelStudioError, server_label


def parse_user(completed_by: Any) -> tuple[int | None, str | None]:
    """(id, email) from ``completed_by`` (JSON: an id, or a user object) or ``annotator`` (JSON_MIN: id or email)."""
    if isinstance(completed_by, dict):
        uid, email = completed_by.get("id"), completed_by.get("email")
        return (uid if isinstance(uid, int) else None), (email if isinstance(email, str) and email else None)
    if isinstance(completed_by, bool):
        return None, None
    if isinstance(completed_by, int):
        return completed_by, None
    if isinstance(completed_by, str):
        text = completed_by.strip()
        if text.isdigit():
            return int(text), None
        return None, (text or None)
    return None, None



@dataclass
class UserMap:
    """Label Studio users → annotator names: ``{"<id or email>": "<name>"}``, or Label Studio's own
    ``GET /api/users/`` list (``id`` and ``email`` of each user, optionally a ``name``)."""

    names: dict[str, str] = field(default_factory=dict)  # "id" or email → name
    emails: dict[int, str] = field(default_factory=dict)  # id → email

    @classmethod
    def load(cls, path: Path | None) -> UserMap:
        if path is None:
            return cls()
        try:
            raw = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise LabelStudioError(f"cannot read the user map {path}: {exc}") from None
        umap = cls()
        if isinstance(raw, dict) and all(isinstance(v, str) and v.strip() for v in raw.values()):
            umap.names = {str(k).strip(): v.strip() for k, v in raw.items()}
            return umap
        if isinstance(raw, list) and all(isinstance(u, dict) and isinstance(u.get("id"), int) for u in raw):
            for u in raw:
                if isinstance(u.get("email"), str) and u["email"]:
                    umap.emails[u["id"]] = u["email"]
                if isinstance(u.get("name"), str) and u["name"].strip():
                    umap.names[str(u["id"])] = u["name"].strip()
            return umap
        raise LabelStudioError(f"the user map {path} must be a JSON object of Label Studio user ids or emails "
                               f"to names, or Label Studio's list of users (each with an id)")

    def resolve(self, server: str, user_id: int | None, email: str | None) -> tuple[str, str | None, bool]:
        """(annotator name, email, whether the map named this user)."""
        email = email or (self.emails.get(user_id) if user_id is not None else None)
        for key in (str(user_id) if user_id is not None else None, email):
            if key and key in self.names:
                return self.names[key], email, True
        if email:
            return f"labelstudio:{email}", email, False
        if user_id is None:
            return f"labelstudio:{server_label(server)}", None, False
        return f"labelstudio:{server_label(server)}#{user_id}", None, False

