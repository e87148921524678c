"""`rampart ledger` end to end: the real binary, a real SQLite file, a key made by OpenSSL, proofs checked from a file
and from standard input, tampering done with Python's own sqlite3 — and the exit codes the docs promise
(verify and check-proof: 0 intact/valid, 1 tampered/invalid, 2 error)."""
import json
import sqlite3
import subprocess

from conftest import RAMPART


def run(*args, cwd, stdin=None):
    return subprocess.run([RAMPART, "ledger", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60)


def test_ledger_round_trip_and_tampering(tmp_path):
    (tmp_path / "rampart.yaml").write_text(
        "ledger:\n  origin: e2e.example/ledger\n  signing_key: keys/ledger.pem\n"
        "routes:\n  - name: chat\n    upstream: http://127.0.0.1:9/v1\n")
    (tmp_path / "keys").mkdir()
    # No store yet: verify is an error (2), not "tampered".
    assert run("verify", cwd=tmp_path).returncode == 2
    # A key from OpenSSL, as the docs allow; a group-readable key is refused with the fix in the message.
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(tmp_path / "keys/ledger.pem")], check=True)
    (tmp_path / "keys/ledger.pem").chmod(0o644)
    out = run("record", "--kind", "approval", "--body", '{"by":"dpo"}', cwd=tmp_path)
    assert out.returncode == 65 and "chmod 600" in out.stderr
    (tmp_path / "keys/ledger.pem").chmod(0o600)
    # keygen prints the verifier key and refuses to overwrite.
    keygen = run("keygen", "--out", str(tmp_path / "other.pem"), "--origin", "e2e.example/ledger", cwd=tmp_path)
    assert keygen.returncode == 0 and keygen.stdout.startswith("e2e.example/ledger+")
    assert run("keygen", "--out", str(tmp_path / "other.pem"), cwd=tmp_path).returncode == 65

    for i in range(12):
        assert run("record", "--kind", "approval", "--body", json.dumps({"n": i}), cwd=tmp_path).returncode == 0
        if i in (4, 11):
            note = run("checkpoint", cwd=tmp_path)
            assert note.returncode == 0 and note.stdout.startswith("e2e.example/ledger\n")
    assert run("record", "--kind", "Bad Kind", "--body", "{}", cwd=tmp_path).returncode == 64
    assert run("record", "--kind", "approval", "--body", "[1]", cwd=tmp_path).returncode == 64

    report = run("verify", "--format", "json", cwd=tmp_path)
    assert report.returncode == 0, report.stdout + report.stderr
    data = json.loads(report.stdout)
    assert data["intact"] and data["entries"] == 12 and data["checkpoints"] == 2 and data["signatures_checked"]

    # Another key of the same name: its signatures do not match (the right key's proofs are checked below).
    wrong = keygen.stdout.strip()
    bad = run("verify", "--key", wrong, cwd=tmp_path)
    assert bad.returncode == 1 and "signature" in bad.stdout

    proof = run("prove", "--entry", "7", cwd=tmp_path)
    assert proof.returncode == 0
    doc = json.loads(proof.stdout)
    assert doc["type"] == "inclusion" and doc["index"] == 7 and doc["size"] == 12
    (tmp_path / "proof.json").write_text(proof.stdout)
    assert run("check-proof", "proof.json", "--key", wrong, cwd=tmp_path).returncode == 1
    assert run("check-proof", "proof.json", "--key", "not-a-key", cwd=tmp_path).returncode == 2
    assert run("check-proof", "missing.json", "--key", wrong, cwd=tmp_path).returncode == 2
    assert run("check-proof", "-", "--key", wrong, cwd=tmp_path, stdin="not json").returncode == 2
    assert run("prove", "--entry", "12", cwd=tmp_path).returncode == 1
    assert run("consistency", "--from", "3", "--to", "12", cwd=tmp_path).returncode == 1

    # Tamper with a row the way someone holding the file could: the append-only trigger first.
    db = sqlite3.connect(tmp_path / "rampart.db")
    db.execute("DROP TRIGGER ledger_entries_append_only_update")
    db.execute("""UPDATE ledger_entries SET body = '{"n":99}' WHERE seq = 3""")
    db.commit()
    db.close()
    tampered = run("verify", cwd=tmp_path)
    assert tampered.returncode == 1 and "TAMPERED at entry 3" in tampered.stdout


