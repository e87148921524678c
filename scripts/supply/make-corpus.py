"""Builds the model-scanner corpus: malicious, benign and malformed files in every format `rampart model scan`
reads, and `expected.json`, the verdict each must get.

Nothing here is ever loaded: malicious payloads are written with the pickle *writer* (or by hand) and only ever
`touch` a marker file if something were to load them. No network is used. Run:

    python3 -m venv /tmp/corpus && /tmp/corpus/bin/pip install -r scripts/supply/requirements.txt
    KERAS_BACKEND=numpy /tmp/corpus/bin/python scripts/supply/make-corpus.py Tests/RampartSupplyTests/Corpus

Benign files come from the real libraries (scikit-learn, joblib, NumPy, Keras on its NumPy backend, safetensors,
gguf, skl2onnx); PyTorch files are written in PyTorch's own layouts by stand-in classes (installing PyTorch is a
2 GB download) and TensorFlow SavedModels by a protobuf encoder, for the same reason.
"""

import base64
import bz2
import collections
import datetime
import gzip
import io
import json
import lzma
import marshal
import os
import pickle
import shutil
import struct
import sys
import tarfile
import types
import zipfile
import zlib

os.environ.setdefault("KERAS_BACKEND", "numpy")

import numpy as np  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/RampartSupplyTests/Corpus"
MARKER = "touch /tmp/rampart-corpus-marker"
expected = {}


def put(path, data, verdict, fmt, rule=None):
    full = os.path.join(OUT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)
    expect(path, verdict, fmt, rule)


def expect(path, verdict, fmt, rule=None):
    expected[path] = {"verdict": verdict, "format": fmt}
    if rule:
        expected[path]["rule"] = rule


# ---------------------------------------------------------------------------------------------------------------
# Payload classes (the pickle writer calls __reduce__; nothing is ever unpickled)

class System:
    def __reduce__(self):
        return (os.system, (MARKER,))


class Popen:
    def __reduce__(self):
        import subprocess
        return (subprocess.Popen, (["touch", "/tmp/rampart-corpus-marker"],))


class Eval:
    def __reduce__(self):
        return (eval, ("__import__('os').system('%s')" % MARKER,))


class Exec:
    def __reduce__(self):
        return (exec, ("import os; os.system('%s')" % MARKER,))


class RunPy:
    def __reduce__(self):
        import runpy
        return (runpy._run_code, ("import os; os.system('%s')" % MARKER, {}))


class Browser:
    def __reduce__(self):
        import webbrowser
        return (webbrowser.open, ("http://127.0.0.1:9/",))


class Nested:
    def __reduce__(self):
        return (pickle.loads, (pickle.dumps(System(), protocol=2),))


def op(code, *args):
    return bytes([code]) + b"".join(args)


def su(s):  # SHORT_BINUNICODE
    b = s.encode()
    return op(0x8C, bytes([len(b)]), b)


# ---------------------------------------------------------------------------------------------------------------
# Pickles: malicious

for proto in (0, 2, 4, 5):
    put(f"malicious/pickle-os-system-p{proto}.pkl", pickle.dumps(System(), protocol=proto), "malicious", "pickle", "pickle.dangerous-global")
put("malicious/pickle-subprocess.pkl", pickle.dumps(Popen(), protocol=4), "malicious", "pickle", "pickle.dangerous-global")
put("malicious/pickle-eval.pkl", pickle.dumps(Eval(), protocol=3), "malicious", "pickle", "pickle.dangerous-global")
put("malicious/pickle-exec.pkl", pickle.dumps(Exec(), protocol=1), "malicious", "pickle", "pickle.dangerous-global")
put("malicious/pickle-runpy.pkl", pickle.dumps(RunPy(), protocol=4), "malicious", "pickle", "pickle.dangerous-global")
put("malicious/pickle-webbrowser.pkl", pickle.dumps(Browser(), protocol=2), "malicious", "pickle", "pickle.dangerous-global")
put("malicious/pickle-nested-loads.pkl", pickle.dumps(Nested(), protocol=4), "malicious", "pickle", "pickle.dangerous-global")
# A benign-looking model list whose payload sits inside, after many values.
put("malicious/pickle-buried.pkl", pickle.dumps({"weights": list(range(2000)), "meta": {"hook": System()}}, protocol=4),
    "malicious", "pickle", "pickle.dangerous-global")
