"""Whole-process behaviour: durability across SIGKILL, graceful shutdown, curl, and the CLI's answers to bad input."""
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

from conftest import RAMPART, ROOT


def post(gateway, key, body, headers=None, timeout=20):
    request = urllib.request.Request(
        gateway.base + "/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.headers["Rampart-Decision-Id"], response.read()


CHAT = {"model": "mock-small", "messages": [{"role": "user", "content": "durable?"}]}


def test_every_answered_request_survives_sigkill(make_gateway):
    gateway = make_gateway()
    key = gateway.create_key()["key"]
    gateway.start()
    answered, lock, stop = [], threading.Lock(), threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                status, decision_id, _ = post(gateway, key, CHAT, timeout=5)
                with lock:
                    answered.append(decision_id)
            except Exception:
                if stop.is_set() or gateway.proc.poll() is not None:
                    return

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    gateway.proc.send_signal(signal.SIGKILL)
    gateway.proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert len(answered) > 20, "the load was too light to test anything"

    recorded = {r["id"] for r in gateway.decisions()}
    missing = [i for i in answered if i not in recorded]
    assert not missing, f"{len(missing)} of {len(answered)} answered requests have no record"

    # The store is intact: the gateway starts again and serves.
    gateway.start()
    assert post(gateway, key, CHAT)[0] == 200


def test_sigterm_drains_in_flight_requests(make_gateway):
    gateway = make_gateway()
    key = gateway.create_key()["key"]
    gateway.start()
    result = {}

    def slow():
        result["reply"] = post(gateway, key, CHAT, headers={"X-Mock-Delay-Ms": "1500"})

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.4)
    gateway.proc.send_signal(signal.SIGTERM)
    worker.join(timeout=20)
    assert gateway.proc.wait(timeout=20) == 0
    status, decision_id, _ = result["reply"]
    assert status == 200
    assert decision_id in {r["id"] for r in gateway.decisions()}


def test_curl_streams_and_sees_openai_errors(make_gateway):
    gateway = make_gateway()
    key = gateway.create_key()["key"]
    gateway.start()
    body = json.dumps({**CHAT, "stream": True})
    out = subprocess.run(
        ["curl", "-sN", gateway.base + "/v1/chat/completions", "-H", f"Authorization: Bearer {key}",
         "-H", "Content-Type: application/json", "-d", body],
        capture_output=True, text=True, timeout=30,
    ).stdout
    assert out.count("data: ") == 7 and out.endswith("data: [DONE]\n\n")

    out = subprocess.run(
        ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", gateway.base + "/v1/chat/completions", "-d", "{}"],
        capture_output=True, text=True, timeout=30,
    ).stdout
    payload, status = out.rsplit("\n", 1)
    assert status == "401"
    error = json.loads(payload)["error"]
    assert set(error) == {"message", "type", "param", "code"}

    big = "x" * 1_100_000
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", gateway.base + "/v1/chat/completions",
         "-H", f"Authorization: Bearer {key}", "--data-binary", "@-"],
        input=big, capture_output=True, text=True, timeout=30,
    ).stdout
    assert out == "413"


def test_metrics_and_health(make_gateway):
    gateway = make_gateway()
    admin = gateway.create_key(admin=True)["key"]
    key = gateway.create_key()["key"]
    gateway.start()
    post(gateway, key, CHAT)
    request = urllib.request.Request(f"http://127.0.0.1:{gateway.admin_port}/metrics", headers={"Authorization": f"Bearer {admin}"})
    text = urllib.request.urlopen(request, timeout=10).read().decode()
    assert 'rampart_requests_total{route="chat",status="200"} 1' in text
    for port in (gateway.port, gateway.admin_port):
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10).status == 200
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{gateway.admin_port}/metrics", timeout=10)
        raise AssertionError("metrics must need an admin key")
    except urllib.error.HTTPError as error:
        assert error.code == 401


def test_logs_are_json_and_hold_no_secrets(make_gateway):
    gateway = make_gateway()
    key = gateway.create_key()["key"]
    gateway.start("--log-level", "debug")
    secret = "patient-record-7731-confidential"
    post(gateway, key, {"model": "m", "messages": [{"role": "user", "content": secret}]})
    gateway.stop()
    text = "".join(gateway.log)
    assert '"message":"request"' in text  # the per-request line is there at debug level
    assert secret not in text and key not in text and "sk-e2e-upstream" not in text
    for line in gateway.log:
        json.loads(line)


