"""A real cluster on 127.0.0.1 for tests/cluster: PostgreSQL, an S3 server, and Ray with two nodes.

* PostgreSQL: a fresh database on the server `make test` starts (``EDITCAPTION_TEST_PG_URL``),
  else a throwaway server started here (``initdb`` + ``pg_ctl``);
* S3: the moto server of tests/store (``moto_process``) behind its relay, with a bucket for
  this module; the relay's ``stop()``/``start()`` take the store down and up again;
* Ray: a head node and one worker node, each a ``ray start --block`` process with its own
  temp dir and its own environment (S3 credentials, its own image read cache, and an API-key
  value naming the node, so the model stand-in can tell which node a request came from).
  Node deaths are noticed within about a second (health checks every 500 ms).

Whatever cannot start makes the tests skip with a NOTICE saying what and why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from children import free_port, start_child
from cluster.pipeline import HEAD_KEY, WORKER_KEY
from store.s3server import REGION, Relay, moto_process  # noqa: F401 - moto_process is a fixture

# Node deaths noticed quickly (the default takes ~30 s); the values only tune Ray's detector.
FAST_HEALTH_CHECKS = {"RAY_health_check_period_ms": "500", "RAY_health_check_failure_threshold": "3",
                      "RAY_health_check_timeout_ms": "1000", "RAY_health_check_initial_delay_ms": "0"}


def notice(what: str, why: object) -> None:
    pytest.skip(f"NOTICE: cluster tests skipped: {what} could not start: {why}")


# --------------------------------------------------------------------------- PostgreSQL


def _start_postgres(folder: Path) -> tuple[str, subprocess.Popen | None, str]:
    """(admin URL, None, data dir) of a throwaway server; raises with the log if it cannot start."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")
                                                                            if x.isdigit()])
    if not bins:
        raise RuntimeError("PostgreSQL is not installed")
    pg_bin = bins[-1]
    as_pg: list[str] = []
    if os.getuid() == 0:
        as_pg = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    folder.chmod(0o755)
    port = free_port()
    data = folder / "data"
    subprocess.run([*as_pg, str(pg_bin / "initdb"), "-D", str(data), "-U", "editcaption", "--auth=trust"],
                   check=True, capture_output=True)
    subprocess.run([*as_pg, str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
                    "-o", f"-h 127.0.0.1 -p {port} -k {folder} -F", "start"], check=True, capture_output=True)
    return f"postgresql://editcaption@127.0.0.1:{port}/postgres", None, str(data)


@pytest.fixture(scope="module")
def pg_admin_url():  # noqa: ANN201
    url = os.environ.get("EDITCAPTION_TEST_PG_URL")
    if url:
        yield url
        return
    # Not under pytest's temp folder: the postgres user must be able to reach it (as in run_tests.sh).
    folder = Path(tempfile.mkdtemp(prefix="editcaption-cluster-pg."))
    try:
        url, _, data = _start_postgres(folder)
    except Exception as exc:  # noqa: BLE001 - any failure is a skip with its reason
        shutil.rmtree(folder, ignore_errors=True)
        notice("PostgreSQL", getattr(exc, "stderr", None) or exc)
    yield url
    pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] / "pg_ctl"
    as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    subprocess.run([*as_pg, str(pg_ctl), "-D", data, "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_admin_url):  # noqa: ANN001, ANN201
    """A fresh database on the test server, dropped afterwards."""
    import psycopg

    name = "ec_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_admin_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- S3


@dataclass
class ClusterS3:
    """The module's bucket behind a relay (``stop()``: connections refused; ``start()``: back)."""

    url: str
    bucket: str
    env: dict[str, str]
    relay: Relay

    def store_url(self, prefix: str) -> str:
        return f"s3://{self.bucket}/{prefix}"

    def stop(self) -> None:
        self.relay.stop()

    def start(self) -> None:
        self.relay.start()


@pytest.fixture(scope="module")
def cluster_s3(moto_process, tmp_path_factory):  # noqa: ANN001, F811, ANN201
    import boto3

    relay = Relay(moto_process.port)
    relay.start()
    url = f"http://127.0.0.1:{relay.port}"
    bucket = "ec-cluster-" + uuid.uuid4().hex[:8]
    folder = tmp_path_factory.mktemp("aws")
    env = {"AWS_ACCESS_KEY_ID": moto_process.access_key, "AWS_SECRET_ACCESS_KEY": moto_process.secret_key,
           "AWS_ENDPOINT_URL": url, "AWS_DEFAULT_REGION": REGION,
           "AWS_CONFIG_FILE": str(folder / "no-config"), "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-credentials"),
           "AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "standard",
           "EDITCAPTION_STORE_CACHE": str(folder / "driver-cache")}
    boto3.client("s3", endpoint_url=url, region_name=REGION, aws_access_key_id=moto_process.access_key,
                 aws_secret_access_key=moto_process.secret_key).create_bucket(Bucket=bucket)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        yield ClusterS3(url, bucket, env, relay)
    relay.stop()


# --------------------------------------------------------------------------- Ray


@dataclass
class RayCluster:
    address: str
    head: subprocess.Popen
    worker: subprocess.Popen
    folder: Path

    def kill_worker_node(self) -> None:
        """SIGKILL every process of the worker node (its raylet, agents and actors): the node is gone."""
        _kill_session(self.worker)


def _kill_session(proc: subprocess.Popen) -> None:
    """SIGKILL the processes of the session ``proc`` leads (all started by it, and only those)."""
    sid = proc.pid
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ProcessLookupError):
            if os.getsid(int(entry.name)) == sid:
                os.kill(int(entry.name), signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)


