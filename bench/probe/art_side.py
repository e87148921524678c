"""The ART side of the probe benchmark: IBM's Adversarial Robustness Toolbox against a KServe v2 endpoint.

    python3 bench/probe/make_models.py /tmp/probe-bench
    python3 bench/probe/kserve_server.py --models /tmp/probe-bench --port 0 &      # prints "listening on PORT"
    python3 bench/probe/art_side.py --url http://127.0.0.1:PORT --models /tmp/probe-bench --out art.json

ART only ever sees the HTTP endpoint (one keep-alive connection; each call ART makes to predict_fn is one request,
and ART's predict() cuts its input into batch_size chunks first: 64 rows for HopSkipJump, 1 for Square and SimBA, the
whole budget for CopycatCNN), never the in-process models, so its numbers are comparable with `rampart probe` against
the same server. Per model (lr, mlp, gb): HopSkipJump L2 (labels only), Square L∞ and SimBA pixel (probabilities),
CopycatCNN extraction (labels only) at 50-450 queries; on the mlp ART's rule-based membership inference (ART has
no LiRA); and model inversion with MIFace — white-box on the lr (the scikit-learn model in-process: ART has no
gradients for scikit-learn's MLP), black-box on the mlp through QueryEfficientGradientEstimationClassifier (NES
gradient estimates over HTTP) — each from the mean test digit, the start Rampart uses.

ART's attacks do not report what they spent, nor anything before their final answer, so predict_fn does the
bookkeeping Rampart's oracle does: it counts the rows sent and, while a sample is attacked, keeps the smallest
adversarial example by L2 and the query that found it (the "best within Q queries" numbers). ART attacks one sample at
a time anyway; `generate` is called per sample so the count and the best example are per sample.

Requires: pip install adversarial-robustness-toolbox packaging scikit-learn numpy.
"""
import argparse
import http.client
import json
import os
import sys
import time
from urllib.parse import urlsplit

import numpy as np

import art
from art.attacks.evasion import HopSkipJump, SimBA, SquareAttack
from art.attacks.extraction import CopycatCNN
from art.attacks.inference.membership_inference import MembershipInferenceBlackBoxRuleBased
from art.attacks.inference.model_inversion import MIFace
from art.estimators.classification import QueryEfficientGradientEstimationClassifier
from art.estimators.classification.classifier import ClassGradientsMixin
from art.estimators.classification import BlackBoxClassifierNeuralNetwork
from art.estimators.classification.scikitlearn import ScikitlearnClassifier, ScikitlearnLogisticRegression  # not re-exported
from sklearn.neural_network import MLPClassifier

FEATURES, CLASSES = 64, 10
IMAGE = (1, 8, 8)  # Square and SimBA index x as [N, C, H, W]; HopSkipJump and the rest take flat rows
MODELS = ("lr", "mlp", "gb")
BUDGETS = (50, 100, 250, 450)
POOL, CHECKPOINTS = 450, (1000, 10000)


def log(message):
    print(message, file=sys.stderr, flush=True)


def number(value):
    """JSON has no infinity: an attack that found nothing within a budget is null."""
    value = float(value)
    return value if np.isfinite(value) else None


def median(values):
    return number(np.median(values)) if len(values) else None


