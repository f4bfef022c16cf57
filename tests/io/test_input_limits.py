"""Bad input is refused before it can hurt: one line naming the file and the field, exit 2,
never a traceback, never a hang, never the expanded input echoed back."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.io.scenario import MAX_FILE_BYTES, ScenarioError, load_scenario
from sim.journey.parameters import JourneyParameters
from sim.parameters import parameter_info

SWEEP = """
sweep:
  parameters:
    trust: {uniform: [0.1, 0.9]}
  design: {method: sobol, n: 4, seed: 1}
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def refused(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "x-bomb:\n" + "\n".join(f"  {line}" for line in lines) + "\n"


@pytest.mark.timeout(20)
@pytest.mark.parametrize("field", ["name", "description", "parameters"])
def test_an_alias_bomb_in_a_real_field_is_refused_at_once(tmp_path, field):
    text = alias_bomb() + f"{field}: *a8\n"
    start = time.monotonic()
    (line,) = refused(write(tmp_path, text))
    assert time.monotonic() - start < 2
    assert "aliases expand to more than" in line
    assert "lol" not in line


@pytest.mark.timeout(20)
def test_many_aliases_are_refused(tmp_path):
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 500) + "]\n"
    (line,) = refused(write(tmp_path, text))
    assert "more than 100 aliases" in line


@pytest.mark.timeout(20)
def test_an_alias_to_itself_is_refused(tmp_path):
    (line,) = refused(write(tmp_path, "parameters: &p {trust: *p}\n"))
    assert "aliases expand" in line


@pytest.mark.timeout(20)
@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_nesting_is_refused(tmp_path, opening):
    text = "parameters: " + opening * 5000 + "\n"
    (line,) = refused(write(tmp_path, text))
    assert "nested more than 32 levels deep" in line


def test_an_oversized_file_is_refused_before_reading(tmp_path):
    path = write(tmp_path, "description: '" + "x" * (MAX_FILE_BYTES + 10) + "'\n")
    (line,) = refused(path)
    assert f"at most {MAX_FILE_BYTES:,}" in line


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("parameters:\n  1: 0.5\n", "parameters: line 2: the key 1 is not a name"),
        (
            "parameters: {trust: 0.5}\nsweep:\n  classes: {yes: 'y > 1'}\n",
            "sweep.classes: line 3: the key yes is not a name",
        ),
        ("null: 3\n", "file: line 1: the key null is not a name"),
    ],
)
def test_keys_must_be_names(tmp_path, text, field):
    (line,) = refused(write(tmp_path, text))
    assert field in line


def test_a_key_given_twice_is_refused(tmp_path):
    (line,) = refused(write(tmp_path, "parameters:\n  trust: 0.2\n  trust: 0.9\n"))
    assert line == "parameters.trust: line 3: given twice"


def test_yaml_merge_keys_still_work(tmp_path):
    text = "x-base: &base {trust: 0.2, urgency: 0.3}\nparameters:\n  <<: *base\n  trust: 0.9\n"
    with pytest.raises(ScenarioError, match="x-base"):
        load_scenario(write(tmp_path, text))  # the anchor's key is unknown, the merge is fine
    sc = load_scenario(
        write(
            tmp_path,
            "parameters: &p {trust: 0.2}\nsweep:\n  parameters:\n    urgency: "
            "{uniform: [0.1, 0.5]}\n  design: {method: latin, n: 4}\n",
            "ok.yaml",
        )
    )
    assert sc.parameters == {"trust": 0.2}


@pytest.mark.parametrize(
    ("design", "replicates", "field"),
    [
        ("{method: sobol, n: 1000000000000}", 1, "sweep.design.n"),
        ("{method: latin, n: 100000000}", 1, "sweep.design.n"),
        ("{method: grid, n: 100000000}", 1, "sweep.design.n"),
        ("{method: latin, n: 1000}", 100000000, "sweep.replicates"),
    ],
)
def test_designs_too_large_to_hold_are_refused_at_validate(tmp_path, design, replicates, field):
    text = (
        "sweep:\n  parameters:\n    trust: {uniform: [0.1, 0.9]}\n"
        f"  design: {design}\n  replicates: {replicates}\n"
    )
    start = time.monotonic()
    (line,) = refused(write(tmp_path, text))
    assert time.monotonic() - start < 2
    assert line.startswith(field)
    assert "more than" in line


