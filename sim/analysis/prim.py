"""PRIM, the patient rule induction method, for scenario discovery.

PRIM (Friedman and Fisher 1999) looks for a box in parameter space where a binary
class (say, value creation) is much more frequent than elsewhere. It follows the
reference implementation used in scenario discovery (Bryant and Lempert 2010; Kwakkel's
EMA Workbench), step for step:

* **Peeling.** From the box holding all remaining cases, each step tries to cut the
  ``peel_alpha`` quantile off the low or the high end of every dimension and keeps the
  cut with the best *lenient* objective: gain in density divided by the number of cases
  removed (ties go to the box with fewer restricted dimensions). Peeling stops when no
  cut raises the density or the box would hold less than ``mass_min`` of all cases. The
  boxes met on the way form the *peeling trajectory*, a coverage-density trade-off.
* **Box choice.** The box is chosen automatically at the knee of the trade-off: with
  density rescaled to a *gain* (0 at the base rate, 1 at a pure box), the box with the
  best balance of coverage and gain, their harmonic mean, less ``dim_penalty`` per
  restricted dimension, wins. (The harmonic mean is high only where neither is given
  up for the other, which is the trade-off's knee; the penalty keeps a restriction
  only when it pays for itself.)
* **Pasting.** The chosen box is then widened again, ``paste_alpha`` of the cases at a
  time, while that raises its density.
* **Pruning.** Each restriction (each side of each restricted dimension) gets a
  quasi-p-value: a one-sided binomial test of the box's density against the density of
  the same box without that restriction. Restrictions with a quasi-p-value above
  ``qp_max`` are dropped. PRIM is then re-run on ``n_resamples`` bootstrap resamples;
  a dimension's reproducibility is the share of resamples whose chosen box restricts it,
  and dimensions below ``min_reproducibility`` are dropped too.
* **Covering.** Cases inside a kept box are removed and the search repeats on the rest
  (``max_boxes`` at most), while boxes stay significant (one-sided binomial test of the
  box density against the base rate of the cases searched, below ``alpha``) and cover
  at least ``min_coverage`` of all cases of interest.

Coverage is the share of *all* cases of interest inside a box; density is the share of
the box's cases that are of interest; mass is the box's share of all cases. Inputs must
be numeric; categorical parameters can be integer-coded (a box then selects a
contiguous range of codes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats


def get_quantile(data: np.ndarray, quantile: float) -> float:
    """Quantile as used by PRIM: the midpoint between two distinct neighbouring values.

    Args:
        data: Values (any order).
        quantile: Strictly between 0 and 1.
    """
    if not 0 < quantile < 1:
        raise ValueError("quantile must lie strictly between 0 and 1")
    values = np.sort(np.asarray(data, dtype=np.float64))
    return _sorted_quantile(values, quantile)


def _sorted_quantile(values: np.ndarray, quantile: float) -> float:
    i = (len(values) - 1) * quantile
    low, high = math.floor(i), math.ceil(i)
    if quantile > 0.5:
        while values[low] == values[high] and low > 0:
            low -= 1
    else:
        while values[low] == values[high] and high < len(values) - 1:
            high += 1
    return float((values[low] + values[high]) / 2)


def _lenient(y_old: np.ndarray, y_new: np.ndarray) -> float:
    """Gain in mean per case removed (or added)."""
    mean_old = float(np.mean(y_old))
    mean_new = float(np.mean(y_new)) if y_new.size else 0.0
    if mean_old == mean_new or y_old.size == y_new.size:
        return 0.0
    return (mean_new - mean_old) / abs(y_old.size - y_new.size)


@dataclass
class Step:
    """One box on a trajectory: limits and the indices of the cases inside."""

    lower: np.ndarray
    upper: np.ndarray
    idx: np.ndarray


class _Search:
    """PRIM over one data set (all cases), searching among ``remaining`` cases."""

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        peel_alpha: float,
        paste_alpha: float,
        mass_min: float,
    ) -> None:
        self.x = x
        self.y = y
        self.n = len(y)
        self.t_coi = float(y.sum())
        self.init_lower = x.min(axis=0) if self.n else np.zeros(x.shape[1])
        self.init_upper = x.max(axis=0) if self.n else np.zeros(x.shape[1])
        self.peel_alpha = peel_alpha
        self.paste_alpha = paste_alpha
        self.mass_min = mass_min

    def n_restricted(self, lower: np.ndarray, upper: np.ndarray) -> int:
        return int(((lower != self.init_lower) | (upper != self.init_upper)).sum())

    def restricted(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        return (lower != self.init_lower) | (upper != self.init_upper)

    def inside(self, idx: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Indices among ``idx`` inside the box."""
        x = self.x[idx]
        return idx[np.all((x >= lower) & (x <= upper), axis=1)]

    def peel(self, idx: np.ndarray, n_ref: float | None = None) -> list[Step]:
        """The peeling trajectory, starting with the box holding all of ``idx``.

        ``n_ref`` is the case count masses are measured against (all cases by default;
        a scaled count for a resample smaller than the cases it stands for).
        """
        d = self.x.shape[1]
        n_ref = self.n if n_ref is None else n_ref
        step = Step(self.init_lower.copy(), self.init_upper.copy(), idx)
        trajectory = [step]
        while step.idx.size > 1:
            y_old = self.y[step.idx]
            best: tuple[float, int] | None = None
            chosen: Step | None = None
            for j in range(d):
                xj = self.x[step.idx, j]
                ordered = np.sort(xj)
                for upper_side in (True, False):
                    if upper_side:
                        cut = _sorted_quantile(ordered, 1 - self.peel_alpha)
                        new_idx = step.idx[xj <= cut]
                        lower, upper = step.lower, step.upper.copy()
                        upper[j] = cut
                    else:
                        cut = _sorted_quantile(ordered, self.peel_alpha)
                        new_idx = step.idx[xj >= cut]
                        lower, upper = step.lower.copy(), step.upper
                        lower[j] = cut
                    key = (_lenient(y_old, self.y[new_idx]), d - self.n_restricted(lower, upper))
                    if best is None or key > best:
                        best, chosen = key, Step(lower, upper, new_idx)
            if chosen is None:
                break
            mass_new = chosen.idx.size / n_ref
            if mass_new >= self.mass_min and chosen.idx.size < step.idx.size and best[0] > 0:
                step = chosen
                trajectory.append(step)
            else:
                break
        return trajectory

    def paste(self, remaining: np.ndarray, step: Step) -> list[Step]:
        """Widen a box while that raises its density; returns the pasting steps."""
        d = self.x.shape[1]
        steps: list[Step] = []
        x_rem = self.x[remaining]
        while True:
            res = self.restricted(step.lower, step.upper)
            if not res.any():
                break
            y_old = self.y[step.idx]
            best: tuple[float, int] | None = None
            chosen: Step | None = None
            for j in np.flatnonzero(res):
                for lower_side in (True, False):
                    lower, upper = step.lower.copy(), step.upper.copy()
                    if lower_side:
                        lower[j] = self.init_lower[j]
                        upper[j] = step.lower[j]
                    else:
                        lower[j] = step.upper[j]
                        upper[j] = self.init_upper[j]
                    slab = np.all(
                        (x_rem[:, res] >= lower[res]) & (x_rem[:, res] <= upper[res]), axis=1
                    )
                    values = x_rem[slab, j]
                    lower, upper = step.lower.copy(), step.upper.copy()
                    if lower_side:
                        value = (
                            get_quantile(values, 1 - self.paste_alpha)
                            if values.size
                            else self.init_lower[j]
                        )
                        lower[j] = value
                    else:
                        value = (
                            get_quantile(values, self.paste_alpha)
                            if values.size
                            else self.init_upper[j]
                        )
                        upper[j] = value
                    inside = np.all(
                        (x_rem[:, res] >= lower[res]) & (x_rem[:, res] <= upper[res]), axis=1
                    )
                    new_idx = remaining[inside]
                    key = (_lenient(y_old, self.y[new_idx]), d - self.n_restricted(lower, upper))
                    if best is None or key > best:
                        best, chosen = key, Step(lower, upper, new_idx)
            if chosen is None:
                break
            mass_new = chosen.idx.size / self.n
            mean_old = float(np.mean(y_old))
            mean_new = float(np.mean(self.y[chosen.idx])) if chosen.idx.size else 0.0
            if (
                mass_new >= self.mass_min
                and chosen.idx.size > step.idx.size
                and best[0] > 0
                and mean_new > mean_old
            ):
                step = chosen
                steps.append(step)
            else:
                break
        return steps

    def quasi_p(self, remaining: np.ndarray, step: Step) -> np.ndarray:
        """Quasi-p-values per (dimension, side); NaN where the side is unrestricted."""
        d = self.x.shape[1]
        out = np.full((d, 2), np.nan)
        t_box, h_box = step.idx.size, int(np.rint(self.y[step.idx].sum()))
        if t_box == 0:
            return out
        for j in range(d):
            for side, (limit, free) in enumerate(
                ((step.lower[j], self.init_lower[j]), (step.upper[j], self.init_upper[j]))
            ):
                if limit == free:
                    continue
                lower, upper = step.lower.copy(), step.upper.copy()
                (lower if side == 0 else upper)[j] = free
                inside = self.inside(remaining, lower, upper)
                p = float(self.y[inside].mean()) if inside.size else 0.0
                out[j, side] = stats.binomtest(h_box, t_box, p, alternative="greater").pvalue
        return out

    def trajectory_frame(self, steps: Sequence[Step]) -> pd.DataFrame:
        rows = []
        for i, s in enumerate(steps):
            k = float(self.y[s.idx].sum())
            rows.append(
                {
                    "step": i,
                    "coverage": k / self.t_coi if self.t_coi else 0.0,
                    "density": k / s.idx.size if s.idx.size else 0.0,
                    "mass": s.idx.size / self.n,
                    "n": int(s.idx.size),
                    "k": int(np.rint(k)),
                    "res_dim": self.n_restricted(s.lower, s.upper),
                }
            )
        return pd.DataFrame(rows)


