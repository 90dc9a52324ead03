"""A real S3-protocol server on 127.0.0.1 for tests: moto in server mode, behind a TCP relay.

moto keeps its objects in memory, so "the store goes down" cannot be a restart of moto. The
relay in front of it (a plain TCP forwarder in the test process) is what clients talk to:
``stop()`` closes its port and every open connection — clients get connection refused, as
from a dead server — and ``start()`` opens the same port again with the objects intact.

Authentication is on (``INITIAL_NO_AUTH_ACTION_COUNT``): the first requests create an IAM
user and its access key, and from then on only that key is accepted, so a wrong key fails
as it would on a real store.

Use it from any test folder:

    from store.s3server import moto_process, s3_server  # noqa: F401  (fixtures)

``s3_server`` gives each test its own bucket, puts the credentials and endpoint in the
environment (and isolates the read cache), and yields an :class:`S3Server`.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from children import free_port, start_child

REGION = "us-east-1"
SETUP_ACTIONS = 3  # create_user, put_user_policy, create_access_key: unauthenticated, then auth is on



class Relay:
    """Forwards 127.0.0.1:<port> to the backend port; stop() refuses connections until start()."""

    def __init__(self, backend_port: int, port: int | None = None):
        self.backend_port = backend_port
        self.port = port or free_port()
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> None:
        if self._listener is not None:
            return
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(64)
        self._listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True, name="s3-relay").start()

    def stop(self) -> None:
        ls, self._listener = self._listener, None
        if ls is not None:
            with contextlib.suppress(OSError):
                ls.shutdown(socket.SHUT_RDWR)
            ls.close()
        with self._lock:
            conns, self._conns = self._conns, set()
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()

    def _accept(self, ls: socket.socket) -> None:
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return  # stopped
            try:
                backend = socket.create_connection(("127.0.0.1", self.backend_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not ls:  # stopped meanwhile
                    client.close()
                    backend.close()
                    return
                self._conns.update((client, backend))
            for a, b in ((client, backend), (backend, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(1 << 16):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._conns.discard(src)
                self._conns.discard(dst)


@dataclass
class MotoProcess:
    proc: subprocess.Popen
    port: int
    access_key: str
    secret_key: str
    log: Path


@dataclass
class S3Server:
    """What a test talks to: ``url`` (endpoint), ``bucket``, ``env`` (credentials + endpoint)."""

    url: str
    bucket: str
    env: dict[str, str]
    relay: Relay
    moto: MotoProcess
    extra: dict = field(default_factory=dict)

    def store_url(self, prefix: str = "ws") -> str:
        return f"s3://{self.bucket}/{prefix}"

    def stop(self) -> None:
        """The store goes down: connections are refused until :meth:`start` (objects are kept)."""
        self.relay.stop()

    def start(self) -> None:
        self.relay.start()

    def client(self):  # noqa: ANN201 - a boto3 S3 client with the test credentials
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=self.moto.access_key, aws_secret_access_key=self.moto.secret_key)

    def objects(self, prefix: str = "") -> list[str]:
        out: list[str] = []
        for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            out += [o["Key"] for o in page.get("Contents", [])]
        return out


def _start_moto(log: Path) -> MotoProcess:
    port = free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_ACTIONS), "MOTO_PORT": str(port)}
    # werkzeug binds the port, then prints " * Running on http://...": that line is the signal.
    child = start_child([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log, env=env)
    child.wait_for(" * Running on ")
    proc = child.proc
    import boto3

    iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION,
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="editcaption")
    iam.put_user_policy(UserName="editcaption", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="editcaption")["AccessKey"]
    return MotoProcess(proc, port, key["AccessKeyId"], key["SecretAccessKey"], log)


@pytest.fixture(scope="session")
def moto_process(tmp_path_factory):  # noqa: ANN001, ANN201
    """One moto server for the session (skipped, with the reason, where it cannot start)."""
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
        import s3fs  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"NOTICE: object-storage tests skipped: {exc} (pip install 'moto[server]' s3fs)")
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    try:
        moto = _start_moto(log)
    except Exception as exc:  # noqa: BLE001 - any failure to start is a skip with its reason
        pytest.skip(f"NOTICE: object-storage tests skipped: the moto S3 server did not start: {exc}")
    yield moto
    moto.proc.terminate()
    moto.proc.wait(timeout=30)


@pytest.fixture
def s3_server(moto_process, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """A fresh bucket on the moto server behind a relay, with credentials in the environment."""
    relay = Relay(moto_process.port)
    relay.start()
    url = f"http://127.0.0.1:{relay.port}"
    bucket = "ec-" + uuid.uuid4().hex[:12]
    env = {
        "AWS_ACCESS_KEY_ID": moto_process.access_key,
        "AWS_SECRET_ACCESS_KEY": moto_process.secret_key,
        "AWS_ENDPOINT_URL": url,
        "AWS_DEFAULT_REGION": REGION,
        # no ~/.aws of the machine running the tests, and failures without long retry loops
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_MAX_ATTEMPTS": "2",
        "AWS_RETRY_MODE": "standard",
        "EDITCAPTION_STORE_CACHE": str(tmp_path / "store-cache"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    server = S3Server(url=url, bucket=bucket, env=env, relay=relay, moto=moto_process)
    server.client().create_bucket(Bucket=bucket)
    yield server
    relay.stop()
