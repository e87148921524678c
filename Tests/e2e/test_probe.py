"""`rampart probe`: the closed-loop campaign against the bundled digits MLP, bare and behind `rampart serve` with the
example config's controls; reproducibility from the seed; and clean errors for bad campaigns and unreachable targets."""
import json
import os
import shutil
import subprocess
import xml.dom.minidom

from conftest import RAMPART, ROOT
from test_models import serve


def probe(*args, env=None):
    return subprocess.run([RAMPART, "probe", *args], capture_output=True, text=True, env=env, timeout=900)


def test_campaign_measures_each_control_against_the_bare_model(tmp_path):
    folder = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", folder, ignore=shutil.ignore_patterns("*.db*"))
    config = folder / "rampart.yaml"
    config.write_text(config.read_text().replace('"127.0.0.1:8080"', '"127.0.0.1:0"').replace('"127.0.0.1:8081"', '"127.0.0.1:0"'))
    keys = {f"RAMPART_KEY_{i}": json.loads(subprocess.run([RAMPART, "keys", "create", "--config", str(config), "--tenant", f"red-team-{i}", "--routes",
                                                          "digits", "--format", "json"], capture_output=True, text=True, check=True).stdout)["key"]
            for i in range(1, 6)}
    key = keys["RAMPART_KEY_1"]
    proc, base = serve(config)
    try:
        campaign = folder / "probe" / "campaign.yaml"
        campaign.write_text(campaign.read_text().replace("http://127.0.0.1:8080", base))
        out = tmp_path / "report"
        run = probe("campaign", "--config", str(campaign), "--output", str(out), env={**os.environ, **keys})
        assert run.returncode == 0, run.stderr + run.stdout
        assert "[1/6] hopskipjump against bare" in run.stderr   # progress
        report = json.loads((out / "report.json").read_text())
        assert report["seed"] == 0 and [t["name"] for t in report["targets"]] == ["bare", "gateway"]
        assert report["targets"][0]["output_kind"] == "probabilities" and report["targets"][1]["output_kind"] == "label"
        results = {(r["attack"], r["target"]): r for r in report["results"]}
        bare, gateway = results[("hopskipjump-l2", "bare")], results[("hopskipjump-l2", "gateway")]
        # Labels-only evasion walks the bare model's boundary; the gateway's stateful monitor refuses the walk.
        assert bare["metrics"]["verified_success_rate"] == 1 and bare["budget"] == 1000
        assert gateway["metrics"]["refused_rate"] > 0.5 and gateway["metrics"]["verified_success_rate"] < bare["metrics"]["verified_success_rate"]
        # SimBA needs scores: label-only output (excluding confidence) leaves it nothing to work with.
        assert results[("simba", "bare")]["metrics"]["success_rate"] > 0.8
        assert "labels only" in results[("simba", "gateway")]["error"]
        assert results[("extraction-surrogate-kcenter", "bare")]["metrics"]["fidelity_at_450"] > 0.9
        assert results[("pgd-linf", "bare")]["metrics"]["success_rate"] > 0.3
        assert "white-box" in results[("pgd", "gateway")]["error"]
        # Inversion from the scores recovers every digit's look from the bare model. Through the gateway its first
        # request — near-copies of one point, σ apart — is refused by the evasion monitor (label-only output would
        # have stopped it next).
        inversion = results[("inversion-black-box", "bare")]
        assert inversion["metrics"]["identification_rate"] >= 0.8 and inversion["metrics"]["similarity"] > 0.3 and len(inversion["images"]) == 20
        assert "evasion_suspected" in results[("inversion", "gateway")]["error"]
        lira = results[("membership-lira-online", "bare")]["metrics"]
        assert lira["auc"] > results[("membership-threshold", "bare")]["metrics"]["auc"]
        html = (out / "report.html").read_text()
        assert html.count("<svg") >= 4 and "hopskipjump-l2" in html and key not in html and key not in (out / "report.json").read_text()
        junit = xml.dom.minidom.parse(str(out / "junit.xml"))
        assert junit.documentElement.getAttribute("failures") == "0"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_single_attacks_reproduce_from_their_seed_and_thresholds_fail_the_build(tmp_path):
    args = ["evasion", "--target", str(ROOT / "examples/models/digits_mlp.onnx"), "--data", str(ROOT / "examples/data/digits_test.csv"),
            "--attack", "square", "--samples", "4", "--budget", "300", "--seed", "5", "--format", "json"]
    first, second = probe(*args), probe(*args)
    assert first.returncode == 0, first.stderr
    strip = lambda text: [{k: v for k, v in r.items() if k != "seconds"} for r in json.loads(text)["results"]]
    assert strip(first.stdout) == strip(second.stdout)
    # White-box on the model file: PGD beats FGSM at the same ε.
    model, data = str(ROOT / "examples/models/digits_mlp.onnx"), str(ROOT / "examples/data/digits_test.csv")
    rates = {a: json.loads(probe("evasion", "--target", model, "--data", data, "--attack", a, "--norm", "l2", "--epsilon", "1",
                                 "--samples", "50", "--format", "json").stdout)["results"][0]["metrics"]["success_rate"] for a in ("fgsm", "pgd")}
    assert rates["pgd"] > rates["fgsm"] > 0
    campaign = tmp_path / "c.yaml"
    campaign.write_text(f"""seed: 1
data: {{ test: {ROOT / 'examples/data/digits_test.csv'} }}
targets: [{{ name: bare, url: {ROOT / 'examples/models/digits_mlp.onnx'} }}]
attacks:
  - {{ attack: extraction, budgets: [100], thresholds: [{{ metric: fidelity_at_100, max: 0.5 }}] }}
""")
    failed = probe("campaign", "--config", str(campaign), "--output", str(tmp_path / "out"))
    assert failed.returncode == 1 and "FAILED: fidelity_at_100 ≤ 0.5" in failed.stdout
    assert 'failures="1"' in (tmp_path / "out" / "junit.xml").read_text()