def choose_box(trajectory: pd.DataFrame, dim_penalty: float = 0.05) -> int:
    """Index of the knee of a peeling trajectory (see the module docstring).

    Coverage and the density gain (density scaled from the starting box's density to 1)
    are both in [0, 1]; the knee is the box with the largest harmonic mean of the two,
    less ``dim_penalty`` per restricted dimension. The starting box is never chosen.

    Args:
        trajectory: Rows with ``coverage``, ``density`` and ``res_dim``.
        dim_penalty: Score lost per restricted dimension.

    Returns:
        The chosen row (0 when the trajectory holds only the starting box).
    """
    if len(trajectory) < 2:
        return 0
    c = trajectory["coverage"].to_numpy(dtype=float)
    d = trajectory["density"].to_numpy(dtype=float)
    r = trajectory["res_dim"].to_numpy(dtype=float)
    base = d[0]
    gain = np.clip((d - base) / (1 - base), 0, 1) if base < 1 else np.zeros_like(d)
    total = c + gain
    harmonic = np.divide(2 * c * gain, total, out=np.zeros_like(total), where=total > 0)
    score = harmonic - dim_penalty * r
    score[0] = -np.inf
    return int(np.argmax(score))


@dataclass(frozen=True)
class BoxTest:
    """A box's statistics on cases it was not found on.

    Attributes:
        n: Cases in the box.
        k: Cases of interest in the box.
        coverage: k over the cases of interest tested.
        density: k / n.
        base_rate: Density of the cases tested (outside earlier boxes).
        p_value: One-sided binomial test of the density against ``base_rate``.
    """

    n: int
    k: int
    coverage: float
    density: float
    base_rate: float
    p_value: float