# Protocol 4 with the module and name memoized first and fetched back for STACK_GLOBAL.
stack_global = (op(0x80, b"\x04") + su("posix") + op(0x94) + su("system") + op(0x94) + op(0x30) + op(0x30)
                + op(0x68, b"\x00") + op(0x68, b"\x01") + op(0x93) + su(MARKER) + op(0x85) + op(0x52) + op(0x2E))
put("malicious/pickle-stack-global-memo.pkl", stack_global, "malicious", "pickle", "pickle.dangerous-global")
# getattr(__import__('os'), 'system')(MARKER): an allowlist-evading chain through builtins.
chain = (op(0x80, b"\x04") + su("builtins") + su("getattr") + op(0x93) + su("builtins") + su("__import__") + op(0x93)
         + su("os") + op(0x85) + op(0x52) + su("system") + op(0x86) + op(0x52) + su(MARKER) + op(0x85) + op(0x52) + op(0x2E))
put("malicious/pickle-getattr-chain.pkl", chain, "malicious", "pickle", "pickle.dangerous-global")
# A module name computed at load time (str('os')), then STACK_GLOBAL.
dynamic = (op(0x80, b"\x04") + su("builtins") + su("str") + op(0x93) + su("os") + op(0x85) + op(0x52) + su("system")
           + op(0x93) + su(MARKER) + op(0x85) + op(0x52) + op(0x2E))
put("malicious/pickle-dynamic-global.pkl", dynamic, "malicious", "pickle", "pickle.dynamic-global")
# Protocol 0 INST and OBJ.
put("malicious/pickle-inst.pkl", b"(S'" + MARKER.encode() + b"'\nios\nsystem\n.", "malicious", "pickle", "pickle.dangerous-global")
put("malicious/pickle-obj.pkl", b"(csubprocess\ncall\n(S'touch'\nS'/tmp/rampart-corpus-marker'\nlo.", "malicious", "pickle",
    "pickle.dangerous-global")
# BUILD on an imported object: monkey-patches a module-level object.
put("malicious/pickle-build-on-global.pkl",
    op(0x80, b"\x02") + b"ccollections\nOrderedDict\n" + op(0x4E) + op(0x7D) + su("__reduce__") + b"cposix\nsystem\n" + op(0x73) + op(0x86)
    + op(0x62) + op(0x2E), "malicious", "pickle", "pickle.build-on-global")
# A benign pickle with a second, malicious one after it (read by loaders that load until the end).
put("malicious/pickle-second-stream.pkl", pickle.dumps({"ok": 1}, protocol=2) + pickle.dumps(System(), protocol=2),
    "malicious", "pickle", "pickle.dangerous-global")
# numpy.testing's runstring execs its argument.
put("malicious/pickle-numpy-runstring.pkl", b"cnumpy.testing._private.utils\nrunstring\n(S'import os'\n}tR.", "malicious", "pickle",
    "pickle.dangerous-global")

# Suspicious: a class outside the allowlist (an unknown package's model class).
put("suspicious/pickle-unknown-class.pkl", b"\x80\x02cmycompany.models\nFancyNet\n)\x81}b.", "suspicious", "pickle", "pickle.unknown-global")
put("suspicious/pickle-extension-code.pkl", b"\x80\x02\x82\x01).", "suspicious", "pickle", "pickle.extension-code")

# ---------------------------------------------------------------------------------------------------------------
# Pickles: benign (real scikit-learn models and NumPy arrays)

from sklearn.datasets import load_breast_cancer, load_iris  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
import joblib  # noqa: E402

iris = load_iris()
cancer = load_breast_cancer()
logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(cancer.data, cancer.target)
forest = RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0).fit(iris.data, iris.target)
boost = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(cancer.data, cancer.target)
mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=50, random_state=0).fit(iris.data, iris.target)

for proto in (2, 4, 5):
    put(f"benign/sklearn-logreg-p{proto}.pkl", pickle.dumps(logreg, protocol=proto), "clean", "pickle")
