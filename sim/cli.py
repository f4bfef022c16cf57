"""The ``consim`` command: run, sweep, calibrate, report, app, validate, schema.

Every expected failure (a bad scenario file, a sweep that cannot resume, a port in use)
ends with a short message on stderr and exit status 2; nothing is printed as a bare
traceback, and nothing already written is thrown away. A sweep whose runs did not all
finish exits with :data:`EXIT_RUNS_FAILED` (3) unless ``--accept-failures`` is given.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import shutil
import sys
import warnings
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.io.scenario import Scenario, ScenarioError, load_scenario, scenario_schema

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Simulate how consortia and coalitions form, work and end.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
EXIT_RUNS_FAILED = 3  # a sweep finished, but some runs failed, timed out or crashed
HEADLINE = ("value_creation_share", "lapsed_share")


class Backend(StrEnum):
    """Where a sweep's runs are run."""

    local = "local"
    dask = "dask"
    serial = "serial"


def _version(value: bool) -> None:
    if value:
        from sim import __version__

        out.print(f"consim {__version__}", highlight=False)
        raise typer.Exit


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Simulate how consortia and coalitions form, work and end."""


out = Console()
err = Console(stderr=True)


def _fail(lines: list[str] | str, code: int = 2) -> None:
    for line in [lines] if isinstance(lines, str) else lines:
        err.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _load(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        _fail(str(exc).splitlines())
        raise  # unreachable


def _parse_sets(sets: list[str] | None) -> dict[str, Any]:
    """Parse ``--set name=value`` pairs; values are read as YAML scalars."""
    import yaml

    values: dict[str, Any] = {}
    for item in sets or []:
        if "=" not in item:
            _fail(f"--set {item}: expected name=value (e.g. --set trust=0.7)")
        name, raw = item.split("=", 1)
        try:
            values[name.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            _fail(f"--set {item}: cannot read the value {raw!r}")
    return values


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files; exit 0 if all are valid, 2 with one line per problem."""
    problems: list[str] = []
    for path in files:
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            problems += str(exc).splitlines()
            continue
        extra = f", sweep of {len(sc.sweep.parameters)} parameters" if sc.sweep else ""
        out.print(f"[green]ok[/] {escape(str(path))} (model {sc.model}{extra})", highlight=False)
        code = sc.sweep.model if sc.sweep and sc.sweep.model else sc.model
        if not sc.is_builtin or (sc.sweep and sc.sweep.model):
            module = code.partition(":")[0]
            out.print(
                f"note: {escape(str(path))} runs Python code from {module}: trust this file "
                "as you would code",
                highlight=False,
            )
    if problems:
        _fail(problems)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a scenario file (for editors to complete and check)."""
    sys.stdout.write(json.dumps(scenario_schema(), indent=2) + "\n")


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    seed: Annotated[
        int | None, typer.Option(min=0, help="Seed, 0 or more (default: the scenario's).")
    ] = None,
    steps: Annotated[int | None, typer.Option(min=1, help="Weeks to simulate.")] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output folder (default results/runs/<scenario>-<seed>[-<changes>]/).",
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a parameter: --set trust=0.7 (repeatable)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the run already in --out.")
    ] = False,
) -> None:
    """Run one scenario: print a summary and write its tables and HTML report."""
    from sim.runs import OVERRIDES_SOURCE, save
    from sim.runs import run as run_one

    sc = _load(scenario)
    overrides = _parse_sets(set_)
    changes = {**overrides, **({"steps": steps} if steps is not None else {})}
    target = out_dir or default_run_dir(sc.name, sc.seed if seed is None else seed, changes)
    _check_writable(target.parent)
    try:
        record = run_one(sc, seed=seed, steps=steps, overrides=overrides)
    except ScenarioError as exc:
        lines = [
            line.replace(f"{OVERRIDES_SOURCE}: ", f"{scenario} (with --set/--steps): ")
            for line in str(exc).splitlines()
        ]
        _fail(lines)
        return
    _check_replace(target, record.summary, asked=overwrite, named=out_dir is not None)
    paths = _write_whole(target, lambda folder: save(record, folder), "the run's files")
    _print_summary(record)
    out.print(
        f"wrote {len(paths)} files to [bold]{target}[/] (open {paths['report.html']})",
        highlight=False,
    )


def default_run_dir(name: str, seed: int, changes: dict[str, Any]) -> Path:
    """Where a run goes unless told: its scenario and seed, and what ``--set`` changed."""
    folder = f"{name}-{seed}"
    if changes:
        text = "-".join(f"{k}={v}" for k, v in sorted(changes.items()))
        folder += "-" + re.sub(r"[^A-Za-z0-9_.=-]+", "_", text)[:120]
    return Path("results") / "runs" / folder


def _check_replace(target: Path, summary: dict[str, Any], *, asked: bool, named: bool) -> None:
    """Refuse to overwrite another run's folder (the same run again is fine by default)."""
    previous = target / "summary.json"
    if asked or not previous.is_file():
        return
    if named:
        _fail(
            f"--out {target}: holds a run already; pass --overwrite to replace it, "
            "or give another folder"
        )
    try:
        old = json.loads(previous.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    same = {k: old.get(k) for k in ("scenario", "seed", "parameters")} == {
        k: json.loads(json.dumps(summary.get(k), default=str))
        for k in ("scenario", "seed", "parameters")
    }
    if not same:
        _fail(
            f"{target}: holds a run with other parameters; pass --overwrite to replace it, "
            "or --out to write elsewhere"
        )


def _write_whole(target: Path, write: Callable[[Path], Any], what: str) -> Any:
    """Write a folder under a temporary name and move it into place whole.

    On failure (a full disk, a permission) nothing half-written is left and the folder's
    previous content is kept.
    """
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    try:
        result = write(tmp)
        if target.exists():
            target.replace(old)
        tmp.replace(target)
    except OSError as exc:
        _remove(tmp)
        if old.exists() and not target.exists():
            old.replace(target)
        _fail(
            f"{target}: cannot write {what} ({exc.strerror or exc}); nothing was left "
            "half-written and what the folder held before is kept"
        )
    _remove(old)
    return {name: target / Path(path).name for name, path in result.items()}


def _remove(path: Path) -> None:
    """Remove a file or a folder, if it is there."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _check_writable(folder: Path) -> None:
    """Fail before any work if ``folder`` cannot be created or written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-check"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        _fail(f"--out {folder}: not a writable folder ({exc.strerror or exc})")


def _print_summary(record: Any) -> None:
    from sim.journey.measures import MEASURES

    title = f"{record.scenario} · seed {record.seed} · {len(record.initiatives)} initiatives"
    table = Table(
        title=title,
        show_lines=False,
        caption="outcome shares are of started initiatives; lapsed share of ended opportunities",
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("unit")
    shown = [
        *HEADLINE,
        "achieved_share",
        "evolved_share",
        "graceful_exit_share",
        "drifted_apart_share",
        "stalled_share",
        "lapsed_share",
        "failed_share",
        "value_created",
        "time_to_value",
        "mean_trust",
        "stuck_in_storming_share",
        "repeat_tie_share",
        "giant_component_share",
        "meta_organisations",
        "active_agents",
        "newcomer_share",
    ]
    for name in shown:
        if name in record.measures:
            v = record.measures[name]
            share = name.endswith("_share")
            text = "n/a" if math.isnan(v) else (f"{v:.0%}" if share else f"{v:.3g}")
            unit = "%" if share else getattr(MEASURES.get(name), "unit", "")
            label = name.replace("_", " ")
            table.add_row(f"[bold]{label}[/]" if name in HEADLINE else label, text, unit)
    out.print(table)


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario file with a sweep section.")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Sweep folder (default results/sweeps/<name>/).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores; 1 runs in-process).")
    ] = None,
    backend: Annotated[
        Backend,
        typer.Option(
            help="local: processes on this machine; dask: a Dask cluster; serial: this process."
        ),
    ] = Backend.local,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a local cluster).")
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Delete stored runs and start over.")
    ] = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Build the HTML report at the end.")
    ] = False,
    accept_failures: Annotated[
        bool,
        typer.Option(
            "--accept-failures",
            help="Exit 0 even when runs failed, timed out or crashed (they are stored).",
        ),
    ] = False,
) -> None:
    """Run (or resume, or extend) a sweep; a killed sweep resumes where it stopped.

    Exit status: 0 when every run is done, 3 when some failed, timed out or crashed (all
    stored; --accept-failures makes that 0), 2 for a problem to fix, 130 when interrupted.
    """
    from sim.engine import SweepError, SweepInterruptedError
    from sim.sweeps import default_sweep_dir, sweep_scenario

    sc = _load(scenario)
    if sc.sweep is None:
        _fail(f"{scenario}: sweep: missing; add a sweep section (see scenarios/sweeps/smoke.yaml)")
        return
    target = out_dir or default_sweep_dir(sc)
    _check_writable(target)
    try:
        df = sweep_scenario(
            sc,
            out=target,
            workers=workers,
            backend=backend.value,
            scheduler=scheduler,
            fresh=fresh,
            progress=True,
        )
    except SweepInterruptedError as exc:
        err.print(escape(str(exc)), highlight=False)
        raise typer.Exit(130) from None
    except SweepError as exc:
        _fail(str(exc).splitlines())
        return
    from sim.engine.store import STATUSES

    counts = df["status"].value_counts().to_dict() if "status" in df else {}
    tally = ", ".join(f"{status} {counts.get(status, 0):,}" for status in STATUSES)
    out.print(f"sweep {sc.name}: {tally}; {len(df):,} runs stored in {target}", highlight=False)
    if report:
        _report(target)
    if counts.get("done", 0) < len(df) and not accept_failures:
        err.print(
            f"sweep {sc.name}: {len(df) - counts.get('done', 0):,} runs did not finish "
            f"(exit {EXIT_RUNS_FAILED}; --accept-failures to exit 0)",
            highlight=False,
        )
        raise typer.Exit(EXIT_RUNS_FAILED)