def test_proofs_check_with_the_keygen_verifier_key(tmp_path):
    (tmp_path / "rampart.yaml").write_text(
        "ledger:\n  origin: e2e.example/ledger\n  signing_key: ledger.pem\nroutes:\n  - name: chat\n    upstream: http://127.0.0.1:9/v1\n")
    key = run("keygen", "--out", "ledger.pem", "--origin", "e2e.example/ledger", cwd=tmp_path).stdout.strip()
    assert (tmp_path / "ledger.pem.pub").read_text().splitlines()[1] == key
    for i in range(5):
        run("record", "--kind", "approval", "--body", json.dumps({"n": i}), cwd=tmp_path)
    run("checkpoint", cwd=tmp_path)
    for i in range(5, 9):
        run("record", "--kind", "approval", "--body", json.dumps({"n": i}), cwd=tmp_path)
    run("checkpoint", cwd=tmp_path)
    for entry in ("0", "4", "8"):
        proof = run("prove", "--entry", entry, cwd=tmp_path).stdout
        checked = run("check-proof", "-", "--key", key, "--format", "json", cwd=tmp_path, stdin=proof)
        assert checked.returncode == 0 and json.loads(checked.stdout)["valid"], checked.stdout
        # Any change to the entry breaks the proof.
        doc = json.loads(proof)
        doc["entry"]["body"] = '{"n":-1}'
        assert run("check-proof", "-", "--key", key, cwd=tmp_path, stdin=json.dumps(doc)).returncode == 1
    consistency = run("consistency", "--from", "5", "--to", "9", cwd=tmp_path).stdout
    assert run("check-proof", "-", "--key", key, cwd=tmp_path, stdin=consistency).returncode == 0


def test_consent_commands(tmp_path):
    (tmp_path / "rampart.yaml").write_text(
        "purposes:\n  - { id: support, lawful_basis: consent }\n  - { id: billing, lawful_basis: contract }\n"
        "routes:\n  - name: chat\n    upstream: http://127.0.0.1:9/v1\n    purpose: support\n")
    (tmp_path / "form.txt").write_text("I agree.")
    give = run("consent", "give", "--subject", "u-1", "--purpose", "support", "--notice", "privacy-notice@3", "--evidence", "form.txt",
               "--jurisdiction", "DE", cwd=tmp_path)
    assert give.returncode == 0, give.stderr
    shown = json.loads(run("consent", "show", "--subject", "u-1", "--format", "json", cwd=tmp_path).stdout)
    assert shown == [{"purpose": "support", "state": "given", "entry": 0}]
    # The evidence's digest is recorded, the subject id is not in the clear.
    db = sqlite3.connect(tmp_path / "rampart.db")
    body, ref = db.execute("SELECT body, subject_ref FROM ledger_entries WHERE seq = 0").fetchone()
    db.close()
    import hashlib
    assert json.loads(body)["evidence_sha256"] == hashlib.sha256(b"I agree.").hexdigest()
    assert "u-1" not in body and ref.startswith("sub_")
    assert run("consent", "withdraw", "--subject", "u-1", "--purpose", "support", cwd=tmp_path).returncode == 0
    again = run("consent", "withdraw", "--subject", "u-1", "--purpose", "support", cwd=tmp_path)
    assert again.returncode == 1 and "no current consent" in again.stderr
    assert run("consent", "give", "--subject", "u-1", "--purpose", "billing", cwd=tmp_path).returncode == 65
    assert run("consent", "give", "--subject", "u-1", "--purpose", "nope", cwd=tmp_path).returncode == 1
    assert run("consent", "give", "--subject", "u-1", "--purpose", "support", "--notice", "v3", cwd=tmp_path).returncode == 64
    assert run("verify", cwd=tmp_path).returncode == 0


