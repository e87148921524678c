"""Puts the two sides of bench/probe/run.sh side by side: reads WORK/art.json and WORK/rampart-*.json, writes one JSON
with both and prints the Markdown tables for docs/probe.md, each with Rampart's figure as a ratio of ART's."""
import json
import sys
from pathlib import Path

MODELS = ("lr", "mlp", "gb")


def rampart(work, model, attack):
    path = Path(work) / f"rampart-{model}-{attack}.json"
    return json.loads(path.read_text())["results"] if path.exists() else []


def metric(results, name, attack=None):
    for result in results:
        if attack is None or result["attack"] == attack:
            return result["metrics"].get(name)
    return None


def seconds(results):
    return sum(r["seconds"] for r in results)


def show(value, digits=3):
    return "–" if value is None else f"{value:.{digits}f}"


def ratio(ours, theirs, higher_is_better=False):
    if ours is None or theirs is None or ours == 0 or theirs == 0:
        return "–"
    return f"{(ours / theirs if higher_is_better else theirs / ours):.2f}×"


def inversion_scores(representatives, train, test):
    """The same numbers for both tools, from the reconstructions: centred cosine to the class means (on the mean test
    digit, the start both used), the share nearest their own class mean, and the raw (unscaled, uncentred) cosine."""
    import numpy as np

    x_train, y_train = train
    # As Rampart scores: every feature scaled by its range in the data (train and test), centred on the mean test row.
    low, high = np.minimum(x_train.min(axis=0), test.min(axis=0)), np.maximum(x_train.max(axis=0), test.max(axis=0))
    span = np.where(high > low, high - low, 1.0)
    scale = lambda x: np.where(high > low, (np.asarray(x, dtype=np.float64) - low) / span, 0.0)
    prior = scale(test.mean(axis=0))
    means = np.array([scale(x_train[y_train == c].mean(axis=0)) for c in range(10)])
    rep = scale(np.asarray(representatives, dtype=np.float64))

    def cos(a, b):
        na, nb = np.linalg.norm(a), np.linalg.norm(b)
        return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0

    centred = [[cos(rep[c] - prior, means[k] - prior) for k in range(10)] for c in range(10)]
    return {"similarity": float(np.mean([centred[c][c] for c in range(10)])),
            "identification_rate": float(np.mean([int(np.argmax(centred[c]) == c) for c in range(10)])),
            "raw_cosine": float(np.mean([cos(np.asarray(representatives, dtype=np.float64)[c], x_train[y_train == c].mean(axis=0)) for c in range(10)]))}


def inversion_table(work, art, combined):
    import numpy as np

    if not art.get("inversion"):
        return
    load = lambda name: np.loadtxt(Path(work) / name, delimiter=",", skiprows=1)
    train, test = load("train.csv"), load("test.csv")
    train = (train[:, :64], train[:, 64].astype(int))
    print()
    print("| inversion | tool | similarity (centred) | identified | raw cosine | queries per class | seconds |")
    print("|---|---|---|---|---|---|---|")
    for key, model, access in (("lr-white-box", "lr", "white-box"), ("mlp-black-box", "mlp", "black-box")):
        results = rampart(work, model, "inversion")
        if not results:
            continue
        # The pictures are the reconstructions on one grey scale from the data's lowest to highest value (0 and 1 here).
        images = results[0]["images"]
        ours = [img["pixels"] for img in images if img["name"].endswith("inverted")]
        mine, theirs = inversion_scores(ours, train, test[:, :64]), inversion_scores(art["inversion"][key]["representatives"], train, test[:, :64])
        combined["rampart"][f"inversion-{key}"] = {**mine, "seconds": results[0]["seconds"]}
        queries = results[0]["budget"] if access == "black-box" else "–"
        their_queries = f"{art['inversion'][key].get('queries_per_class', 0):.0f}" if access == "black-box" else "–"
        print(f"| {model} {access} | Rampart | {mine['similarity']:.3f} | {mine['identification_rate']:.0%} | {mine['raw_cosine']:.3f} | {queries} | {results[0]['seconds']:.1f} |")
        print(f"| {model} {access} | ART MIFace | {theirs['similarity']:.3f} | {theirs['identification_rate']:.0%} | {theirs['raw_cosine']:.3f} | {their_queries} | {art['inversion'][key]['seconds']:.1f} |")


