"""The source article's claims as paired experiments on the calibrated scenario.

Each claim is one record in ``CLAIMS``: the claim in the article's words, the settings of
arm A and arm B, the measures it speaks of with the direction it claims for B − A, and one
moderator swept over a few values to find where it holds. Both arms run on the same seeds
(common random numbers) from ``scenarios/calibrated.yaml``, at its own setting of the
moderator and at each swept value; every (claim, measure, moderator value) is one paired
difference with its 95% interval (``sim.analysis.paired``), and every one of them is a
test in one family, Holm-adjusted (``sim.analysis.verdicts``). The verdict per claim and
measure: supported, refuted, too small to conclude, or conditional on the moderator
(holding at the values named). A claim whose measure the model does not report says so
in its ``gap`` and is measured by the nearest run measure that exists.

Writes ``results/claims.json`` (every figure) and ``results/claims.md`` (the verdict
table, then the moderator sweep); ``--readme`` also puts the verdict table into
README.md between its claims markers. ``--quick`` is a smoke run (10 pairs, written to
``results/claims-quick.*``), not evidence.

Usage::

    .venv/bin/python experiments/claims.py [--pairs 100] [--workers 2] [--readme] [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from observations import run_arm  # the same paired arms as the observations

from sim.analysis.paired import PairedDifference, paired_difference
from sim.analysis.verdicts import Direction, Hypothesis, Judgement, family_size, judge
from sim.io.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from sim.journey.assumptions import split_settings
from sim.journey.measures import MEASURES

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "calibrated.yaml"
MIN_PAIRS = 100
QUICK_PAIRS = 10
CONTEXT = ("unfinished_share",)  # reported beside every arm: censoring at the horizon
README_START = "<!-- claims table: made by experiments/claims.py --readme -->"
README_END = "<!-- end of claims table -->"


@dataclass(frozen=True)
class Expect:
    """A measure a claim speaks of, the direction it claims for B − A, and why."""

    measure: str
    direction: Direction
    reading: str


@dataclass(frozen=True)
class Moderator:
    """The setting swept to find where a claim holds: values tried besides the scenario's."""

    name: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Claim:
    """One claim of the source article as a paired experiment."""

    key: str
    words: str
    a: dict[str, Any]
    b: dict[str, Any]
    expects: tuple[Expect, ...]
    moderator: Moderator
    gap: str = ""  # a measure the claim needs that the model does not report


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "trust",
        '"Trust is the key material": a considered approach to building trust at every '
        "stage, in a high-trust environment",
        {"trust": 0.2},
        {"trust": 0.8},
        (
            Expect("value_creation_share", "higher", "more collaborations create value"),
            Expect(
                "graceful_exit_share",
                "higher",
                "those that do not create value part gracefully rather than collapse",
            ),
            Expect("failed_share", "lower", "fewer collapse"),
        ),
        Moderator("network_strength", (0.0, 0.9)),
    ),
    Claim(
        "networks",
        '"Informal networks will win every time": bypassing institutions and official '
        "channels for people's own contacts makes things go much faster",
        {"network_strength": 0.0, "network_structure": "none"},
        {"network_strength": 0.9},
        (
            Expect("weeks_exploring", "lower", "partners are found faster"),
            Expect("time_to_value", "lower", "value comes sooner"),
            Expect("value_creation_share", "higher", "networks win"),
        ),
        Moderator("search_cost", (0.5, 3.0)),
    ),
    Claim(
        "urgency",
        'Urgency: in cohering "the clock is ticking" to commit; in journeying it leaves no '
        "time to build relationships, so trust is not built",
        {"urgency": 0.0},
        {"urgency": 0.8},
        (
            Expect("weeks_cohering", "lower", "cohering: partners commit sooner"),
            Expect("mean_trust", "lower", "journeying: less trust is built"),
        ),
        Moderator("trust_gain", (0.25, 1.0)),
        gap="the model reports no share of teams that committed at cohering and no trust "
        "within journeying teams (run records hold team trust week by week, but it is not "
        "a run measure); the nearest run measures stand in: weeks spent cohering, and mean "
        "trust over all known pairs at the end of the run",
    ),
    Claim(
        "self_interest",
        'Self-interest: "many collaborative initiatives stay stuck in storming" when '
        "self-interest predominates and partners jockey for power and budget",
        {"self_interest": 0.05},
        {"self_interest": 0.6},
        (Expect("stuck_in_storming_share", "higher", "more teams end stuck in storming"),),
        Moderator("sanctioning", (0.0, 0.5)),
    ),
    Claim(
        "consortia_coalitions",
        'Consortia are "racing to get something done"; coalitions are less good at '
        "concrete action, at least quickly",
        {"coalition_share": 0.0},
        {"coalition_share": 1.0},
        (Expect("time_to_value", "higher", "coalitions take longer to act"),),
        Moderator("urgency", (0.5, 0.9)),
    ),
    Claim(
        "direction",
        'Coalitions are good at aligning "intent and direction": the consortia they spawn '
        "inherit the direction found together",
        {
            "coalition_share": 0.3,
            "direction_viability": 0.0,
            "direction_fit": 0.0,
            "direction_reasons": 0.0,
        },
        {"coalition_share": 0.3},
        (
            Expect(
                "spawned_success_share",
                "higher",
                "consortia spawned by coalitions create value more often",
            ),
        ),
        Moderator("direction_weeks", (8.0, 78.0)),
    ),
    Claim(
        "flywheel",
        'Collaboration "can create its own flywheel over time as trust deepens": a quick '
        "win paves the way for something more ambitious",
        {"flywheel": 0.0},
        {"flywheel": 2.0},
        (
            Expect(
                "repeat_success_share",
                "higher",
                "teams of partners who worked together before succeed more often",
            ),
            Expect("initiatives_started", "higher", "more initiatives are started"),
        ),
        Moderator("alliance_trust", (0.5, 0.8)),
    ),
    Claim(
        "snowball",
        '"Snowballs are your friend": whoever turns up are the right people; as the centre '
        "of gravity builds, more people are drawn in",
        {"snowball": 0.0, "search_breadth": 20},
        {"snowball": 0.8, "search_breadth": 1},
        (
            Expect("weeks_exploring", "lower", "teams form faster"),
            Expect("value_creation_share", "higher", "snowballs win"),
        ),
        Moderator("network_strength", (0.2, 0.9)),
    ),
    Claim(
        "convener",
        'The journey "in the absence of a forceful convening power": partners who choose '
        "each other against a convening agency that assigns teams",
        {"convener": "none"},
        {"convener": "agency"},
        (
            Expect("weeks_exploring", "lower", "a convener forms teams faster"),
            Expect(
                "stuck_in_storming_share",
                "higher",
                "imposed partners stay stuck in storming more often",
            ),
            Expect(
                "value_creation_share",
                "lower",
                "imposed partners create value less often than chosen ones",
            ),
        ),
        Moderator("trust", (0.3, 0.7)),
    ),
)


