"""`rampart model bom`: a CycloneDX 1.6 ML-BOM for a bundled model, with the ledger's lineage, a probe report's
metrics and fairness audit, the scan verdict and the signature check — validated against the official 1.6 schema
by cyclonedx-python-lib."""
import json
import subprocess

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from conftest import RAMPART, ROOT

MODEL = ROOT / "examples" / "models" / "diabetes_logreg.onnx"


def rampart(*args, cwd=None):
    return subprocess.run([RAMPART, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


def validate(text):
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, error.data.message if error else None


def test_a_bom_with_lineage_probe_results_scan_and_signature(tmp_path):
    (tmp_path / "rampart.yaml").write_text(
        "store:\n  sqlite: rampart.db\npurposes:\n  - id: risk-scoring\n    lawful_basis: legitimate_interests\n"
        "routes:\n  - name: chat\n    upstream: http://127.0.0.1:9/v1\n")
    (tmp_path / "subjects.txt").write_text("p-1\np-2\np-3\n")
    lineage = rampart("ledger", "lineage", "record", "--model", "diabetes@1", "--dataset", "diabetes-2026", "--subjects", tmp_path / "subjects.txt",
                      "--purpose", "risk-scoring", "--config", tmp_path / "rampart.yaml", cwd=tmp_path)
    assert lineage.returncode == 0, lineage.stderr
    probe = rampart("probe", "fairness", "--target", MODEL, "--data", ROOT / "examples/data/diabetes_test.csv", "--sensitive", "sex",
                    "--output", tmp_path / "probe")
    assert probe.returncode == 0, probe.stderr
    model = tmp_path / "model.onnx"
    model.write_bytes(MODEL.read_bytes())
    assert rampart("model", "keygen", "--private-key", tmp_path / "key.pem", "--public-key", tmp_path / "pub.pem").returncode == 0
    assert rampart("model", "sign", model, "--private-key", tmp_path / "key.pem").returncode == 0

    out = rampart("model", "bom", model, "--config", tmp_path / "rampart.yaml", "--ledger-model", "diabetes@1", "--public-key", tmp_path / "pub.pem",
                  "--probe-report", tmp_path / "probe" / "report.json", "--version", "1", "--output", tmp_path / "bom.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "bom.json").read_text()
    validate(text)
    bom = json.loads(text)
    component = bom["metadata"]["component"]
    assert component["type"] == "machine-learning-model" and component["hashes"][0]["alg"] == "SHA-256"
    properties = {p["name"]: p["value"] for p in component["properties"]}
    assert properties["rampart:scan-verdict"] == "clean" and properties["rampart:signature"] == "verified"
    assert properties["rampart:lineage-state"] == "trained" and properties["rampart:purpose"] == "risk-scoring"
    card = component["modelCard"]
    assert card["modelParameters"]["datasets"] == [{"ref": "dataset:diabetes-2026"}]
    assert card["modelParameters"]["architectureFamily"] == "linear model"
    assert any(m["type"].startswith("fairness: fairness disparate_impact") for m in card["quantitativeAnalysis"]["performanceMetrics"])
    assert "disparate impact" in card["considerations"]["fairnessAssessments"][0]["harms"]
    assert bom["components"][0]["type"] == "data" and bom["components"][0]["data"][0]["classification"] == "personal data"
    assert bom["dependencies"][0] == {"ref": component["bom-ref"], "dependsOn": ["dataset:diabetes-2026"]}

    # An erasure makes the lineage say the model must be retrained; the BOM says so too.
    assert rampart("ledger", "subject", "erase", "--subject", "p-2", "--config", tmp_path / "rampart.yaml", cwd=tmp_path).returncode == 0
    out = rampart("model", "bom", model, "--config", tmp_path / "rampart.yaml", "--ledger-model", "diabetes@1", cwd=tmp_path)
    validate(out.stdout)
    card = json.loads(out.stdout)["metadata"]["component"]["modelCard"]
    assert card["considerations"]["ethicalConsiderations"][0]["name"]

    # A folder model: each file a component with its hash; a tampered signed model says "not verified".
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(MODEL.read_bytes())
    (folder / "config.json").write_text("{}")
    assert rampart("model", "sign", folder, "--private-key", tmp_path / "key.pem").returncode == 0
    (folder / "config.json").write_text('{"changed": true}')
    out = rampart("model", "bom", folder, "--public-key", tmp_path / "pub.pem")
    validate(out.stdout)
    component = json.loads(out.stdout)["metadata"]["component"]
    assert [c["name"] for c in component["components"]] == ["config.json", "model.onnx"]
    assert {p["name"]: p["value"] for p in component["properties"]}["rampart:signature"] == "not verified"


def test_bad_inputs_exit_two():
    assert rampart("model", "bom", "/nonexistent/model.onnx").returncode == 2
    out = rampart("model", "bom", MODEL, "--probe-report", MODEL)
    assert out.returncode == 2 and "probe report" in out.stderr
