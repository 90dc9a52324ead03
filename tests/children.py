"""Servers the tests start as child processes (moto's S3, Ray nodes, the studio's uvicorn workers).

Their output goes to a log file through a reader thread, and a test blocks until a line says the
child is ready — the line a server prints once it listens — instead of retrying a connection on a
timer. The reader keeps draining the pipe afterwards, so a chatty child never blocks on a full pipe.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Only a safety net for a child that neither gets ready nor exits; readiness itself is an event.
READY_TIMEOUT = 300


class ChildOutput:
    def __init__(self, proc: subprocess.Popen, log: Path):
        """``proc`` must have been started with ``stdout=subprocess.PIPE, stderr=subprocess.STDOUT``."""
        self.proc = proc
        self.log = log
        self._lines: list[str] = []
        self._ended = False
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True, name=f"child-output-{proc.pid}").start()

    def _read(self) -> None:
        with self.log.open("w") as fh:
            for raw in self.proc.stdout:
                line = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
                fh.write(line)
                fh.flush()
                with self._cond:
                    self._lines.append(line)
                    self._cond.notify_all()
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def wait_for(self, needle: str, count: int = 1) -> None:
        """Block until ``count`` lines containing ``needle`` were printed; raise if the child's output
        ends first (it exited), with the tail of its log."""
        def seen() -> int:
            return sum(needle in line for line in self._lines)

        with self._cond:
            self._cond.wait_for(lambda: seen() >= count or self._ended, timeout=READY_TIMEOUT)
            if seen() >= count:
                return
            tail = "".join(self._lines[-40:])
        state = f"exited ({self.proc.poll()})" if self._ended else f"printed no {needle!r} in {READY_TIMEOUT} s"
        raise RuntimeError(f"{self.proc.args[:4]} {state}:\n{tail}")


def start_child(cmd: list[str], log: Path, **popen: object) -> ChildOutput:
    """Start ``cmd`` with its stdout and stderr read into ``log``."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen)  # noqa: S603
    return ChildOutput(proc, log)
