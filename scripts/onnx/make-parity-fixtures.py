"""Generates the parity fixtures of Rampart's native ONNX runtime: models exported by skl2onnx and by PyTorch,
trained on datasets that ship inside scikit-learn (digits, breast cancer, wine, diabetes), each with a batch of test
inputs and the outputs onnxruntime computes for them.

    python3 scripts/onnx/make-parity-fixtures.py             # writes Tests/RampartMLTests/Fixtures/parity/
    python3 scripts/onnx/make-parity-fixtures.py --newest-opsets   # only the models at the newest opsets
    /path/to/venv-with-torch/bin/python3 scripts/onnx/make-parity-fixtures.py   # also the PyTorch CNN

Deterministic: fixed seeds and 50/50 splits with random_state=0. Requires scikit-learn, skl2onnx, onnx and onnxruntime;
the CNN also needs torch (its file is kept when torch is missing). `Tests/RampartMLTests/ParityTests.swift` runs every
fixture through the native runtime and compares each output with onnxruntime's within 1e-5.

Each fixture is NAME.onnx plus NAME.json:
    {"model": "NAME.onnx", "input": "float_input", "inputs": [[...], ...],
     "outputs": {"label": {"type": "int64", "shape": [...], "data": [...]},
                 "probabilities": {"type": "float", "shape": [...], "data": [...]}}}
Outputs that are sequences of maps (ZipMap) are recorded as {"type": "map", "labels": [...], "shape": [N, classes], "data": [...]}.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler
from sklearn.svm import SVC, LinearSVC
from skl2onnx import to_onnx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "RampartMLTests", "Fixtures", "parity")
ROWS = 40
OPSETS = {"": 17, "ai.onnx.ml": 3}


def split(dataset, scale=None):
    x = dataset.data if scale is None else dataset.data / scale
    return train_test_split(x.astype(np.float32), dataset.target, test_size=0.5, random_state=0)


def write(name, model_proto, inputs, input_name=None):
    """Saves the model and onnxruntime's outputs on `inputs`."""
    path = os.path.join(OUT, f"{name}.onnx")
    with open(path, "wb") as f:
        f.write(model_proto.SerializeToString())
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    input_name = input_name or session.get_inputs()[0].name
    results = session.run(None, {input_name: inputs})
    outputs = {}
    for meta, value in zip(session.get_outputs(), results):
        if not isinstance(value, np.ndarray):
            # ZipMap's list of {label: probability}: recorded as a matrix, columns in the model's label order.
            labels = list(value[0].keys())
            outputs[meta.name] = {"type": "map", "shape": [len(value), len(labels)], "labels": [str(label) for label in labels],
                                  "data": [float(row[label]) for row in value for label in labels]}
            continue
        kind = "float" if value.dtype in (np.float32, np.float64) else ("string" if value.dtype.kind in "OUS" else "int64")
        data = value.ravel().tolist() if kind != "string" else [str(v) for v in value.ravel()]
        outputs[meta.name] = {"type": kind, "shape": list(value.shape), "data": data}
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump({"model": f"{name}.onnx", "input": input_name, "inputs": inputs.tolist(), "outputs": outputs}, f)
    ops = sorted({(n.domain or "ai.onnx") + ":" + n.op_type for n in model_proto.graph.node})
    print(f"{name}: {os.path.getsize(path)} bytes; {', '.join(ops)}")


def sklearn(name, model, x_train, y_train, x_test, options=None, opsets=OPSETS):
    model.fit(x_train, y_train)
    proto = to_onnx(model, x_train[:1], target_opset=opsets, options=options)
    write(name, proto, x_test[:ROWS])


