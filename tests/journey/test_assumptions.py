"""Every behaviour-shaping constant is a named, documented, settable assumption."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

import sim
from sim.io.scenario import ScenarioError, parse_scenario
from sim.journey.assumptions import JourneyAssumptions, JourneySettings, split_settings
from sim.journey.model import JourneyModel
from sim.journey.parameters import JourneyParameters
from sim.parameters import parameter_info
from sim.runs import evaluate

JOURNEY = Path(__file__).resolve().parents[2] / "sim" / "journey"
# literals allowed in the journey's code: identities, numerical guards, and values fixed
# by a definition (each with its reason)
ALLOWED_FLOATS = {
    0.0: "identity",
    1.0: "identity",
    1e-6: "keeps a Beta shape parameter above zero",
    1e-9: "guards a division",
    2.0: "the uniform prior's two pseudo-observations in a Beta mean",
    0.5: "the middle of the risk-appetite scale (act_base is the chance there)",
}


def _run(**settings) -> JourneyModel:
    model = JourneyModel(rng=3, n_organisations=40, steps=120, **settings)
    while model.running:
        model.step()
    return model


def test_parameter_and_assumption_names_never_overlap() -> None:
    params, assumptions = set(JourneyParameters.model_fields), set(JourneyAssumptions.model_fields)
    assert not params & assumptions
    assert set(JourneySettings.model_fields) == params | assumptions
    assert split_settings({"trust": 0.6, "norming_evidence": 0.4}) == (
        {"trust": 0.6},
        {"norming_evidence": 0.4},
    )


def test_every_assumption_is_documented_with_a_source_and_a_range() -> None:
    for name, info in parameter_info(JourneyAssumptions).items():
        assert info.doc, name
        assert info.unit, name
        assert info.source, name
        assert info.low is not None and info.high is not None, name
        assert info.low <= info.default <= info.high, name


def test_no_bare_float_literal_shapes_behaviour() -> None:
    """A new constant in a stage module has to be declared as an assumption first."""
    skip = ("assumptions.py", "parameters.py", "measures.py")  # declarations; measures
    # define what is reported, not behaviour
    found = [
        f"{path.name}:{node.lineno}: {node.value}"
        for path in sorted(JOURNEY.glob("*.py"))
        if path.name not in skip
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, float)
        and node.value not in ALLOWED_FLOATS
    ]
    assert not found, "declare these in sim/journey/assumptions.py: " + ", ".join(found)


def test_an_assumption_changes_the_run_it_is_given_to() -> None:
    default, hard = _run(), _run(norming_evidence=9.0)
    assert [e.reason for e in default.events] != [e.reason for e in hard.events]
    assert hard.assumptions.norming_evidence == 9.0
    assert JourneyModel(rng=1, assumptions=JourneyAssumptions(spawn_rate=0.1)).assumptions == (
        JourneyAssumptions(spawn_rate=0.1)
    )


def test_a_scenario_sets_assumptions_and_a_run_uses_them() -> None:
    scenario = parse_scenario(
        {
            "parameters": {"n_organisations": 40, "steps": 120},
            "assumptions": {"norming_evidence": 9.0},
            "seed": 3,
        }
    )
    record = sim.run(scenario)
    assert record.assumptions["norming_evidence"] == 9.0
    again = sim.run(parse_scenario({"parameters": {"n_organisations": 40, "steps": 120}}), seed=3,
                    overrides={"norming_evidence": 9.0})  # fmt: skip
    assert record.events.equals(again.events)  # --set names assumptions too


def test_bad_assumptions_get_one_line_each_naming_the_field() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"assumptions": {"noming_evidence": 0.4, "spawn_rate": 3}}, "s.yaml")
    lines = str(err.value).splitlines()
    assert any(
        "assumptions.noming_evidence" in x and "did you mean 'norming_evidence'" in x for x in lines
    )
    assert any("assumptions.spawn_rate" in x and "allowed range [0, 1]" in x for x in lines)
    with pytest.raises(ScenarioError, match="has no assumptions"):
        parse_scenario({"model": "team_assembly", "assumptions": {"spawn_rate": 0.1}})


def test_a_sweep_can_vary_an_assumption() -> None:
    text = """
parameters: {n_organisations: 30, steps: 60}
sweep:
  parameters:
    norming_evidence: {uniform: [0.3, 3.0]}
    trust: {uniform: [0.2, 0.8]}
  design: {method: latin, n: 4, seed: 1}
"""
    parse_scenario(yaml.safe_load(text))  # validates: assumptions are sweepable by name
    too_wide = yaml.safe_load(text.replace("[0.3, 3.0]", "[0.3, 170.0]"))
    with pytest.raises(ScenarioError, match=r"sweep\.parameters"):
        parse_scenario(too_wide)
    base = {"n_organisations": 40, "steps": 120}
    assert evaluate({**base, "norming_evidence": 9.0}, 3) != evaluate(base, 3)