put("benign/sklearn-forest.pkl", pickle.dumps(forest, protocol=4), "clean", "pickle")
put("benign/sklearn-boosting.pkl", pickle.dumps(boost, protocol=5), "clean", "pickle")
put("benign/sklearn-mlp-p0.pkl", pickle.dumps(mlp, protocol=0), "clean", "pickle")
rng = np.random.default_rng(0)
arrays = {f"layer{i}": rng.standard_normal((32, 8)).astype(np.float32) for i in range(4)}
put("benign/numpy-arrays-p2.pkl", pickle.dumps(arrays, protocol=2), "clean", "pickle")
put("benign/numpy-arrays-p5.pkl", pickle.dumps(arrays, protocol=5), "clean", "pickle")
put("benign/python-values.pkl", pickle.dumps({"when": datetime.datetime(2026, 1, 2, 3, 4, 5), "order": collections.OrderedDict(a=1),
                                              "set": {1, 2}, "frozen": frozenset({3}), "bytes": b"\x00\x01", "big": 2 ** 100,
                                              "float": 1.5, "none": None, "tuple": (1, "two")}, protocol=4), "clean", "pickle")
put("benign/python-values-p0.pkl", pickle.dumps({"a": [1, 2.5, "x", None, True], "b": ("t",)}, protocol=0), "clean", "pickle")

# joblib: arrays written inline after their wrappers, uncompressed and compressed with each compressor.
for name, compress in [("raw", 0), ("zlib", ("zlib", 3)), ("gzip", ("gzip", 3)), ("bz2", ("bz2", 3)), ("lzma", ("lzma", 3)), ("xz", ("xz", 3))]:
    buffer = io.BytesIO()
    joblib.dump(forest, buffer, compress=compress)
    fmt = "joblib" if name == "raw" else "joblib+" + {"bz2": "bzip2"}.get(name, name)
    put(f"benign/joblib-forest-{name}.joblib", buffer.getvalue(), "clean", fmt)
    evil = io.BytesIO()
    joblib.dump({"model": arrays, "hook": System()}, evil, compress=compress)
    put(f"malicious/joblib-after-arrays-{name}.joblib", evil.getvalue(), "malicious", fmt, "pickle.dangerous-global")
buffer = io.BytesIO()
joblib.dump({"objects": np.array([{"a": 1}, "text", 3], dtype=object), "floats": np.arange(6.0)}, buffer)
put("benign/joblib-object-array.joblib", buffer.getvalue(), "clean", "joblib")
buffer = io.BytesIO()
joblib.dump({"objects": np.array([System(), 2], dtype=object)}, buffer)
put("malicious/joblib-object-array.joblib", buffer.getvalue(), "malicious", "joblib", "pickle.dangerous-global")

# ---------------------------------------------------------------------------------------------------------------
# NumPy

def npy(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


put("benign/numpy-float.npy", npy(np.arange(24, dtype=np.float32).reshape(4, 6)), "clean", "numpy")
put("benign/numpy-structured.npy", npy(np.zeros(3, dtype=[("x", "<f4"), ("y", "<i8", (2,)), ("name", "U5")])), "clean", "numpy")
put("benign/numpy-objects.npy", npy(np.array([{"k": 1}, "s"], dtype=object), allow_pickle=True), "clean", "numpy")
put("malicious/numpy-object-payload.npy", npy(np.array([System()], dtype=object), allow_pickle=True), "malicious", "numpy",
    "pickle.dangerous-global")
# The extension is not trusted: a pickle named .npy is a pickle.
put("malicious/pickle-named-npy.npy", pickle.dumps(System(), protocol=2), "malicious", "pickle", "pickle.dangerous-global")
buffer = io.BytesIO()
np.savez_compressed(buffer, w=np.ones((3, 3)), b=np.zeros(3))
put("benign/numpy-archive.npz", buffer.getvalue(), "clean", "npz")
with io.BytesIO() as b:
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("w.npy", npy(np.ones(2)))
        z.writestr("evil.npy", npy(np.array([System()], dtype=object), allow_pickle=True))
    put("malicious/numpy-archive.npz", b.getvalue(), "malicious", "npz", "pickle.dangerous-global")

# ---------------------------------------------------------------------------------------------------------------
# PyTorch, in its own layouts, written by stand-ins for torch's classes (registered under torch's module names so
# the pickle writer emits exactly the globals torch.save does).

torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
torch.__path__ = []
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks):
    raise RuntimeError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class FloatStorage:
    pass


FloatStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage


class Storage:
    def __init__(self, key, data):
        self.key, self.data = key, data