def sklearn_models():
    digits_train, digits_test, digits_y, _ = split(load_digits(), scale=16.0)
    cancer_train, cancer_test, cancer_y, _ = split(load_breast_cancer())
    wine_train, wine_test, wine_y, _ = split(load_wine())
    diabetes_train, diabetes_test, diabetes_y, _ = split(load_diabetes())
    no_zipmap = {"zipmap": False}

    sklearn("logreg_digits", LogisticRegression(max_iter=2000, random_state=0), digits_train, digits_y, digits_test)
    sklearn("logreg_cancer", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0)),
            cancer_train, cancer_y, cancer_test)
    sklearn("mlp_digits", MLPClassifier(hidden_layer_sizes=(64,), max_iter=400, random_state=0), digits_train, digits_y, digits_test)
    sklearn("mlp_tanh_wine", make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16, 8), activation="tanh",
                                                                           max_iter=2000, random_state=0)),
            wine_train, wine_y, wine_test, options=no_zipmap)
    sklearn("mlp_logistic_cancer", make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), activation="logistic",
                                                                                 max_iter=2000, random_state=0)),
            cancer_train, cancer_y, cancer_test)
    sklearn("random_forest_digits", RandomForestClassifier(n_estimators=10, max_depth=8, random_state=0), digits_train, digits_y, digits_test)
    sklearn("random_forest_cancer", RandomForestClassifier(n_estimators=10, max_depth=6, random_state=0), cancer_train, cancer_y, cancer_test)
    sklearn("gradient_boosting_wine", GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0), wine_train, wine_y, wine_test)
    sklearn("gradient_boosting_cancer", GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0),
            cancer_train, cancer_y, cancer_test)
    # skl2onnx 1.20 cannot convert LinearSVC inside a Pipeline (it asks for a zipmap option): standardize first.
    for name, x_train, y_train, x_test in (("linear_svc_wine", wine_train, wine_y, wine_test),
                                           ("linear_svc_cancer", cancer_train, cancer_y, cancer_test)):
        scaler = StandardScaler().fit(x_train)
        sklearn(name, LinearSVC(random_state=0), scaler.transform(x_train).astype(np.float32), y_train,
                scaler.transform(x_test).astype(np.float32))
    sklearn("svc_linear_wine", make_pipeline(StandardScaler(), SVC(kernel="linear", decision_function_shape="ovo", random_state=0)), wine_train, wine_y, wine_test)
    sklearn("svc_rbf_cancer", make_pipeline(StandardScaler(), SVC(kernel="rbf", decision_function_shape="ovo", random_state=0)), cancer_train, cancer_y, cancer_test)
    sklearn("normalizer_logreg_wine", make_pipeline(Normalizer(norm="l2"), LogisticRegression(max_iter=2000, random_state=0)),
            wine_train, wine_y, wine_test)
    sklearn("linear_regression_diabetes", LinearRegression(), diabetes_train, diabetes_y, diabetes_test)
    sklearn("gradient_boosting_regressor_diabetes", GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0),
            diabetes_train, diabetes_y, diabetes_test)
    sklearn("random_forest_regressor_diabetes", RandomForestRegressor(n_estimators=5, max_depth=5, random_state=0),
            diabetes_train, diabetes_y, diabetes_test)


