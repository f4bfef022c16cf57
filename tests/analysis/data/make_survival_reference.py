"""Write survival_reference.json: lifelines' Kaplan–Meier and Aalen–Johansen on fixed data.

lifelines caps pandas below 3, so it is not part of the project's environments; the
reference it computes is stored with its inputs and read by tests/analysis/test_survival.py.
Run it in an environment of its own (it needs only numpy and lifelines):

    python -m venv /tmp/lifelines && /tmp/lifelines/bin/pip install lifelines==0.30.3
    /tmp/lifelines/bin/python tests/analysis/data/make_survival_reference.py
"""

from __future__ import annotations

import json
import math
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
from lifelines import AalenJohansenFitter, KaplanMeierFitter

OUT = Path(__file__).with_name("survival_reference.json")


def _floats(values) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in np.asarray(values, dtype=float)]


def kaplan_meier_case() -> dict:
    """Whole weeks, so many tied endings and censorings."""
    rng = np.random.default_rng(11)
    weeks = rng.integers(0, 25, 80)
    ended = rng.random(80) < 0.7
    km = KaplanMeierFitter().fit(weeks, ended)
    interval = km.confidence_interval_.to_numpy()
    return {
        "durations": weeks.tolist(),
        "ended": ended.tolist(),
        "times": _floats(km.survival_function_.index),
        "survival": _floats(km.survival_function_.to_numpy()[:, 0]),
        "low": _floats(interval[:, 0]),
        "high": _floats(interval[:, 1]),
        "median": float(km.median_survival_time_),
    }


def aalen_johansen_case(seed: int) -> dict:
    """Continuous times, no ties (lifelines jitters tied times of different outcomes)."""
    rng = np.random.default_rng(seed)
    durations = rng.exponential(10, 60)
    codes = rng.integers(0, 4, 60)  # 0 censored, 1..3 the outcomes
    case = {"durations": _floats(durations), "codes": codes.tolist(), "outcomes": {}}
    for code in (1, 2, 3):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a jitter warning would make the reference random
            aj = AalenJohansenFitter(calculate_variance=True).fit(durations, codes, code)
        # lifelines labels its interval columns the wrong way round: the smaller is the low
        bounds = np.sort(aj.confidence_interval_.to_numpy(), axis=1)
        case["outcomes"][str(code)] = {
            "times": _floats(aj.cumulative_density_.index),
            "incidence": _floats(aj.cumulative_density_.to_numpy()[:, 0]),
            "variance": _floats(aj.variance_.to_numpy()),
            "low": _floats(bounds[:, 0]),
            "high": _floats(bounds[:, 1]),
        }
    return case


def main() -> None:
    reference = {
        "made_by": f"lifelines {version('lifelines')}, pandas {version('pandas')}",
        "kaplan_meier": kaplan_meier_case(),
        "aalen_johansen": [aalen_johansen_case(seed) for seed in (1, 2, 3)],
    }
    OUT.write_text(json.dumps(reference) + "\n")


if __name__ == "__main__":
    main()
