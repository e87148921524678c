"""The ledger walkthrough (docs/ledger.md) with the real binary, a real SQLite file and the OpenAI Python SDK: a subject gives consent,
is served, withdraws, is refused, objects, exports their data and is erased — a model trained on their data flagged
for retraining, a signed receipt, and a ledger that verifies at every step (docs/ledger.md)."""
import json
import subprocess
import time

import openai
import pytest

from conftest import RAMPART

LEDGER = """ledger:
  origin: e2e.example/ledger
  signing_key: ledger.pem
purposes:
  - { id: support, lawful_basis: consent, description: "answer support questions", data_categories: [conversation] }
  - { id: training, lawful_basis: legitimate_interests }"""


def ask(client, subject):
    return client.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "hi"}],
                                          extra_headers={"Rampart-Subject": subject} if subject else None)


def eventually_refused(client, subject, code):
    """Waits (the gateway polls the ledger) until the subject is refused with `code`."""
    seen = None
    for _ in range(50):
        try:
            ask(client, subject)
            seen = "served"
        except openai.PermissionDeniedError as error:
            seen = error.body["code"]
            if seen == code:
                return
        time.sleep(0.1)
    pytest.fail(f"never refused with {code} (last: {seen})")


def test_consent_to_erasure(make_gateway):
    gateway = make_gateway(top=LEDGER, extra_routes="    purpose: support")
    verifier = subprocess.run([RAMPART, "ledger", "keygen", "--out", str(gateway.folder / "ledger.pem"), "--origin", "e2e.example/ledger"],
                              capture_output=True, text=True, check=True).stdout.strip()
    key = gateway.create_key()["key"]
    gateway.start()
    client = openai.OpenAI(base_url=gateway.base + "/v1", api_key=key, max_retries=0)

    with pytest.raises(openai.PermissionDeniedError) as refused:
        ask(client, None)
    assert refused.value.body["code"] == "subject_required"
    with pytest.raises(openai.PermissionDeniedError) as refused:
        ask(client, "u-77")
    assert refused.value.body["code"] == "consent_required"

    gateway.cli("ledger", "consent", "give", "--subject", "u-77", "--purpose", "support", "--notice", "privacy@2", "--method", "web-form")
    for _ in range(50):  # the gateway polls the ledger every key_refresh_seconds (0.2 s here)
        try:
            answer = ask(client, "u-77")
            break
        except openai.PermissionDeniedError:
            time.sleep(0.1)
    else:
        pytest.fail("consent never took effect")
    assert answer.choices[0].message.content

    gateway.cli("ledger", "lineage", "record", "--model", "helper@1", "--dataset", "chats-2026", "--subjects", "-", "--purpose", "support",
                check=False)  # no stdin: an empty list is refused
    (gateway.folder / "subjects.txt").write_text("u-77\nu-78\n")
    gateway.cli("ledger", "lineage", "record", "--model", "helper@1", "--dataset", "chats-2026", "--subjects", str(gateway.folder / "subjects.txt"),
                "--purpose", "support")
    gateway.cli("ledger", "checkpoint")

    gateway.cli("ledger", "consent", "withdraw", "--subject", "u-77", "--purpose", "support")
    eventually_refused(client, "u-77", "consent_required")
    models = json.loads(gateway.cli("ledger", "models", "--format", "json").stdout)
    assert models[0]["model"] == "helper@1" and models[0]["state"] == "retrain-required"

    gateway.cli("ledger", "subject", "object", "--subject", "u-77", "--purpose", "support")
    eventually_refused(client, "u-77", "objection_recorded")

    consent_entry = json.loads(gateway.cli("ledger", "consent", "show", "--subject", "u-77", "--format", "json").stdout)[0]["entry"]
    given = [e for e in json.loads(gateway.cli("ledger", "subject", "export", "--subject", "u-77").stdout)["events"] if e["kind"] == "consent.given"]
    gateway.cli("ledger", "subject", "rectify", "--subject", "u-77", "--entry", str(given[0]["seq"]), "--body", '{"jurisdiction":"AT"}')
    assert consent_entry > given[0]["seq"], "the current state comes from the withdrawal"
    assert gateway.cli("ledger", "subject", "rectify", "--subject", "u-77", "--entry", str(given[0]["seq"]), "--body", "[1]", check=False).returncode == 65
    export = json.loads(gateway.cli("ledger", "subject", "export", "--subject", "u-77").stdout)
    assert export["consents"] == {"support": "withdrawn"} and export["objections"] == ["support"] and export["models"] == ["helper@1"]
    assert [e["kind"] for e in export["events"]] == ["consent.given", "consent.withdrawn", "subject.objected", "subject.exported", "subject.rectified"]
    assert export["events"][0]["superseded_by"] == export["events"][4]["seq"] and export["events"][4]["personal"] == {"jurisdiction": "AT"}
    assert export["events"][0]["personal"] == {"subject": "u-77"}
    assert {d["status"] for d in export["decisions"]} >= {200, 403} and all(d["subject"] == "u-77" for d in export["decisions"])
    assert export["purposes"][0]["lawful_basis"] == "consent"

    receipt = gateway.cli("ledger", "subject", "erase", "--subject", "u-77").stdout
    assert "decisions_unlinked " in receipt and "decisions_unlinked 0\n" not in receipt
    assert "erasure receipt\n" in receipt and "retrain_required helper@1\n" in receipt and "\n\n\u2014 e2e.example/ledger " in receipt
    assert gateway.cli("ledger", "subject", "erase", "--subject", "u-77", check=False).returncode == 1
    after = json.loads(gateway.cli("ledger", "subject", "export", "--subject", "u-77").stdout)
    assert after.get("subject_ref") is None and after["events"] == [] and after["consents"] == {}
    eventually_refused(client, "u-77", "consent_required")

    gateway.cli("ledger", "checkpoint")
    report = json.loads(gateway.cli("ledger", "verify", "--format", "json").stdout)
    assert report["intact"] and report["checkpoints"] == 2 and report["signatures_checked"]
    # The gateway recorded its decisions (naming no one) and the declared purposes.
    gateway.cli("ledger", "decisions")
    purposes = json.loads(gateway.cli("ledger", "purposes", "--format", "json").stdout)
    assert [(p["id"], p["state"]) for p in purposes] == [("support", "declared"), ("training", "declared")]
    # A proof of the consent entry still checks offline after the erasure.
    proof = gateway.cli("ledger", "prove", "--entry", str(given[0]["seq"])).stdout
    (gateway.folder / "proof.json").write_text(proof)
    checked = subprocess.run([RAMPART, "ledger", "check-proof", str(gateway.folder / "proof.json"), "--key", verifier], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert gateway.stop() == 0
