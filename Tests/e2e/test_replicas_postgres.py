"""The ledger and limits on PostgreSQL with two replicas: two `rampart serve` processes on one database share the
API keys, the consent state, the rate limits (one token bucket) and one ledger. A subject gives consent through one
replica's CLI and is served by both, withdraws and is refused by both, is erased with a model flagged for
retraining; the shared bucket admits exactly its capacity across the two; the ledger verifies."""
import json
import os
import subprocess
import time
import uuid

import openai
import pytest

from conftest import RAMPART

URL = os.environ.get("RAMPART_TEST_POSTGRES", "")
pytestmark = pytest.mark.skipif(not URL, reason="RAMPART_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)")

BURST = 12


def ask(client, subject):
    return client.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "hi"}],
                                          extra_headers={"Rampart-Subject": subject})


def outcome(client, subject):
    try:
        ask(client, subject)
        return 200
    except openai.APIStatusError as error:
        return error.status_code, (error.body or {}).get("code")


def eventually(predicate, what):
    for _ in range(100):
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"never happened: {what}")


def test_two_replicas_share_keys_consent_limits_and_ledger(make_gateway, tmp_path):
    schema = "e2e_" + uuid.uuid4().hex[:12]
    key_path = tmp_path / "ledger.pem"
    subprocess.run([RAMPART, "ledger", "keygen", "--out", str(key_path), "--origin", "e2e.example/ledger"], capture_output=True, text=True, check=True)
    top = f"""ledger:
  origin: e2e.example/ledger
  signing_key: {key_path}
purposes:
  - {{ id: support, lawful_basis: consent }}"""
    store = f'postgres: "{URL}"\n  schema: {schema}'
    limits = f"{{ rate_per_second: 0.001, burst: {BURST} }}"
    a = make_gateway(folder=tmp_path / "a", top=top, store=store, limits=limits, extra_routes="    purpose: support")
    b = make_gateway(folder=tmp_path / "b", top=top, store=store, limits=limits, extra_routes="    purpose: support")
    key = a.create_key()["key"]  # created through replica A's config, before either starts
    a.start()
    b.start()
    ca = openai.OpenAI(base_url=a.base + "/v1", api_key=key, max_retries=0)
    cb = openai.OpenAI(base_url=b.base + "/v1", api_key=key, max_retries=0)
    statuses = []

    def through(client, subject):
        result = outcome(client, subject)
        statuses.append(result)
        return result

    # One key for both; no consent yet on either.
    assert through(ca, "u-5") == (403, "consent_required")
    assert through(cb, "u-5") == (403, "consent_required")

    # Consent given with replica B's CLI: both replicas serve the subject.
    b.cli("ledger", "consent", "give", "--subject", "u-5", "--purpose", "support", "--notice", "privacy@1")
    eventually(lambda: through(ca, "u-5") == 200, "replica A serves after consent")
    eventually(lambda: through(cb, "u-5") == 200, "replica B serves after consent")

    (tmp_path / "subjects.txt").write_text("u-5\n")
    a.cli("ledger", "lineage", "record", "--model", "helper@1", "--dataset", "d1", "--subjects", str(tmp_path / "subjects.txt"), "--purpose", "support")

    # Withdrawn with replica A's CLI: both refuse.
    a.cli("ledger", "consent", "withdraw", "--subject", "u-5", "--purpose", "support")
    eventually(lambda: through(cb, "u-5") == (403, "consent_required"), "replica B refuses after withdrawal")
    eventually(lambda: through(ca, "u-5") == (403, "consent_required"), "replica A refuses after withdrawal")
    models = json.loads(b.cli("ledger", "models", "--format", "json").stdout)
    assert models[0]["model"] == "helper@1" and models[0]["state"] == "retrain-required"

    export = json.loads(a.cli("ledger", "subject", "export", "--subject", "u-5").stdout)
    assert export["consents"] == {"support": "withdrawn"} and export["models"] == ["helper@1"]
    receipt = b.cli("ledger", "subject", "erase", "--subject", "u-5").stdout
    assert "retrain_required helper@1\n" in receipt
    assert json.loads(a.cli("ledger", "subject", "export", "--subject", "u-5").stdout)["events"] == []

    # One token bucket for both: whatever the split, exactly BURST requests pass the limiter.
    i = 0
    while len([s for s in statuses if s == (429, "rate_limited")]) < 4:
        through(ca if i % 2 == 0 else cb, "u-5")
        i += 1
        assert i < 200, "the shared bucket never ran out"
    assert len([s for s in statuses if s != (429, "rate_limited")]) == BURST

    # One ledger: a checkpoint from either replica's config, verified from the other's.
    a.cli("ledger", "checkpoint")
    report = json.loads(b.cli("ledger", "verify", "--format", "json").stdout)
    assert report["intact"] and report["entries"] >= 4 and report["signatures_checked"]
    # Both replicas recorded decisions in the one store.
    decisions = a.decisions()
    assert len(decisions) == len(statuses)
    assert a.stop() == 0 and b.stop() == 0


def test_database_that_disappears_fails_closed_and_recovers(make_gateway, tmp_path):
    """PostgreSQL stops while `rampart serve` runs: requests fail closed within the store's timeout (no hang), nothing
    acknowledged is lost, and the gateway serves again once the database is back."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = os.path.join(root, "scripts", "postgres.sh")
    env = dict(os.environ, RAMPART_PG_STATE=str(tmp_path / "pg-own") if os.geteuid() != 0 else f"/tmp/rampart-e2e-pg-{uuid.uuid4().hex[:8]}")
    url = subprocess.run(["bash", script, "start"], capture_output=True, text=True, check=True, env=env).stdout.strip()
    try:
        gateway = make_gateway(store=f'postgres: "{url}"\n  timeout_seconds: 2', limits="{ rate_per_second: 100 }")
        key = gateway.create_key()["key"]
        gateway.start()
        client = openai.OpenAI(base_url=gateway.base + "/v1", api_key=key, max_retries=0, timeout=60)
        assert outcome(client, "u-1") == 200
        served_before = len(gateway.decisions())

        subprocess.run(["bash", script, "pause"], check=True, env=env)
        started = time.time()
        result = outcome(client, "u-1")
        assert result[0] == 503 and result[1] in ("limits_unavailable", "decision_record_unavailable"), result
        assert time.time() - started < 15, "fails within the limit check's and the commit's timeouts, not the pool's minute"

        subprocess.run(["bash", script, "resume"], check=True, env=env)
        eventually(lambda: outcome(client, "u-1") == 200, "serves again once PostgreSQL is back")
        decisions = gateway.decisions()
        assert len(decisions) >= served_before + 1
        assert {d["status"] for d in decisions} >= {200}
        assert gateway.stop() == 0
    finally:
        subprocess.run(["bash", script, "stop"], env=env)
