"""End-to-end tests: the real `rampart` binary on loopback, real clients (OpenAI SDK, curl), a real SQLite file or
PostgreSQL server (`RAMPART_TEST_POSTGRES`, started by scripts/test.sh).

The upstream LLM is the one test double: `rampart-mock-upstream` (Sources/RampartTesting), built with the package.
"""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# scripts/test.sh builds in release (the numeric code is only fast optimized) and points here; a debug build works too.
BIN = Path(os.environ.get("RAMPART_BIN_DIR", ROOT / ".build" / "release"))
RAMPART = str(BIN / "rampart")
MOCK = str(BIN / "rampart-mock-upstream")


def read_until(stream, predicate, timeout=30.0, sink=None):
    """Reads lines from a process stream until predicate(line) returns a value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = stream.readline()
        if not line:
            raise RuntimeError("process ended before it was ready")
        if sink is not None:
            sink.append(line)
        value = predicate(line)
        if value is not None:
            return value
    raise TimeoutError("process was not ready in time")


@pytest.fixture(scope="session")
def upstream():
    proc = subprocess.Popen([MOCK, "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = read_until(proc.stdout, lambda l: int(l.split()[1]) if l.startswith("listening") else None)
    yield f"http://127.0.0.1:{port}/v1"
    proc.terminate()
    proc.wait(timeout=10)


def wait_listening(proc, sink=None):
    """Reads `rampart serve`'s log until both listeners are up; returns (public port, admin port)."""
    ports = {}

    def listening(line):
        try:
            entry = json.loads(line)
        except ValueError:
            return None
        if entry.get("message") == "listening":
            ports[entry["listener"]] = int(entry["address"].rsplit(":", 1)[1])
        return ports if len(ports) == 2 else None

    read_until(proc.stderr, listening, sink=sink)
    return ports["public"], ports["admin"]


class Gateway:
    """One `rampart serve` process over a config in a temporary folder."""

    def __init__(self, folder: Path, upstream: str, limits: str = "{}", durability: str = "strict", extra_routes: str = "", guards: str = "",
                 top: str = "", store: str = 'sqlite: "rampart.db"'):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.config = folder / "rampart.yaml"
        self.config.write_text(
            f"""server:
  listen: "127.0.0.1:0"
  admin_listen: "127.0.0.1:0"
  key_refresh_seconds: 0.2
store:
  {store}
  durability: {durability}
{top}
routes:
  - name: chat
    upstream: "{upstream}"
    upstream_api_key_env: E2E_UPSTREAM_KEY
    timeout_seconds: 10
    limits: {limits}
{guards}
{extra_routes}"""
        )
        self.proc = None
        self.log = []

    def cli(self, *args, check=True):
        result = subprocess.run([RAMPART, *args, "--config", str(self.config)], capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"rampart {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    def create_key(self, routes="chat", admin=False):
        args = ["keys", "create", "--tenant", "e2e", "--format", "json"]
        args += ["--admin"] if admin else ["--routes", routes]
        return json.loads(self.cli(*args).stdout)

    def start(self, *extra):
        env = dict(os.environ, E2E_UPSTREAM_KEY="sk-e2e-upstream")
        self.proc = subprocess.Popen([RAMPART, "serve", "--config", str(self.config), *extra], stderr=subprocess.PIPE, text=True, env=env)
        self.port, self.admin_port = wait_listening(self.proc, sink=self.log)
        return self

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stderr:
            self.log += self.proc.stderr.readlines()
        return self.proc.returncode if self.proc else None

    def decisions(self, *args):
        return json.loads(self.cli("decisions", "list", "--format", "json", "--limit", "100000", *args).stdout)


@pytest.fixture
def make_gateway(tmp_path, upstream):
    made = []

    def make(folder=None, **kwargs):
        gateway = Gateway(folder or tmp_path, upstream, **kwargs)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        gateway.stop(signal.SIGKILL)