class Tensor:
    def __init__(self, storage, shape):
        self.storage, self.shape = storage, shape

    def __reduce_ex__(self, protocol):
        stride = tuple(int(np.prod(self.shape[i + 1:])) for i in range(len(self.shape)))
        return (_rebuild_tensor_v2, (self.storage, 0, self.shape, stride, False, collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", FloatStorage, obj.key, "cpu", len(obj.data) // 4)
        return None


def state_dict():
    tensors = collections.OrderedDict()
    storages = []
    for i, (name, shape) in enumerate([("fc.weight", (4, 8)), ("fc.bias", (4,))]):
        data = rng.standard_normal(shape).astype(np.float32).tobytes()
        storage = Storage(str(i), data)
        storages.append(storage)
        tensors[name] = Tensor(storage, shape)
    return tensors, storages


def torch_zip(obj, storages, root="archive", compression=zipfile.ZIP_STORED, bad_crc=False):
    body = io.BytesIO()
    TorchPickler(body, protocol=2).dump(obj)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        z.writestr(f"{root}/data.pkl", body.getvalue())
        z.writestr(f"{root}/byteorder", "little")
        for s in storages:
            z.writestr(f"{root}/data/{s.key}", s.data)
        z.writestr(f"{root}/version", "3\n")
        z.writestr(f"{root}/.data/serialization_id", "1234567890")
    data = bytearray(buffer.getvalue())
    if bad_crc:
        # Corrupt data.pkl's CRC in its local header and the central directory.
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
            info = z.getinfo(f"{root}/data.pkl")
            crc = struct.pack("<I", info.CRC)
        data = bytes(data).replace(crc, struct.pack("<I", info.CRC ^ 0xFFFF))
    return bytes(data)


tensors, storages = state_dict()
put("benign/torch-state-dict.pt", torch_zip(tensors, storages), "clean", "pytorch")
put("benign/torch-state-dict-deflated.pt", torch_zip(tensors, storages, root="resnet_v2", compression=zipfile.ZIP_DEFLATED), "clean", "pytorch")
evil_state = collections.OrderedDict(tensors)
evil_state["hook"] = System()
put("malicious/torch-zip.pt", torch_zip(evil_state, storages), "malicious", "pytorch", "pickle.dangerous-global")
put("malicious/torch-zip-odd-root.pth", torch_zip(evil_state, storages, root="my_model_v2", compression=zipfile.ZIP_DEFLATED),
    "malicious", "pytorch", "pickle.dangerous-global")
put("malicious/torch-zip-bad-crc.bin", torch_zip(evil_state, storages, bad_crc=True), "malicious", "pytorch", "pickle.dangerous-global")
put("suspicious/torch-zip-bad-crc-benign.pt", torch_zip(tensors, storages, bad_crc=True), "suspicious", "pytorch", "zip.crc-mismatch")


def torch_legacy(obj, storages):
    out = io.BytesIO()
    pickle.dump(0x1950A86A20F9469CFC6C, out, protocol=2)
    pickle.dump(1001, out, protocol=2)
    pickle.dump({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}, out, protocol=2)
    TorchPickler(out, protocol=2).dump(obj)
    pickle.dump([s.key for s in storages], out, protocol=2)
    for s in storages:
        out.write(struct.pack("<q", len(s.data) // 4))
        out.write(s.data)
    return out.getvalue()


put("benign/torch-legacy.pt", torch_legacy(tensors, storages), "clean", "pytorch-legacy")
put("malicious/torch-legacy.pt", torch_legacy(evil_state, storages), "malicious", "pytorch-legacy", "pickle.dangerous-global")

# ---------------------------------------------------------------------------------------------------------------
# Archives: nested zips and tars


def zip_of(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()


def tar_of(members, mode="w"):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


evil_pickle = pickle.dumps(System(), protocol=4)
put("malicious/nested-zip.zip", zip_of([("outer/inner.zip", zip_of([("model.pkl", evil_pickle)]))]), "malicious", "zip", "pickle.dangerous-global")
put("malicious/models.tar", tar_of([("models/a.pkl", pickle.dumps(logreg)), ("models/b.pkl", evil_pickle)]), "malicious", "tar",
    "pickle.dangerous-global")
put("malicious/models.tar.gz", tar_of([("m/model.pkl", evil_pickle)], "w:gz"), "malicious", "tar+gzip", "pickle.dangerous-global")
put("malicious/models.tar.xz", tar_of([("m/model.pkl", evil_pickle)], "w:xz"), "malicious", "tar+xz", "pickle.dangerous-global")
put("malicious/zip-in-tar.tar.bz2", tar_of([("bundle.zip", zip_of([("m.pkl", evil_pickle)]))], "w:bz2"), "malicious", "tar+bzip2",
    "pickle.dangerous-global")
put("benign/models.tar.gz", tar_of([("m/model.pkl", pickle.dumps(forest)), ("m/README.md", b"# a model\n")], "w:gz"), "clean", "tar+gzip")
put("suspicious/zip-slip.zip", zip_of([("../../etc/cron.d/job", b"* * * * * root true\n")]), "suspicious", "zip", "archive.path-traversal")

# ---------------------------------------------------------------------------------------------------------------
# Keras: real models saved by Keras 3 (NumPy backend), Lambda bytecode swapped for a payload's as an attacker does.

import keras  # noqa: E402


def keras_model(lambda_layer=False, nested=False):
    inputs = keras.Input((4,))
    x = keras.layers.Dense(3, name="dense")(inputs)
    if lambda_layer:
        x = keras.layers.Lambda(lambda t: t * 2.0, output_shape=(3,), name="double")(x)
    if nested:
        inner = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t + 1.0, output_shape=(3,), name="inner_lambda")],
                                 name="inner")
        x = inner(x)
    return keras.Model(inputs, x)


def evil_function(t):
    __import__("os").system("touch /tmp/rampart-corpus-marker")
    return t


EVIL_CODE = base64.b64encode(marshal.dumps(evil_function.__code__)).decode()


def keras_file(model):
    path = os.path.join("/tmp", "rampart-corpus.keras")
    model.save(path)
    data = open(path, "rb").read()
    os.remove(path)
    return data


def swap_lambda_code(keras_bytes):
    source = zipfile.ZipFile(io.BytesIO(keras_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "config.json":
                text = data.decode()
                config = json.loads(text)

                def walk(node):
                    if isinstance(node, dict):
                        if node.get("class_name") == "__lambda__":
                            node["config"]["code"] = EVIL_CODE
                        for v in node.values():
                            walk(v)
                    elif isinstance(node, list):
                        for v in node:
                            walk(v)
                walk(config)
                data = json.dumps(config).encode()
            z.writestr(info, data)
    return out.getvalue()


put("benign/keras-dense.keras", keras_file(keras_model()), "clean", "keras")
put("suspicious/keras-lambda.keras", keras_file(keras_model(lambda_layer=True)), "suspicious", "keras", "keras.lambda")
put("malicious/keras-lambda.keras", swap_lambda_code(keras_file(keras_model(lambda_layer=True))), "malicious", "keras", "keras.lambda")
put("malicious/keras-nested-lambda.keras", swap_lambda_code(keras_file(keras_model(nested=True))), "malicious", "keras", "keras.lambda")
module_config = {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", "layers": [
    {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2,
                                                                 "activation": {"module": "os", "class_name": "function", "config": "system",
                                                                                "registered_name": "function"}}}]}}
put("malicious/keras-module-os.keras", zip_of([("config.json", json.dumps(module_config)), ("metadata.json", '{"keras_version": "3.15.1"}')],
                                              zipfile.ZIP_STORED), "malicious", "keras", "keras.external-module")
custom_config = {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", "layers": [
    {"module": "acme_layers", "class_name": "Scale", "config": {"name": "s"}, "registered_name": "acme>Scale"}]}}
