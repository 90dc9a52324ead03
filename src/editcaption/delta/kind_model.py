"""A small learned second opinion on a region's kind (appeared, disappeared or recolored).

The rules of :mod:`.regions` decide a kind from a cascade of measurements, each test with a
threshold of its own. Read one at a time, those tests disagree on hard regions (a soft or
low-contrast object removed from a busy background reads as ``changed``; a tinted thing as
``appeared``), and each threshold was chosen on the same few photos. This module weighs the
same measurements together: a multinomial logistic regression, fitted on the tuning part of
the region photo set only (``benchmarks/region_photos/train_kind.py`` writes
``kind_model.json`` from it, deterministically), whose answer replaces the rules' kind when
it is confident (``RegionThresholds.learned_kind_confidence``). Moves are left to the rules:
the model never saw one.

Inference is numpy only and takes microseconds; the weights file is a few kilobytes of JSON
that says which photos, seeds and settings it was fitted on.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

KINDS = ("appeared", "disappeared", "recolored")
WEIGHTS = Path(__file__).with_name("kind_model.json")


@dataclass(frozen=True)
class KindModel:
    """Standardise the measurements, then softmax over one linear score per kind."""

    features: tuple[str, ...]
    mean: np.ndarray  # (F,)
    scale: np.ndarray  # (F,)
    weights: np.ndarray  # (F + 1, K): the last row is the bias
    kinds: tuple[str, ...] = KINDS
    trained_on: str = ""

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(kind | measurements) for one vector (F,) or a batch (N, F)."""
        z = (np.atleast_2d(np.asarray(x, np.float64)) - self.mean) / self.scale
        scores = z @ self.weights[:-1] + self.weights[-1]
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        return p[0] if np.ndim(x) == 1 else p

    def kind(self, x: np.ndarray, confidence: float) -> str | None:
        """The most probable kind when its probability is at least ``confidence``, else None."""
        p = self.probabilities(x)
        best = int(np.argmax(p))
        return self.kinds[best] if p[best] >= confidence else None

    def to_json(self) -> dict:
        return {"features": list(self.features), "kinds": list(self.kinds), "trained_on": self.trained_on,
                "mean": [round(float(v), 6) for v in self.mean], "scale": [round(float(v), 6) for v in self.scale],
                "weights": [[round(float(v), 6) for v in row] for row in self.weights]}

    @classmethod
    def from_json(cls, data: dict) -> KindModel:
        return cls(tuple(data["features"]), np.asarray(data["mean"], np.float64),
                   np.asarray(data["scale"], np.float64), np.asarray(data["weights"], np.float64),
                   tuple(data["kinds"]), data.get("trained_on", ""))


def fit(x: np.ndarray, kinds: list[str], features: tuple[str, ...], *, l2: float = 1.0, steps: int = 3000,
        rate: float = 0.5, trained_on: str = "") -> KindModel:
    """Multinomial logistic regression by full-batch gradient descent from zero weights (the
    same data give the same model): minimise the mean cross-entropy plus ``l2``/N times the
    squared weights (not the bias), on measurements standardised to mean 0 and spread 1."""
    x = np.asarray(x, np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = np.concatenate([(x - mean) / scale, np.ones((len(x), 1))], axis=1)
    y = np.eye(len(KINDS))[[KINDS.index(k) for k in kinds]]
    w = np.zeros((z.shape[1], len(KINDS)))
    n = len(z)
    not_bias = np.ones_like(w)
    not_bias[-1] = 0.0
    for _ in range(steps):
        s = z @ w
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        w -= rate * (z.T @ (p - y) / n + l2 / n * w * not_bias)
    return KindModel(tuple(features), mean, scale, w, KINDS, trained_on)


@cache
def shipped() -> KindModel:
    """The model fitted for this release (``kind_model.json``, next to this module)."""
    return KindModel.from_json(json.loads(WEIGHTS.read_text(encoding="utf-8")))
