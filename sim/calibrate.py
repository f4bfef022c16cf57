"""Calibration: fit chosen parameters and assumptions to target patterns, noise-aware.

``consim calibrate SCENARIO --targets TARGETS.yaml`` (or :func:`calibrate`) searches the
bounds a target file gives (:mod:`sim.io.targets`) for the setting whose run measures
best match its patterns:

1. **Search.** Optuna's sampler (TPE by default) proposes candidates a batch at a time;
   each is run over ``replicates`` seeds and scored on its replicate means
   (:mod:`sim.analysis.calibration`). Proposals depend only on the seed and on what was
   evaluated before, so a resumed calibration proposes what an uninterrupted one would.
2. **Refine.** The ``refine`` best candidates are run again until each has
   ``refine_replicates`` seeds; the one with the lowest objective on them is chosen.
3. **Check.** The chosen candidate is run on ``check_replicates`` fresh seeds; the report
   gives each target's mean with its 95% interval from those runs alone.

Every run is stored by the sweep engine: the candidates form a growing design file and
all their runs one sweep store, so a calibration killed at any moment resumes without
losing or repeating a run. Folder layout (default
``results/calibrations/<scenario>-<targets>/``)::

    calibration.json   what is fitted and how, and the model's code fingerprint
    points.csv         one row per design point: candidate, phase, round, its values
    candidates.csv     the same values alone: the search sweep's design file
    search/            the sweep store of every candidate's runs
    chosen.csv, check/ the chosen candidate and its check runs
    report.json, report.md, calibrated.yaml
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.analysis.calibration import (
    REGION_RADIUS,
    Goal,
    bootstrap_objectives,
    chosen_spread,
    interval,
    near_best,
    objective,
    regions,
    target_fits,
)
from sim.engine import SweepError, SweepSpec, run_sweep
from sim.engine.store import Store, canonical_json
from sim.io.scenario import BUILTIN_ASSUMPTIONS, Scenario, load_scenario
from sim.io.targets import TargetsFile, load_targets
from sim.journey.assumptions import split_settings

POINTS = "points.csv"
CANDIDATES = "candidates.csv"
CHOSEN = "chosen.csv"
SETTINGS = "calibration.json"
SEARCH, REFINE = "search", "refine"
SIGNIFICANT = 6  # digits candidates are written with (so the design file round-trips)


class CalibrationError(SweepError):
    """A calibration that cannot start or go on; the message says what to do."""


@dataclass(frozen=True)
class Candidate:
    """One evaluated setting: its values and its runs (runs x targets)."""

    id: int
    setting: dict[str, Any]
    runs: np.ndarray
    refined: bool

    def score(self, goals: list[Goal]) -> float:
        """The objective on this candidate's runs (the fitted targets' columns first)."""
        return objective(self.runs[:, : len(goals)], goals)


@dataclass
class Calibration:
    """What a calibration found, with everything its report says."""

    name: str
    folder: Path
    settings: dict[str, Any]
    chosen: dict[str, Any]
    fits: list[dict[str, Any]]
    check_objective: tuple[float, float, float]
    spread: dict[str, dict[str, float]]
    chosen_share: float
    regions: list[dict[str, Any]]
    identifiability: dict[str, dict[str, float]]
    counts: dict[str, int]
    scenario_yaml: str = field(repr=False)

    def as_json(self) -> dict[str, Any]:
        """The report as plain data (``report.json``)."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("folder", "scenario_yaml")}
        out["check_objective"] = dict(
            zip(("value", "ci_low", "ci_high"), self.check_objective, strict=True)
        )
        return out


def default_calibration_dir(scenario: Scenario, targets: TargetsFile) -> Path:
    """Where a calibration is stored unless told otherwise."""
    return Path("results") / "calibrations" / f"{scenario.name}-{targets.name}"


