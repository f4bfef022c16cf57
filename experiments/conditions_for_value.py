"""Which conditions lead to value creation, and which to a graceful exit?

Regenerates, in README.md, the section "What the model says about value creation and
graceful exit" and the example rule in "Analysis: which conditions lead to value
creation or a graceful exit", and the screenshot docs/sweep-report.png. It runs

1. the core Sobol' sweep (scenarios/sweeps/core-sobol.yaml: ten parameters, Saltelli
   design, 2 replicates) for the sensitivity indices of the mean response;
2. the core Latin sweep (scenarios/sweeps/core-latin.yaml: the same parameters on a
   space-filling sample, 2 replicates) for the rules, found on half of the runs and
   measured on the other half;
3. the team-assembly grid (scenarios/sweeps/team-assembly-p.yaml) for Guimerà's
   transition;

analyses (1) with the rules from (2) into results/sweeps/conditions-for-value/report.html
(plus analysis/), and writes

- results/conditions_for_value.md: the markdown the README quotes (paste it over the
  section's body and the example rule after the model changes);
- results/conditions_for_value.json: timings, counts, rules, indices and the plan;
- docs/sweep-report.png: the report's first screen, taken with headless Chromium
  (``scripts/install-browser.sh`` installs it; skipped with ``--no-screenshot``).

Usage::

    .venv/bin/python experiments/conditions_for_value.py             # the files' sizes
    .venv/bin/python experiments/conditions_for_value.py --n 64      # a quick look

Run it again after an interruption: the sweeps resume where they stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.analysis import Analysis, analyse
from sim.analysis.conclusions import index_label
from sim.analysis.rules import human
from sim.io.records import package_versions
from sim.io.scenario import load_scenario
from sim.report.sweep_report import write_sweep_report
from sim.sweeps import sweep_scenario

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = ROOT / "scenarios" / "sweeps"
RESULTS = ROOT / "results"
CHROMIUM = Path("/usr/bin/chromium")
HEADLINE = {"value_creation": "Value creation", "graceful_exit": "Graceful exit"}


def _sized(file: Path, name: str, n: int | None, replicates: int | None):
    scenario = load_scenario(file)
    design = scenario.sweep.design
    spec = scenario.sweep.model_copy(
        update={
            "design": design.model_copy(update={"n": n or design.n}),
            "replicates": replicates or scenario.sweep.replicates,
        }
    )
    return scenario.model_copy(update={"sweep": spec, "name": name})


def _stored(out: Path) -> int:
    """Finished runs already in a sweep folder (0 when there is none)."""
    if not (out / "manifest.json").is_file():
        return 0
    from sim.analysis import load_sweep

    runs = load_sweep(out).runs
    return int((runs["status"] == "done").sum()) if len(runs) else 0


def _sweep(
    scenario, out: Path, args: argparse.Namespace, before: float | None
) -> tuple[int, float]:
    """Run (or resume) a sweep; its runs and the wall time its runs took.

    When every run was stored already, the time recorded when they were run (``before``,
    from the last summary) is kept.
    """
    stored = 0 if args.fresh else _stored(out)
    start = time.perf_counter()
    runs = sweep_scenario(
        scenario, out_dir=out, workers=args.workers, fresh=args.fresh, progress=True
    )
    wall = time.perf_counter() - start
    if stored == len(runs) and before is not None:
        wall = before
    return len(runs), wall


def _rules_markdown(analysis: Analysis) -> list[str]:
    lines = []
    for name, result in analysis.discovery.items():
        label = HEADLINE.get(name, human(name).capitalize())
        lines.append(
            f"- **{label}** (`{result.predicate}`; {result.k:,} of {result.n:,} runs of the "
            f"Latin sweep): " + " ".join(f'"{rule}"' for rule in result.rules())
        )
    return lines


def _indices_markdown(analysis: Analysis) -> list[str]:
    parts = []
    for outcome in analysis.headline_outcomes():
        verdict = analysis.conclusions[outcome]
        noise = analysis.sensitivity[outcome].noise_share
        noise_text = f" (replicate noise: {noise:.0%} of the variance of point means)"
        if verdict.conclusive:
            rest = ", ".join(map(human, verdict.not_significant)) or "none"
            order = "" if verdict.settled else "; their order has not settled"
            parts.append(
                f"{human(outcome)} by {index_label(verdict.method, verdict.index)}: "
                f"{verdict.top(len(verdict.ranked))}{order}; not distinguishable from noise: "
                f"{rest}{noise_text}"
            )
        else:
            parts.append(verdict.statement.rstrip(".") + noise_text)
    d = analysis.data
    return [
        f"- **Sensitivity** (Sobol' indices of the mean response with 95% intervals, from "
        f"{d.design_info.get('n')} base samples × {d.replicates} replicates = "
        f"{len(d.runs):,} runs; the replicate noise is removed from the estimators): "
        + "; ".join(parts)
        + "."
    ]


def _plan_markdown(analysis: Analysis) -> list[str]:
    sentences = []
    for outcome in analysis.headline_outcomes():
        plan = analysis.plans.get(outcome)
        if plan is not None:
            sentences += plan.sentences()[:2]
    return [f"- **How much more to run** (`consim report --plan`): {' '.join(sentences)}"]


def markdown(
    analysis: Analysis, team: Analysis | None, timings: dict[str, Any], command: str
) -> str:
    """The README section's body, and the example rule of the Analysis section."""
    d, rules = analysis.data, analysis.discovery_data
    body = [
        "```bash",
        f".venv/bin/python {command}",
        "```",
        "",
        f"runs the core Sobol' sweep (`scenarios/sweeps/core-sobol.yaml`: {len(d.params)} "
        f"parameters, {d.design_info.get('n')} base samples, {d.n_points:,} points × "
        f"{d.replicates} replicates = {len(d.runs):,} runs of 100 organisations over 260 "
        "weeks) for the sensitivity indices and the core Latin sweep "
        f"(`scenarios/sweeps/core-latin.yaml`: the same parameters, {rules.n_points:,} "
        f"points × {rules.replicates} replicates = {len(rules.runs):,} runs) for the rules, "
        "and analyses them into `results/sweeps/conditions-for-value/report.html` (its first "
        "screen is the picture above) and this text (`results/conditions_for_value.md`). On "
        f"{timings['date']} ({timings['machine']}: sweeps "
        f"{timings['sweeps_s'] / 60:.0f} minutes, analysis {timings['analysis_s']:.0f} s; "
        "an interrupted run resumes) it found:",
        "",
        *_rules_markdown(analysis),
        *_indices_markdown(analysis),
        *_plan_markdown(analysis),
        "",
        "These are statements about this model under the stated ranges, not about the "
        "world; the sweep files and their seeds make them reproducible, and every figure "
        "above is regenerated by the command.",
    ]
    if team is not None:
        found = [
            f"(`{result.predicate}`) " + " ".join(f'"{rule}"' for rule in result.rules())
            for result in team.discovery.values()
        ]
        body += [
            "",
            "The pure team-assembly sweep (`scenarios/sweeps/team-assembly-p.yaml`, a 6 × 6 "
            "grid over Guimerà's p and q, 3 replicates) reproduces the transition to a "
            "giant component: " + " ".join(found),
        ]
    example = next((rule for result in analysis.discovery.values() for rule in result.rules()), "")
    return (
        "<!-- README: What the model says about value creation and graceful exit -->\n"
        + "\n".join(body)
        + "\n\n<!-- README: Analysis (example rule) -->\n"
        + example
        + "\n"
    )


