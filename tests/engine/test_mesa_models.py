"""Any Mesa 3.5 model sweeps: keyword-argument models and models taking a Scenario."""

import math

import pytest
from mesa.examples import BoltzmannWealth
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

from sim.engine import SweepError, SweepSpec, run_seed

from .helpers import sweep


def boltzmann_spec(**overrides):
    data = {
        "parameters": {"n": {"integers": [10, 40]}, "width": {"integers": [4, 9]}},
        "design": {"method": "latin", "n": 4, "seed": 1},
        "replicates": 2,
        "seed": 5,
        "classes": {"unequal": "Gini > 0.3"},
    }
    data.update(overrides)
    return SweepSpec.model_validate(data)


def test_mesa_examples_boltzmann_wealth_sweeps_through_its_scenario(tmp_path):
    frame = sweep(
        boltzmann_spec(),
        tmp_path / "s",
        model="mesa.examples:BoltzmannWealth",
        steps=15,
        base_params={"height": 6},
        workers=2,
    )
    assert len(frame) == 8
    assert (frame.status == "done").all(), frame.error.tolist()
    assert {"n", "width", "Gini", "class_unequal"} <= set(frame.columns)
    assert frame.Gini.between(0, 1).all()
    for row in frame.itertuples():
        scenario = BoltzmannScenario(
            rng=run_seed(5, row.point, row.replicate), n=row.n, width=row.width, height=6
        )
        model = BoltzmannWealth(scenario=scenario)
        for _ in range(15):
            model.step()
        assert model.gini == row.Gini  # exactly the model run by hand
    assert (frame.class_unequal == (frame.Gini > 0.3)).all()


def test_a_scenario_model_names_its_parameters(tmp_path):
    wrong = boltzmann_spec(parameters={"widht": {"integers": [4, 9]}})
    with pytest.raises(
        SweepError, match=r"takes no parameter\(s\) widht \(it takes: height, n, width\)"
    ):
        sweep(wrong, tmp_path / "s", model="mesa.examples:BoltzmannWealth", steps=5, base_params={})


def test_a_keyword_model_seeded_through_seed(tmp_path):
    the_spec = SweepSpec.model_validate(
        {
            "parameters": {"drift": {"uniform": [0.0, 1.0]}},
            "design": {"method": "latin", "n": 3},
            "seed": 2,
        }
    )
    frame = sweep(
        the_spec, tmp_path / "s", model="mesa_models:SeedOnlyModel", steps=10, base_params={}
    )
    assert (frame.status == "done").all(), frame.error.tolist()
    from mesa_models import SeedOnlyModel

    row = frame.iloc[1]
    model = SeedOnlyModel(drift=row.drift, seed=run_seed(2, row.point, row.replicate))
    for _ in range(10):
        model.step()
    assert model.position == row.position


def test_the_journey_model_sweeps_as_a_generic_mesa_model(tmp_path):
    the_spec = SweepSpec.model_validate(
        {
            "parameters": {"trust": {"uniform": [0.2, 0.8]}},
            "design": {"method": "latin", "n": 2},
            "outcomes": ["value_creation_share", "lapsed_share"],
            "seed": 3,
        }
    )
    frame = sweep(
        the_spec,
        tmp_path / "s",
        model="sim.journey.model:JourneyModel",
        steps=30,
        base_params={"steps": 30, "n_organisations": 20},
    )
    assert (frame.status == "done").all(), frame.error.tolist()
    from sim.runs import evaluate

    for row in frame.itertuples():
        params = {"steps": 30, "n_organisations": 20, "trust": row.trust}
        built_in = evaluate(params, run_seed(3, row.point, row.replicate))
        for name in ("value_creation_share", "lapsed_share"):
            got, expected = getattr(row, name), built_in[name]
            assert got == expected or (math.isnan(got) and math.isnan(expected)), name