def main():
    work, out = sys.argv[1], sys.argv[2]
    art = json.loads((Path(work) / "art.json").read_text())
    combined = {"art": art, "rampart": {}}
    lines = ["| model | HSJ L2 @1k: Rampart / ART | @10k: Rampart / ART | Square ε=0.1 success (queries) | SimBA ε=0.2 success, median L2, mean queries | evasion wall time: Rampart / ART |",
             "|---|---|---|---|---|---|"]
    extraction = ["| model | budget B | ART fidelity at B | Rampart at B/2 | Rampart at B | wall time: Rampart / ART |", "|---|---|---|---|---|---|"]
    for model in MODELS:
        a = art["models"].get(model)
        if a is None:
            continue
        hsj, square, simba = rampart(work, model, "hsj"), rampart(work, model, "square"), rampart(work, model, "simba")
        steal, half_steal = rampart(work, model, "extraction"), rampart(work, model, "extraction-half")
        combined["rampart"][model] = {"hsj": hsj, "square": square, "simba": simba, "extraction": steal, "extraction_half": half_steal}
        ours_1k, ours_10k = metric(hsj, "median_l2_at_1000"), metric(hsj, "median_l2")
        art_seconds = a["hsj"]["seconds"] + a["square"]["seconds"] + a["simba"]["seconds"]
        our_seconds = seconds(hsj) + seconds(square) + seconds(simba)
        lines.append(
            f"| {model} | {show(ours_1k)} / {show(a['hsj']['median_l2_at_1000'])} | {show(ours_10k)} / {show(a['hsj']['median_l2_at_10000'])} "
            f"| {show(metric(square, 'verified_success_rate'), 1)} (≤ 2 000) / {show(a['square']['success_rate'], 1)} ({a['square']['mean_queries']:.0f}) "
            f"| {show(metric(simba, 'verified_success_rate'), 1)}, {show(metric(simba, 'median_l2'))}, {show(metric(simba, 'median_queries_to_success'), 0)} (median) "
            f"/ {show(a['simba']['success_rate'], 1)}, {show(a['simba'].get('median_best_l2'))}, {a['simba']['mean_queries']:.0f} (mean) "
            f"| {our_seconds:.1f} s / {art_seconds:.1f} s = **{ratio(our_seconds, art_seconds)}** |")
        art_steal_seconds = sum(v["seconds"] for v in a["extraction"].values())
        for budget in ("50", "100", "250", "450"):
            theirs = a["extraction"][budget]["fidelity"]
            half, full = metric(half_steal, f"fidelity_at_{int(budget) // 2}"), metric(steal, f"fidelity_at_{budget}")
            extraction.append(f"| {model} | {budget} | {show(theirs)} | {show(half)} | {show(full)} | "
                              + (f"{seconds(steal):.1f} s / {art_steal_seconds:.1f} s = **{ratio(seconds(steal), art_steal_seconds)}** |" if budget == "50" else " |"))
    membership = rampart(work, "mlp", "membership")
    combined["rampart"]["membership"] = membership
    print("\n".join(lines))
    print()
    print("\n".join(extraction))
    print()
    def membership_table(title, rows):
        print(f"| {title} | AUC | TPR at 0.1 % FPR | TPR at 1 % FPR | seconds |")
        print("|---|---|---|---|---|")
        for name, m, took in rows:
            print(f"| {name} | {show(m['auc'])} | {show(100 * m['tpr_at_0.1pct_fpr'], 2)} % | {show(100 * m['tpr_at_1pct_fpr'], 2)} % | {took:.1f} |")

    ours = [(f"Rampart {r['attack']}", r["metrics"], r["seconds"]) for r in membership]
    theirs = [(f"ART {art['membership']['attack']}", art["membership"], art["membership"]["seconds"])] if art.get("membership") else []
    membership_table("attack (mlp)", ours + theirs)
    pool = rampart(work, "pool", "membership")
    combined["rampart"]["pooled_membership"] = pool
    if pool:
        print()
        membership_table("pooled over 17 MLPs (30 549 pairs, 15 275 non-members)", [(f"Rampart {r['attack']}", r["metrics"], r["seconds"]) for r in pool])
    inversion_table(work, art, combined)
    Path(out).write_text(json.dumps(combined, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
