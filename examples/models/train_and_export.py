"""Trains the bundled example models on datasets that ship inside scikit-learn and exports them to ONNX with skl2onnx.

    python3 examples/models/train_and_export.py        # writes examples/models/*.onnx and their test sets

Deterministic (fixed seeds, 50/50 splits with random_state=0), so the files are reproducible. Requires:
pip install scikit-learn==1.9.1 skl2onnx==1.20.0 onnx onnxruntime (onnxruntime only to print the parity check).
"""
import json
import os

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skl2onnx import to_onnx

HERE = os.path.dirname(os.path.abspath(__file__))


def export(name, model, x_train, x_test, y_test):
    onx = to_onnx(model, x_train[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3})
    path = os.path.join(HERE, f"{name}.onnx")
    with open(path, "wb") as f:
        f.write(onx.SerializeToString())
    with open(os.path.join(HERE, f"{name}.test.json"), "w") as f:
        json.dump({"inputs": x_test[:50].astype(np.float32).tolist(), "labels": y_test[:50].tolist(),
                   "sklearn_labels": model.predict(x_test[:50]).tolist()}, f)
    accuracy = float((model.predict(x_test) == y_test).mean())
    try:
        import onnxruntime as ort
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        labels = session.run(None, {session.get_inputs()[0].name: x_test.astype(np.float32)})[0]
        agree = float((labels == model.predict(x_test)).mean())
    except ImportError:
        agree = float("nan")
    print(f"{name}: {os.path.getsize(path)} bytes, test accuracy {accuracy:.3f}, onnxruntime agrees with scikit-learn on {agree:.3f}")


def main():
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data / 16.0, digits.target, test_size=0.5, random_state=0)
    mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=400, random_state=0).fit(x_train, y_train)
    export("digits_mlp", mlp, x_train, x_test, y_test)

    cancer = load_breast_cancer()
    x_train, x_test, y_train, y_test = train_test_split(cancer.data, cancer.target, test_size=0.5, random_state=0)
    logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0)).fit(x_train, y_train)
    export("breast_cancer_logreg", logreg, x_train, x_test, y_test)

    # A decision about people, for `rampart probe fairness`: will the disease progress more than the median within a
    # year? Sex (coded 1 or 2) is one of the inputs — the audit's sensitive column.
    diabetes = load_diabetes(scaled=False)
    progressed = (diabetes.target > np.median(diabetes.target)).astype(int)
    x_train, x_test, y_train, y_test = train_test_split(diabetes.data, progressed, test_size=0.5, random_state=0)
    diabetes_logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0)).fit(x_train, y_train)
    export("diabetes_logreg", diabetes_logreg, x_train, x_test, y_test)


if __name__ == "__main__":
    main()