def _ray_start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``ray start --block``, returned once the node is up: ray prints "Ray runtime started." when
    its processes are running (for the head: once its GCS answers)."""
    ray_bin = Path(sys.executable).with_name("ray")
    child = start_child([str(ray_bin), "start", "--block", "--disable-usage-stats", *args], log, env=env,
                        start_new_session=True)
    try:
        child.wait_for("Ray runtime started")
    except RuntimeError:
        _kill_session(child.proc)
        raise
    return child.proc


@pytest.fixture(scope="module")
def ray_cluster(cluster_s3, tmp_path_factory):  # noqa: ANN001, ANN201
    ray = pytest.importorskip("ray", reason="NOTICE: cluster tests skipped: the ray extra is not installed")
    if ray.is_initialized():
        ray.shutdown()
    folder = Path(tmp_path_factory.mktemp("ray"))
    # The nodes take this process's authentication mode: a cluster refuses a driver whose mode
    # differs, and a local ray.init() earlier in this process has switched it to tokens (the
    # user's ~/.ray/auth_token), where a fresh process connects without.
    mp = pytest.MonkeyPatch()
    mp.setenv("RAY_AUTH_MODE", os.environ.get("RAY_AUTH_MODE") or "disabled")
    port = free_port()
    base = {**os.environ, **cluster_s3.env, **FAST_HEALTH_CHECKS, "RAY_USAGE_STATS_ENABLED": "0"}
    head_env = {**base, "OPENAI_API_KEY": HEAD_KEY, "EDITCAPTION_STORE_CACHE": str(folder / "cache-head")}
    worker_env = {**base, "OPENAI_API_KEY": WORKER_KEY, "EDITCAPTION_STORE_CACHE": str(folder / "cache-worker")}
    # Logical CPUs: the head has room for a second actor, so one from a dead node can restart there.
    head = worker = None
    try:
        head = _ray_start(["--head", "--port", str(port), "--node-ip-address", "127.0.0.1", "--num-cpus", "2",
                           "--temp-dir", str(folder / "head"), "--include-dashboard", "false"], head_env,
                          folder / "head.log")
        worker = _ray_start(["--address", f"127.0.0.1:{port}", "--node-ip-address", "127.0.0.1", "--num-cpus", "1",
                             "--temp-dir", str(folder / "worker")], worker_env, folder / "worker.log")
        address = f"127.0.0.1:{port}"
        ray.init(address=address, log_to_driver=False, logging_level="warning")
        # the worker's raylet registers with the head before `ray start` reports the node running
        alive = [n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]]
        if len(alive) != 2:
            raise RuntimeError(f"expected a head and a worker node, the cluster has {alive}")
    except Exception as exc:  # noqa: BLE001
        for proc in (worker, head):
            if proc is not None:
                _kill_session(proc)
        mp.undo()
        notice("a two-node Ray cluster", exc)
    yield RayCluster(address, head, worker, folder)
    ray.shutdown()
    _kill_session(worker)
    _kill_session(head)
    mp.undo()