def model_version() -> dict[str, str]:
    """The package version, its git commit (when known) and a fingerprint of the model code."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted((root / "journey").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    commit = "unknown"
    try:
        found = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if found.returncode == 0:
            commit = found.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        version = metadata.version("consortium-sim")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {"version": version, "commit": commit, "model_code": digest.hexdigest()[:16]}


class _Run:
    """One calibration: its folder, settings and the sweeps it runs."""

    def __init__(
        self, scenario: Scenario, targets: TargetsFile, out: Path, workers: int | None, show: bool
    ) -> None:
        self.sc, self.targets, self.out, self.workers, self.show = (
            scenario,
            targets,
            out,
            workers,
            show,
        )
        self.command = f"consim calibrate {scenario.name}.yaml --targets {targets.name}.yaml"
        self.search = targets.search
        self.names = list(targets.vary)
        self.bounds = {n: tuple(b) for n, b in targets.vary.items()}
        fitted = targets.fitted
        others = [n for n in targets.targets if n not in fitted]
        self.measures = [*fitted, *others]  # fitted columns first
        self.goals = [Goal(n, t.low, t.high, t.tolerance) for n, t in fitted.items()]
        self.all_goals = [
            Goal(n, targets.targets[n].low, targets.targets[n].high, targets.targets[n].tolerance)
            for n in self.measures
        ]
        base = sc_params(scenario)
        self.base = {k: v for k, v in base.items() if k not in self.names}
        self.version = model_version()

    # -- the folder ------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        return {
            "scenario": self.sc.model_dump(mode="json"),
            "targets": self.targets.model_dump(mode="json"),
            "model_code": self.version["model_code"],
        }

    def check_settings(self, fresh: bool) -> None:
        path = self.out / SETTINGS
        wanted = self.settings()
        if fresh:
            for name in (POINTS, CANDIDATES, CHOSEN, SETTINGS, "report.json", "report.md"):
                (self.out / name).unlink(missing_ok=True)
            for sub in ("search", "check"):
                if (self.out / sub).is_dir():
                    with Store(self.out / sub).lock():
                        Store(self.out / sub).clear()
        elif path.is_file():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CalibrationError(f"cannot read {str(path)!r}: {exc}") from None
            changed = [
                k for k in wanted if canonical_json(stored.get(k)) != canonical_json(wanted[k])
            ]
            if changed:
                what = {"model_code": "the model's code"}.get(changed[0], f"the {changed[0]}")
                raise CalibrationError(
                    f"the calibration stored in {str(self.out)!r} was made with other settings "
                    f"({what} changed); pass --fresh to start over, or calibrate into "
                    "another folder with --out"
                )
        stored_version = {**wanted, "version": self.version}
        _write_text(path, json.dumps(stored_version, indent=2) + "\n")

    def read_points(self) -> pd.DataFrame:
        path = self.out / POINTS
        if not path.is_file():
            return pd.DataFrame(columns=["point", "candidate", "phase", "round", *self.names])
        return pd.read_csv(path)

    def write_points(self, points: pd.DataFrame) -> None:
        _write_text(self.out / POINTS, points.to_csv(index=False))
        _write_text(self.out / CANDIDATES, points[self.names].to_csv(index=False))

    # -- sweeps ----------------------------------------------------------------------

    def spec(self, design: Path, replicates: int, seed: int) -> SweepSpec:
        parameters = {}
        for name, (low, high) in self.bounds.items():
            whole = isinstance(low, int) and isinstance(high, int)
            parameters[name] = {"integers": [low, high]} if whole else {"uniform": [low, high]}
        return SweepSpec.model_validate(
            {
                "parameters": parameters,
                "design": {"method": "file", "path": str(design.resolve())},
                "replicates": replicates,
                "outcomes": self.measures,
                "seed": seed,
            }
        )

    def sweep(self, folder: str, design: Path, replicates: int, seed: int) -> pd.DataFrame:
        return run_sweep(
            self.spec(design, replicates, seed),
            model=self.sc.evaluator(),
            base_params=self.base,
            steps=self.sc.steps,
            name=f"calibrate {self.targets.name} ({folder})",
            scenario=self.sc.model_dump(mode="json"),
            out_dir=self.out / folder,
            workers=self.workers,
            progress=self.show,
        )

    # -- candidates ------------------------------------------------------------------

    def candidates(self, points: pd.DataFrame, runs: pd.DataFrame) -> list[Candidate]:
        merged = runs.merge(points[["point", "candidate", "phase"]], on="point", how="inner")
        missing = [m for m in self.measures if m not in merged.columns]
        if missing and len(merged):
            raise CalibrationError(
                f"the model returned no {', '.join(missing)}; a target names a measure the "
                "model does not report (fix the target file's targets)"
            )
        out = []
        for cid, group in merged.groupby("candidate", sort=True):
            first = points[points["candidate"] == cid].iloc[0]
            values = {n: _plain(first[n]) for n in self.names}
            runs_of = group[self.measures].to_numpy(dtype=float)
            refined = bool((points.loc[points["candidate"] == cid, "phase"] == REFINE).any())
            out.append(Candidate(int(cid), values, runs_of, refined))
        return out

    def propose(self, done: list[Candidate], count: int, round_no: int) -> list[dict[str, Any]]:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        seed = int(np.random.SeedSequence([self.search.seed, round_no]).generate_state(1)[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            if self.search.sampler == "tpe":
                sampler = optuna.samplers.TPESampler(
                    seed=seed, multivariate=True, constant_liar=True
                )
            else:
                sampler = optuna.samplers.RandomSampler(seed=seed)
            study = optuna.create_study(direction="minimize", sampler=sampler)
            dists = {}
            for name, (low, high) in self.bounds.items():
                whole = isinstance(low, int) and isinstance(high, int)
                dists[name] = (
                    optuna.distributions.IntDistribution(low, high)
                    if whole
                    else optuna.distributions.FloatDistribution(float(low), float(high))
                )
            for cand in done:
                value = cand.score(self.goals)
                state = optuna.trial.TrialState.COMPLETE
                if not math.isfinite(value):
                    state, value = optuna.trial.TrialState.FAIL, None
                trial = optuna.trial.create_trial(
                    params=cand.setting, distributions=dists, value=value, state=state
                )
                study.add_trial(trial)
            proposed = []
            for _ in range(count):
                trial = study.ask(dists)
                proposed.append({n: _rounded(trial.params[n]) for n in self.names})
            return proposed

    def next_points(self, points: pd.DataFrame, done: list[Candidate]) -> tuple[pd.DataFrame, str]:
        """The rows to add next (none when the search and refinement are complete)."""
        searched = points.loc[points["phase"] == SEARCH, "candidate"].nunique()
        round_no = int(points["round"].max()) + 1 if len(points) else 0
        start = int(points["point"].max()) + 1 if len(points) else 0
        rows: list[dict[str, Any]] = []
        if searched < self.search.trials:
            count = min(self.search.batch, self.search.trials - searched)
            first = int(points["candidate"].max()) + 1 if len(points) else 0
            for k, values in enumerate(self.propose(done, count, round_no)):
                rows.append({"candidate": first + k, "phase": SEARCH, **values})
            phase = SEARCH
        elif self.search.refine and not (points["phase"] == REFINE).any():
            scored = sorted(
                (c for c in done if math.isfinite(c.score(self.goals))),
                key=lambda c: c.score(self.goals),
            )
            copies = math.ceil(self.search.refine_replicates / self.search.replicates) - 1
            for cand in scored[: self.search.refine]:
                rows += [{"candidate": cand.id, "phase": REFINE, **cand.setting}] * copies
            phase = REFINE
        else:
            return points.iloc[0:0], ""
        new = pd.DataFrame(rows)
        new.insert(0, "point", range(start, start + len(new)))
        new.insert(3, "round", round_no)
        return new[list(points.columns)], phase

    def say(self, text: str) -> None:
        if self.show:
            print(f"calibrate {self.targets.name}: {text}", file=sys.stderr, flush=True)

    def best_line(self, done: list[Candidate]) -> str:
        scored = [c for c in done if math.isfinite(c.score(self.goals))]
        if not scored:
            return "no candidate scored yet"
        best = min(scored, key=lambda c: c.score(self.goals))
        means = np.nanmean(best.runs[:, : len(self.goals)], axis=0)
        shown = ", ".join(f"{g.measure} {m:.3g}" for g, m in zip(self.goals, means, strict=True))
        return f"best objective {best.score(self.goals):.3g} ({shown})"


def sc_params(scenario: Scenario) -> dict[str, Any]:
    """Every setting a scenario's runs start from: parameters and the assumptions it sets."""
    if scenario.is_builtin:
        return {**scenario.params().model_dump(), **scenario.assumptions}
    return dict(scenario.parameters)


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _rounded(value: Any) -> Any:
    if isinstance(value, int):
        return value
    return float(f"{float(value):.{SIGNIFICANT}g}")