def check(claims: tuple[Claim, ...], scenario: Scenario) -> None:
    """Every claim names real measures and settings; raises ``ScenarioError`` if not."""
    for claim in claims:
        source = f"experiments/claims.py: claim {claim.key}"
        problems = [
            f"measure {e.measure}: not a run measure (see sim/journey/measures.py)"
            for e in claim.expects
            if e.measure not in MEASURES
        ]
        problems += [
            f"moderator {claim.moderator.name}: set by arm {arm}; sweep another setting"
            for arm, settings in (("A", claim.a), ("B", claim.b))
            if claim.moderator.name in settings
        ]
        if problems:
            raise ScenarioError(source, problems)
        for label, settings in _arm_settings(claim, scenario):
            _validated(scenario, settings, f"{source}, {label}")


def _validated(scenario: Scenario, settings: dict[str, Any], source: str) -> None:
    params, assumed = split_settings(settings)
    data = scenario.model_dump()
    data["parameters"] = {**scenario.parameters, **params}
    data["assumptions"] = {**scenario.assumptions, **assumed}
    parse_scenario(data, source)


def moderator_points(claim: Claim, scenario: Scenario) -> list[tuple[Any, dict[str, Any]]]:
    """(moderator value, settings it adds) per point: the scenario's own value first."""
    name = claim.moderator.name
    own = _setting(scenario, name)
    return [(own, {}), *((v, {name: v}) for v in claim.moderator.values if v != own)]


def _setting(scenario: Scenario, name: str) -> Any:
    params, assumed = scenario.params(), scenario.assumed()
    return getattr(params, name) if name in type(params).model_fields else getattr(assumed, name)


def _arm_settings(claim: Claim, scenario: Scenario) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"arm {arm} at {claim.moderator.name} {value}", {**extra, **settings})
        for value, extra in moderator_points(claim, scenario)
        for arm, settings in (("A", claim.a), ("B", claim.b))
    ]


