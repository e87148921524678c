"""Trains the three digits classifiers the ART side-by-side benchmark attacks and exports them to ONNX.

    python3 bench/probe/make_models.py OUT_DIR     # writes OUT_DIR/{lr,mlp,gb}.onnx, train.csv, test.csv

The split is the bundled models' split (examples/models/train_and_export.py: pixels / 16, 50/50, random_state=0,
not stratified), so train.csv / test.csv are the same rows as examples/data/digits_{train,test}.csv. The models are
exported without ZipMap: the ONNX outputs are a label tensor [N] and a probabilities tensor [N, 10], which
is what a KServe v2 server returns and what both Rampart and ART consume. Requires: pip install scikit-learn skl2onnx
onnxruntime numpy.
"""
import os
import sys

import numpy as np
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier


def write_csv(path, x, y):
    with open(path, "w") as f:
        f.write(",".join([f"p{i}" for i in range(x.shape[1])] + ["label"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join("0" if v == 0 else ("1" if v == 1 else repr(float(v))) for v in row) + f",{int(label)}\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_models.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data / 16.0, digits.target, test_size=0.5,
                                                        random_state=0)
    write_csv(os.path.join(out, "train.csv"), x_train, y_train)
    write_csv(os.path.join(out, "test.csv"), x_test, y_test)

    models = {
        "lr": LogisticRegression(max_iter=5000),
        "mlp": MLPClassifier(hidden_layer_sizes=(64,), max_iter=500, random_state=0),
        "gb": GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=0),
    }
    for name, model in models.items():
        model.fit(x_train, y_train)
        onx = to_onnx(model, x_train[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3},
                      options={id(model): {"zipmap": False}})
        path = os.path.join(out, f"{name}.onnx")
        with open(path, "wb") as f:
            f.write(onx.SerializeToString())
        accuracy = float((model.predict(x_test) == y_test).mean())
        print(f"{name}: test accuracy {accuracy:.4f} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