def _write_text(path: Path, text: str) -> None:
    """Write a file whole (a temporary name moved into place)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CalibrationError(
            f"cannot write {str(path)!r} ({exc.strerror or exc}); what was stored before is "
            "kept: free space (or fix the permission) and run the same calibration again"
        ) from None


def calibrate(
    scenario: Scenario | str | Path,
    targets: TargetsFile | str | Path,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    fresh: bool = False,
    progress: bool = False,
    command: str = "",
) -> Calibration:
    """Calibrate a scenario to a target file (or resume a calibration); see the module.

    Args:
        scenario: The scenario (or its file) whose runs are calibrated.
        targets: The target file (or its validated content).
        out: The calibration folder (default ``results/calibrations/<scenario>-<targets>/``).
        workers: Worker processes for the runs (default: all cores; 1 runs in this process).
        fresh: Delete what the folder holds and start over.
        progress: Show progress on standard error.
        command: The command that makes the calibration again, for the calibrated
            scenario's header (default: one naming the scenario and the target file).

    Raises:
        ScenarioError: For a bad scenario or target file (TargetsError is one).
        SweepError: If the runs cannot start or go on (CalibrationError is one);
            SweepInterruptedError when stopped, with every finished run kept.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    tf = targets if isinstance(targets, TargetsFile) else load_targets(targets, sc)
    folder = Path(out) if out is not None else default_calibration_dir(sc, tf)
    folder.mkdir(parents=True, exist_ok=True)
    job = _Run(sc, tf, folder, workers, progress)
    if command:
        job.command = command
    with Store(folder).lock():
        job.check_settings(fresh)
        points = job.read_points()
        done: list[Candidate] = []
        while True:
            if len(points):
                job.write_points(points)  # the design file always matches points.csv
                runs = job.sweep(
                    "search", folder / CANDIDATES, tf.search.replicates, tf.search.seed
                )
                if not (runs["status"] == "done").any():
                    first = runs["error"].dropna()
                    why = first.iloc[0] if len(first) else "no run finished"
                    raise CalibrationError(f"no run of the calibration finished: {why}")
                done = job.candidates(points, runs)
                searched = points.loc[points["phase"] == SEARCH, "candidate"].nunique()
                job.say(
                    f"{searched} of {tf.search.trials} candidates searched; {job.best_line(done)}"
                )
            new, phase = job.next_points(points, done)
            if not len(new):
                break
            if phase == REFINE:
                job.say(
                    f"re-evaluating the {new['candidate'].nunique()} best over "
                    f"{tf.search.refine_replicates} seeds each"
                )
            points = pd.concat([points, new], ignore_index=True) if len(points) else new
        return _conclude(job, done)