def held_out_boxes(
    boxes: Sequence[PrimBox],
    x: np.ndarray | pd.DataFrame,
    y: np.ndarray | Sequence[float],
    *,
    alpha: float = 0.05,
    min_support: int = 20,
) -> tuple[list[PrimBox], str]:
    """Test boxes, in order, on held-out cases; keep them while they hold.

    Each box is tested on the held-out cases outside the boxes before it, as it was found
    (a one-sided binomial test of its density against their base rate). Boxes are kept in
    order while they hold at least ``min_support`` cases and their p-value is at most
    ``alpha``; as the order is fixed before testing, this keeps the chance of any false
    box at ``alpha`` (a fixed-sequence procedure). Each kept box gets :attr:`PrimBox.held_out`.

    Args:
        boxes: Boxes found on other cases, in covering order.
        x: Held-out cases (columns by the boxes' names).
        y: Held-out class labels.
        alpha: Significance each box needs.
        min_support: Fewest held-out cases a box must hold.

    Returns:
        The boxes kept, and why testing stopped (empty when every box held).
    """
    yv = np.asarray(y, dtype=np.float64)
    remaining = np.ones(len(yv), dtype=bool)
    total = float(yv.sum())
    kept: list[PrimBox] = []
    for box in boxes:
        inside = remaining & box.contains(x)
        n, k = int(inside.sum()), int(yv[inside].sum())
        base = float(yv[remaining].mean()) if remaining.any() else float("nan")
        if n < min_support:
            return kept, (
                f"box {box.index} holds only {n} held-out case(s) (at least {min_support} needed)."
            )
        p_value = float(stats.binomtest(k, n, base, alternative="greater").pvalue)
        box.held_out = BoxTest(n, k, k / total if total else 0.0, k / n, base, p_value)
        if p_value > alpha:
            return kept, (
                f"box {box.index} does not hold on the held-out cases (density "
                f"{k / n:.0%} against {base:.0%} outside the earlier boxes, n = {n}, "
                f"p = {p_value:.2g} > {alpha:g})."
            )
        kept.append(box)
        remaining &= ~inside
    return kept, ""


