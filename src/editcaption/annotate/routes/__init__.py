"""The studio's routes: login, home (queues), work (task pages), admin (dashboard, exports)."""
