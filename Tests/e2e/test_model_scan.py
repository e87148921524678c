"""`rampart model scan` as a user runs it: folders, table/JSON/SARIF output, policy files, exit codes, bad input —
and a cross-check against picklescan, the anchor most pipelines run today, on the same pickles."""
import json
import pickle
import subprocess
from pathlib import Path

from conftest import BIN, ROOT

CORPUS = ROOT / "Tests" / "RampartSupplyTests" / "Corpus"


def run(*args, cwd=None):
    return subprocess.run([str(BIN / "rampart"), "model", "scan", *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_json_report_of_the_corpus_matches_the_known_answers():
    out = run(CORPUS, "--format", "json")
    assert out.returncode == 1, out.stderr  # the corpus holds malicious files
    report = json.loads(out.stdout)
    expected = json.loads((CORPUS / "expected.json").read_text())
    files = {str(Path(f["path"]).relative_to(CORPUS)): f for f in report["files"]}
    for path, want in expected.items():
        assert files[path]["verdict"] == want["verdict"], (path, files[path]["findings"])
    sample = files["malicious/pickle-os-system-p2.pkl"]
    assert set(sample) == {"path", "format", "verdict", "sha256", "size", "findings"}
    assert set(sample["findings"][0]) >= {"severity", "rule", "message", "location"}
    assert set(report["summary"]) >= {"clean", "suspicious", "malicious", "malformed"}
    counts = {v: sum(1 for f in report["files"] if f["verdict"] == v) for v in ("clean", "suspicious", "malicious", "malformed")}
    assert all(report["summary"][v] == counts[v] for v in counts)


def test_clean_files_exit_zero_and_the_table_says_why_others_fail():
    out = run(CORPUS / "benign" / "sklearn-forest.pkl", CORPUS / "benign" / "weights.safetensors")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 files: 2 clean" in out.stdout
    bad = run(CORPUS / "malicious" / "pickle-os-system-p2.pkl")
    assert bad.returncode == 1
    assert "MALICIOUS" in bad.stdout and "pickle.dangerous-global" in bad.stdout and "posix.system" in bad.stdout


def test_sarif_for_code_scanning(tmp_path):
    target = tmp_path / "scan.sarif"
    out = run(CORPUS / "malicious" / "compromised-1.0-py3-none-any.whl", "--format", "sarif", "--output", target)
    assert out.returncode == 1 and out.stdout == ""
    sarif = json.loads(target.read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert results and results[0]["ruleId"] == "python.pth-exec" and results[0]["level"] == "error"
    assert sarif["runs"][0]["artifacts"][0]["hashes"]["sha-256"]


def test_a_policy_lets_reviewed_names_and_suspicious_files_pass(tmp_path):
    suspicious = CORPUS / "suspicious" / "pickle-unknown-class.pkl"
    assert run(suspicious).returncode == 1
    (tmp_path / "pass.yaml").write_text("suspicious: pass\n")
    assert run(suspicious, "--policy", tmp_path / "pass.yaml").returncode == 0
    (tmp_path / "allow.yaml").write_text("allow: [mycompany.models.*]\n")
    out = run(suspicious, "--policy", tmp_path / "allow.yaml", "--format", "json")
    assert out.returncode == 0 and json.loads(out.stdout)["files"][0]["verdict"] == "clean"
    (tmp_path / "deny.yaml").write_text("deny: [sklearn.ensemble._forest.RandomForestClassifier]\n")
    assert run(CORPUS / "benign" / "sklearn-forest.pkl", "--policy", tmp_path / "deny.yaml").returncode == 1
    (tmp_path / "bad.yaml").write_text("suspicious: sometimes\n")
    bad = run(suspicious, "--policy", tmp_path / "bad.yaml")
    assert bad.returncode == 64 and "bad.yaml:1" in bad.stderr and "fail` or `pass" in bad.stderr


def test_unreadable_inputs_exit_two_and_other_files_are_still_scanned(tmp_path):
    out = run(tmp_path / "missing.pkl", CORPUS / "benign" / "sklearn-forest.pkl", "--format", "json")
    assert out.returncode == 2
    report = json.loads(out.stdout)
    assert report["errors"][0]["path"].endswith("missing.pkl") and report["files"][0]["verdict"] == "clean"
    assert run("--format", "xml", CORPUS).returncode == 64


def test_folders_skip_what_is_not_a_model_and_do_not_follow_links(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_text("# a model\n")
    (model / "weights.pkl").write_bytes(pickle.dumps({"w": [1.0, 2.0]}))
    (model / "escape").symlink_to("/etc")
    out = run(model, "--format", "json")
    assert out.returncode == 0, out.stdout
    report = json.loads(out.stdout)
    assert [Path(f["path"]).name for f in report["files"]] == ["weights.pkl"]
    assert {Path(s["path"]).name for s in report["skipped"]} == {"README.md", "escape"}


def test_every_pickle_picklescan_flags_rampart_calls_malicious():
    """picklescan is a blocklist: whatever it flags dangerous, Rampart must call malicious; Rampart also catches what
    picklescan misses (names built on the stack, getattr chains, nested pickles)."""
    pickles = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".pkl", ".pt", ".joblib", ".npy", ".bin"))
    report = json.loads(run(*pickles, "--format", "json").stdout)
    verdicts = {f["path"]: f["verdict"] for f in report["files"]}
    flagged = 0
    for path in pickles:
        scan = subprocess.run(["python3", "-m", "picklescan", "-p", str(path)], capture_output=True, text=True, timeout=120)
        if "dangerous import" in scan.stdout.lower():
            flagged += 1
            assert verdicts[str(path)] == "malicious", (path, scan.stdout)
    assert flagged >= 10