@dataclass
class PrimBox:
    """A box found by PRIM, with its statistics and how it was chosen.

    Attributes:
        names: Dimension names.
        lower: Lower limits (the data minimum where unrestricted).
        upper: Upper limits (the data maximum where unrestricted).
        init_lower: The data minimum per dimension.
        init_upper: The data maximum per dimension.
        n: Cases in the box (among the cases searched).
        k: Cases of interest in the box.
        coverage: k over all cases of interest.
        density: k / n.
        mass: n over all cases.
        base_rate: Density of the cases searched (the rate without any restriction).
        p_value: One-sided binomial test of the density against ``base_rate``.
        qp: Quasi-p-values per restricted dimension, ``{name: (lower, upper)}``, NaN
            for an unrestricted side.
        reproducibility: Share of bootstrap resamples restricting each dimension.
        dropped: Plain notes on restrictions removed in pruning.
        trajectory: The peeling trajectory (and pasting steps, ``phase`` column).
        chosen: Row of ``trajectory`` chosen at the knee (before pasting and pruning).
        index: 1 for the first box of a covering, 2 for the next, ...
    """

    names: list[str]
    lower: np.ndarray
    upper: np.ndarray
    init_lower: np.ndarray
    init_upper: np.ndarray
    n: int
    k: int
    coverage: float
    density: float
    mass: float
    base_rate: float
    p_value: float
    qp: dict[str, tuple[float, float]] = field(default_factory=dict)
    reproducibility: dict[str, float] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    trajectory: pd.DataFrame = field(default_factory=pd.DataFrame)
    chosen: int = 0
    index: int = 1
    held_out: BoxTest | None = None

    @property
    def restricted(self) -> list[str]:
        """Names of the restricted dimensions."""
        mask = (self.lower != self.init_lower) | (self.upper != self.init_upper)
        return [n for n, m in zip(self.names, mask, strict=True) if m]

    def restrictions(self) -> dict[str, tuple[float | None, float | None]]:
        """``{name: (lower or None, upper or None)}`` for restricted dimensions."""
        out = {}
        for j, name in enumerate(self.names):
            lo = None if self.lower[j] == self.init_lower[j] else float(self.lower[j])
            hi = None if self.upper[j] == self.init_upper[j] else float(self.upper[j])
            if lo is not None or hi is not None:
                out[name] = (lo, hi)
        return out

    def contains(self, x: np.ndarray | pd.DataFrame) -> np.ndarray:
        """Whether each row of ``x`` (columns in :attr:`names` order) is inside the box.

        Unrestricted sides are open, so cases beyond the range the box was found on
        (held-out cases, say) count as inside along dimensions the box does not limit.
        """
        values = x[self.names].to_numpy(float) if isinstance(x, pd.DataFrame) else np.asarray(x)
        lower = np.where(self.lower == self.init_lower, -np.inf, self.lower)
        upper = np.where(self.upper == self.init_upper, np.inf, self.upper)
        return np.all((values >= lower) & (values <= upper), axis=1)

    def limits_frame(self) -> pd.DataFrame:
        """One row per restricted dimension with limits, quasi-p and reproducibility."""
        rows = []
        for name, (lo, hi) in self.restrictions().items():
            qp = self.qp.get(name, (np.nan, np.nan))
            rows.append(
                {
                    "box": self.index,
                    "parameter": name,
                    "lower": lo,
                    "upper": hi,
                    "qp_lower": qp[0],
                    "qp_upper": qp[1],
                    "reproducibility": self.reproducibility.get(name, np.nan),
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "box",
                "parameter",
                "lower",
                "upper",
                "qp_lower",
                "qp_upper",
                "reproducibility",
            ],
        )

    def stats(self) -> dict[str, float | int]:
        """Headline numbers of the box (``test_*``: on held-out cases, when tested)."""
        out: dict[str, float | int] = {
            "box": self.index,
            "coverage": self.coverage,
            "density": self.density,
            "mass": self.mass,
            "n": self.n,
            "k": self.k,
            "base_rate": self.base_rate,
            "p_value": self.p_value,
            "res_dim": len(self.restricted),
        }
        if self.held_out is not None:
            out |= {f"test_{k}": v for k, v in asdict(self.held_out).items()}
        return out


