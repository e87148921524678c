"""The native model runtime end to end: Rampart's native ONNX runtime against onnxruntime (the PyPI package, used only here) on every
parity fixture with fresh random inputs, through `rampart model run`; and the README's main job — `rampart serve` on the
bundled example config — serving the bundled models over KServe v2 to curl."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from conftest import RAMPART, ROOT, wait_listening

FIXTURES = ROOT / "Tests" / "RampartMLTests" / "Fixtures" / "parity"
MODELS = ROOT / "examples" / "models"


def run_model(model, inputs, tmp_path, name):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({name: inputs.tolist()}))
    result = subprocess.run([RAMPART, "model", "run", str(model), "--input", str(request), "--format", "json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["outputs"]


@pytest.mark.parametrize("fixture", sorted(p.stem for p in FIXTURES.glob("*.onnx")))
def test_native_runtime_matches_onnxruntime_on_fresh_inputs(fixture, tmp_path):
    session = ort.InferenceSession(str(FIXTURES / f"{fixture}.onnx"), providers=["CPUExecutionProvider"])
    recorded = np.array(json.loads((FIXTURES / f"{fixture}.json").read_text())["inputs"], dtype=np.float32)
    # Fresh inputs: recorded rows shuffled and perturbed by 5% of each feature's spread (seeded).
    rng = np.random.default_rng(11)
    x = recorded[rng.permutation(len(recorded))[:16]]
    x = (x + rng.normal(size=x.shape) * 0.05 * (recorded.std(axis=0) + 1e-3)).astype(np.float32)
    name = session.get_inputs()[0].name
    expected = session.run(None, {name: x})
    mine = run_model(FIXTURES / f"{fixture}.onnx", x, tmp_path, name)
    for meta, theirs in zip(session.get_outputs(), expected):
        ours = mine[meta.name]
        if isinstance(theirs, list):  # ZipMap: one {label: probability} per row
            labels = [str(k) for k in theirs[0].keys()]
            assert [str(l) for l in ours["labels"]] == labels
            theirs = np.array([[row[k] for k in theirs[0].keys()] for row in theirs], dtype=np.float32)
        theirs = np.asarray(theirs)
        assert list(theirs.shape) == ours["shape"], meta.name
        data = np.array(ours["data"]).reshape(theirs.shape)
        if theirs.dtype.kind in "iu":
            assert (data == theirs).all(), f"{fixture}.{meta.name}: labels differ"
        else:
            error = np.abs(data - theirs) / np.maximum(1, np.abs(theirs))
            assert error.max() <= 1e-5, f"{fixture}.{meta.name}: relative error {error.max()}"


def test_model_info_and_bad_files(tmp_path):
    info = subprocess.run([RAMPART, "model", "info", str(MODELS / "digits_mlp.onnx"), "--format", "json"], capture_output=True, text=True)
    assert info.returncode == 0
    report = json.loads(info.stdout)
    assert report["runnable"] and report["inputs"][0]["name"] == "X" and report["parameters"] == 4821
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x08\x07not a model")
    bad = subprocess.run([RAMPART, "model", "info", str(garbage)], capture_output=True, text=True)
    assert bad.returncode == 65 and "garbage.onnx" in bad.stderr
    missing = subprocess.run([RAMPART, "model", "run", str(tmp_path / "nope.onnx"), "--input", "x.json"], capture_output=True, text=True)
    assert missing.returncode == 66


def serve(config, env=None):
    """Starts `rampart serve` on `config` (listening on port 0); returns the process and its public base URL."""
    proc = subprocess.Popen([RAMPART, "serve", "--config", str(config)], stderr=subprocess.PIPE, text=True, env=env)
    public, _ = wait_listening(proc)
    return proc, f"http://127.0.0.1:{public}"


def curl_json(key, *args):
    out = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "-H", f"Authorization: Bearer {key}", *args], capture_output=True, text=True, check=True)
    body, status = out.stdout.rsplit("\n", 1)
    return int(status), json.loads(body)


def test_readme_main_job_serves_the_bundled_models_to_curl(tmp_path):
    """`rampart serve --config examples/rampart.yaml`, from a copy of examples/ (so the SQLite file stays out of the tree)."""
    folder = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", folder, ignore=shutil.ignore_patterns("*.db*"))
    config = folder / "rampart.yaml"
    text = config.read_text().replace('"127.0.0.1:8080"', '"127.0.0.1:0"').replace('"127.0.0.1:8081"', '"127.0.0.1:0"')
    config.write_text(text)
    key = json.loads(subprocess.run([RAMPART, "keys", "create", "--config", str(config), "--tenant", "e2e", "--routes", "*", "--format", "json"],
                                    capture_output=True, text=True, check=True).stdout)["key"]
    proc, base = serve(config)
    try:
        def curl(*args):
            return curl_json(key, *args)

        status, metadata = curl(f"{base}/v2/models/digits")
        assert status == 200 and metadata["inputs"][0]["shape"] == [-1, 64]
        status, ready = curl(f"{base}/v2/models/breast-cancer/ready")
        assert status == 200 and ready["ready"] is True
        status, answer = curl("-d", f"@{MODELS / 'digits_request.json'}", f"{base}/v2/models/digits/infer")
        expected = json.loads((MODELS / "digits_mlp.test.json").read_text())["sklearn_labels"][:2]
        outputs = {o["name"]: o for o in answer["outputs"]}
        # Label only (no probabilities), smoothed: these two clear digits are not abstained on.
        assert status == 200 and set(outputs) == {"output_label", "abstained"}
        assert outputs["output_label"]["data"] == expected and outputs["abstained"]["data"] == [False, False]
        # The same request again is a near-copy of the first: the evasion monitor refuses it.
        status, refusal = curl("-d", f"@{MODELS / 'digits_request.json'}", f"{base}/v2/models/digits/infer")
        assert status == 403 and refusal["code"] == "evasion_suspected"
        test = json.loads((MODELS / "breast_cancer_logreg.test.json").read_text())
        body = json.dumps({"inputs": [{"name": "X", "shape": [5, 30], "datatype": "FP32", "data": sum(test["inputs"][:5], [])}]})
        status, answer = curl("-d", body, f"{base}/v2/models/breast-cancer/infer")
        outputs = {o["name"]: o for o in answer["outputs"]}
        assert status == 200 and outputs["output_label"]["data"] == test["sklearn_labels"][:5]
        assert outputs["top_k_scores"]["shape"] == [5, 1] and "output_probability" not in outputs
        status, refusal = curl("-d", '{"inputs":[{"name":"X","shape":[1,64],"datatype":"FP32","data":[' + ",".join(["0.5"] * 63) + ',7]}]}',
                               f"{base}/v2/models/digits/infer")
        assert status == 400 and refusal["code"] == "out_of_range" and "index 63" in refusal["error"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_kserve_route_puts_the_controls_in_front_of_a_remote_v2_server(tmp_path):
    """A `kind: kserve` route in front of another KServe v2 server — here a second `rampart serve` answering with full
    probabilities: the front gateway validates against the remote's metadata, trims the answer to the label, and its
    evasion monitor refuses near-repeats before they reach the remote."""
    back = tmp_path / "back"
    back.mkdir()
    shutil.copy(MODELS / "digits_mlp.onnx", back)
    (back / "rampart.yaml").write_text("""server: { listen: "127.0.0.1:0", admin_listen: "127.0.0.1:0" }