put("suspicious/keras-custom-layer.keras", zip_of([("config.json", json.dumps(custom_config)), ("metadata.json", '{"keras_version": "3.15.1"}')],
                                                  zipfile.ZIP_STORED), "suspicious", "keras", "keras.external-module")

import h5py  # noqa: E402


def keras_h5(model, code=None, libver="earliest"):
    path = os.path.join("/tmp", "rampart-corpus.h5")
    model.save(path)
    if code is not None or libver != "earliest":
        with h5py.File(path, "r") as f:
            attrs = {k: f.attrs[k] for k in f.attrs}
        config = json.loads(attrs["model_config"])
        if code is not None:
            def walk(node):
                if isinstance(node, dict):
                    if node.get("class_name") == "Lambda":
                        fn = node["config"]["function"]
                        if isinstance(fn, dict):
                            fn["config"]["code"] = code
                        elif isinstance(fn, list):
                            fn[0] = code
                    for v in node.values():
                        walk(v)
                elif isinstance(node, list):
                    for v in node:
                        walk(v)
            walk(config)
        with h5py.File(path, "w", libver=libver) as f:
            for k, v in attrs.items():
                f.attrs[k] = v
            f.attrs["model_config"] = json.dumps(config).encode()
    data = open(path, "rb").read()
    os.remove(path)
    return data