@pytest.mark.parametrize("model", [".relative:thing", "pkg..mod:f", "pkg.mod:", "pkg:.f"])
def test_relative_or_malformed_model_references_are_refused(tmp_path, model):
    (line,) = refused(write(tmp_path, f"model: '{model}'\n"))
    assert line.startswith("model: ")
    assert "absolute" in line


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("seed: true\n", "seed"),
        ("steps: true\nmodel: pkg.mod:f\n", "steps"),
        (
            "sweep:\n  parameters: {trust: {uniform: [0, 1]}}\n"
            "  design: {method: sobol, n: true}\n",
            "sweep.design.n",
        ),
        (
            "sweep:\n  parameters: {trust: {uniform: [0, 1]}}\n  design: {method: latin, n: 4}\n"
            "  replicates: true\n",
            "sweep.replicates",
        ),
        (
            "sweep:\n  parameters: {trust: {uniform: [0, 1]}}\n  design: {method: latin, n: 4}\n"
            "  seed: true\n",
            "sweep.seed",
        ),
    ],
)
def test_true_is_not_read_as_one(tmp_path, text, field):
    (line,) = refused(write(tmp_path, text))
    assert line.startswith(f"{field}: ")


def test_a_distribution_with_two_forms_names_them(tmp_path):
    text = (
        "sweep:\n  parameters:\n    trust: {uniform: [0.1, 0.9], choice: [0.2, 0.4]}\n"
        "  design: {method: latin, n: 4}\n"
    )
    (line,) = refused(write(tmp_path, text))
    assert "parameter trust: a distribution has exactly one form, got uniform, choice" in line
    assert "replicates" not in line  # not the sweep's own fields


def test_a_bad_base_parameter_is_not_blamed_on_the_sweep(tmp_path):
    text = "parameters:\n  trust: 5\n  steps: 40\n" + SWEEP.replace("trust:", "urgency:")
    lines = refused(write(tmp_path, text))
    assert len(lines) == 1
    assert lines[0].startswith("parameters.trust: ")


def test_long_values_are_not_echoed_whole(tmp_path):
    (line,) = refused(write(tmp_path, "seed: '" + "9" * 5000 + "'\n"))
    assert len(line) < 200
    assert "..." in line