def test_record_jsonl_batches_and_stops_at_a_bad_line(tmp_path):
    (tmp_path / "rampart.yaml").write_text("routes:\n  - name: chat\n    upstream: http://127.0.0.1:9/v1\n")
    lines = [json.dumps({"kind": "decision", "body": {"n": i, "note": "ünïcode ✓"}}) for i in range(9_000)]
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n\n")
    out = run("record", "--jsonl", "events.jsonl", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("9000 event(s) appended (entries 0…8999)"), out.stdout + out.stderr
    # A bad line: the batches before it are kept and said so, nothing from it on.
    bad = lines[:4_500] + ['{"kind": "Bad Kind", "body": {}}'] + lines[:10]
    (tmp_path / "bad.jsonl").write_text("\n".join(bad) + "\n")
    out = run("record", "--jsonl", "-", cwd=tmp_path, stdin=(tmp_path / "bad.jsonl").read_text())
    assert out.returncode == 65 and "line 4501" in out.stderr and "4500 event(s) before it were appended" in out.stderr
    for broken in ['not json', '{"kind": "decision"}', '{"kind": "decision", "body": [1]}']:
        assert run("record", "--jsonl", "-", cwd=tmp_path, stdin=broken + "\n").returncode == 65
    assert run("record", "--jsonl", "missing.jsonl", cwd=tmp_path).returncode == 66
    assert run("record", "--jsonl", "events.jsonl", "--kind", "x", cwd=tmp_path).returncode == 64
    report = json.loads(run("verify", "--format", "json", cwd=tmp_path).stdout)
    assert report["intact"] and report["entries"] == 13_500
    db = sqlite3.connect(tmp_path / "rampart.db")
    assert json.loads(db.execute("SELECT body FROM ledger_entries WHERE seq = 3").fetchone()[0]) == {"n": 3, "note": "ünïcode ✓"}
    db.close()


def test_serve_signs_with_a_key_it_creates_beside_the_store(make_gateway, tmp_path):
    """Secure by default: with no `ledger.signing_key`, `rampart serve` on SQLite creates one (mode 0600) beside the
    store, and every ledger command uses it, so the log is tamper-evident without any setup."""
    gateway = make_gateway(tmp_path / "gw").start()
    key = tmp_path / "gw" / "rampart.ledger.pem"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert any("created the ledger's signing key" in line for line in gateway.log), gateway.log
    first = key.read_bytes()
    gateway.stop()
    assert "signing_key" not in gateway.config.read_text()

    # No checkpoint yet: verify passes but says the log is not protected against a rewrite of an entry and its hash.
    plain = gateway.cli("ledger", "verify")
    assert "no signed checkpoint" in plain.stdout, plain.stdout
    # The commands find the default key: a checkpoint is signed, and verify checks its signature.
    note = gateway.cli("ledger", "checkpoint")
    assert note.stdout.startswith("rampart/ledger\n")
    report = json.loads(gateway.cli("ledger", "verify", "--format", "json").stdout)
    assert report["intact"] and report["checkpoints"] == 1 and report["signatures_checked"]
    assert "no signed checkpoint" not in gateway.cli("ledger", "verify").stdout

    # A restart keeps the key it made; a key others may read is refused, as a configured one is.
    gateway.start()
    gateway.stop()
    assert key.read_bytes() == first
    key.chmod(0o644)
    refused = gateway.cli("ledger", "checkpoint", check=False)
    assert refused.returncode == 65 and "chmod 600" in refused.stderr

    # A ledger that has signed checkpoints never gets a new key in place of a lost one: serve refuses to start.
    key.unlink()
    start = subprocess.run([RAMPART, "serve", "--config", str(gateway.config)], capture_output=True, text=True, timeout=60)
    assert start.returncode != 0 and "signing key" in start.stderr and "missing" in start.stderr, start.stderr
    assert not key.exists()