put("benign/keras-dense.h5", keras_h5(keras_model()), "clean", "keras-h5")
put("benign/keras-dense-latest.h5", keras_h5(keras_model(), libver="latest"), "clean", "keras-h5")
put("suspicious/keras-lambda.h5", keras_h5(keras_model(lambda_layer=True)), "suspicious", "keras-h5", "keras.lambda")
put("malicious/keras-lambda.h5", keras_h5(keras_model(lambda_layer=True), code=EVIL_CODE), "malicious", "keras-h5", "keras.lambda")
put("malicious/keras-lambda-latest.h5", keras_h5(keras_model(lambda_layer=True), code=EVIL_CODE, libver="latest"), "malicious", "keras-h5",
    "keras.lambda")

# ---------------------------------------------------------------------------------------------------------------
# TensorFlow SavedModel (saved_model.pb written by a protobuf encoder)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, payload):
    if isinstance(payload, int):
        return varint(number << 3) + varint(payload)
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def node_def(name, op_name):
    return field(1, name) + field(2, op_name)


def saved_model(ops, function_ops=()):
    graph = b"".join(field(1, node_def(f"n{i}", o)) for i, o in enumerate(ops))
    if function_ops:
        function = field(1, field(1, "fn")) + b"".join(field(3, node_def(f"f{i}", o)) for i, o in enumerate(function_ops))
        graph += field(2, field(1, function))
    meta = field(1, field(4, "serve")) + field(2, graph)
    return field(1, 1) + field(2, meta)


checkpoint_ops = ["Placeholder", "MatMul", "BiasAdd", "Relu", "Identity", "SaveV2", "RestoreV2", "MergeV2Checkpoints", "ShardedFilename",
                  "StringJoin", "StaticRegexFullMatch", "Const", "VarHandleOp", "ReadVariableOp", "StatefulPartitionedCall"]
put("benign/savedmodel/saved_model.pb", saved_model(checkpoint_ops, ["MatMul", "Softmax"]), "clean", "savedmodel")
put("malicious/savedmodel-pyfunc/saved_model.pb", saved_model(checkpoint_ops + ["PyFunc"]), "malicious", "savedmodel", "savedmodel.dangerous-op")
put("malicious/savedmodel-readfile/saved_model.pb", saved_model(checkpoint_ops, ["ReadFile", "Identity"]), "malicious", "savedmodel",
    "savedmodel.dangerous-op")

# ---------------------------------------------------------------------------------------------------------------
# safetensors

from safetensors.numpy import save as st_save  # noqa: E402

put("benign/weights.safetensors", st_save({"w": np.ones((4, 4), np.float32), "b": np.zeros(4, np.float16)}, metadata={"format": "pt"}),
    "clean", "safetensors")


def st_raw(header, data_length):
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"\x00" * data_length


put("malformed/safetensors-overlap.safetensors", st_raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                                          "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, 12),
    "malformed", "safetensors", "format.malformed")
put("malformed/safetensors-past-end.safetensors", st_raw({"a": {"dtype": "F32", "shape": [1000], "data_offsets": [0, 4000]}}, 16),
    "malformed", "safetensors", "format.malformed")
put("malformed/safetensors-shape-mismatch.safetensors", st_raw({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, 8),
    "malformed", "safetensors", "format.malformed")
put("malformed/safetensors-bad-dtype.safetensors", st_raw({"a": {"dtype": "PYOBJ", "shape": [1], "data_offsets": [0, 8]}}, 8),
    "malformed", "safetensors", "format.malformed")
put("malformed/safetensors-huge-header.safetensors", struct.pack("<Q", 2 ** 62) + b'{"a": 1}', "malformed", "safetensors")

# ---------------------------------------------------------------------------------------------------------------
# GGUF (the gguf package's writer)

import gguf  # noqa: E402

LLAMA3_TEMPLATE = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
                   "message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
                   "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
                   "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")
SSTI_TEMPLATE = ("{% for x in ().__class__.__base__.__subclasses__() %}{% if 'warning' in x.__name__ %}"
                 "{{ x()._module.__builtins__['__import__']('os').popen('touch /tmp/rampart-corpus-marker').read() }}{% endif %}{% endfor %}")


