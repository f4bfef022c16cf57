"""Own PRIM against the reference PRIM of EMA Workbench on the same data.

Runs only where ``ema_workbench`` is installed (the ``prim-reference`` extra).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

ema_prim = pytest.importorskip("ema_workbench.analysis.prim")

from sim.analysis.prim import peeling_trajectory, prim, quasi_p_values  # noqa: E402

logging.getLogger("EMA").setLevel(logging.ERROR)
# The reference library still uses a pandas keyword that pandas 3 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")


def dataset(kind: str, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 1200
    x = pd.DataFrame(rng.uniform(size=(n, 5)), columns=["x1", "x2", "s1", "s2", "s3"])
    if kind == "ties":
        x = (x * 6).round() / 6  # few distinct values, still float columns
    if kind == "oblique":
        y = (x["x1"] + 0.5 * x["x2"] + rng.normal(0, 0.15, n) > 1.0).to_numpy(dtype=int)
    else:
        y = ((x["x1"] > 0.6) & (x["x2"] < 0.4)).to_numpy(dtype=int)
        flip = rng.uniform(size=n) < 0.08
        y[flip] = 1 - y[flip]
    return x, y


CASES = [(kind, seed) for kind in ("box", "ties", "oblique") for seed in (0, 1)]


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_peeling_and_pasting_match_reference(kind: str, seed: int) -> None:
    x, y = dataset(kind, seed)
    reference = ema_prim.Prim(x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
    box = reference.find_box()
    ref_traj = box.peeling_trajectory.reset_index(drop=True)

    ours, limits = peeling_trajectory(x, y.astype(float), paste_last=True)

    assert len(ours) == len(ref_traj)
    for column in ("coverage", "density", "mass", "n", "k", "res_dim"):
        np.testing.assert_allclose(
            ours[column].to_numpy(dtype=float),
            ref_traj[column].to_numpy(dtype=float),
            atol=1e-12,
            err_msg=column,
        )
    for (lower, upper), ref in zip(limits, box.box_lims, strict=True):
        np.testing.assert_allclose(lower, ref.loc[0].to_numpy(dtype=float), atol=1e-12)
        np.testing.assert_allclose(upper, ref.loc[1].to_numpy(dtype=float), atol=1e-12)


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_quasi_p_values_match_reference(kind: str, seed: int) -> None:
    x, y = dataset(kind, seed)
    reference = ema_prim.Prim(x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
    box = reference.find_box()
    steps = sorted({len(box.box_lims) // 3, len(box.box_lims) // 2, len(box.box_lims) - 1})
    for i in steps:
        lims = box.box_lims[i]
        ours = quasi_p_values(
            x, y.astype(float), lims.loc[0].to_numpy(dtype=float), lims.loc[1].to_numpy(dtype=float)
        )
        ref = box.p_values[i]
        assert set(ours) == set(ref)
        for name, (lo, hi) in ref.items():
            for mine, theirs in ((ours[name][0], lo), (ours[name][1], hi)):
                if theirs == -1:
                    assert np.isnan(mine)
                else:
                    assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chosen_box_sits_on_reference_trajectory(seed: int) -> None:
    """The automatically chosen box is the reference's box at the same step, and both
    recover the true limits."""
    x, y = dataset("box", seed)
    reference = ema_prim.Prim(x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
    ref_box = reference.find_box()
    ours = prim(x, y.astype(float), paste=False, qp_max=1.0, n_resamples=0).boxes[0]
    ref_lims = ref_box.box_lims[ours.chosen]
    np.testing.assert_allclose(ours.lower, ref_lims.loc[0].to_numpy(dtype=float), atol=1e-12)
    np.testing.assert_allclose(ours.upper, ref_lims.loc[1].to_numpy(dtype=float), atol=1e-12)
    assert ours.coverage == pytest.approx(ref_box.peeling_trajectory.coverage[ours.chosen])
    assert ours.density == pytest.approx(ref_box.peeling_trajectory.density[ours.chosen])
    assert ours.restrictions()["x1"][0] == pytest.approx(0.6, abs=0.05)
    assert ours.restrictions()["x2"][1] == pytest.approx(0.4, abs=0.05)