class KServeClient:
    """One keep-alive HTTP/1.1 connection (http.client sets TCP_NODELAY) to a KServe v2 server."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
        self.input_names = {}

    def request(self, method, path, body=None):
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, payload, headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                # The server may close an idle keep-alive connection; reconnect once.
                self.connection.close()
                if attempt == 2:
                    raise
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}: {data[:200]!r}")
        return json.loads(data)

    def infer(self, model, x):
        """Returns (labels [n], probabilities [n, 10]) for rows x [n, 64], in one request."""
        if model not in self.input_names:
            self.input_names[model] = self.request("GET", f"/v2/models/{model}")["inputs"][0]["name"]
        x = np.asarray(x, dtype=np.float32).reshape(-1, FEATURES)
        answer = self.request("POST", f"/v2/models/{model}/infer", {"inputs": [
            {"name": self.input_names[model], "shape": list(x.shape), "datatype": "FP32", "data": x.ravel().tolist()}]})
        outputs = {o["name"]: o for o in answer["outputs"]}
        labels = np.asarray(outputs["label"]["data"], dtype=np.int64)
        probabilities = np.asarray(outputs["probabilities"]["data"], dtype=np.float32).reshape(len(x), CLASSES)
        return labels, probabilities


class Oracle:
    """ART's predict_fn: one request per call, labels only (one-hot of the label) or probabilities.

    Counts rows; between `start` and the next `start`, records (query index, L2) every time a row labelled other
    than the attacked sample's label is closer to it than any before, and counts the distinct rows (what a client
    with an exact-match cache, like Rampart's oracle, would have paid for).
    """

    def __init__(self, client, model, probabilities):
        self.client, self.model, self.probabilities = client, model, probabilities
        self.queries = 0
        self.original = None

    def start(self, x, label):
        self.original, self.label = x.reshape(FEATURES).astype(np.float64), label
        self.queries, self.best, self.history, self.distinct = 0, np.inf, [], set()

    def __call__(self, x):
        rows = x.reshape(len(x), FEATURES).astype(np.float32)  # the values the server sees
        labels, probabilities = self.client.infer(self.model, rows)
        if self.original is not None:
            self.distinct.update(row.tobytes() for row in rows)
            distances = np.linalg.norm(rows.astype(np.float64) - self.original, axis=1)
            for i in np.flatnonzero(labels != self.label):
                if distances[i] < self.best:
                    self.best = distances[i]
                    self.history.append((self.queries + i + 1, self.best))
        self.queries += len(rows)
        if self.probabilities:
            return probabilities
        return np.eye(CLASSES, dtype=np.float32)[labels]

    def best_within(self, queries):
        within = [l2 for q, l2 in self.history if q <= queries]
        return within[-1] if within else np.inf


def blackbox(oracle, input_shape):
    return BlackBoxClassifierNeuralNetwork(oracle, input_shape=input_shape, nb_classes=CLASSES, clip_values=(0, 1))


class SklearnThief(ScikitlearnClassifier):
    """CopycatCNN calls fit(x, y, batch_size=..., nb_epochs=...), which scikit-learn's fit() rejects."""

    def fit(self, x, y, batch_size=None, nb_epochs=None, **kwargs):
        super().fit(x, y, **kwargs)


def evasion(name, attack, client, model, x, y, probabilities, input_shape):
    """Runs `attack` (built on the given classifier) on each sample; returns the metrics and per-sample records."""
    oracle = Oracle(client, model, probabilities)
    attacker = attack(blackbox(oracle, input_shape))
    np.random.seed(0)
    records, started = [], time.perf_counter()
    for i, (row, label) in enumerate(zip(x, y)):
        oracle.start(row, label)
        sample_start = time.perf_counter()
        x_adv = attacker.generate(x=row.reshape((1,) + input_shape), y=np.eye(CLASSES)[[label]])
        # ART's final answer, asked about again alone and outside the count.
        verified = bool(client.infer(model, x_adv)[0][0] != label)
        records.append({"queries": oracle.queries, "distinct_queries": len(oracle.distinct), "verified": verified,
                        "final_l2": float(np.linalg.norm(x_adv.reshape(FEATURES).astype(np.float64) - oracle.original)),
                        "best_l2": oracle.best, **{f"l2_at_{q}": oracle.best_within(q) for q in CHECKPOINTS}})
        log(f"  [{model}] {name} {i + 1}/{len(x)}: {oracle.queries} queries ({len(oracle.distinct)} distinct), "
            f"verified {verified}, final L2 {records[-1]['final_l2']:.3f}, best L2 {oracle.best:.3f} "
            f"({time.perf_counter() - sample_start:.1f} s)")
    seconds = time.perf_counter() - started
    verified = [r["verified"] for r in records]
    metrics = {"samples": len(records), "success_rate": float(np.mean(verified)),
               "tracked_success_rate": float(np.mean([np.isfinite(r["best_l2"]) for r in records])),
               "mean_queries": float(np.mean([r["queries"] for r in records])),
               "mean_distinct_queries": float(np.mean([r["distinct_queries"] for r in records])),
               "median_final_l2_successful": median([r["final_l2"] for r in records if r["verified"]]),
               "median_best_l2": median([r["best_l2"] for r in records]),
               **{f"median_l2_at_{q}": median([r[f"l2_at_{q}"] for r in records]) for q in CHECKPOINTS},
               "seconds": seconds}
    for r in records:
        for key in ("best_l2",) + tuple(f"l2_at_{q}" for q in CHECKPOINTS):
            r[key] = number(r[key])
    return {**metrics, "per_sample": records}