@app.command()
def calibrate(
    scenario: Annotated[Path, typer.Argument(help="Scenario file whose runs are calibrated.")],
    targets: Annotated[
        Path, typer.Option(help="Target file: the patterns, what to vary, how hard to look.")
    ],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Calibration folder (default results/calibrations/<scenario>-<targets>/)."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores; 1 runs in-process).")
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Delete what the folder holds and start over.")
    ] = False,
    write: Annotated[
        Path | None,
        typer.Option(
            help="Also write the calibrated scenario here (e.g. scenarios/calibrated.yaml)."
        ),
    ] = None,
) -> None:
    """Fit a scenario's settings to target patterns, noise-aware; a killed one resumes.

    Exit status: 0 when done, 2 for a problem to fix, 130 when interrupted (every finished
    run is kept: the same command resumes).
    """
    from sim.calibrate import calibrate as run_calibration
    from sim.calibrate import default_calibration_dir
    from sim.engine import SweepError, SweepInterruptedError
    from sim.io.targets import load_targets

    sc = _load(scenario)
    try:
        tf = load_targets(targets, sc)
    except ScenarioError as exc:
        _fail(str(exc).splitlines())
        return
    target = out_dir or default_calibration_dir(sc, tf)
    _check_writable(target)
    if write is not None:
        _check_writable(write.parent)
    try:
        command = " ".join(
            ["consim calibrate", str(scenario), "--targets", str(targets)]
            + ([f"--write {write}"] if write is not None else [])
        )
        result = run_calibration(
            sc, tf, out=target, workers=workers, fresh=fresh, progress=True, command=command
        )
    except SweepInterruptedError as exc:
        err.print(escape(str(exc)), highlight=False)
        raise typer.Exit(130) from None
    except SweepError as exc:
        _fail(str(exc).splitlines())
        return
    table = Table(
        title=f"{sc.name} calibrated to {tf.name} ({result.counts['check_runs']} fresh seeds)"
    )
    for column in ("measure", "use", "target", "mean", "95% interval", "fits"):
        table.add_column(column)
    for fit in result.fits:
        table.add_row(
            fit["measure"],
            fit["use"],
            fit["target"],
            f"{fit['mean']:.3f}",
            f"{fit['ci_low']:.3f} to {fit['ci_high']:.3f}",
            "yes" if fit["within_tolerance"] else "no",
        )
    out.print(table)
    if write is not None:
        _write_whole_file(write, result.scenario_yaml)
    where = f" and {write}" if write is not None else ""
    out.print(f"wrote {target / 'report.md'}, {target / 'calibrated.yaml'}{where}", highlight=False)