def gguf_file(templates):
    path = os.path.join("/tmp", "rampart-corpus.gguf")
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("tiny")
    writer.add_uint32("llama.context_length", 128)
    writer.add_token_list(["<s>", "</s>", "a", "b"])
    for key, template in templates.items():
        writer.add_string(key, template)
    writer.add_tensor("token_embd.weight", np.ones((4, 8), np.float32))
    writer.add_tensor("output.weight", np.zeros((8, 4), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    data = open(path, "rb").read()
    os.remove(path)
    return data


put("benign/tiny.gguf", gguf_file({"tokenizer.chat_template": LLAMA3_TEMPLATE}), "clean", "gguf")
put("malicious/template-injection.gguf", gguf_file({"tokenizer.chat_template": SSTI_TEMPLATE}), "malicious", "gguf", "template.injection")
put("malicious/template-injection-named.gguf", gguf_file({"tokenizer.chat_template": LLAMA3_TEMPLATE, "tokenizer.chat_template.rag": SSTI_TEMPLATE}),
    "malicious", "gguf", "template.injection")
good = gguf_file({"tokenizer.chat_template": LLAMA3_TEMPLATE})
put("malformed/gguf-truncated.gguf", good[: len(good) - 40], "malformed", "gguf", "format.malformed")
put("malformed/gguf-count-lie.gguf", good[:8] + struct.pack("<Q", 2 ** 40) + good[16:], "malformed", "gguf", "format.malformed")

# ---------------------------------------------------------------------------------------------------------------
# ONNX

import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402
from skl2onnx import to_onnx  # noqa: E402

put("benign/logreg-opset22.onnx", to_onnx(logreg, cancer.data[:1].astype(np.float32), target_opset={"": 22, "ai.onnx.ml": 3}).SerializeToString(),
    "clean", "onnx")
put("benign/forest.onnx", to_onnx(forest, iris.data[:1].astype(np.float32)).SerializeToString(), "clean", "onnx")


def onnx_model(initializer, node_domain="", op_type="Add", opsets=(("", 21),)):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    node = helper.make_node(op_type, ["x", "w"], ["y"], domain=node_domain)
    graph = helper.make_graph([node], "g", [x], [y], [initializer])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets]).SerializeToString()


def external(location):
    t = TensorProto()
    t.name = "w"
    t.data_type = TensorProto.FLOAT
    t.dims.extend([4])
    t.data_location = TensorProto.EXTERNAL
    entry = t.external_data.add()
    entry.key, entry.value = "location", location
    return t


weights = helper.make_tensor("w", TensorProto.FLOAT, [4], [1, 2, 3, 4])
put("malicious/onnx-external-absolute.onnx", onnx_model(external("/etc/passwd")), "malicious", "onnx", "onnx.external-data-path")
put("malicious/onnx-external-traversal.onnx", onnx_model(external("../../../../home/user/.ssh/id_rsa")), "malicious", "onnx",
    "onnx.external-data-path")
put("suspicious/onnx-custom-operator.onnx", onnx_model(weights, node_domain="com.acme.ops", op_type="FastAdd",
                                                        opsets=(("", 21), ("com.acme.ops", 1))), "suspicious", "onnx", "onnx.custom-operator")
huge = TensorProto()
huge.name, huge.data_type = "w", TensorProto.FLOAT
huge.dims.extend([1 << 30, 1 << 30])
put("suspicious/onnx-absurd-shape.onnx", onnx_model(huge), "suspicious", "onnx", "onnx.absurd-shape")
put("malformed/onnx-garbage.onnx", b"\x08\x07\x12\xff\xff\xff\xff\x0f" + b"\x00" * 8, "malformed", "onnx")

# ---------------------------------------------------------------------------------------------------------------
# Python packages: wheels and source distributions


