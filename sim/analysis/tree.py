"""A small classification tree (CART, Gini) as a second view on scenario discovery.

Shallow trees on numeric inputs are all scenario discovery needs, and at that size an
exact CART is a few dozen lines of numpy: every split point between distinct values of
every parameter is tried, and the split with the lowest weighted Gini impurity wins
(thresholds sit midway between neighbouring values). Each leaf becomes a rule, a path of
conditions, with its class density, support (share of all cases) and coverage (share of
all cases of interest).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class TreeNode:
    """A node of a classification tree.

    Attributes:
        depth: Depth (0 for the root).
        n: Cases in the node.
        k: Cases of interest in the node.
        lower: Per-dimension lower bound on the path (exclusive; -inf when none).
        upper: Per-dimension upper bound on the path (inclusive; +inf when none).
        feature: Split dimension (None for a leaf).
        threshold: Split value: ``x <= threshold`` goes left.
        left: Left child.
        right: Right child.
    """

    depth: int
    n: int
    k: int
    lower: np.ndarray
    upper: np.ndarray
    feature: int | None = None
    threshold: float | None = None
    left: TreeNode | None = None
    right: TreeNode | None = None

    @property
    def density(self) -> float:
        """Share of the node's cases that are of interest."""
        return self.k / self.n if self.n else 0.0

    @property
    def is_leaf(self) -> bool:
        """Whether the node has no split."""
        return self.feature is None


@dataclass
class ClassificationTree:
    """A fitted tree and the data it was fitted on.

    Attributes:
        root: The root node.
        names: Dimension names.
        n: All cases.
        n_coi: All cases of interest.
        max_depth: Depth limit used.
        min_leaf: Smallest leaf used.
    """

    root: TreeNode
    names: list[str]
    n: int
    n_coi: int
    max_depth: int
    min_leaf: int
    leaves: list[TreeNode] = field(default_factory=list)

    def apply(self, x: np.ndarray | pd.DataFrame) -> np.ndarray:
        """For each row of ``x``, the position of its leaf in :attr:`leaves`."""
        values = x[self.names].to_numpy(float) if isinstance(x, pd.DataFrame) else np.asarray(x)
        position = {id(leaf): i for i, leaf in enumerate(self.leaves)}
        out = np.empty(len(values), dtype=np.int64)
        for i, row in enumerate(values):
            node = self.root
            while not node.is_leaf:
                node = node.left if row[node.feature] <= node.threshold else node.right
            out[i] = position[id(node)]
        return out

    def predict_proba(self, x: np.ndarray | pd.DataFrame) -> np.ndarray:
        """Leaf density for each row of ``x``."""
        densities = np.array([leaf.density for leaf in self.leaves])
        return densities[self.apply(x)]

    def splits(self) -> list[tuple[int, str, float]]:
        """(depth, feature name, threshold) of every split, depth-first, left first."""
        out = []

        def walk(node: TreeNode) -> None:
            if node.is_leaf:
                return
            out.append((node.depth, self.names[node.feature], float(node.threshold)))
            walk(node.left)
            walk(node.right)

        walk(self.root)
        return out


def _gini_split(xs: np.ndarray, ys: np.ndarray, min_leaf: int) -> tuple[float, int]:
    """Best split of one sorted column: (weighted impurity, position) or (inf, -1)."""
    n = len(ys)
    left_k = np.cumsum(ys)[:-1]
    left_n = np.arange(1, n)
    right_k = ys.sum() - left_k
    right_n = n - left_n
    valid = (xs[:-1] < xs[1:]) & (left_n >= min_leaf) & (right_n >= min_leaf)
    if not valid.any():
        return math.inf, -1
    p_l = left_k / left_n
    p_r = right_k / right_n
    impurity = left_n * 2 * p_l * (1 - p_l) + right_n * 2 * p_r * (1 - p_r)
    impurity = np.where(valid, impurity, np.inf)
    i = int(np.argmin(impurity))
    return float(impurity[i]), i