def _write_whole_file(path: Path, text: str) -> None:
    """Write a text file whole, or fail with a one-line message and the old file kept."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        _fail(f"{path}: cannot write ({exc.strerror or exc}); what it held before is kept")


@app.command("report")
def report_cmd(
    sweep_dir: Annotated[Path, typer.Argument(help="A sweep folder (results/sweeps/<name>).")],
    plan: Annotated[
        bool, typer.Option("--plan", help="Also print how much more to run to settle it.")
    ] = False,
    rules_from: Annotated[
        Path | None,
        typer.Option(help="Find the rules on this sweep instead (a Latin sweep, same parameters)."),
    ] = None,
) -> None:
    """Analyse a finished sweep: sensitivity indices, scenario discovery, plain rules."""
    _report(sweep_dir, plan=plan, rules_from=rules_from)


def _report(sweep_dir: Path, *, plan: bool = False, rules_from: Path | None = None) -> None:
    from sim.analysis import SensitivityWarning
    from sim.analysis.pipeline import analyse, write_analysis_files
    from sim.engine.store import Store
    from sim.report.sweep_report import render_report

    if not (sweep_dir / "manifest.json").is_file():
        _fail(f"{sweep_dir}: not a sweep folder (no manifest.json); run consim sweep first")
    try:
        json.loads((sweep_dir / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        _fail(f"{sweep_dir / 'manifest.json'}: cannot be read ({exc}); run the sweep again")
    if not Store(sweep_dir).part_paths():
        _fail(f"{sweep_dir}: no runs recorded yet; run consim sweep on its scenario first")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SensitivityWarning)
            analysis = analyse(sweep_dir, rules_from=rules_from)
    except (ValueError, OSError) as exc:
        _fail(f"{sweep_dir}: {exc}")
        return

    def write_files(folder: Path) -> dict[str, Path]:
        write_analysis_files(analysis, folder)
        return {}

    def write_page(page: Path) -> dict[str, Path]:
        page.write_text(render_report(analysis), encoding="utf-8")
        return {}

    _write_whole(sweep_dir / "analysis", write_files, "the analysis files")
    path = sweep_dir / "report.html"
    _write_whole(path, write_page, "the report")
    out.print(
        f"wrote [bold]{path}[/] and machine-readable copies in {sweep_dir / 'analysis'}",
        highlight=False,
    )
    notes = [str(w.message) for w in caught if issubclass(w.category, SensitivityWarning)]
    for note in notes[:3]:
        out.print(f"note: {escape(note.split('; ')[0])}", highlight=False)
    if len(notes) > 3:
        out.print(f"note: {len(notes) - 3} more in the report (Sensitivity)", highlight=False)
    for stem, key, limit in (("rules", "text", 6), ("plan", "advice", 4 if plan else 0)):
        file = sweep_dir / "analysis" / f"{stem}.json"
        items = json.loads(file.read_text()) if file.is_file() and limit else []
        for item in [i for i in items if i.get("headline", True)][:limit]:
            out.print(f"• {escape(str(item.get(key, '')))}", highlight=False)


@app.command("app")
def app_cmd(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario to start from.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    from_sweep: Annotated[
        Path | None,
        typer.Option("--from", help="A sweep folder: start with one of its stored runs."),
    ] = None,
    point: Annotated[
        int, typer.Option(min=0, help="Design point of the run to replay (with --from).")
    ] = 0,
    replicate: Annotated[
        int, typer.Option(min=0, help="Replicate of that point (with --from).")
    ] = 0,
) -> None:
    """Start the what-if app in the browser (Solara), or replay a stored sweep run in it."""
    from sim.app.replay import RunRef, SweepRunError, stored_run

    if scenario is not None:
        sc = _load(scenario)
        if sc.model != "journey":
            _fail(
                f"{scenario}: model: the app shows the journey model, not {sc.model}; "
                "pick a journey scenario"
            )
    replay = RunRef(from_sweep, point, replicate) if from_sweep is not None else None
    try:
        if replay is not None:
            stored_run(replay)  # a bad run fails at once, before the app's imports
        from sim.app.page import serve

        serve(str(scenario) if scenario else None, host=host, port=port, replay=replay)
    except (ScenarioError, SweepRunError) as exc:
        _fail(str(exc).splitlines())
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):  # the port is taken
            _fail(f"cannot listen on {host}:{port}: {exc}; pick another with --port")
        _fail(
            f"--host {host}: cannot listen there ({exc.strerror or exc}); give an address of "
            "this machine, such as 127.0.0.1 (this machine only) or 0.0.0.0 (everyone)"
        )


def main() -> None:
    """Entry point of the ``consim`` console script.

    Expected problems end with a one-line message (exit 2); anything unexpected is
    reported in one line too (exit 1), with the traceback when ``CONSIM_DEBUG=1``.
    """
    try:
        app()
    except Exception as exc:  # usage errors and typer.Exit end inside app() as SystemExit
        if os.environ.get("CONSIM_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))} "
            "(set CONSIM_DEBUG=1 to see where it happened)",
            highlight=False,
            soft_wrap=True,
        )
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover
    main()