def _conclude(job: _Run, done: list[Candidate]) -> Calibration:
    """Choose, check on fresh seeds, and write the report and the calibrated scenario."""
    goals = job.goals
    pool = [c for c in done if c.refined] or done
    scores = np.array([c.score(goals) for c in pool])
    if not np.isfinite(scores).any():
        raise CalibrationError(
            "no candidate could be scored (a fitted measure was n/a in every run); widen the "
            "bounds in vary or check the targets"
        )
    best = pool[int(np.nanargmin(np.where(np.isfinite(scores), scores, np.nan)))]
    rng = np.random.default_rng(job.search.seed)
    picks = chosen_spread([c.runs[:, : len(goals)] for c in pool], goals, rng)
    spread = {}
    for name in job.names:
        picked = np.array([pool[i].setting[name] for i in picks], dtype=float)
        low, mid, high = np.quantile(picked, [0.025, 0.5, 0.975])
        spread[name] = {"low": float(low), "median": float(mid), "high": float(high)}
    chosen_share = float(np.mean([pool[i].id == best.id for i in picks]))
    # nearly as good: every candidate no worse than the upper end of the best's interval
    all_scores = np.array([c.score(goals) for c in done])
    best_index = next(k for k, c in enumerate(done) if c.id == best.id)
    best_high = interval(bootstrap_objectives(best.runs[:, : len(goals)], goals, rng))[1]
    near = near_best(all_scores, best_index, best_high)
    positions = np.array(
        [
            [
                (float(c.setting[n]) - job.bounds[n][0]) / (job.bounds[n][1] - job.bounds[n][0])
                for n in job.names
            ]
            for c in done
        ]
    )
    groups = regions(positions, np.where(np.isfinite(all_scores), all_scores, np.inf), near)
    region_rows = [
        {
            "candidate": done[g[0]].id,
            "setting": done[g[0]].setting,
            "objective": float(all_scores[g[0]]),
            "seeds": len(done[g[0]].runs),
            "members": len(g),
        }
        for g in groups
    ]
    identifiability = {}
    for j, name in enumerate(job.names):
        span = positions[near, j]
        identifiability[name] = {
            "low": float(
                np.min(span) * (job.bounds[name][1] - job.bounds[name][0]) + job.bounds[name][0]
            ),
            "high": float(
                np.max(span) * (job.bounds[name][1] - job.bounds[name][0]) + job.bounds[name][0]
            ),
            "share_of_bounds": float(np.max(span) - np.min(span)),
        }
    # the check: the chosen candidate on fresh seeds
    _write_text(job.out / CHOSEN, pd.DataFrame([best.setting])[job.names].to_csv(index=False))
    check = job.sweep("check", job.out / CHOSEN, job.search.check_replicates, job.search.seed + 1)
    values = check[job.measures].to_numpy(dtype=float)
    fits = []
    for fit, goal in zip(target_fits(values, job.all_goals), job.all_goals, strict=True):
        target = job.targets.targets[goal.measure]
        fits.append(
            {
                "measure": goal.measure,
                "use": target.use,
                "target": target.describe(),
                "mean": fit.mean,
                "ci_low": fit.ci_low,
                "ci_high": fit.ci_high,
                "seeds": fit.n,
                "miss_tolerances": fit.miss,
                "within_tolerance": fit.within,
                "source": " ".join(target.source.split()),
                "evidence": target.evidence,
            }
        )
    fitted_values = values[:, : len(goals)]
    check_objective = (
        objective(fitted_values, goals),
        *interval(bootstrap_objectives(fitted_values, goals, rng)),
    )
    counts = {
        "candidates": len(done),
        "refined": sum(c.refined for c in done),
        "search_runs": int(sum(len(c.runs) for c in done)),
        "check_runs": len(check),
    }
    result = Calibration(
        name=job.targets.name,
        folder=job.out,
        settings={
            "scenario": job.sc.name,
            "targets": job.targets.name,
            "vary": {n: list(b) for n, b in job.bounds.items()},
            "search": job.search.model_dump(),
            "model": job.version,
        },
        chosen=best.setting,
        fits=fits,
        check_objective=check_objective,
        spread=spread,
        chosen_share=chosen_share,
        regions=region_rows,
        identifiability=identifiability,
        counts=counts,
        scenario_yaml=calibrated_yaml(job, best.setting),
    )
    _write_text(job.out / "report.json", json.dumps(result.as_json(), indent=2) + "\n")
    _write_text(job.out / "report.md", report_markdown(result))
    _write_text(job.out / "calibrated.yaml", result.scenario_yaml)
    return result


