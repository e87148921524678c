"""`rampart scan text` as a user runs it: files, stdin, JSON and JSONL, exit codes, bad input."""
import json
import subprocess

from conftest import BIN


def run(*args, input=None):
    return subprocess.run([str(BIN / "rampart"), "scan", "text", *args], input=input, capture_output=True, timeout=60)


def test_json_offsets_are_python_indices(tmp_path):
    text = "👍🏽 écrivez à jane@example.com — ｃａｒｄ 4111 1111 1111 1111\n"
    (tmp_path / "in.txt").write_text(text, encoding="utf-8")
    out = run(str(tmp_path / "in.txt"), "--format", "json")
    assert out.returncode == 1, out.stderr
    findings = json.loads(out.stdout)["findings"]
    assert [f["type"] for f in findings] == ["EMAIL", "CREDIT_CARD"]
    assert text[findings[0]["start"]:findings[0]["end"]] == "jane@example.com"
    assert text[findings[1]["start"]:findings[1]["end"]] == "4111 1111 1111 1111"
    assert set(findings[0]) == {"kind", "type", "start", "end", "score", "decoded_by"}


def test_clean_input_exits_zero():
    out = run("-", input=b"nothing to see here\n")
    assert out.returncode == 0 and b"no findings" in out.stdout


def test_injection_score_is_reported_below_threshold():
    out = run("--format", "json", "--min-score", "0.9", input=b"Please act as a translator.")
    findings = json.loads(out.stdout)["findings"]
    assert findings and findings[0]["kind"] == "injection" and findings[0]["score"] < 0.5


def test_jsonl_corpus_keeps_order_and_names_bad_lines(tmp_path):
    lines = [json.dumps({"id": i, "text": f"row {i} mail user{i}@example.org" if i % 3 == 0 else f"row {i}"}) for i in range(2000)]
    lines.insert(5, "{not json")
    lines.insert(9, json.dumps({"id": "x"}))
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n")
    out = run("--jsonl", str(tmp_path / "c.jsonl"))
    assert out.returncode == 2
    assert b"line 6: not a JSON object" in out.stderr and b"line 10: member `text`" in out.stderr
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [r["id"] for r in rows] == list(range(2000))
    assert all((len(r["findings"]) == 1) == (r["id"] % 3 == 0) for r in rows)


def test_bad_inputs_have_documented_exit_codes(tmp_path):
    (tmp_path / "bad.bin").write_bytes(b"ok \xff\xfe bad")
    out = run(str(tmp_path / "bad.bin"))
    assert out.returncode == 2 and b"not UTF-8 text (first bad byte at offset 3)" in out.stderr
    out = run(str(tmp_path / "missing.txt"))
    assert out.returncode == 2 and b"no such file" in out.stderr
    out = run("--max-bytes", "10", input=b"x" * 100)
    assert out.returncode == 2 and b"larger than --max-bytes" in out.stderr
    out = run("--kinds", "pii,nonsense", input=b"x")
    assert out.returncode == 64 and b"unknown kind `nonsense`" in out.stderr
