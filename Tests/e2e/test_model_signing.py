"""`rampart model sign | verify | keygen` against OpenSSF's own `model_signing` (v1.x, key mode): each verifies the
other's signatures, on a folder and on a single file, and tampering is named file by file."""
import json
import subprocess
import sys
from pathlib import Path

from conftest import BIN

MODEL_SIGNING = [sys.executable, "-m", "model_signing"]


def rampart(*args):
    return subprocess.run([str(BIN / "rampart"), "model", *map(str, args)], capture_output=True, text=True, timeout=120)


def model_signing(*args):
    return subprocess.run([*MODEL_SIGNING, *map(str, args)], capture_output=True, text=True, timeout=120)


def make_model(root: Path):
    (root / "layers").mkdir(parents=True)
    (root / "config.json").write_text('{"hidden": 8}')
    (root / "layers" / "dense.bin").write_bytes(bytes(range(256)) * 40)
    (root / "layers" / "ünï code.bin").write_bytes(b"\x00" * 10)
    (root / "empty.txt").write_bytes(b"")
    (root / ".gitignore").write_text("*.tmp\n")


def test_each_verifies_the_others_signatures(tmp_path):
    model = tmp_path / "model"
    make_model(model)
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    made = rampart("keygen", "--private-key", key, "--public-key", pub)
    assert made.returncode == 0, made.stderr
    assert oct(key.stat().st_mode & 0o777) == "0o600"

    signed = rampart("sign", model, "--private-key", key)
    assert signed.returncode == 0, signed.stderr
    checked = model_signing("verify", "key", model, "--signature", model / "model.sig", "--public_key", pub)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    (model / "model.sig").unlink()
    theirs = model_signing("sign", "key", model, "--private_key", key, "--signature", model / "model.sig")
    assert theirs.returncode == 0, theirs.stdout + theirs.stderr
    ours = rampart("verify", model, "--public-key", pub, "--format", "json")
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert json.loads(ours.stdout)["files"] == 4

    # Single files: PATH.sig beside the model.
    weights = model / "layers" / "dense.bin"
    assert rampart("sign", weights, "--private-key", key).returncode == 0
    assert model_signing("verify", "key", weights, "--signature", f"{weights}.sig", "--public_key", pub).returncode == 0


def test_tampering_is_named_file_by_file(tmp_path):
    model = tmp_path / "model"
    make_model(model)
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    rampart("keygen", "--private-key", key, "--public-key", pub)
    assert model_signing("sign", "key", model, "--private_key", key, "--signature", model / "model.sig").returncode == 0
    (model / "config.json").write_text('{"hidden": 9}')
    (model / "layers" / "extra.bin").write_bytes(b"payload")
    (model / "empty.txt").unlink()
    out = rampart("verify", model, "--public-key", pub, "--format", "json")
    assert out.returncode == 1
    result = json.loads(out.stdout)
    assert (result["changed"], result["added"], result["removed"]) == (["config.json"], ["layers/extra.bin"], ["empty.txt"])
    text = rampart("verify", model, "--public-key", pub)
    assert "changed  config.json" in text.stdout and "added    layers/extra.bin" in text.stdout and "removed  empty.txt" in text.stdout


def test_errors_are_exit_two_and_say_what_to_do(tmp_path):
    model = tmp_path / "model"
    make_model(model)
    (tmp_path / "bad.pem").write_text("not a key\n")
    out = rampart("sign", model, "--private-key", tmp_path / "bad.pem")
    assert out.returncode == 2 and "P-256" in out.stderr
    out = rampart("verify", model, "--public-key", tmp_path / "bad.pem")
    assert out.returncode == 2 and "--signature" in out.stderr
    (model / "link").symlink_to(model / "config.json")
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    rampart("keygen", "--private-key", key, "--public-key", pub)
    out = rampart("sign", model, "--private-key", key)
    assert out.returncode == 2 and "--allow-symlinks" in out.stderr
    assert rampart("sign", model, "--private-key", key, "--allow-symlinks").returncode == 0
    assert rampart("keygen", "--private-key", key, "--public-key", pub).returncode == 2  # never overwrites a key