def calibrated_yaml(job: _Run, values: dict[str, Any]) -> str:
    """The calibrated scenario: the base scenario with the fitted values, and how it was made."""
    sc = job.sc
    if sc.model in BUILTIN_ASSUMPTIONS:
        params, assumed = split_settings(values)
    else:
        params, assumed = dict(values), {}
    data: dict[str, Any] = {
        "name": "calibrated",
        "description": (
            f"{sc.name} with {', '.join(job.names)} fitted to the {job.targets.name} target "
            f"patterns ({', '.join(job.targets.fitted)})."
        ),
        "model": sc.model,
        "seed": sc.seed,
        "parameters": {**sc.parameters, **params},
    }
    if sc.assumptions or assumed:
        data["assumptions"] = {**sc.assumptions, **assumed}
    version = job.version
    header = [
        f"# Calibrated by consim calibrate on consortium-sim {version['version']} (commit "
        f"{version['commit']}, model code {version['model_code']}).",
        f"# Made again by: {job.command}",
        "# The fit per target, with intervals, is in the calibration folder's report.md.",
    ]
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
    return "\n".join(header) + "\n" + body


def _number(value: float) -> str:
    return f"{value:.3f}" if math.isfinite(value) else "n/a"


def report_markdown(result: Calibration) -> str:
    """The calibration report as Markdown (``report.md``)."""
    s = result.settings
    lines = [
        f"# Calibration of {s['scenario']} to {s['targets']}",
        "",
        f"Model: consortium-sim {s['model']['version']}, commit {s['model']['commit']}, "
        f"model code {s['model']['model_code']}. {result.counts['candidates']} candidates, "
        f"{result.counts['search_runs']} runs in the search, {result.counts['check_runs']} "
        "check runs.",
        "",
        f"## Fit per target ({result.counts['check_runs']} fresh seeds)",
        "",
        "| measure | use | target | mean | 95% interval | within tolerance |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| `{f['measure']}` | {f['use']} | {f['target']} | {_number(f['mean'])} | "
        f"{_number(f['ci_low'])} to {_number(f['ci_high'])} | "
        f"{'yes' if f['within_tolerance'] else 'no'} |"
        for f in result.fits
    ]
    value, low, high = result.check_objective
    lines += [
        "",
        f"Objective (mean squared miss of the fitted targets, in tolerances): {value:.3g} "
        f"(95% bootstrap interval {low:.3g} to {high:.3g}).",
        "",
        "## Fitted values",
        "",
        "The spread is where the choice falls when every candidate's seeds are resampled "
        f"(the chosen one is picked in {result.chosen_share:.0%} of resamples).",
        "",
        "| setting | fitted | spread across seeds (2.5% to 97.5%) | nearly as good "
        "(share of bounds) |",
        "|---|---|---|---|",
    ]
    for name, value_ in result.chosen.items():
        sp, ident = result.spread[name], result.identifiability[name]
        lines.append(
            f"| `{name}` | {value_:.4g} | {sp['low']:.4g} to {sp['high']:.4g} | "
            f"{ident['low']:.4g} to {ident['high']:.4g} ({ident['share_of_bounds']:.0%}) |"
        )
    lines += [
        "",
        "## Other regions that fit nearly as well",
        "",
        "Candidates whose objective is within the upper end of the chosen one's 95% "
        "interval, grouped by distance (bounds scaled to [0, 1], regions at least "
        f"{REGION_RADIUS} apart); each region is shown by its best candidate.",
        "",
    ]
    lines += [
        f"{k}. objective {region['objective']:.3g} over {region['seeds']} seeds, "
        f"{region['members']} candidate(s): "
        + ", ".join(f"{n} {v:.3g}" for n, v in region["setting"].items())
        for k, region in enumerate(result.regions, start=1)
    ]
    lines += ["", "## Sources", ""]
    lines += [f"- `{f['measure']}` ({f['evidence']}): {f['source']}" for f in result.fits]
    return "\n".join(lines) + "\n"