def classification_tree(
    x: np.ndarray | pd.DataFrame,
    y: np.ndarray | Sequence[float],
    *,
    names: Sequence[str] | None = None,
    max_depth: int = 3,
    min_leaf: int | None = None,
) -> ClassificationTree:
    """Fit a shallow CART classification tree with the Gini criterion.

    Args:
        x: Cases by dimensions (numeric).
        y: Binary class per case.
        names: Dimension names (default: DataFrame columns or ``x0, x1, ...``).
        max_depth: Depth limit.
        min_leaf: Smallest leaf (default: 2% of the cases, at least 5).

    Returns:
        The fitted tree.
    """
    if isinstance(x, pd.DataFrame):
        names = list(x.columns) if names is None else list(names)
        values = x[names].to_numpy(dtype=np.float64)
    else:
        values = np.asarray(x, dtype=np.float64)
        names = list(names) if names is not None else [f"x{j}" for j in range(values.shape[1])]
    target = np.asarray(y, dtype=np.float64).ravel()
    if not np.all((target == 0) | (target == 1)):
        raise ValueError("y must be binary")
    n, d = values.shape
    min_leaf = min_leaf if min_leaf is not None else max(5, math.ceil(0.02 * n))
    leaves: list[TreeNode] = []

    def grow(idx: np.ndarray, depth: int, lower: np.ndarray, upper: np.ndarray) -> TreeNode:
        ys = target[idx]
        node = TreeNode(depth, int(idx.size), int(ys.sum()), lower, upper)
        parent = idx.size * 2 * node.density * (1 - node.density)
        if depth >= max_depth or node.k in (0, node.n) or idx.size < 2 * min_leaf:
            leaves.append(node)
            return node
        best = (math.inf, -1, 0.0)
        for j in range(d):
            order = np.argsort(values[idx, j], kind="stable")
            xs = values[idx[order], j]
            impurity, pos = _gini_split(xs, ys[order], min_leaf)
            if impurity < best[0]:
                best = (impurity, j, float((xs[pos] + xs[pos + 1]) / 2))
        if best[1] < 0 or best[0] >= parent - 1e-12:
            leaves.append(node)
            return node
        j = best[1]
        node.feature, node.threshold = j, best[2]
        go_left = values[idx, j] <= node.threshold
        upper_left = upper.copy()
        upper_left[j] = min(upper[j], node.threshold)
        lower_right = lower.copy()
        lower_right[j] = max(lower[j], node.threshold)
        node.left = grow(idx[go_left], depth + 1, lower, upper_left)
        node.right = grow(idx[~go_left], depth + 1, lower_right, upper)
        return node

    root = grow(np.arange(n), 0, np.full(d, -np.inf), np.full(d, np.inf))
    return ClassificationTree(
        root=root,
        names=names,
        n=n,
        n_coi=int(target.sum()),
        max_depth=max_depth,
        min_leaf=min_leaf,
        leaves=leaves,
    )


def leaf_table(
    tree: ClassificationTree,
    x: np.ndarray | pd.DataFrame | None = None,
    y: np.ndarray | Sequence[float] | None = None,
) -> pd.DataFrame:
    """One row per leaf: bounds, n, k, density, support and coverage, densest first.

    Args:
        tree: The fitted tree.
        x: Cases to count in each leaf (default: the cases the tree was fitted on).
        y: Their class labels.
    """
    if x is None or y is None:
        counts = [(leaf.n, leaf.k) for leaf in tree.leaves]
        n_all, k_all = tree.n, tree.n_coi
    else:
        where = tree.apply(x)
        labels = np.asarray(y, dtype=np.float64)
        counts = [
            (int((where == i).sum()), int(labels[where == i].sum()))
            for i in range(len(tree.leaves))
        ]
        n_all, k_all = len(labels), int(labels.sum())
    rows = []
    for i, leaf in enumerate(tree.leaves):
        n, k = counts[i]
        conditions = {
            name: (
                None if np.isneginf(leaf.lower[j]) else float(leaf.lower[j]),
                None if np.isposinf(leaf.upper[j]) else float(leaf.upper[j]),
            )
            for j, name in enumerate(tree.names)
            if np.isfinite(leaf.lower[j]) or np.isfinite(leaf.upper[j])
        }
        rows.append(
            {
                "leaf": i,
                "conditions": conditions,
                "n": n,
                "k": k,
                "density": k / n if n else float("nan"),
                "support": n / n_all if n_all else 0.0,
                "coverage": k / k_all if k_all else 0.0,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["leaf", "conditions", "n", "k", "density", "support", "coverage"]
    )
    return frame.sort_values(["density", "n"], ascending=[False, False]).reset_index(drop=True)