def test_bad_campaigns_and_unreachable_targets_fail_cleanly(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 0\ndata: { test: x.csv }\ntargets: [{ name: t, url: m.onnx }]\nattacks: [{ attack: boundary }]\n")
    run = probe("campaign", "--config", str(bad))
    assert run.returncode == 65 and "attacks[0].attack: boundary is not one of" in run.stderr
    bad.write_text("seed: 0\ntargets: []\n")
    run = probe("campaign", "--config", str(bad))
    assert run.returncode == 65 and "data" in run.stderr
    run = probe("evasion", "--target", "http://127.0.0.1:9/v2/models/digits", "--data", str(ROOT / "examples/data/digits_test.csv"))
    assert run.returncode == 69 and "cannot reach http://127.0.0.1:9/v2/models/digits" in run.stderr
    csv = tmp_path / "bad.csv"
    csv.write_text("a,b,label\n1,oops,0\n")
    run = probe("evasion", "--target", str(ROOT / "examples/models/digits_mlp.onnx"), "--data", str(csv))
    assert run.returncode == 65 and "bad.csv:2: column b" in run.stderr
    run = probe("extraction", "--target", str(ROOT / "examples/models/digits_mlp.onnx"), "--data", str(csv), "--budgets", "0")
    assert run.returncode == 64
    # Numbers out of range are exit 65 with the limit; so is an attack that cannot run (white-box on a data file
    # whose width the model does not take).
    run = probe("evasion", "--target", str(ROOT / "examples/models/digits_mlp.onnx"), "--data", str(ROOT / "examples/data/digits_test.csv"),
                "--attack", "square", "--epsilon=-1", "--samples", "1")
    assert run.returncode == 65 and "epsilon must be a number above 0" in run.stderr
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("a,b,label\n0.1,0.2,1\n")
    run = probe("evasion", "--target", str(ROOT / "examples/models/digits_mlp.onnx"), "--data", str(narrow), "--attack", "pgd")
    assert run.returncode == 65 and "the data has 2 features; the model takes 64" in run.stderr


def test_fairness_bare_and_through_the_gateway_agree_with_an_independent_count(tmp_path):
    """The fairness campaign (examples/probe/fairness.yaml): the bundled diabetes model's decisions across sex, bare and
    behind `rampart serve`, checked against the same metrics counted here from onnxruntime's decisions."""
    import numpy as np
    import onnxruntime as ort

    folder = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", folder, ignore=shutil.ignore_patterns("*.db*"))
    config = folder / "rampart.yaml"
    config.write_text(config.read_text().replace('"127.0.0.1:8080"', '"127.0.0.1:0"').replace('"127.0.0.1:8081"', '"127.0.0.1:0"'))
    key = json.loads(subprocess.run([RAMPART, "keys", "create", "--config", str(config), "--tenant", "auditor", "--routes", "diabetes",
                                     "--format", "json"], capture_output=True, text=True, check=True).stdout)["key"]
    proc, base = serve(config)
    try:
        campaign = folder / "probe" / "fairness.yaml"
        campaign.write_text(campaign.read_text().replace("http://127.0.0.1:8080", base))
        run = probe("campaign", "--config", str(campaign), "--output", str(tmp_path / "report"), env={**os.environ, "RAMPART_KEY": key})
        assert run.returncode == 0, run.stderr + run.stdout
        assert "disparate_impact" in run.stdout and "passed: disparate_impact ≥ 0.8" in run.stdout
        report = json.loads((tmp_path / "report" / "report.json").read_text())
        bare, gateway = (r["metrics"] for r in report["results"])
        assert report["targets"][1]["output_kind"] == "label"
        # Label-only output changes nobody's decision: the gateway's audit is the bare model's.
        assert bare == gateway
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    rows = np.loadtxt(ROOT / "examples/data/diabetes_test.csv", delimiter=",", skiprows=1, dtype=np.float32)
    x, y = rows[:, :-1], rows[:, -1].astype(int)
    session = ort.InferenceSession(str(ROOT / "examples/models/diabetes_logreg.onnx"), providers=["CPUExecutionProvider"])
    decide = lambda x: session.run(None, {session.get_inputs()[0].name: x})[0]
    p, sex = decide(x), x[:, 1]
    rate = {g: p[sex == g].mean() for g in (1, 2)}
    tpr = {g: p[(sex == g) & (y == 1)].mean() for g in (1, 2)}
    fpr = {g: p[(sex == g) & (y == 0)].mean() for g in (1, 2)}
    swapped = x.copy()
    swapped[:, 1] = 3 - swapped[:, 1]
    expected = {
        "selection_rate_sex_1": rate[1], "selection_rate_sex_2": rate[2],
        "demographic_parity_difference": abs(rate[1] - rate[2]), "disparate_impact": min(rate.values()) / max(rate.values()),
        "equalized_odds_difference": max(abs(tpr[1] - tpr[2]), abs(fpr[1] - fpr[2])), "fpr_parity_difference": abs(fpr[1] - fpr[2]),
        "fnr_parity_difference": abs(tpr[1] - tpr[2]), "counterfactual_flip_rate": (decide(swapped) != p).mean(),
    }
    for name, value in expected.items():
        assert abs(bare[name] - value) < 1e-9, (name, bare[name], value)
    assert 0.05 < bare["counterfactual_flip_rate"] < 1   # the model weighs sex


def test_inversion_and_fairness_commands(tmp_path):
    model, data = str(ROOT / "examples/models/digits_mlp.onnx"), str(ROOT / "examples/data/digits_test.csv")
    run = probe("inversion", "--target", model, "--data", data, "--members", str(ROOT / "examples/data/digits_train.csv"), "--steps", "100",
                "--format", "json", "--output", str(tmp_path / "inv"))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)["results"][0]
    assert result["attack"] == "inversion-white-box" and result["metrics"]["identification_rate"] >= 0.8
    assert (tmp_path / "inv" / "report.html").read_text().count("class 3: inverted") == 1
    run = probe("inversion", "--target", model, "--data", data, "--access", "black-box", "--budget", "10")
    assert run.returncode == 65 and "buys no step" in run.stderr
    run = probe("fairness", "--target", str(ROOT / "examples/models/diabetes_logreg.onnx"), "--data", str(ROOT / "examples/data/diabetes_test.csv"),
                "--sensitive", "gender")
    assert run.returncode == 65 and "no column named gender" in run.stderr
    run = probe("fairness", "--target", model, "--data", data, "--sensitive", "p10")
    assert run.returncode == 0 and "counterfactual_flip_rate" in run.stdout, run.stderr