def extraction(client, model, x_test, y_test):
    oracle = Oracle(client, model, probabilities=False)
    victim = blackbox(oracle, (FEATURES,))
    pool, x_eval, y_eval = x_test[:POOL], x_test[POOL:], y_test[POOL:]
    victim_eval = client.infer(model, x_eval)[0]  # outside the count: the reference fidelity is measured against
    results = {}
    for budget in BUDGETS:
        np.random.seed(0)  # CopycatCNN shuffles the rows it selects with the global RNG
        oracle.queries = 0
        started = time.perf_counter()
        thief = SklearnThief(MLPClassifier(hidden_layer_sizes=(64,), max_iter=500, random_state=0), clip_values=(0, 1))
        attack = CopycatCNN(victim, nb_stolen=budget, batch_size_query=budget)
        thief = attack.extract(pool[:budget], thieved_classifier=thief)
        # The thief's probability columns are its classes_, which may be fewer than 10 at small budgets.
        stolen = thief.model.classes_[np.argmax(thief.predict(x_eval), axis=1)]
        seconds = time.perf_counter() - started
        results[str(budget)] = {"fidelity": float(np.mean(stolen == victim_eval)),
                                "accuracy": float(np.mean(stolen == y_eval)), "queries": oracle.queries,
                                "seconds": seconds}
        log(f"  [{model}] extraction {budget}: fidelity {results[str(budget)]['fidelity']:.3f}, "
            f"accuracy {results[str(budget)]['accuracy']:.3f} ({seconds:.1f} s)")
    return results


def membership(client, model, x_train, y_train, x_test, y_test):
    """ART's rule-based attack (a member is a record the model gets right): one hard decision, one ROC point."""
    oracle = Oracle(client, model, probabilities=False)
    attack = MembershipInferenceBlackBoxRuleBased(blackbox(oracle, (FEATURES,)))
    started = time.perf_counter()
    tpr = float(np.mean(attack.infer(x_train, y_train)))
    fpr = float(np.mean(attack.infer(x_test, y_test)))
    seconds = time.perf_counter() - started
    # With one decision the ROC is (0,0)-(fpr,tpr)-(1,1); TPR at FPR <= f is the best of those points within f.
    roc = [(0.0, 0.0), (fpr, tpr), (1.0, 1.0)]
    result = {"attack": "MembershipInferenceBlackBoxRuleBased", "model": model, "members": len(x_train),
              "non_members": len(x_test), "tpr": tpr, "fpr": fpr, "auc": (1 + tpr - fpr) / 2,
              "tpr_at_0.1pct_fpr": max(t for f, t in roc if f <= 0.001),
              "tpr_at_1pct_fpr": max(t for f, t in roc if f <= 0.01),
              "queries": oracle.queries, "seconds": seconds}
    log(f"  [{model}] membership (rule-based): TPR {tpr:.3f} at FPR {fpr:.3f} ({seconds:.1f} s)")
    return result