def _key(settings: dict[str, Any]) -> str:
    return json.dumps(settings, sort_keys=True)


def run_arms(
    claims: tuple[Claim, ...], scenario: Scenario, pairs: int, workers: int
) -> dict[str, dict[str, np.ndarray]]:
    """Every distinct arm of every claim, run once over seeds 0..pairs-1."""
    measures = tuple(sorted({e.measure for c in claims for e in c.expects} | set(CONTEXT)))
    base = {**scenario.parameters, **scenario.assumptions}
    wanted = {_key(s): s for c in claims for _, s in _arm_settings(c, scenario)}
    arms = {}
    with ProcessPoolExecutor(workers) as pool:
        for done, (key, settings) in enumerate(wanted.items(), 1):
            start = time.perf_counter()
            arms[key] = run_arm(pool, {**base, **settings}, range(pairs), measures)
            took = time.perf_counter() - start
            print(f"arm {done}/{len(wanted)} {key} ({took:.0f} s)", flush=True)
    return arms


def hypotheses(
    claims: tuple[Claim, ...], scenario: Scenario, arms: dict[str, dict[str, np.ndarray]]
) -> list[Hypothesis]:
    """One hypothesis per claim and measure, with its paired difference at every point."""
    found = []
    for claim in claims:
        for expect in claim.expects:
            points = tuple(
                (
                    value,
                    paired_difference(
                        arms[_key({**extra, **claim.a})][expect.measure],
                        arms[_key({**extra, **claim.b})][expect.measure],
                    ),
                )
                for value, extra in moderator_points(claim, scenario)
            )
            found.append(Hypothesis(expect.direction, claim.moderator.name, points))
    return found


def _setting_text(settings: dict[str, Any]) -> str:
    return ", ".join(f"`{k}` {v}" for k, v in settings.items())


def _digits(measure: str) -> int:
    return 2 if MEASURES[measure].unit in ("fraction", "probability") else 1


def _difference_text(d: PairedDifference, digits: int) -> str:
    if not np.isfinite(d.low):
        return f"too few pairs (n = {d.n})"
    return (
        f"{d.difference:+.{digits + 1}f} ({d.low:+.{digits + 1}f} to {d.high:+.{digits + 1}f})"
        f"{'' if d.dropped == 0 else f', n = {d.n}'}"
    )


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _rows(
    claims: tuple[Claim, ...], judgements: list[Judgement]
) -> Iterator[tuple[Claim, Expect, Judgement]]:
    found = iter(judgements)
    for claim in claims:
        for expect in claim.expects:
            yield claim, expect, next(found)


def verdict_table(claims: tuple[Claim, ...], judgements: list[Judgement], run: dict) -> str:
    """The verdict table at the calibrated setting, the gaps and the censoring (README)."""
    tests = run["tests"]
    lines = [
        f"Paired B − A over {run['pairs']} seeds (the same seeds in both arms) on "
        f"`scenarios/calibrated.yaml`, with its 95% interval; p is Holm-adjusted over all "
        f"{tests} tests (every claim × measure × moderator value); a claim holds at a point "
        "when the adjusted p is below 0.05 and the difference goes the claimed way. "
        f"Made by `{run['command']}`.",
        "",
        "| claim (the source article) | A → B | measure (claimed way of B − A) | A → B means | "
        "B − A (95% CI) | Holm p | verdict over the moderator sweep |",
        "|---|---|---|---|---|---|---|",
    ]
    previous = None
    for claim, expect, judgement in _rows(claims, judgements):
        own = judgement.points[0]
        d, digits = own.difference, _digits(expect.measure)
        first = claim is not previous
        previous = claim
        said = claim.words if first else ""
        arms = f"{_setting_text(claim.a)} → {_setting_text(claim.b)}" if first else ""
        lines.append(
            f"| {said} | {arms} | "
            f"`{expect.measure}` {expect.direction}: {expect.reading} | "
            f"{d.mean_a:.{digits}f} → {d.mean_b:.{digits}f} | {_difference_text(d, digits)} | "
            f"{_p_text(own.p_adjusted)} | {judgement.verdict.describe()} |"
        )
    gaps = [f"- {c.key}: {c.gap}." for c in claims if c.gap]
    if gaps:
        lines += ["", "Measures the model does not report:", "", *gaps]
    lines += ["", _censoring(run)]
    return "\n".join(lines) + "\n"


