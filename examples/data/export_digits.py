"""Writes scikit-learn's bundled 8×8 digits as the attacker's data for `rampart probe`, split exactly as the bundled
models were trained (examples/models/train_and_export.py: pixels / 16, 50/50, random_state=0):

    python3 examples/data/export_digits.py     # writes examples/data/digits_train.csv and digits_test.csv

digits_train.csv holds the 898 rows the bundled digits MLP was trained on (the members, for membership inference);
digits_test.csv the 899 it never saw (evasion samples, the extraction pool and its held-out half, non-members).
Columns: p0…p63 (pixel values in [0, 1]) and label. Requires: pip install scikit-learn numpy.
"""
import os

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, x, y):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join([f"p{i}" for i in range(x.shape[1])] + ["label"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join("0" if v == 0 else ("1" if v == 1 else repr(float(v))) for v in row) + f",{int(label)}\n")


def main():
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data / 16.0, digits.target, test_size=0.5, random_state=0)
    write("digits_train.csv", x_train, y_train)
    write("digits_test.csv", x_test, y_test)


if __name__ == "__main__":
    main()