def inversion(client, models_dir, x_test, queries_per_class):
    """MIFace (ART's model inversion), one reconstruction per class from the mean test digit: white-box on the lr's
    scikit-learn model, and black-box on the mlp with NES gradients (10 directions, σ = 0.01) over HTTP, its
    iterations chosen to spend about `queries_per_class` rows per class."""
    import pickle

    start = np.tile(x_test.mean(axis=0), (CLASSES, 1)).astype(np.float32)
    classes = np.arange(CLASSES)
    results = {}
    with open(os.path.join(models_dir, "lr.pkl"), "rb") as f:
        lr = pickle.load(f)
    started = time.perf_counter()
    attack = MIFace(ScikitlearnLogisticRegression(lr, clip_values=(0, 1)), max_iter=300, learning_rate=0.1, verbose=False)
    x = attack.infer(start.copy(), classes)
    results["lr-white-box"] = {"representatives": x.tolist(), "seconds": time.perf_counter() - started, "iterations": 300}
    log(f"  [lr] MIFace white-box: {results['lr-white-box']['seconds']:.1f} s")

    oracle = Oracle(client, "mlp", probabilities=True)
    # ART 1.20 has no black-box inversion: MIFace needs ClassGradientsMixin, and QueryEfficientGradientEstimationClassifier
    # (NES) neither declares it nor implements class_gradient (NotImplementedError). Composed here from its
    # loss_gradient: −∇ cross-entropy of the class = ∇ log p_c, the gradient Rampart estimates too. The NES estimate
    # comes out scaled by 2σ, so MIFace's learning rate is divided by 2σ to take steps of its usual size.
    class NES(QueryEfficientGradientEstimationClassifier, ClassGradientsMixin):
        def class_gradient(self, x, label=None, **kwargs):
            return -self.loss_gradient(x, np.eye(CLASSES)[np.atleast_1d(label)])[:, None, ...]

    sigma = 0.01
    estimator = NES(blackbox(oracle, (FEATURES,)), num_basis=10, sigma=sigma)
    # Per iteration and class: 2 × 10 rows for the gradient estimate, 1 for MIFace's stopping cost.
    iterations = max(1, queries_per_class // 21)
    np.random.seed(0)
    started = time.perf_counter()
    attack = MIFace(estimator, max_iter=iterations, learning_rate=0.1 / (2 * sigma), batch_size=CLASSES, verbose=False)
    x = attack.infer(start.copy(), classes)
    results["mlp-black-box"] = {"representatives": x.tolist(), "seconds": time.perf_counter() - started, "iterations": iterations,
                                "queries_per_class": oracle.queries / CLASSES}
    log(f"  [mlp] MIFace black-box (NES): {oracle.queries / CLASSES:.0f} queries per class, {results['mlp-black-box']['seconds']:.1f} s")
    return results


def load_csv(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :FEATURES].astype(np.float32), data[:, FEATURES].astype(np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the KServe v2 server, e.g. http://127.0.0.1:8080")
    parser.add_argument("--models", required=True, help="make_models.py's OUT_DIR (train.csv and test.csv)")
    parser.add_argument("--out", required=True, help="results JSON")
    parser.add_argument("--samples", type=int, default=10, help="evasion samples per model (default 10)")
    parser.add_argument("--only", default=",".join(MODELS), help="comma-separated subset of lr,mlp,gb")
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 samples, HopSkipJump max_eval 300")
    args = parser.parse_args()
    models = args.only.split(",")
    if not set(models) <= set(MODELS):
        parser.error(f"--only: expected a subset of {','.join(MODELS)}")
    samples = 3 if args.quick else args.samples
    max_eval = 300 if args.quick else 1000

    started = time.perf_counter()
    x_train, y_train = load_csv(os.path.join(args.models, "train.csv"))
    x_test, y_test = load_csv(os.path.join(args.models, "test.csv"))
    client = KServeClient(args.url)
    results = {"art_version": art.__version__, "quick": args.quick, "samples": samples,
               "notes": ["numpy's global RNG is seeded with 0 before each attack, but HopSkipJump draws its random "
                         "starting point from an unseeded np.random.RandomState(), so its numbers vary run to run",
                         "queries are every row ART sent during generate(), including its own re-queries of the "
                         "clean sample and of the final example; success_rate re-asks ART's final example alone",
                         "HopSkipJump and SimBA/Square use the true label as y (the samples are classified "
                         "correctly), which spares ART one query of the clean sample",
                         "CopycatCNN runs with batch_size_query=budget (one request); its default of 1 sends one "
                         "request per row"],
               "models": {}}
    for model in models:
        labels = client.infer(model, x_test)[0]
        attacked = np.flatnonzero(labels == y_test)[:samples]
        x, y = x_test[attacked], y_test[attacked]
        log(f"[{model}] test accuracy {np.mean(labels == y_test):.4f}; attacking test rows {attacked.tolist()}")
        entry = {"test_accuracy": float(np.mean(labels == y_test)), "attacked_rows": attacked.tolist()}
        entry["hsj"] = evasion("hsj", lambda c: HopSkipJump(c, targeted=False, norm=2, max_iter=40, max_eval=max_eval,
                                                            init_eval=100, init_size=100, batch_size=64, verbose=False),
                               client, model, x, y, probabilities=False, input_shape=(FEATURES,))
        entry["square"] = evasion("square", lambda c: SquareAttack(c, norm=np.inf, eps=0.1, max_iter=2000, p_init=0.8,
                                                                   nb_restarts=1, batch_size=1, verbose=False),
                                  client, model, x, y, probabilities=True, input_shape=IMAGE)
        entry["simba"] = evasion("simba", lambda c: SimBA(c, attack="px", max_iter=2000, epsilon=0.2, verbose=False),
                                 client, model, x, y, probabilities=True, input_shape=IMAGE)
        entry["extraction"] = extraction(client, model, x_test, y_test)
        results["models"][model] = entry
    if "mlp" in models:
        results["membership"] = membership(client, "mlp", x_train, y_train, x_test, y_test)
    if "mlp" in models and "lr" in models:
        results["inversion"] = inversion(client, args.models, x_test, 2000)
    results["total_seconds"] = time.perf_counter() - started
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    log(f"wrote {args.out} ({results['total_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
