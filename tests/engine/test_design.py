import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine import SweepError, SweepSpec, build_design, design_size, salib_problem
from sim.engine.design import first_difference

MIXED = {
    "u": {"uniform": [-1, 3]},
    "t": {"truncnorm": {"mean": 0.5, "sd": 0.2, "low": 0, "high": 1}},
    "i": {"integers": [2, 5]},
    "c": {"choice": ["low", "mid", "high"]},
}


def make(method: str, n: int | None = 8, parameters=None, **design) -> SweepSpec:
    return SweepSpec.model_validate(
        {
            "parameters": parameters or MIXED,
            "design": {"method": method, **({"n": n} if n is not None else {}), **design},
        }
    )


def check_bounds(frame: pd.DataFrame) -> None:
    assert frame.u.between(-1, 3).all()
    assert frame.t.between(0, 1).all()
    assert frame.i.between(2, 5).all()
    assert frame.i.dtype == np.int64
    assert set(frame.c) <= {"low", "mid", "high"}


def test_problem_dict():
    problem = salib_problem(make("sobol"))
    assert problem["names"] == ["u", "t", "i", "c"]
    assert problem["num_vars"] == 4
    assert problem["bounds"] == [[-1, 3], [0, 1, 0.5, 0.2], [2, 6], [0, 3]]
    assert problem["dists"] == ["unif", "truncnorm", "unif", "unif"]


@pytest.mark.parametrize(
    ("method", "n", "extra", "size"),
    [
        ("sobol", 8, {}, 8 * 6),
        ("sobol", 8, {"second_order": True}, 8 * 10),
        ("morris", 5, {}, 5 * 5),
        ("fast", 65, {}, 65 * 4),
        ("latin", 30, {}, 30),
        ("grid", 3, {}, 3 * 3 * 3 * 3),
    ],
)
def test_methods_sizes_and_bounds(method, n, extra, size):
    spec = make(method, n, **extra)
    design = build_design(spec)
    assert len(design) == size == design_size(spec)
    assert design.frame.point.tolist() == list(range(size))
    assert design.sample.shape == (size, 4)
    check_bounds(design.frame)


def test_integers_and_choices_cover_all_values():
    design = build_design(make("sobol", 64))
    assert set(design.frame.i) == {2, 3, 4, 5}
    assert set(design.frame.c) == {"low", "mid", "high"}


def test_grid_levels():
    frame = build_design(make("grid", 3)).frame
    assert sorted(set(frame.u)) == [-1.0, 1.0, 3.0]
    assert sorted(set(frame.i)) == [2, 4, 5] or sorted(set(frame.i)) == [2, 3, 5]
    assert set(frame.c) == {"low", "mid", "high"}
    assert sorted(set(frame.t))[0] == 0.0
    assert sorted(set(frame.t))[-1] == 1.0


@pytest.mark.parametrize(("method", "small", "big"), [("sobol", 4, 16), ("morris", 3, 7)])
def test_prefix_stable_when_n_grows(method, small, big):
    a = build_design(make(method, small)).frame
    b = build_design(make(method, big)).frame
    assert len(b) > len(a)
    assert first_difference(a, b) is None
    pd.testing.assert_frame_equal(a, b.iloc[: len(a)])


@pytest.mark.parametrize(("method", "small", "big"), [("latin", 10, 20), ("fast", 65, 70)])
def test_not_prefix_stable(method, small, big):
    a = build_design(make(method, small)).frame
    b = build_design(make(method, big)).frame
    assert first_difference(a, b) is not None


def test_design_seed_matters_and_repeats():
    a = build_design(make("latin", 10, seed=1)).frame
    assert first_difference(a, build_design(make("latin", 10, seed=1)).frame) is None
    assert first_difference(a, build_design(make("latin", 10, seed=2)).frame) == 0


def test_file_design(tmp_path):
    path = tmp_path / "points.csv"
    pd.DataFrame(
        {"u": [0.5, -1, 3], "t": [0.1, 0.2, 0.3], "i": [2, 5, 3], "c": ["mid", "low", "high"]}
    ).to_csv(path, index=False)
    frame = build_design(make("file", None, path=str(path))).frame
    assert frame.u.tolist() == [0.5, -1, 3]
    assert frame.i.tolist() == [2, 5, 3]
    assert frame.c.tolist() == ["mid", "low", "high"]
    assert len(build_design(make("file", 2, path=str(path)))) == 2
    with pytest.raises(SweepError, match="has 3 rows, n asks 4"):
        build_design(make("file", 4, path=str(path)))


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"u": [0.5], "t": [0.1], "i": [2]}, "missing: c"),
        ({"u": [0.5], "t": [0.1], "i": [2], "c": ["low"], "z": [1]}, "not varied: z"),
        ({"u": [9.0], "t": [0.1], "i": [2], "c": ["low"]}, "must lie in [-1.0, 3.0]"),
        ({"u": [0.5], "t": [0.1], "i": [2.5], "c": ["low"]}, "must be integers"),
        ({"u": [0.5], "t": [0.1], "i": [2], "c": ["zero"]}, "not among"),
        ({"u": ["x"], "t": [0.1], "i": [2], "c": ["low"]}, "must be numbers"),
    ],
)
def test_file_design_errors(tmp_path, table, fragment):
    path = tmp_path / "points.csv"
    pd.DataFrame(table).to_csv(path, index=False)
    with pytest.raises(SweepError, match="design file") as info:
        build_design(make("file", None, path=str(path)))
    assert fragment in str(info.value)


def test_missing_design_file(tmp_path):
    with pytest.raises(SweepError, match="not found"):
        build_design(make("file", None, path=str(tmp_path / "nope.csv")))


def test_numeric_and_boolean_choices():
    frame = build_design(
        make("latin", 40, parameters={"k": {"choice": [1, 2, 4]}, "f": {"choice": [True, False]}})
    ).frame
    assert frame.k.dtype == np.int64
    assert set(frame.k) <= {1, 2, 4}
    assert frame.f.dtype == bool


bounds = st.tuples(
    st.floats(-1e6, 1e6, allow_nan=False), st.floats(1e-3, 1e6, allow_nan=False)
).map(lambda t: [t[0], t[0] + t[1]])
ints = st.tuples(st.integers(-1000, 1000), st.integers(0, 50)).map(lambda t: [t[0], t[0] + t[1]])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    u=bounds,
    i=ints,
    k=st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=5, unique=True),
    method=st.sampled_from(["sobol", "latin", "morris", "grid"]),
    seed=st.integers(0, 2**31),
)
def test_design_bounds_respected(u, i, k, method, seed):
    spec = SweepSpec.model_validate(
        {
            "parameters": {"u": {"uniform": u}, "i": {"integers": i}, "k": {"choice": k}},
            "design": {"method": method, "n": 4, "seed": seed},
        }
    )
    frame = build_design(spec).frame
    assert frame.u.between(u[0], u[1]).all()
    assert frame.i.between(i[0], i[1]).all()
    assert set(frame.k) <= set(k)
    assert len(frame) == design_size(spec)


def test_sobol_warns_once_when_n_is_not_a_power_of_two():
    with pytest.warns(UserWarning, match="not a power of 2") as record:
        build_design(make("sobol", 6))
    assert len([w for w in record if "power of 2" in str(w.message)]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_design(make("sobol", 8))
