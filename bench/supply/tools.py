"""Runs each model scanner on one file and normalises what it says to one of: clean, flagged, error, skipped.

`flagged` is what makes the tool's own command fail (a non-zero exit a CI job would act on); each tool's raw
severity is kept beside it. Tools run one file at a time, so a finding is never attributed to the wrong file.
"""
import json
import os
import subprocess
import tempfile

VENVS = os.environ.get("BENCH_VENVS", "/tmp/rampart-bench-venvs")
ENV = dict(os.environ, PROMPTFOO_DISABLE_TELEMETRY="1", NO_COLOR="1")


def bin(tool, name=None):
    return os.path.join(VENVS, tool, "bin", name or tool)


def run(cmd, timeout=900):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, "", "timeout"


def rampart(binary, path):
    rc, out, err = run([binary, "model", "scan", path, "--format", "json"])
    try:
        report = json.loads(out)
    except ValueError:
        return "error", err[:200]
    if report["files"]:
        verdict = report["files"][0]["verdict"]
        return ("clean" if verdict == "clean" else "flagged"), verdict
    if report["errors"]:
        return "error", report["errors"][0]["reason"]
    return "skipped", "not a format it judges"


def picklescan(path):
    rc, out, err = run([bin("picklescan", "picklescan"), "-p", path])
    text = (out + err).lower()
    if "dangerous import" in text:
        return "flagged", "dangerous"
    if "could not parse" in text or "error" in text and rc != 0:
        return "error", "parse error"
    if "scanned files: 0" in text:
        return "skipped", "not scanned"
    if "suspicious" in text and "suspicious globals: 0" not in text:
        return "clean", "suspicious (exit 0)"
    return "clean", "clean"


def modelscan(path):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "ms.json")
        rc, out, err = run([bin("modelscan", "modelscan"), "-p", path, "--show-skipped", "-r", "json", "-o", report])
        try:
            data = json.load(open(report))
        except (OSError, ValueError):
            return ("skipped" if rc == 3 else "error"), f"exit {rc}"
    issues = data.get("issues", [])
    if issues:
        order = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
        return "flagged", max((i["severity"] for i in issues), key=order.index)
    if data.get("errors"):
        return "error", data["errors"][0].get("category", "error")
    if data.get("summary", {}).get("scanned", {}).get("total_scanned", 0) == 0:
        return "skipped", "not scanned"
    return "clean", "clean"


def fickling(path):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "fk.json")
        rc, out, err = run([bin("fickling", "fickling"), "--check-safety", "--json-output", report, path])
        severities = []
        if os.path.exists(report):
            text, decoder, i = open(report).read(), json.JSONDecoder(), 0
            while text[i:].strip():
                rest = text[i:].lstrip()
                obj, n = decoder.raw_decode(rest)
                severities.append(obj.get("severity", ""))
                i = len(text) - len(rest) + n
    if rc == 2 or "Traceback" in err or not severities:
        return "error", f"exit {rc}"
    order = ["LIKELY_SAFE", "POSSIBLY_UNSAFE", "SUSPICIOUS", "LIKELY_UNSAFE", "LIKELY_OVERTLY_MALICIOUS", "OVERTLY_MALICIOUS"]
    worst = max(severities, key=lambda s: order.index(s) if s in order else 0)
    return ("clean" if rc == 0 else "flagged"), worst


def modelaudit(path):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "ma.json")
        rc, out, err = run([bin("modelaudit", "modelaudit"), "scan", "--no-cache", "-f", "json", "-o", report, path])
        try:
            data = json.load(open(report))
        except (OSError, ValueError):
            return "error", f"exit {rc}"
    issues = data.get("issues", [])
    worst = max((i.get("severity", "info") for i in issues), key=["debug", "info", "warning", "critical"].index, default="none")
    incomplete = any(m.get("analysis_incomplete") or m.get("operational_error") for m in data.get("file_metadata", {}).values())
    if worst == "critical":
        return "flagged", "critical"
    if incomplete:
        return "error", "analysis incomplete"
    if rc == 1:
        return "flagged", worst
    if rc == 2:
        return "error", f"exit {rc}"
    return "clean", worst


TOOLS = {"picklescan": picklescan, "modelscan": modelscan, "fickling": fickling, "modelaudit": modelaudit}
