"""Writes data sets bundled inside scikit-learn as the attacker's data for `rampart probe`, split exactly as the bundled
models were trained (examples/models/train_and_export.py: 50/50, random_state=0):

    python3 examples/data/export_data.py     # writes examples/data/digits_*.csv and diabetes_*.csv

digits_train.csv holds the 898 rows the bundled digits MLP was trained on (the members, for membership inference);
digits_test.csv the 899 it never saw (evasion samples, the extraction pool and its held-out half, non-members).
Columns: p0…p63 (pixel values / 16, in [0, 1]) and label.

diabetes_train.csv / diabetes_test.csv (221 rows each): the diabetes study's ten baseline variables, unscaled (age,
sex coded 1 or 2, bmi, bp, s1…s6), and label 1 when the disease progressed more than the median a year later — the
bundled diabetes_logreg model's decision, audited for fairness with sex as the sensitive column.
Requires: pip install scikit-learn numpy.
"""
import os

import numpy as np
from sklearn.datasets import load_diabetes, load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, x, y, columns=None):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join((columns or [f"p{i}" for i in range(x.shape[1])]) + ["label"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join(str(int(v)) if float(v).is_integer() else repr(float(v)) for v in row) + f",{int(label)}\n")


def main():
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data / 16.0, digits.target, test_size=0.5, random_state=0)
    write("digits_train.csv", x_train, y_train)
    write("digits_test.csv", x_test, y_test)

    diabetes = load_diabetes(scaled=False)
    progressed = (diabetes.target > np.median(diabetes.target)).astype(int)
    x_train, x_test, y_train, y_test = train_test_split(diabetes.data, progressed, test_size=0.5, random_state=0)
    write("diabetes_train.csv", x_train, y_train, diabetes.feature_names)
    write("diabetes_test.csv", x_test, y_test, diabetes.feature_names)


if __name__ == "__main__":
    main()