def screenshot(report: Path, target: Path) -> str:
    """The report's first screen as a PNG, taken with headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        options = {"args": ["--headless", "--no-sandbox", "--disable-gpu"]}
        if CHROMIUM.exists():
            options["executable_path"] = str(CHROMIUM)
        browser = p.chromium.launch(**options)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(report.resolve().as_uri())
            page.wait_for_selector("#answer")
            page.screenshot(path=str(target))
            height = page.evaluate("document.body.scrollHeight")
        finally:
            browser.close()
    return f"{target.relative_to(ROOT)} (page {height} px tall with every section folded)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="Sobol base samples (file: 256)")
    parser.add_argument("--latin-n", type=int, default=None, help="Latin points (file: 1500)")
    parser.add_argument("--replicates", type=int, default=None, help="default: the files' 2")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--no-screenshot", action="store_true")
    parser.add_argument("--no-team", action="store_true", help="skip the team-assembly grid")
    args = parser.parse_args()

    sobol_dir = RESULTS / "sweeps" / "conditions-for-value"
    latin_dir = RESULTS / "sweeps" / "conditions-for-value-latin"
    team_dir = RESULTS / "sweeps" / "team-assembly-p"
    sobol = _sized(SWEEPS / "core-sobol.yaml", "conditions-for-value", args.n, args.replicates)
    latin = _sized(
        SWEEPS / "core-latin.yaml", "conditions-for-value-latin", args.latin_n, args.replicates
    )
    summary_file = RESULTS / "conditions_for_value.json"
    previous = json.loads(summary_file.read_text()) if summary_file.is_file() else {}
    before = previous.get("sweep_wall_s", {})
    counts, seconds = {}, {}
    counts["sobol"], seconds["sobol"] = _sweep(sobol, sobol_dir, args, before.get("sobol"))
    counts["latin"], seconds["latin"] = _sweep(latin, latin_dir, args, before.get("latin"))
    if not args.no_team:
        team_scenario = load_scenario(SWEEPS / "team-assembly-p.yaml")
        counts["team"], seconds["team"] = _sweep(team_scenario, team_dir, args, before.get("team"))

    start = time.perf_counter()
    analysis = analyse(sobol_dir, rules_from=latin_dir)
    report = write_sweep_report(sobol_dir, analysis)
    team = None
    if not args.no_team:
        team = analyse(team_dir)
        write_sweep_report(team_dir, team)
    analysis_s = time.perf_counter() - start

    command = "experiments/conditions_for_value.py" + "".join(
        f" --{k.replace('_', '-')} {v}"
        for k, v in (("n", args.n), ("latin_n", args.latin_n), ("replicates", args.replicates))
        if v
    )
    timings = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{os.cpu_count()} cores",
        "sweeps_s": sum(seconds.values()),
        "analysis_s": analysis_s,
    }
    shot = None
    if not args.no_screenshot:
        shot = screenshot(report, ROOT / "docs" / "sweep-report.png")
    text = markdown(analysis, team, timings, command)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "conditions_for_value.md").write_text(text)
    summary = {
        "command": f"python {command}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": counts,
        "sweep_wall_s": {k: round(v, 1) for k, v in seconds.items()},
        "analysis_wall_s": round(analysis_s, 1),
        "report": str(report.relative_to(ROOT)),
        "screenshot": shot,
        "rules": analysis.rules(),
        "conclusions": {o: c.statement for o, c in analysis.conclusions.items()},
        "plan": {o: p.sentences() for o, p in analysis.plans.items()},
        "team_rules": team.rules() if team is not None else None,
        "versions": package_versions(),
    }
    summary_file.write_text(json.dumps(summary, indent=2))
    print(text)
    print(json.dumps({k: summary[k] for k in ("runs", "sweep_wall_s", "analysis_wall_s")}))
    if shot:
        print("screenshot:", shot)


if __name__ == "__main__":
    main()