def test_a_python_model_is_flagged_as_code_to_trust(tmp_path):
    path = write(tmp_path, "model: support_models:ishigami\n" + SWEEP.replace("trust", "x1"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "runs Python code from support_models: trust this file as you would code" in (
        " ".join(result.output.split())
    )


# -- property-based fuzzing: every parameter and sweep field, given a bad value ------------

INFO = parameter_info(JourneyParameters)
NOT_NUMBERS = st.sampled_from(["many", [1, 2], {"a": 1}, True, None, "", "1e999x"])


def bad_parameter(name: str):
    info = INFO[name]
    if info.kind == "choice":
        return st.sampled_from(["nonsense", 3, [info.choices[0]], True, None])
    too_low = st.floats(max_value=info.low - 1e-6, min_value=info.low - 1e9, allow_nan=False)
    too_high = st.floats(min_value=info.high + 1e-6, max_value=info.high + 1e9, allow_nan=False)
    if info.kind == "int":
        return st.one_of(
            NOT_NUMBERS, too_low, too_high, st.just(info.low + 0.5), st.just(float("nan"))
        )
    return st.one_of(NOT_NUMBERS, too_low, too_high, st.just(float("inf")), st.just(float("nan")))


DIST_BAD = st.one_of(
    st.just({"uniform": [0.9, 0.1]}),
    st.just({"uniform": [0.1]}),
    st.just({"uniform": "wide"}),
    st.just({"uniform": [0.1, 0.9], "integers": [1, 2]}),
    st.just({"normal": [0, 1]}),
    st.just({"truncnorm": {"mean": 0.5, "sd": -1, "low": 0, "high": 1}}),
    st.just({"truncnorm": {"mean": 0.5}}),
    st.just({"integers": [0.5, 2]}),
    st.just({"choice": []}),
    st.just({"choice": [1, "a"]}),
    st.just({"uniform": [-5.0, 0.5]}),
    st.just(0.5),
    st.just(None),
)
SWEEP_BAD: dict[str, st.SearchStrategy] = {
    "design.method": st.sampled_from(["sobel", 3, None, ["sobol"]]),
    "design.n": st.one_of(st.integers(max_value=0), st.just(True), st.just("ten"), st.just(2.5)),
    "design.seed": st.one_of(st.integers(max_value=-1), st.just(True), st.just("x")),
    "design.second_order": st.sampled_from(["maybe", 2, [True]]),
    "design.options": st.sampled_from([{"scramble": True, "bogus": 1}, {"M": 3}, "none"]),
    "design.path": st.just("points.csv"),
    "design.bogus": st.just(1),
    "replicates": st.one_of(st.integers(max_value=0), st.just(True), st.just(10**9)),
    "outcomes": st.sampled_from([[], ["nonsense_share"], ["point"], "achieved_share", [1]]),
    "classes": st.sampled_from(
        [
            {"c": "achieved_share / 0 > 1"},
            {"c": "achieved_share > 9**9**9"},
            {"c": "achieved_share ** 400 > 1"},
            {"c": "achieved_share % 0 > 1"},
            {"c": "nonsense > 1"},
            {"c": "__import__('os')"},
            {"c": "achieved_share >"},
            {"c": "(" * 50 + "achieved_share" + ")" * 50 + " > 1"},
            {"c": 3},
            {"c": "achieved_share > 1e999"},
        ]
    ),
    "model": st.sampled_from([".rel:x", "not a ref", 3]),
    "seed": st.one_of(st.integers(max_value=-1), st.just(True)),
    "timeout_s": st.sampled_from([0, -1, "soon", float("inf"), True]),
    "batch_size": st.sampled_from([0, -3, 1.5, True]),
    "bogus": st.just(1),
}
TOP_BAD: dict[str, st.SearchStrategy] = {
    "name": st.sampled_from(["has space", "", "../up", 3, "x" * 200]),
    "model": st.sampled_from(["nonsense", ".rel:x", 3, ["journey"]]),
    "seed": st.one_of(st.integers(max_value=-1), st.just(True), st.just("x"), st.just(1.5)),
    "steps": st.sampled_from([0, True, "x", -1]),
    "parameters": st.sampled_from(["trust", [0.5], 3]),
    "sweep": st.sampled_from(["yes", [1], 3]),
    "descripton": st.just("typo"),
}
FIELDS = (
    [("parameters", name) for name in INFO]
    + [("sweep.parameters", name) for name in INFO]
    + [("sweep", name) for name in SWEEP_BAD]
    + [("top", name) for name in TOP_BAD]
)


def expected_mention(kind: str, name: str) -> str:
    """What the message must name for a bad value in this field."""
    if kind == "parameters":
        return f"parameters.{name}"
    if kind == "sweep.parameters":
        return "sweep.parameters"
    if kind == "sweep":
        return "sweep." + name.split(".", maxsplit=1)[0]
    return name


@st.composite
def bad_scenarios(draw):
    kind, name = draw(st.sampled_from(FIELDS))
    data = {
        "name": "fuzz",
        "parameters": {"steps": 20, "n_organisations": 20},
        "sweep": {
            "parameters": {"trust": {"uniform": [0.1, 0.9]}},
            "design": {"method": "latin", "n": 4, "seed": 1},
        },
    }
    if kind == "parameters":
        data["parameters"][name] = draw(bad_parameter(name))
    elif kind == "sweep.parameters":
        data["sweep"]["parameters"] = {name: draw(DIST_BAD)}
    elif kind == "sweep":
        value = draw(SWEEP_BAD[name])
        if "." in name:
            data["sweep"]["design"][name.split(".")[1]] = value
        else:
            data["sweep"][name] = value
    else:
        data[name] = draw(TOP_BAD[name])
    return kind, name, yaml.safe_dump(data, sort_keys=False)


RUNNER = CliRunner()
TIMES: list[float] = []


@settings(max_examples=520, deadline=None)
@given(case=bad_scenarios())
def test_fuzzed_bad_scenarios_are_refused_with_the_field_named(tmp_path_factory, case):
    kind, name, text = case
    path = tmp_path_factory.mktemp("fuzz") / "bad.yaml"
    path.write_text(text)
    start = time.monotonic()
    result = RUNNER.invoke(app, ["validate", str(path)])
    elapsed = time.monotonic() - start
    TIMES.append(elapsed)
    output = " ".join(result.output.split())
    assert result.exit_code == 2, (text, output)
    assert "Traceback" not in output
    assert "internal error" not in output
    assert f"{path}:" in output
    assert expected_mention(kind, name) in output, (text, output)
    assert elapsed < 10
