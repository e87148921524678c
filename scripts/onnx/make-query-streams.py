"""Records the query streams the gateway's model-access monitors are tested on: black-box evasion attacks
from adversarial-robustness-toolbox (HopSkipJump, Square, SimBA) against the bundled digits MLP, two extraction streams
(uniform random queries, and Jacobian-based dataset augmentation after Papernot et al. 2017, the attack PRADA was built
against), and benign streams — digits test images in random order.

    pip install adversarial-robustness-toolbox onnxruntime scikit-learn
    python3 scripts/onnx/make-query-streams.py      # writes Tests/RampartMLTests/Fixtures/streams/*.json

Each stream is {"name", "kind": "evasion" | "extraction" | "benign", "generator", "queries": [[64 floats], ...]}: every row
the attack sent to the model, in order, up to 200 rows. Seeds are fixed.
"""
import json
import os

import numpy as np
import onnxruntime as ort
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "RampartMLTests", "Fixtures", "streams")
MODEL = os.path.join(ROOT, "examples", "models", "digits_mlp.onnx")
LIMIT = 200


class Recorder:
    """The model as ART sees it: probabilities from onnxruntime; every row queried is recorded."""

    def __init__(self):
        self.session = ort.InferenceSession(MODEL, providers=["CPUExecutionProvider"])
        self.rows = []

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float32).reshape(-1, 64)
        self.rows.extend(x.tolist())
        _, maps = self.session.run(None, {"X": x})
        return np.array([[row[k] for k in range(10)] for row in maps], dtype=np.float32)


def write(name, kind, generator, rows):
    rows = [[round(float(v), 6) for v in row] for row in rows[:LIMIT]]
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump({"name": name, "kind": kind, "generator": generator, "queries": rows}, f)
    print(f"{name}: {len(rows)} queries")


def evasion(name, make_attack, x, generator):
    from art.estimators.classification import BlackBoxClassifierNeuralNetwork

    recorder = Recorder()
    # 8×8 images with one channel: Square and SimBA work on images only.
    classifier = BlackBoxClassifierNeuralNetwork(recorder, input_shape=(1, 8, 8), nb_classes=10, clip_values=(0.0, 1.0), channels_first=True)
    x = x.reshape(-1, 1, 8, 8)
    attack = make_attack(classifier)
    for i in range(len(x)):
        if len(recorder.rows) >= LIMIT:
            break
        attack.generate(x[i:i + 1])
    write(name, "evasion", generator, recorder.rows)


def main():
    os.makedirs(OUT, exist_ok=True)
    from art.attacks.evasion import HopSkipJump, SimBA, SquareAttack

    digits = load_digits()
    _, x_test, _, _ = train_test_split(digits.data / 16.0, digits.target, test_size=0.5, random_state=0)
    x_test = x_test.astype(np.float32)
    rng = np.random.default_rng(0)
    np.random.seed(0)

    evasion("hopskipjump", lambda c: HopSkipJump(c, norm=2, max_iter=5, max_eval=100, init_eval=10, verbose=False), x_test[:3],
            "art.attacks.evasion.HopSkipJump(norm=2, max_iter=5, max_eval=100, init_eval=10)")
    evasion("square", lambda c: SquareAttack(c, norm=np.inf, eps=0.1, max_iter=200, p_init=0.3, nb_restarts=1, verbose=False), x_test[10:60],
            "art.attacks.evasion.SquareAttack(norm=inf, eps=0.1, max_iter=200, p_init=0.3)")
    evasion("simba", lambda c: SimBA(c, attack="px", epsilon=0.2, max_iter=200, verbose=False), x_test[60:90],
            "art.attacks.evasion.SimBA(attack='px', epsilon=0.2, max_iter=200)")

    # Extraction without data: uniform random queries (Tramèr et al. 2016's retraining attack).
    write("extraction_uniform", "extraction", "uniform random in [0, 1]^64, seed 0", rng.uniform(0, 1, size=(LIMIT, 64)).tolist())

    # Extraction by Jacobian-based dataset augmentation (Papernot et al. 2017): from one seed per class, each round adds
    # x + λ·sign(∂p_y/∂x) for every sample (λ = 0.1); the gradient here is a finite-difference estimate on the target.
    recorder = Recorder()
    seeds = [x_test[np.argmax(digits.target[-len(x_test):] == c)] for c in range(10)]
    samples = [np.array(s) for s in seeds]
    queried = []
    while len(queried) < LIMIT:
        labels = recorder(np.array(samples)).argmax(axis=1)
        queried.extend(samples)
        new = []
        for s, y in zip(samples, labels):
            base = recorder(s[None])[0, y]
            grad = np.array([recorder(np.clip(s + np.eye(64, dtype=np.float32)[j] * 1e-2, 0, 1)[None])[0, y] - base for j in range(8)])
            direction = np.zeros(64, dtype=np.float32)
            direction[:8] = np.sign(grad)
            direction[8:] = rng.choice([-1, 1], size=56)
            new.append(np.clip(s + 0.1 * direction, 0, 1))
        samples = samples + new
    write("extraction_jbda", "extraction", "Jacobian-based dataset augmentation, λ = 0.1, 10 seeds (one per class); rows are the training queries", queried)

    # Benign: test images in random order, two streams (different seeds).
    for seed in (1, 2):
        order = np.random.default_rng(seed).permutation(len(x_test))[:LIMIT]
        write(f"benign_{seed}", "benign", f"digits test images in random order (seed {seed})", x_test[order].tolist())


if __name__ == "__main__":
    main()