def sweep_table(claims: tuple[Claim, ...], judgements: list[Judgement]) -> str:
    """Every tested point of every claim and measure."""
    lines = [
        "The moderator sweep (the first value of each moderator is the calibrated "
        "scenario's own, the verdict table's row):",
        "",
        "| claim | measure | moderator value | A → B means | B − A (95% CI) | Holm p | "
        "at this value |",
        "|---|---|---|---|---|---|---|",
    ]
    for claim, expect, judgement in _rows(claims, judgements):
        digits = _digits(expect.measure)
        for point in judgement.points:
            d = point.difference
            lines.append(
                f"| {claim.key} | `{expect.measure}` | `{claim.moderator.name}` {point.value} | "
                f"{d.mean_a:.{digits}f} → {d.mean_b:.{digits}f} | "
                f"{_difference_text(d, digits)} | {_p_text(point.p_adjusted)} | "
                f"{point.status} |"
            )
    return "\n".join(lines) + "\n"


def _censoring(run: dict) -> str:
    shares = [a["unfinished_share"] for a in run["arm_context"].values()]
    return (
        "Initiatives still under way at the 260-week horizon are not in the outcome shares: "
        f"the mean unfinished share of an arm ranges from {min(shares):.2f} to "
        f"{max(shares):.2f} (per arm in `results/claims.json`)."
    )


def as_json(claims: tuple[Claim, ...], judgements: list[Judgement], run: dict) -> dict:
    """Every figure: per claim and measure, the verdict and every tested point."""
    rows = [
        {
            "claim": claim.key,
            "words": claim.words,
            "a": claim.a,
            "b": claim.b,
            "moderator": claim.moderator.name,
            "gap": claim.gap,
            "measure": expect.measure,
            "direction": expect.direction,
            "reading": expect.reading,
            "verdict": asdict(judgement.verdict) | {"text": judgement.verdict.describe()},
            "points": [asdict(p) for p in judgement.points],
        }
        for claim, expect, judgement in _rows(claims, judgements)
    ]
    return {**run, "rows": rows}


def _write_readme(table: str) -> None:
    path = ROOT / "README.md"
    text = path.read_text()
    if README_START not in text or README_END not in text:
        msg = f"README.md: the claims markers are missing; put {README_START!r} and "
        raise SystemExit(msg + f"{README_END!r} where the table belongs")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    path.write_text(f"{head}{README_START}\n{table}{README_END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=MIN_PAIRS, help="paired seeds (>= 100)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 pairs, not evidence")
    parser.add_argument("--readme", action="store_true", help="put the table into README.md")
    args = parser.parse_args()
    pairs = QUICK_PAIRS if args.quick else args.pairs
    if not args.quick and pairs < MIN_PAIRS:
        parser.error(f"--pairs: use at least {MIN_PAIRS}; fewer cannot support a verdict")
    if args.quick and args.readme:
        parser.error("--readme: a --quick run is a smoke test; it does not go into the README")
    try:
        scenario = load_scenario(SCENARIO)
        check(CLAIMS, scenario)
    except ScenarioError as error:
        parser.error(str(error))
    start = time.perf_counter()
    arms = run_arms(CLAIMS, scenario, pairs, args.workers)
    tested = hypotheses(CLAIMS, scenario, arms)
    judgements = judge(tested)
    flags = " --quick" if args.quick else f" --pairs {pairs}"
    run = {
        "command": f".venv/bin/python experiments/claims.py{flags}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_s": round(time.perf_counter() - start, 1),
        "scenario": str(SCENARIO.relative_to(ROOT)),
        "pairs": pairs,
        "seeds": f"0-{pairs - 1}",
        "adjustment": "Holm over every claim x measure x moderator value",
        "tests": family_size(tested),
        "arm_context": {
            key: {m: float(np.nanmean(values[m])) for m in CONTEXT} for key, values in arms.items()
        },
    }
    stem = "claims-quick" if args.quick else "claims"
    folder = ROOT / "results"
    folder.mkdir(exist_ok=True)
    table = verdict_table(CLAIMS, judgements, run)
    (folder / f"{stem}.json").write_text(json.dumps(as_json(CLAIMS, judgements, run), indent=2))
    (folder / f"{stem}.md").write_text(f"{table}\n{sweep_table(CLAIMS, judgements)}")
    print(table)
    if args.readme:
        _write_readme(table)
    print(f"wrote results/{stem}.json and results/{stem}.md ({run['wall_s']:.0f} s)")


if __name__ == "__main__":
    main()