@dataclass
class PrimResult:
    """Boxes found by covering, in order, and why the search stopped.

    Attributes:
        boxes: Kept boxes (each found on the cases outside the earlier ones).
        names: Dimension names.
        n: All cases.
        n_coi: All cases of interest.
        stopped: Why no further box was kept.
    """

    boxes: list[PrimBox]
    names: list[str]
    n: int
    n_coi: int
    stopped: str = ""

    @property
    def base_rate(self) -> float:
        """Share of cases of interest among all cases."""
        return self.n_coi / self.n if self.n else float("nan")

    def table(self) -> pd.DataFrame:
        """One row per box: stats and limits (``lower:<name>``, ``upper:<name>``)."""
        rows = []
        for box in self.boxes:
            row = box.stats()
            for name, (lo, hi) in box.restrictions().items():
                row[f"lower:{name}"] = lo
                row[f"upper:{name}"] = hi
            rows.append(row)
        return pd.DataFrame(rows)

    def limits(self) -> pd.DataFrame:
        """Restricted dimensions of every box, with quasi-p and reproducibility."""
        frames = [b.limits_frame() for b in self.boxes]
        return pd.concat(frames, ignore_index=True) if frames else PrimBox.limits_frame(_EMPTY_BOX)


def _as_arrays(
    x: np.ndarray | pd.DataFrame, y: np.ndarray | Sequence[float], names: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if isinstance(x, pd.DataFrame):
        names = list(x.columns) if names is None else list(names)
        values = x[names].to_numpy(dtype=np.float64)
    else:
        values = np.asarray(x, dtype=np.float64)
        if values.ndim != 2:
            raise ValueError("x must be two-dimensional")
        names = list(names) if names is not None else [f"x{j}" for j in range(values.shape[1])]
    target = np.asarray(y, dtype=np.float64).ravel()
    if len(target) != len(values):
        raise ValueError(f"x has {len(values)} rows but y has {len(target)}")
    if not np.all(np.isfinite(values)):
        raise ValueError("x holds NaN or infinite values; drop those cases first")
    if not np.all((target == 0) | (target == 1)):
        raise ValueError("y must be binary (0/1 or False/True)")
    if len(names) != values.shape[1]:
        raise ValueError("names must match the columns of x")
    return values, target, names


def prim(
    x: np.ndarray | pd.DataFrame,
    y: np.ndarray | Sequence[float],
    *,
    names: Sequence[str] | None = None,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    dim_penalty: float = 0.05,
    qp_max: float = 0.05,
    min_reproducibility: float = 0.5,
    n_resamples: int = 20,
    resample_max: int = 5000,
    max_boxes: int = 3,
    alpha: float = 0.05,
    min_coverage: float = 0.05,
    paste: bool = True,
    seed: int | None = 0,
) -> PrimResult:
    """Find boxes where ``y`` is frequent, by peeling, pasting, pruning and covering.

    Args:
        x: Cases by dimensions (numeric; a DataFrame gives the names).
        y: Binary class per case.
        names: Dimension names (default: DataFrame columns or ``x0, x1, ...``).
        peel_alpha: Share of a box's cases cut per peel.
        paste_alpha: Share of cases added per paste.
        mass_min: Smallest box, as a share of all cases.
        dim_penalty: Knee-score cost per restricted dimension.
        qp_max: Restrictions with a larger quasi-p-value are dropped.
        min_reproducibility: Dimensions restricted in fewer bootstrap resamples than
            this share are dropped (no resampling when ``n_resamples`` is 0).
        n_resamples: Bootstrap resamples for reproducibility.
        resample_max: Cases drawn per resample at most (a smaller bootstrap sample keeps
            large sweeps quick; dimensions that matter still reproduce).
        max_boxes: Most boxes to find by covering.
        alpha: Significance a box needs to be kept.
        min_coverage: Smallest coverage a box needs to be kept.
        paste: Whether to paste the chosen box.
        seed: Seed of the resampling.

    Returns:
        The boxes and why the covering stopped.
    """
    xv, yv, names = _as_arrays(x, y, names)
    search = _Search(xv, yv, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    rng = np.random.default_rng(seed)
    result = PrimResult(boxes=[], names=names, n=len(yv), n_coi=int(yv.sum()))
    remaining = np.arange(len(yv))
    rules = _BoxRules(dim_penalty, qp_max, min_reproducibility, n_resamples, resample_max, paste)
    for index in range(1, max_boxes + 1):
        k_rem = float(yv[remaining].sum())
        if remaining.size == 0 or k_rem == 0:
            result.stopped = "no cases of interest remain outside the boxes found."
            break
        if k_rem < min_coverage * result.n_coi:
            result.stopped = (
                f"fewer than {min_coverage:.0%} of the cases of interest remain outside the "
                "boxes found."
            )
            break
        if k_rem == remaining.size:
            result.stopped = "every remaining case is of interest; no box can raise the density."
            break
        box = _find_box(search, remaining, rng, names=names, index=index, rules=rules)
        if box is None:
            result.stopped = "no restriction of the parameters raises the density significantly" + (
                " among the remaining cases." if index > 1 else "."
            )
            break
        if box.p_value > alpha:
            result.stopped = f"the next box is not significant (p = {box.p_value:.2g} > {alpha:g})."
            break
        if box.coverage < min_coverage:
            result.stopped = (
                f"the next box covers only {box.coverage:.1%} of the cases of interest "
                f"(< {min_coverage:.0%})."
            )
            break
        result.boxes.append(box)
        remaining = remaining[~box.contains(xv[remaining])]
    else:
        result.stopped = f"the limit of {max_boxes} boxes was reached."
    return result


@dataclass(frozen=True)
class _BoxRules:
    """How each box is chosen, pasted, pruned and resampled (see :func:`prim`)."""

    dim_penalty: float
    qp_max: float
    min_reproducibility: float
    n_resamples: int
    resample_max: int
    paste: bool


def _find_box(
    search: _Search,
    remaining: np.ndarray,
    rng: np.random.Generator,
    *,
    names: list[str],
    index: int,
    rules: _BoxRules,
) -> PrimBox | None:
    dim_penalty, qp_max, paste = rules.dim_penalty, rules.qp_max, rules.paste
    min_reproducibility, n_resamples = rules.min_reproducibility, rules.n_resamples
    resample_max = rules.resample_max
    steps = search.peel(remaining)
    frame = search.trajectory_frame(steps).assign(phase="peel")
    chosen = choose_box(frame, dim_penalty)
    if chosen == 0:
        return None
    step = steps[chosen]
    if paste:
        pasted = search.paste(remaining, step)
        if pasted:
            step = pasted[-1]
            frame = pd.concat(
                [frame, search.trajectory_frame(pasted).assign(phase="paste")], ignore_index=True
            )
            frame["step"] = np.arange(len(frame))
    dropped: list[str] = []
    # Drop restrictions whose quasi-p-value is too large, one at a time (worst first),
    # since each drop changes the others' tests.
    while True:
        qp = search.quasi_p(remaining, step)
        worst = np.nanmax(qp) if np.isfinite(qp).any() else np.nan
        if not np.isfinite(worst) or worst <= qp_max:
            break
        j, side = np.unravel_index(np.nanargmax(qp), qp.shape)
        lower, upper = step.lower.copy(), step.upper.copy()
        if side == 0:
            lower[j] = search.init_lower[j]
        else:
            upper[j] = search.init_upper[j]
        which = "lower" if side == 0 else "upper"
        dropped.append(f"{names[j]} {which} limit (quasi-p {worst:.2g} > {qp_max:g})")
        step = Step(lower, upper, search.inside(remaining, lower, upper))
    reproducibility: dict[str, float] = {}
    if n_resamples > 0:
        # For each resample, the step of its trajectory nearest to this box in
        # (coverage, density) is compared with it (as the reference's resampling does).
        # Coverage is taken within the cases searched, so a smaller resample compares.
        k_all = search.y[remaining].sum()
        target_cov = search.y[step.idx].sum() / k_all
        target_den = search.y[step.idx].mean() if step.idx.size else 0.0
        size = min(remaining.size, resample_max)
        n_ref = search.n * size / remaining.size
        counts = np.zeros(len(names))
        for _ in range(n_resamples):
            sample = rng.choice(remaining, size=size, replace=True)
            trial = search.peel(sample, n_ref=n_ref)
            k_sample = max(search.y[sample].sum(), 1.0)
            cov = np.array([search.y[t.idx].sum() / k_sample for t in trial])
            den = np.array([search.y[t.idx].mean() if t.idx.size else 0.0 for t in trial])
            gap = np.hypot(cov - target_cov, den - target_den)
            gap[0] = np.inf if len(gap) > 1 else gap[0]
            pick = int(np.argmin(gap))
            counts += search.restricted(trial[pick].lower, trial[pick].upper)
        share = counts / n_resamples
        reproducibility = dict(zip(names, share.tolist(), strict=True))
        res = search.restricted(step.lower, step.upper)
        weak = np.flatnonzero(res & (share < min_reproducibility))
        if weak.size:
            lower, upper = step.lower.copy(), step.upper.copy()
            lower[weak] = search.init_lower[weak]
            upper[weak] = search.init_upper[weak]
            dropped += [
                f"{names[j]} (restricted in {share[j]:.0%} of {n_resamples} resamples "
                f"< {min_reproducibility:.0%})"
                for j in weak
            ]
            step = Step(lower, upper, search.inside(remaining, lower, upper))
            qp = search.quasi_p(remaining, step)
    if not search.restricted(step.lower, step.upper).any():
        return None
    k = int(np.rint(search.y[step.idx].sum()))
    n = int(step.idx.size)
    base = float(search.y[remaining].mean())
    p_value = float(stats.binomtest(k, n, base, alternative="greater").pvalue) if n else 1.0
    qp_dict = {
        names[j]: (float(qp[j, 0]), float(qp[j, 1]))
        for j in np.flatnonzero(search.restricted(step.lower, step.upper))
    }
    return PrimBox(
        names=names,
        lower=step.lower,
        upper=step.upper,
        init_lower=search.init_lower,
        init_upper=search.init_upper,
        n=n,
        k=k,
        coverage=k / search.t_coi if search.t_coi else 0.0,
        density=k / n if n else 0.0,
        mass=n / search.n,
        base_rate=base,
        p_value=p_value,
        qp=qp_dict,
        reproducibility=reproducibility,
        dropped=dropped,
        trajectory=frame,
        chosen=chosen,
        index=index,
    )


def peeling_trajectory(
    x: np.ndarray | pd.DataFrame,
    y: np.ndarray | Sequence[float],
    *,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    paste_last: bool = False,
) -> tuple[pd.DataFrame, list[tuple[np.ndarray, np.ndarray]]]:
    """The raw peeling trajectory on all cases (optionally with the last box pasted).

    Args:
        x: Cases by dimensions.
        y: Binary class.
        peel_alpha: Share cut per peel.
        paste_alpha: Share added per paste.
        mass_min: Smallest box mass.
        paste_last: Whether to paste the last (smallest) box, as the reference does.

    Returns:
        Trajectory statistics and the ``(lower, upper)`` limits of each step.
    """
    xv, yv, _ = _as_arrays(x, y, None)
    search = _Search(xv, yv, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    everything = np.arange(len(yv))
    steps = search.peel(everything)
    if paste_last:
        steps += search.paste(everything, steps[-1])
    return search.trajectory_frame(steps), [(s.lower, s.upper) for s in steps]


_EMPTY_BOX = PrimBox(
    names=[],
    lower=np.zeros(0),
    upper=np.zeros(0),
    init_lower=np.zeros(0),
    init_upper=np.zeros(0),
    n=0,
    k=0,
    coverage=0.0,
    density=0.0,
    mass=0.0,
    base_rate=0.0,
    p_value=1.0,
)


def quasi_p_values(
    x: np.ndarray | pd.DataFrame,
    y: np.ndarray | Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
    *,
    names: Sequence[str] | None = None,
) -> dict[str, tuple[float, float]]:
    """Quasi-p-values of a box's restrictions on all cases.

    Args:
        x: Cases by dimensions.
        y: Binary class.
        lower: Box lower limits.
        upper: Box upper limits.
        names: Dimension names.

    Returns:
        ``{name: (qp of the lower limit, qp of the upper limit)}`` for restricted
        dimensions; NaN for an unrestricted side.
    """
    xv, yv, names = _as_arrays(x, y, names)
    search = _Search(xv, yv, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.0)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    everything = np.arange(len(yv))
    step = Step(lower, upper, search.inside(everything, lower, upper))
    qp = search.quasi_p(everything, step)
    return {
        names[j]: (float(qp[j, 0]), float(qp[j, 1]))
        for j in np.flatnonzero(search.restricted(lower, upper))
    }