def operator_zoo(opset=13, name="operator_zoo"):
    """A hand-built graph over the ai.onnx operators the exporters above do not emit, with random weights, at opset 13:
    Gemm (transB, alpha, beta), Sub, Mul, Div, Sigmoid, Tanh, Clip, LogSoftmax, Softmax on axis 0, Transpose, Concat,
    Flatten, Identity, Constant, Reshape with 0 and -1, Cast, ArgMax (keepdims and select_last_index)."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=(6, 4)).astype(np.float32)
    b = rng.normal(size=(6,)).astype(np.float32)
    scale = rng.uniform(0.5, 2.0, size=(6,)).astype(np.float32)
    nodes = [
        helper.make_node("Gemm", ["x", "w", "b"], ["g"], transB=1, alpha=0.5, beta=2.0),
        helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(np.array([0.25], np.float32))),
        helper.make_node("Sub", ["g", "c"], ["s"]),
        helper.make_node("Mul", ["s", "scale"], ["m"]),
        helper.make_node("Div", ["m", "scale2"], ["d"]),
        helper.make_node("Sigmoid", ["d"], ["sig"]),
        helper.make_node("Tanh", ["d"], ["th"]),
        helper.make_node("Concat", ["sig", "th"], ["cat"], axis=1),
        helper.make_node("Clip", ["cat", "lo", "hi"], ["clip"]),
        helper.make_node("Transpose", ["clip"], ["tr"], perm=[1, 0]),
        helper.make_node("Softmax", ["tr"], ["sm0"], axis=0),
        helper.make_node("Transpose", ["sm0"], ["sm"]),
        helper.make_node("LogSoftmax", ["clip"], ["lsm"], axis=-1),
        helper.make_node("Identity", ["lsm"], ["id"]),
        helper.make_node("Reshape", ["id", "shape"], ["r"]),
        helper.make_node("Flatten", ["r"], ["flat"], axis=1),
        helper.make_node("Flatten", ["sm"], ["sm_flat"], axis=1),
        helper.make_node("Add", ["flat", "sm_flat"], ["out"]),
        helper.make_node("ArgMax", ["out"], ["am"], axis=1, keepdims=0, select_last_index=1),
        helper.make_node("Cast", ["am"], ["amf"], to=TensorProto.FLOAT),
    ]
    graph = helper.make_graph(
        nodes, "operator_zoo",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["N", 12]),
         helper.make_tensor_value_info("am", TensorProto.INT64, ["N"]),
         helper.make_tensor_value_info("amf", TensorProto.FLOAT, ["N"])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"), numpy_helper.from_array(scale, "scale"),
         numpy_helper.from_array(scale[::-1].copy() + 0.5, "scale2"),
         numpy_helper.from_array(np.array(-0.6, np.float32), "lo"), numpy_helper.from_array(np.array(0.7, np.float32), "hi"),
         numpy_helper.from_array(np.array([0, 3, -1], np.int64), "shape")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="rampart-fixtures")
    model.ir_version = 8 if opset < 21 else 10
    onnx.checker.check_model(model)
    write(name, model, rng.normal(size=(ROWS, 4)).astype(np.float32))


def convolution_zoo(opset=17, name="convolution_zoo"):
    """A hand-built image graph at opset 17 over what torch.onnx folds away or leaves at defaults: BatchNormalization
    (torch folds it into the convolution), a grouped, strided Conv with SAME_UPPER padding, a
    dilated Conv with asymmetric pads, MaxPool with
    ceil_mode and explicit pads, AveragePool with and without count_include_pad."""
    rng = np.random.default_rng(1)
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["bn"], epsilon=1e-3),
        helper.make_node("Relu", ["bn"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], kernel_shape=[3, 3], group=2, strides=[1, 2], auto_pad="SAME_UPPER"),
        helper.make_node("Conv", ["r1", "w3"], ["c3"], kernel_shape=[2, 2], dilations=[2, 1], pads=[0, 1, 1, 0]),
        helper.make_node("Flatten", ["c3"], ["f4"]),
        helper.make_node("MaxPool", ["c2"], ["mp"], kernel_shape=[2, 3], strides=[2, 2], pads=[0, 1, 1, 1], ceil_mode=1),
        helper.make_node("AveragePool", ["c2"], ["ap"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                         count_include_pad=0),
        helper.make_node("AveragePool", ["c2"], ["ap2"], kernel_shape=[2, 2], pads=[1, 1, 0, 0], count_include_pad=1),
        helper.make_node("Flatten", ["mp"], ["f1"]),
        helper.make_node("Flatten", ["ap"], ["f2"]),
        helper.make_node("Flatten", ["ap2"], ["f3"]),
        helper.make_node("Concat", ["f1", "f2", "f3", "f4"], ["features"], axis=1),
    ]
    initializers = {
        "w1": rng.normal(size=(4, 1, 3, 3)), "b1": rng.normal(size=(4,)),
        "gamma": rng.uniform(0.5, 1.5, size=(4,)), "beta": rng.normal(size=(4,)),
        "mean": rng.normal(size=(4,)), "var": rng.uniform(0.5, 2.0, size=(4,)),
        "w2": rng.normal(size=(6, 2, 3, 3)), "w3": rng.normal(size=(3, 4, 2, 2)),
    }
    graph = helper.make_graph(
        nodes, "convolution_zoo",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", None])],
        [numpy_helper.from_array(value.astype(np.float32), name) for name, value in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="rampart-fixtures")
    model.ir_version = 8 if opset < 21 else 10
    onnx.checker.check_model(model)
    digits = load_digits().data[:ROWS] / 16.0
    write(name, model, digits.reshape(-1, 1, 8, 8).astype(np.float32))


def pytorch_cnn():
    """A small CNN on the 8×8 digits: Conv → BatchNorm → ReLU → MaxPool → Conv → ReLU → AveragePool → Flatten → Gemm,
    trained with a fixed seed for a few epochs, exported by torch.onnx."""
    try:
        import torch
        from torch import nn
    except ImportError:
        print("cnn_digits: torch is not installed; the committed fixture is kept")
        return
    torch.manual_seed(0)
    x_train, x_test, y_train, y_test = split(load_digits(), scale=16.0)
    x_train = x_train.reshape(-1, 1, 8, 8)
    x_test = x_test.reshape(-1, 1, 8, 8)
    net = nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3, padding=1, stride=1), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10),
    )
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    xs, ys = torch.tensor(x_train), torch.tensor(y_train, dtype=torch.long)
    for _ in range(30):
        for i in range(0, len(xs), 64):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(net(xs[i:i + 64]), ys[i:i + 64])
            loss.backward()
            optimizer.step()
    net.eval()
    with torch.no_grad():
        accuracy = (net(torch.tensor(x_test)).argmax(1).numpy() == y_test).mean()
    path = os.path.join(OUT, "cnn_digits.onnx")
    torch.onnx.export(net, torch.tensor(x_test[:1]), path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}}, opset_version=17, dynamo=False)
    print(f"cnn_digits: test accuracy {accuracy:.3f}")
    write("cnn_digits", onnx.load(path), x_test[:ROWS])


def newest_opsets():
    """Models at the newest opsets exporters write today (skl2onnx 1.20: ai.onnx 22, ai.onnx.ml 5) and the
    hand-built graphs at the newest ai.onnx opset onnxruntime runs: from opset 22 on, the runtime's operators changed
    only in the types they accept (bfloat16, float8, float4, int4, int2) and in wording."""
    digits_train, digits_test, digits_y, _ = split(load_digits(), scale=16.0)
    cancer_train, cancer_test, cancer_y, _ = split(load_breast_cancer())
    newest = {"": 22, "ai.onnx.ml": 5}
    sklearn("mlp_digits_opset22", MLPClassifier(hidden_layer_sizes=(64,), max_iter=400, random_state=0), digits_train, digits_y, digits_test,
            opsets=newest)
    sklearn("random_forest_cancer_opset22", RandomForestClassifier(n_estimators=10, max_depth=6, random_state=0), cancer_train, cancer_y,
            cancer_test, opsets=newest)
    sklearn("gradient_boosting_cancer_opset22", GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0),
            cancer_train, cancer_y, cancer_test, opsets=newest)
    sklearn("logreg_cancer_opset22", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0)),
            cancer_train, cancer_y, cancer_test, opsets=newest)
    top = max(v for v in range(22, onnx.defs.onnx_opset_version() + 1) if _runs_at(v))
    operator_zoo(opset=top, name=f"operator_zoo_opset{top}")
    convolution_zoo(opset=top, name=f"convolution_zoo_opset{top}")


def _runs_at(opset):
    """Whether onnxruntime runs a one-node graph at this ai.onnx opset."""
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 10
    try:
        ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        return True
    except Exception:
        return False


def main():
    os.makedirs(OUT, exist_ok=True)
    if "--newest-opsets" in sys.argv:
        newest_opsets()
        return
    sklearn_models()
    operator_zoo()
    convolution_zoo()
    pytorch_cnn()
    newest_opsets()
    print(f"fixtures in {os.path.relpath(OUT, ROOT)}; onnxruntime {ort.__version__}, onnx {onnx.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
