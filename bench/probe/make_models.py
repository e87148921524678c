"""Trains the three digits classifiers the ART side-by-side benchmark attacks and exports them to ONNX.

    python3 bench/probe/make_models.py OUT_DIR     # writes OUT_DIR/{lr,mlp,gb}.onnx, train.csv, test.csv,
                                                   # pool_{0..16}.onnx, pool.csv and pool.yaml

The split is the bundled models' split (examples/models/train_and_export.py: pixels / 16, 50/50, random_state=0,
not stratified), so train.csv / test.csv are the same rows as examples/data/digits_{train,test}.csv. The models are
exported without ZipMap: the ONNX outputs are a label tensor [N] and a probabilities tensor [N, 10], which
is what a KServe v2 server returns and what both Rampart and ART consume. Requires: pip install scikit-learn skl2onnx
onnxruntime numpy.

The pool is the LiRA paper's evaluation protocol on the digits: 17 MLPs trained the same way,
each on its own random half of all 1 797 digits; pool.csv holds every digit with a member_pool_<i> column per model,
and pool.yaml is the campaign that attacks each model with the other 16 as its shadows.
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
        if name == "lr":  # ART's white-box model inversion needs the scikit-learn model itself
            import pickle
            with open(os.path.join(out, "lr.pkl"), "wb") as f:
                pickle.dump(model, f)
        accuracy = float((model.predict(x_test) == y_test).mean())
        print(f"{name}: test accuracy {accuracy:.4f} ({os.path.getsize(path)} bytes)")
    write_pool(out, digits.data / 16.0, digits.target)


def write_pool(out, x, y, models=17, seed=0):
    rng = np.random.default_rng(seed)
    flags = np.zeros((models, len(x)), dtype=int)
    for i in range(models):
        chosen = rng.permutation(len(x))[: len(x) // 2]
        flags[i, chosen] = 1
        model = MLPClassifier(hidden_layer_sizes=(64,), max_iter=500, random_state=i).fit(x[chosen], y[chosen])
        onx = to_onnx(model, x[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3}, options={id(model): {"zipmap": False}})
        with open(os.path.join(out, f"pool_{i}.onnx"), "wb") as f:
            f.write(onx.SerializeToString())
    with open(os.path.join(out, "pool.csv"), "w") as f:
        f.write(",".join([f"p{i}" for i in range(x.shape[1])] + ["label"] + [f"member_pool_{i}" for i in range(models)]) + "\n")
        for r, (row, label) in enumerate(zip(x, y)):
            cells = ["0" if v == 0 else ("1" if v == 1 else repr(float(v))) for v in row]
            f.write(",".join(cells + [str(int(label))] + [str(flags[i, r]) for i in range(models)]) + "\n")
    with open(os.path.join(out, "pool.yaml"), "w") as f:
        f.write("seed: 0\ndata: { test: pool.csv }\ntargets:\n")
        for i in range(models):
            f.write(f"  - {{ name: pool_{i}, url: URL/v2/models/pool_{i} }}\n")
        f.write("attacks:\n  - { attack: membership, pooled: true }\n")
    print(f"pool: {models} MLPs on random halves of {len(x)} digits")


if __name__ == "__main__":
    main()
