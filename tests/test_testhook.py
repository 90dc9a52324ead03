"""The test kill hook: off without its variable; with STAGE:K, the process dies right after its K-th item."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from editcaption import testhook

COUNT = (
    "from editcaption import testhook\n"
    "for i in range(5):\n"
    "    testhook.item_done('other')\n"
    "    testhook.item_done('ingest')\n"
    "    print(i, flush=True)\n"
)


def run(spec: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != testhook.ENV}
    if spec is not None:
        env[testhook.ENV] = spec
    return subprocess.run([sys.executable, "-c", COUNT], env=env, capture_output=True, text=True, timeout=120)


def test_off_without_the_variable():
    done = run(None)
    assert done.returncode == 0 and done.stdout.split() == ["0", "1", "2", "3", "4"]


def test_kills_right_after_the_kth_item_of_its_stage_only():
    done = run("ingest:3")
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == ["0", "1"]  # items 1 and 2 printed; killed inside the third


@pytest.mark.parametrize("spec", ["ingest", "ingest:", "ingest:0", ":3", "ingest:x"])
def test_a_malformed_spec_is_refused(spec):
    with pytest.raises(ValueError, match="EDITCAPTION_TEST_KILL_AFTER must be STAGE:K"):
        testhook.parse(spec)
    assert testhook.parse(" caption:8 ") == ("caption", 8)