def wheel(name, extra):
    dist = f"{name}-1.0.dist-info"
    members = [(f"{name}/__init__.py", b"VALUE = 1\n"),
               (f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode()),
               (f"{dist}/WHEEL", b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n")]
    members += extra
    members.append((f"{dist}/RECORD", b""))
    return zip_of(members)


payload = base64.b64encode(b"import os; os.system('touch /tmp/rampart-corpus-marker')").decode()
put("malicious/compromised-1.0-py3-none-any.whl",
    wheel("compromised", [("compromised_init.pth", f"import base64; exec(base64.b64decode('{payload}'))\n".encode())]),
    "malicious", "wheel", "python.pth-exec")
put("suspicious/startup-hook-1.0-py3-none-any.whl", wheel("startuphook", [("startup_hook.pth", b"import startuphook.boot\n")]),
    "suspicious", "wheel", "python.pth-exec")
put("benign/setuptools-like-1.0-py3-none-any.whl",
    wheel("setuptoolslike", [("distutils-precedence.pth",
                              b"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; "
                              b"enabled and __import__('_distutils_hack').add_shim(); \n")]), "clean", "wheel")
put("benign/plain-1.0-py3-none-any.whl", wheel("plain", [("plain.pth", b"/opt/plain/lib\n")]), "clean", "wheel")
evil_setup = (b"import os\nfrom setuptools import setup\nfrom setuptools.command.install import install\n\n"
              b"class Hook(install):\n    def run(self):\n        os.system('touch /tmp/rampart-corpus-marker')\n        install.run(self)\n\n"
              b"setup(name='evil', version='1.0', cmdclass={'install': Hook})\n")
put("malicious/evil-1.0.tar.gz", tar_of([("evil-1.0/PKG-INFO", b"Name: evil\n"), ("evil-1.0/setup.py", evil_setup)], "w:gz"),
    "malicious", "sdist+gzip", "python.install-hook")
put("benign/tidy-1.0.tar.gz", tar_of([("tidy-1.0/PKG-INFO", b"Name: tidy\n"), ("tidy-1.0/setup.py",
                                                                           b"from setuptools import setup\nsetup(name='tidy', version='1.0')\n")],
                                     "w:gz"), "clean", "sdist+gzip")

# ---------------------------------------------------------------------------------------------------------------
# Hugging Face JSON beside the weights

put("benign/tokenizer_config.json", json.dumps({"bos_token": "<s>", "chat_template": LLAMA3_TEMPLATE}).encode(), "clean", "json")
put("malicious/tokenizer_config.json", json.dumps({"bos_token": "<s>", "chat_template": [{"name": "default", "template": LLAMA3_TEMPLATE},
                                                                                         {"name": "tool_use", "template": SSTI_TEMPLATE}]}).encode(),
    "malicious", "json", "template.injection")
put("suspicious/remote-code/config.json", json.dumps({"model_type": "acme", "auto_map": {"AutoModel": "modeling_acme.AcmeModel"}}).encode(),
    "suspicious", "json", "config.remote-code")

# ---------------------------------------------------------------------------------------------------------------
# Malformed

good_pickle = pickle.dumps(logreg, protocol=4)
put("malformed/pickle-truncated.pkl", good_pickle[: len(good_pickle) // 2], "malformed", "pickle", "format.truncated")
put("malformed/pickle-bad-opcode.pkl", b"\x80\x04\xff\xfe.", "malformed", "pickle", "format.malformed")
put("malformed/pickle-memo-miss.pkl", b"\x80\x02h\x05.", "malformed", "pickle", "format.malformed")
put("malformed/pickle-underflow.pkl", b"\x80\x02R.", "malformed", "pickle", "format.malformed")
# A payload cut short still shows what it imported before the end: malicious outranks malformed.
put("malicious/pickle-truncated-payload.pkl", pickle.dumps(System(), protocol=2)[:-3], "malicious", "pickle", "pickle.dangerous-global")
float_npy = npy(np.arange(100.0))
put("malformed/numpy-short.npy", float_npy[:-16], "malformed", "numpy", "format.truncated")
put("malformed/numpy-bad-header.npy", float_npy[:10] + b"{'descr': os.system}" + b" " * 20, "malformed", "numpy")
zipped = zip_of([("model.pkl", good_pickle)])
put("malformed/zip-truncated.zip", zipped[: len(zipped) - 30], "malformed", "zip")
gz = gzip.compress(good_pickle)
put("malformed/joblib-gzip-truncated.joblib", gz[: len(gz) // 2], "malformed", "pickle+gzip")
tarred = bytearray(tar_of([("m/model.pkl", good_pickle)]))
tarred[148:156] = b"0000000\x00"
put("malformed/tar-bad-checksum.tar", bytes(tarred), "malformed", "tar")
h5 = keras_h5(keras_model())
put("malformed/keras-truncated.h5", h5[:1000], "malformed", "hdf5")

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(dict(sorted(expected.items())), f, indent=1)
    f.write("\n")
print(f"{len(expected)} files in {OUT}")
