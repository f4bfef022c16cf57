import pytest
from pydantic import ValidationError

from sim.engine import SweepSpec

BASE = {"parameters": {"x": {"uniform": [0, 1]}}, "design": {"method": "sobol", "n": 8}}


def make(**changes):
    data = {**BASE, **changes}
    return SweepSpec.model_validate(data)


def error_text(**changes) -> str:
    with pytest.raises(ValidationError) as info:
        make(**changes)
    return str(info.value)


def test_all_distribution_forms_and_defaults():
    spec = make(
        parameters={
            "u": {"uniform": [0, 1]},
            "t": {"truncnorm": {"mean": 0.5, "sd": 0.1, "low": 0, "high": 1}},
            "i": {"integers": [2, 9]},
            "c": {"choice": ["a", "b"]},
        }
    )
    assert spec.names == ["u", "t", "i", "c"]
    assert spec.replicates == 1
    assert spec.design.seed == 0
    assert spec.design.second_order is False
    assert spec.outcomes is None
    assert spec.classes == {}


def test_unknown_keys_are_errors_everywhere():
    assert "Extra inputs are not permitted" in error_text(extra_key=1)
    assert "design.bogus" in error_text(design={"method": "sobol", "n": 8, "bogus": 1})
    text = error_text(parameters={"x": {"uniform": [0, 1], "oops": 1}})
    assert "oops" in text
    text = error_text(
        parameters={"x": {"truncnorm": {"mean": 0, "sd": 1, "low": 0, "high": 1, "skew": 2}}}
    )
    assert "skew" in text


@pytest.mark.parametrize(
    ("dist", "fragment"),
    [
        ({"normal": [0, 1]}, "a distribution must be one of"),
        (3, "a distribution must be one of"),
        ({"uniform": [1, 0]}, "uniform needs low < high"),
        ({"uniform": [0, 1, 2]}, "uniform"),
        ({"uniform": [0, "inf"]}, "valid number"),  # text is not a number, "inf" neither
        ({"integers": [5, 2]}, "integers needs low <= high"),
        ({"integers": [0.5, 2]}, "integer"),
        ({"truncnorm": {"mean": 0, "sd": -1, "low": 0, "high": 1}}, "greater than 0"),
        ({"truncnorm": {"mean": 0, "sd": 1, "low": 1, "high": 1}}, "low < high"),
        ({"truncnorm": {"mean": 0, "sd": 1, "low": 0}}, "high"),
        ({"choice": []}, "at least 1"),
        ({"choice": ["a", 1]}, "all strings, all numbers or all booleans"),
        ({"choice": [1, 1]}, "distinct"),
    ],
)
def test_bad_distributions(dist, fragment):
    text = error_text(parameters={"x": dist})
    assert fragment in text
    assert "parameters.x" in text


def test_design_rules():
    assert "needs 'n'" in error_text(design={"method": "latin"})
    assert "needs a 'path'" in error_text(design={"method": "file"})
    assert "only for design method 'file'" in error_text(
        design={"method": "latin", "n": 4, "path": "x.csv"}
    )
    assert "only for design method 'sobol'" in error_text(
        design={"method": "latin", "n": 4, "second_order": True}
    )
    text = error_text(design={"method": "morris", "n": 4, "options": {"M": 4}})
    assert "unknown option(s) M for design method 'morris'" in text
    assert "num_levels" in text
    assert "n > 4 * M**2 = 64" in error_text(design={"method": "fast", "n": 10})
    assert "even integer" in error_text(
        design={"method": "morris", "n": 4, "options": {"num_levels": 3}}
    )
    assert "greater than 0" in error_text(design={"method": "sobol", "n": 0})
    assert "Input should be" in error_text(design={"method": "saltelli", "n": 8})


def test_other_fields():
    assert "greater than 0" in error_text(replicates=0)
    assert "module:object" in error_text(model="not a reference")
    assert make(model="pkg.mod:Thing.attr").model == "pkg.mod:Thing.attr"
    assert "greater than 0" in error_text(timeout_s=0)
    assert "listed twice: y" in error_text(outcomes=["y", "y"])
    assert "reserved" in error_text(outcomes=["seed"])
    assert "reserved" in error_text(parameters={"point": {"uniform": [0, 1]}})
    assert "not a valid identifier" in error_text(parameters={"a b": {"uniform": [0, 1]}})
    assert "both as parameter and outcome: x" in error_text(outcomes=["x"])


def test_class_predicates_validated_when_read():
    assert "cannot parse predicate" in error_text(classes={"k": "y >"})
    assert "function calls not allowed" in error_text(classes={"k": "max(y) > 1"})
    text = error_text(outcomes=["y"], classes={"k": "z > 1"})
    assert "class 'k'" in text
    assert "unknown outcome 'z'" in text
    assert "known outcomes: y" in text


def test_check_class_names_later():
    spec = make(classes={"value_creation": "achieved_share >= 0.5"})
    spec.check_class_names(["achieved_share"])
    with pytest.raises(ValueError, match="value_creation") as info:
        spec.check_class_names(["failed_share"])
    assert "achieved_share" in str(info.value)
    assert "failed_share" in str(info.value)


def test_check_parameters():
    spec = make(
        parameters={
            "trust": {"uniform": [0, 1]},
            "size": {"integers": [2, 40]},
            "kind": {"choice": ["a", "b"]},
            "mood": {"choice": [0.1, 0.9]},
        }
    )
    spec.check_parameters({"trust": (0, 1), "size": (2, 50), "kind": None, "mood": (0, 1)})
    with pytest.raises(ValueError, match="sweep parameters") as info:
        spec.check_parameters({"trust": (0, 0.5), "size": (2, 50), "mood": (0, 1)})
    message = str(info.value)
    assert "unknown parameter(s) kind" in message
    assert "known: mood, size, trust" in message
    assert "'trust' range [0.0, 1.0] is outside its allowed range [0, 0.5]" in message
    with pytest.raises(ValueError, match="not numbers"):
        spec.check_parameters({"trust": None, "size": None, "kind": (0, 1), "mood": None})


def test_resolve_paths(tmp_path):
    spec = make(design={"method": "file", "path": "d/points.csv"})
    resolved = spec.resolve_paths(tmp_path)
    assert resolved.design.path == str(tmp_path / "d" / "points.csv")
    assert resolved.resolve_paths("/elsewhere").design.path == resolved.design.path


def test_documented_example_is_valid():
    import yaml

    import sim.engine.spec as module

    text = module.__doc__.split("Example::")[1].split("Unknown keys")[0]
    spec = SweepSpec.model_validate(yaml.safe_load(text)["sweep"])
    assert spec.names == ["trust", "self_interest", "team_size", "form"]
    assert spec.design.n == 1024
    spec.check_class_names(["achieved_share", "graceful_exit_share", "failed_share"])
