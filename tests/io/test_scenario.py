"""Scenario files: bad input gives one clear line per problem naming file and field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.io.scenario import ScenarioError, load_scenario

CONSIM = [sys.executable, "-m", "sim.cli"]


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def test_shipped_scenarios_are_valid(root: Path) -> None:
    files = sorted((root / "scenarios").rglob("*.yaml"))
    assert len(files) >= 7
    for path in files:
        load_scenario(path)


def test_out_of_range_names_field_and_range(tmp_path: Path) -> None:
    path = write(tmp_path, "parameters:\n  trust: 1.5\n")
    (line,) = problems(path)
    assert "parameters.trust" in line
    assert "1.5" in line
    assert "[0, 1]" in line


def test_unknown_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "parameters:\n  trsut: 0.4\n")
    (line,) = problems(path)
    assert "parameters.trsut" in line
    assert "did you mean 'trust'" in line


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, "paramters: {}\n")
    (line,) = problems(path)
    assert "paramters" in line and "parameters" in line


def test_every_problem_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "parameters:\n  trust: -1\n  urgency: 2\n  steps: many\n")
    found = problems(path)
    assert len(found) == 3
    assert {"parameters.trust", "parameters.urgency", "parameters.steps"} <= {
        p.split(":")[0] for p in found
    }


def test_bad_yaml_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "parameters:\n  trust: [0.5\n")
    (line,) = problems(path)
    assert "line" in line and "YAML" in line


def test_yaml_tags_cannot_build_objects(tmp_path: Path) -> None:
    path = write(tmp_path, "parameters: !!python/object/apply:os.system ['echo hacked']\n")
    (line,) = problems(path)
    assert "YAML" in line


def test_unknown_model(tmp_path: Path) -> None:
    path = write(tmp_path, "model: jurney\n")
    (line,) = problems(path)
    assert "model" in line and "journey" in line


def test_share_sum_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "parameters:\n  conditional_share: 0.6\n  free_rider_share: 0.6\n")
    (line,) = problems(path)
    assert "at most 1" in line


def test_missing_file() -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario("does/not/exist.yaml")


def test_validate_cli_exit_codes(tmp_path: Path, root: Path) -> None:
    good = subprocess.run(
        [*CONSIM, "validate", str(root / "scenarios" / "baseline.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    bad = write(tmp_path, "parameters:\n  trust: 2\n  self_interest: -0.1\n")
    result = subprocess.run(
        [*CONSIM, "validate", str(bad)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2
    assert all(str(bad) in ln for ln in lines)
    assert "Traceback" not in result.stderr


def test_run_refuses_the_same_files(tmp_path: Path) -> None:
    bad = write(tmp_path, "parameters:\n  urgency: 3\n")
    result = subprocess.run(
        [*CONSIM, "run", str(bad), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "parameters.urgency" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_set_override_is_clear(tmp_path: Path, root: Path) -> None:
    result = subprocess.run(
        [
            *CONSIM,
            "run",
            str(root / "scenarios" / "baseline.yaml"),
            "--set",
            "trust=7",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "trust" in result.stderr and "Traceback" not in result.stderr


def test_schema_is_json_with_the_central_parameters() -> None:
    result = subprocess.run([*CONSIM, "schema"], capture_output=True, text=True, check=True)
    schema = json.loads(result.stdout)
    props = schema["properties"]["parameters"]["properties"]
    for name in ("trust", "self_interest", "urgency"):
        assert props[name]["minimum"] == 0 and props[name]["maximum"] == 1
    assert schema["additionalProperties"] is False


def test_sweep_section_problems_are_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sweep:\n  parameters: {trust: {uniform: [0, 2]}, foo: {uniform: [0, 1]}}\n"
        "  design: {method: sobol, n: 4}\n  classes: {x: 'achieved_sharez > 1'}\n",
    )
    found = problems(path)
    assert len(found) == 3
    assert any(p.startswith("sweep.parameters: unknown parameter(s) foo") for p in found)
    assert any("'trust'" in p and "[0, 1]" in p for p in found)
    assert any(p.startswith("sweep.classes:") and "achieved_sharez" in p for p in found)


def test_sweep_values_checked_before_running(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sweep:\n  parameters:\n    steps: {uniform: [1, 20]}\n"
        "    network_structure: {choice: [small_world, foo]}\n"
        "  design: {method: sobol, n: 4}\n",
    )
    found = problems(path)
    assert any(p.startswith("sweep.parameters.steps: an integer parameter") for p in found)
    assert any("network_structure" in p and "'foo'" in p for p in found)


def test_sweep_share_ranges_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sweep:\n  parameters:\n    conditional_share: {uniform: [0.3, 0.6]}\n"
        "    free_rider_share: {uniform: [0.2, 0.5]}\n  design: {method: sobol, n: 4}\n",
    )
    assert any("at most 1" in p for p in problems(path))


def test_all_layers_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "parameters: {trust: 5, nosuch: 1}\nsweep: {design: {bogus: 1}}\n")
    found = problems(path)
    assert any(p.startswith("parameters.trust") for p in found)
    assert any(p.startswith("parameters.nosuch") for p in found)
    bogus = [p for p in found if p.startswith("sweep.design.bogus")]
    assert bogus
    assert "method" in bogus[0]


def test_booleans_are_not_numbers(tmp_path: Path) -> None:
    (line,) = problems(write(tmp_path, "parameters: {trust: yes}\n"))
    assert "trust" in line
    assert "true/false" in line


def test_names_cannot_leave_the_results_folder(tmp_path: Path) -> None:
    (line,) = problems(write(tmp_path, "name: ../../elsewhere\n"))
    assert line.startswith("name:")


def test_schema_accepts_shipped_files_and_flags_unknown_parameters(root: Path) -> None:
    import jsonschema
    import yaml

    from sim.io.scenario import scenario_schema

    validator = jsonschema.Draft202012Validator(scenario_schema())
    for path in sorted((root / "scenarios").rglob("*.yaml")):
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, (path, errors[0].message)
    assert list(validator.iter_errors({"parameters": {"trsut": 0.5}}))
    assert list(validator.iter_errors({"model": "team_assembly", "parameters": {"trust": 0.5}}))


SERIES_SWEEP = (
    "parameters: {{steps: 52}}\nsweep:\n  parameters: {{trust: {{uniform: [0.1, 0.9]}}}}\n"
    "  design: {{method: latin, n: {n}}}\n  timeseries: {series}\n"
)


@pytest.mark.parametrize(
    ("series", "n", "expected"),
    [
        (
            "{outcomes: [mean_trust, trusst]}",
            4,
            "sweep.timeseries.outcomes: unknown outcome(s) trusst (known: achieved_share,",
        ),
        (
            "{outcomes: [mean_trust], weeks: 10}",
            4,
            "sweep.timeseries.weeks: the journey model's runs last at most 52 weeks "
            "(from steps + completion_weeks); leave weeks out",
        ),
        (
            "{outcomes: [mean_trust, mean_trust]}",
            4,
            "sweep.timeseries.outcomes: per-week outcomes listed twice: mean_trust",
        ),
        ("{outcomes: [mean_trust], every: 0}", 4, "sweep.timeseries.every: input should be"),
        ("[mean_trust]", 4, "sweep.timeseries: expected a mapping of outcomes, every, weeks"),
        (
            "{outcomes: [mean_trust, value_created], every: 1}",
            200_000,
            "sweep.timeseries: 200,000 runs x 2 outcome(s) x up to 54 weeks (every 1 of 52) = "
            "21,600,000 values, more than the 20,000,000 a sweep stores; raise 'every'",
        ),
    ],
)
def test_per_week_outcome_problems_name_file_and_field(tmp_path, series, n, expected) -> None:
    path = write(tmp_path, SERIES_SWEEP.format(series=series, n=n))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: {expected}"), str(info.value)


def test_per_week_outcomes_within_the_cap_are_accepted(tmp_path) -> None:
    path = write(tmp_path, SERIES_SWEEP.format(series="{outcomes: [mean_trust], every: 2}", n=4))
    assert load_scenario(path).sweep.timeseries.every == 2
    varied = SERIES_SWEEP.format(series="{outcomes: [mean_trust]}", n=4).replace(
        "{trust:", "{steps: {integers: [20, 80]}, completion_weeks: {choice: [0, 26]}, trust:"
    )
    from sim.io.scenario import series_weeks

    assert series_weeks(load_scenario(write(tmp_path, varied, "v.yaml"))) == 80 + 26


def test_a_foreign_function_must_say_how_long_its_runs_are(tmp_path) -> None:
    text = (
        "model: support_models:walk\nsweep:\n  parameters: {x1: {uniform: [0, 1]}}\n"
        "  design: {method: latin, n: 4}\n  timeseries: {outcomes: [position]}\n"
    )
    found = problems(write(tmp_path, text))
    assert found == [
        "sweep.timeseries.weeks: missing; give the longest run in weeks (or the scenario's "
        "steps, for a Mesa model), so the sweep can bound what it stores"
    ]
    load_scenario(write(tmp_path, text.replace("[position]}", "[position], weeks: 20}"), "w.yaml"))