store: { sqlite: "rampart.db" }
routes:
  - name: digits-full
    kind: model
    model: digits_mlp.onnx
    output: { confidence: full }
""")
    back_key = json.loads(subprocess.run([RAMPART, "keys", "create", "--config", str(back / "rampart.yaml"), "--tenant", "front", "--routes", "*",
                                          "--format", "json"], capture_output=True, text=True, check=True).stdout)["key"]
    back_proc, back_base = serve(back / "rampart.yaml")
    front = tmp_path / "front"
    front.mkdir()
    (front / "rampart.yaml").write_text(f"""server: {{ listen: "127.0.0.1:0", admin_listen: "127.0.0.1:0" }}
store: {{ sqlite: "rampart.db" }}
routes:
  - name: digits
    kind: kserve
    upstream: "{back_base}"
    upstream_model: digits-full
    upstream_api_key_env: BACK_KEY
    inputs: {{ X: {{ min: 0, max: 1 }} }}
    output: {{ confidence: label }}
    monitor:
      evasion: {{ detector: stateful, action: block }}
""")
    key = json.loads(subprocess.run([RAMPART, "keys", "create", "--config", str(front / "rampart.yaml"), "--tenant", "e2e", "--routes", "*",
                                     "--format", "json"], capture_output=True, text=True, check=True).stdout)["key"]
    front_proc, base = serve(front / "rampart.yaml", env=dict(os.environ, BACK_KEY=back_key))
    try:
        def curl(*args):
            return curl_json(key, *args)

        status, metadata = curl(f"{base}/v2/models/digits")
        assert status == 200 and metadata["platform"] == "kserve" and metadata["inputs"][0]["shape"] == [-1, 64]
        assert [o["name"] for o in metadata["outputs"]] == ["output_label"]
        test = json.loads((MODELS / "digits_mlp.test.json").read_text())
        body = json.dumps({"inputs": [{"name": "X", "shape": [3, 64], "datatype": "FP32", "data": sum(test["inputs"][:3], [])}]})
        status, answer = curl("-d", body, f"{base}/v2/models/digits/infer")
        assert status == 200, answer
        assert [o["name"] for o in answer["outputs"]] == ["output_label"]  # the remote's probabilities stay behind
        assert answer["outputs"][0]["data"] == test["sklearn_labels"][:3]
        status, refusal = curl("-d", body, f"{base}/v2/models/digits/infer")
        assert status == 403 and refusal["code"] == "evasion_suspected"
        status, refusal = curl("-d", json.dumps({"inputs": [{"name": "X", "shape": [1, 63], "datatype": "FP32", "data": [0.5] * 63}]}),
                               f"{base}/v2/models/digits/infer")
        assert status == 400 and refusal["code"] == "invalid_shape"
        # The remote gone: 502, not a hang.
        back_proc.terminate()
        back_proc.wait(timeout=30)
        status, refusal = curl("-d", json.dumps({"inputs": [{"name": "X", "shape": [1, 64], "datatype": "FP32", "data": test["inputs"][9]}]}),
                               f"{base}/v2/models/digits/infer")
        assert status == 502 and refusal["code"] == "upstream_unreachable"
    finally:
        front_proc.terminate()
        front_proc.wait(timeout=30)
        if back_proc.poll() is None:
            back_proc.terminate()
            back_proc.wait(timeout=30)