def run_cli(*args, config=None):
    command = [RAMPART, *args] + (["--config", str(config)] if config else [])
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_cli_bad_input_has_documented_exit_codes(tmp_path):
    missing = run_cli("config", "check", config=tmp_path / "absent.yaml")
    assert missing.returncode == 66 and "cannot read the config file" in missing.stderr

    bad = tmp_path / "bad.yaml"
    bad.write_text('routes:\n  - name: chat\n    upstream: "http://127.0.0.1:1/v1"\n    limits: { rate_per_secnd: 3 }\n')
    result = run_cli("config", "check", config=bad)
    assert result.returncode == 65
    assert "bad.yaml:4" in result.stderr and "routes[0].limits.rate_per_secnd" in result.stderr
    assert "did you mean `rate_per_second`" in result.stderr

    missing_ca = tmp_path / "ca.yaml"
    missing_ca.write_text('store:\n  sqlite: "nowhere/r.db"\nroutes:\n  - name: chat\n    upstream: "https://127.0.0.1:1/v1"\n')
    result = run_cli("config", "check", config=missing_ca)
    assert result.returncode == 65 and "store.sqlite" in result.stderr
    missing_ca.write_text('routes:\n  - name: chat\n    upstream: "https://127.0.0.1:1/v1"\n    upstream_ca_file: "absent.pem"\n')
    result = run_cli("config", "check", config=missing_ca)
    assert result.returncode == 65 and "routes[0].upstream_ca_file" in result.stderr

    good = tmp_path / "good.yaml"
    good.write_text('routes:\n  - name: chat\n    upstream: "http://127.0.0.1:1/v1"\n')
    assert run_cli("config", "check", config=good).returncode == 0
    assert run_cli("keys", "create", "--tenant", "t", config=good).returncode == 64
    assert run_cli("keys", "create", "--tenant", "t", "--routes", "nope", config=good).returncode == 64
    assert run_cli("decisions", "list", config=good).returncode == 69  # no store yet
    assert run_cli("keys", "create", "--tenant", "t", "--routes", "chat", config=good).returncode == 0
    assert run_cli("keys", "revoke", "nosuchkey", config=good).returncode == 1
    assert run_cli("decisions", "show", "not-an-id", config=good).returncode == 64
    assert run_cli("decisions", "show", "019abcde-f012-7abc-8def-0123456789ab", config=good).returncode == 1
    assert run_cli("decisions", "list", "--since", "soon", config=good).returncode == 64
    assert run_cli("serve", "--log-level", "loud", config=good).returncode == 64

    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(b"\xff\xfe\x00routes")
    assert run_cli("config", "check", config=garbage).returncode == 65


def test_serve_refuses_a_taken_port(tmp_path, upstream):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "rampart.yaml"
        config.write_text(f'server:\n  listen: "127.0.0.1:{port}"\n  admin_listen: "127.0.0.1:0"\nroutes:\n  - name: chat\n    upstream: "{upstream}"\n')
        result = subprocess.run([RAMPART, "serve", "--config", str(config)], capture_output=True, text=True, timeout=30)
        assert result.returncode == 69
        assert "stopped" in result.stderr or "address" in result.stderr.lower()


def test_config_show_prints_every_key_and_loads_back(tmp_path):
    """`rampart config show` prints the effective config from the one schema: every key with its default, environment
    variables as set or not (never their values), and YAML that `config check` accepts as the same config."""
    example = (ROOT / "examples" / "rampart.yaml").read_text()
    (tmp_path / "models").symlink_to(ROOT / "examples" / "models")
    (tmp_path / "rampart.yaml").write_text(example)
    env = dict(os.environ, UPSTREAM_API_KEY="sk-e2e-never-printed")
    shown = subprocess.run([RAMPART, "config", "show", "--config", str(tmp_path / "rampart.yaml")], capture_output=True, text=True, env=env, timeout=60)
    assert shown.returncode == 0, shown.stderr
    for key in ("record_decisions:", "checkpoint_interval_seconds:", "timeout_seconds:", "confidence:", "evasion:", "smoothing:", "signing_key:"):
        assert key in shown.stdout, key
    assert "sk-e2e-never-printed" not in shown.stdout and "set (value hidden)" in shown.stdout
    assert 'upstream: ""' not in shown.stdout
    (tmp_path / "shown.yaml").write_text(shown.stdout)
    check = subprocess.run([RAMPART, "config", "check", "--config", str(tmp_path / "shown.yaml")], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr + shown.stdout
    again = subprocess.run([RAMPART, "config", "show", "--config", str(tmp_path / "shown.yaml")], capture_output=True, text=True, env=env, timeout=60)
    assert again.stdout == shown.stdout
    reference = subprocess.run([RAMPART, "config", "reference"], capture_output=True, text=True, timeout=60)
    assert reference.returncode == 0 and "| `routes[].monitor.evasion.threshold` |" in reference.stdout
