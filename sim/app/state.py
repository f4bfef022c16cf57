"""What the what-if app shows, without its user interface.

The live model, the presets, the controls, side-by-side comparisons and the
plain-language texts.

:mod:`sim.app.page` builds the browser app on top of this module; everything here can be used
(and tested) without a browser or a Solara server.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.paired import PairedDifference, paired_difference
from sim.app.replay import StoredRun
from sim.io.records import RunRecord, journey_record
from sim.io.scenario import ScenarioError, load_scenario
from sim.journey import measures
from sim.journey.initiatives import Event
from sim.journey.model import JourneyModel
from sim.journey.parameters import JourneyParameters
from sim.journey.stages import STARTED_OUTCOMES, Outcome, Stage
from sim.parameters import ParameterInfo, parameter_info
from sim.runs import run_collecting, timeline_reporters

DEFAULTS_PRESET = "model defaults"
DEFAULT_SEED = 42

# The parameters that get a slider, in the order shown: the three at the centre first.
CONTROL_NAMES: tuple[str, ...] = (
    "trust",
    "self_interest",
    "urgency",
    "network_strength",
    "network_structure",
    "snowball",
    "platform",
    "convener",
    "search_cost",
    "capability_weight",
    "risk_appetite",
    "commitment",
    "trust_loss_ratio",
    "governance_overhead",
    "opportunity_rate",
    "coalition_share",
    "consortium_size",
    "n_organisations",
    "steps",
)

# A room watches the model live, so the app narrows a few ranges to what runs smoothly
# in a browser; every other bound comes from the parameter definitions. A preset whose
# value lies beyond a cap widens the slider to include it.
LIVE_CAPS: dict[str, float] = {
    "n_organisations": 400,
    "steps": 1_040,
    "opportunity_rate": 0.1,
    "search_cost": 10,
    "trust_loss_ratio": 20,
}

STAGE_TEXT: dict[Stage, str] = {
    Stage.IDLE: "An organisation that is not working in any initiative right now.",
    Stage.LATENT_VALUE: (
        "Someone (the champion) has spotted an opportunity it cannot realise alone, and is "
        "deciding whether to act on it. If nobody acts, the opportunity lapses."
    ),
    Stage.EXPLORING: (
        "The champion looks for partners with the right skills and values. Searching takes "
        "time; people it already knows are quicker to reach and trusted sooner, and it can "
        "snowball through their contacts. If the search budget runs out, the initiative stalls."
    ),
    Stage.COHERING: (
        "The partners try to agree on what they will do together and what each gets out of "
        "it. Each collects reasons to believe and reasons to doubt. A partner whose doubts win "
        "leaves (a graceful exit); if the clock runs out first, they drift apart."
    ),
    Stage.ESTABLISHING: (
        "The team picks a form (a light joint project, a legal consortium, or a collective) "
        "and agrees how decisions are made. It fails if setting up costs more than the "
        "opportunity is worth, or if mistrust is too high to agree."
    ),
    Stage.JOURNEYING: (
        "The team works together: forming, storming, norming, performing. It fails when it is "
        "still storming at the deadline, when a partner breaks trust, or when the day job wins."
    ),
    Stage.VALUE_CREATION: (
        "The work is done: the intent was achieved, it evolved into something else of value, "
        "or the partners parted with learning and relationships intact."
    ),
    Stage.META_ORGANISATION: (
        "A team that created value and trusts each other becomes a lasting alliance. It "
        "convenes its members around new opportunities (the flywheel), fades if unused, and "
        "a strong one can become an organisation of its own."
    ),
}

OUTCOME_TEXT: dict[Outcome, str] = {
    Outcome.ACHIEVED: "the shared intent was delivered in full",
    Outcome.EVOLVED: "the intent changed on the way, and something else of value came out",
    Outcome.GRACEFUL_EXIT: "the partners parted on good terms, keeping what they learned",
    Outcome.DRIFTED_APART: "the partners never agreed a shared intent before their clock ran out",
    Outcome.LAPSED: "nobody acted on the opportunity",
    Outcome.STALLED: "the champion could not find enough partners in time",
    Outcome.FAILED: "mistrust, set-up costs, a breach of trust or a lack of commitment ended it",
}

OUTCOME_VERBS: dict[str, str] = {
    Outcome.ACHIEVED.value: "achieved its intent",
    Outcome.EVOLVED.value: "evolved into something else of value",
    Outcome.GRACEFUL_EXIT.value: "exited gracefully",
    Outcome.DRIFTED_APART.value: "drifted apart",
    Outcome.LAPSED.value: "lapsed",
    Outcome.STALLED.value: "stalled",
    Outcome.FAILED.value: "failed",
}


LABELS: dict[str, str] = {
    "self_interest": "Self-interest",
    "n_organisations": "Organisations",
    "steps": "Weeks to run",
}


def label(name: str) -> str:
    """Display label of a parameter, e.g. ``"Self-interest"``."""
    return LABELS.get(name, name.replace("_", " ").capitalize())


def outcome_label(outcome: Outcome | str) -> str:
    """Display label of an outcome, e.g. ``"graceful exit"``."""
    return str(outcome).replace("_", " ")


def measure_label(name: str) -> str:
    """Display label of a run measure, e.g. ``"graceful exit"`` for ``graceful_exit_share``."""
    return {
        "value_creation_share": "value creation",
        "lapsed_share": "lapsed (nobody acted)",
        "stalled_share": "stalled while exploring",
        "value_created": "value created",
        "mean_trust": "mean trust at the end",
    }.get(name, outcome_label(name.removesuffix("_share")))


def as_seed(value: Any) -> int:
    """A seed from what a seed box holds: a whole number, or any text (hashed stably)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return abs(value)
    if isinstance(value, float) and value.is_integer():
        return abs(int(value))
    text = str(value).strip()
    if text.lstrip("+-").isdigit():
        return abs(int(text))
    return zlib.crc32(text.encode("utf-8"))


def coerce_params(values: dict[str, Any]) -> dict[str, Any]:
    """Give every known parameter the type its definition asks for.

    Whole-number parameters become ``int``, decimal ones ``float`` and choices ``str``, so
    a slider that reports ``7.0`` still reaches the model as ``7``.
    """
    info = parameter_info(JourneyParameters)
    out: dict[str, Any] = {}
    for name, value in values.items():
        spec = info.get(name)
        if spec is None:
            out[name] = value
        elif spec.kind == "int":
            out[name] = round(float(value))
        elif spec.kind == "float":
            out[name] = float(value)
        else:
            out[name] = str(value)
    return out


def param_changes(a: dict[str, Any], b: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Parameters (other than ``steps``) whose typed values differ, as ``(A, B)`` pairs."""
    ta, tb = coerce_params(a), coerce_params(b)
    return {
        k: (ta.get(k), tb.get(k))
        for k in dict.fromkeys([*ta, *tb])
        if k != "steps" and ta.get(k) != tb.get(k)
    }


# ----------------------------------------------------------------------- live model
class AppModel(JourneyModel):
    """The journey model as the app runs it: with a data collector and a wall clock.

    The app re-creates this class with keyword arguments only (that is how Mesa's
    visualisation resets a model), so every parameter is a keyword.

    Args:
        seed: Seed of the run (a whole number; other text is hashed to one).
        preset: Name of the preset the settings came from (used in the report).
        scenario: Ignored; Mesa's visualisation may pass one on reset.
        **params: Journey-model parameter values; unnamed ones take their defaults.
    """

    def __init__(
        self,
        *,
        seed: int | str = DEFAULT_SEED,
        preset: str = DEFAULTS_PRESET,
        scenario: Any = None,
        **params: Any,
    ) -> None:
        del scenario  # settings come from the sliders, not from Mesa's scenario object
        self.requested = coerce_params(params)
        seed = as_seed(seed)
        super().__init__(
            JourneyParameters(**self.requested),
            rng=seed,
            reporters={"tick": lambda m: m.tick, **timeline_reporters()},
            collect_every=1,
        )
        self.seed = seed
        self.preset = preset
        self.elapsed_s = 0.0
        self.layout: np.ndarray | None = None  # positions in the network view
        self.layout_tick = -1

    def step(self) -> None:
        """Advance one week (the model's own collector records the timeline); not once ended."""
        if not self.running:
            return
        start = time.perf_counter()
        super().step()
        self.elapsed_s += time.perf_counter() - start

    def timeline_frame(self) -> pd.DataFrame:
        """One row per week so far (the same columns as a ``consim run`` timeline).

        Read while a play thread may be stepping: each column is copied and all are cut to
        the weeks every column has, so a half-collected week never breaks the frame.
        """
        columns = {k: list(v) for k, v in self.datacollector.model_vars.items()}
        weeks = min((len(v) for v in columns.values()), default=0)
        df = pd.DataFrame({k: v[:weeks] for k, v in columns.items()})
        df["tick"] = df["tick"].astype("int64")
        return df

    def run_record(self) -> RunRecord:
        """The run record of the run so far."""
        return journey_record(self, self.timeline_frame(), self.preset, self.seed, self.elapsed_s)

    def report_html(self) -> str:
        """The run's self-contained HTML report (the same report as ``consim run``)."""
        from sim.report.run_report import run_report_html

        return run_report_html(self.run_record())

    def report_filename(self) -> str:
        """File name for the downloaded report, e.g. ``report-baseline-seed42-week80.html``."""
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in self.preset)
        return f"report-{safe}-seed{self.seed}-week{self.tick}.html"


# --------------------------------------------------------------------------- presets
@dataclass(frozen=True)
class Preset:
    """Settings loaded from a scenario file (or the model's defaults)."""

    name: str
    description: str
    seed: int
    params: dict[str, Any]  # every journey parameter
    path: Path | None = None


def defaults_preset() -> Preset:
    """The model's default settings."""
    return Preset(
        DEFAULTS_PRESET,
        "Every parameter at its documented default.",
        DEFAULT_SEED,
        JourneyParameters().model_dump(),
    )


def preset_from_file(path: str | Path) -> Preset:
    """Load a journey scenario file as a preset.

    Raises:
        ScenarioError: if the file is not a valid journey scenario.
    """
    scenario = load_scenario(path)
    if scenario.model != "journey":
        raise ScenarioError(
            str(path), [f"model: the app runs the journey model (this file is {scenario.model})"]
        )
    params = scenario.params()
    description = " ".join(scenario.description.split())
    return Preset(scenario.name, description, scenario.seed, params.model_dump(), Path(path))


def sweep_preset(run: StoredRun) -> Preset:
    """A preset that replays one stored sweep run: its parameters and its seed."""
    params = JourneyParameters(**coerce_params(run.params)).model_dump()
    varied = ", ".join(f"{label(k).lower()} {format_value(v)}" for k, v in run.varied.items())
    recorded = ", ".join(
        f"{outcome_label(k.removesuffix('_share'))} {v:.0%}"
        for k, v in run.outcomes.items()
        if k in HEADLINE_MEASURES
    )
    description = (
        f"Point {run.point}, replicate {run.replicate} of sweep {run.sweep}, replayed with "
        f"its parameters and seed: "
        f"{varied or 'no varied parameters'}."
        + (f" In the sweep it ended with {recorded}." if recorded else f" ({run.status})")
    )
    return Preset(run.name, description, run.seed, params, None)


def scenario_dirs() -> list[Path]:
    """Folders searched for presets: ``./scenarios`` and the project's ``scenarios``."""
    candidates = [Path.cwd() / "scenarios", Path(__file__).resolve().parents[1] / "scenarios"]
    out: list[Path] = []
    for d in candidates:
        if d.is_dir() and d.resolve() not in [o.resolve() for o in out]:
            out.append(d)
    return out


def find_presets(
    scenario_path: str | Path | None = None, dirs: Sequence[Path] | None = None
) -> tuple[dict[str, Preset], list[str]]:
    """The presets to offer, and a note for every scenario file that could not be used.

    The model's defaults come first, then ``scenario_path`` (if given), then every journey
    scenario file (``*.yaml``, ``*.yml``) in ``dirs`` (default :func:`scenario_dirs`).
    Files for other models are left out quietly; broken files are reported.

    Raises:
        ScenarioError: if ``scenario_path`` itself cannot be used.
    """
    presets = {DEFAULTS_PRESET: defaults_preset()}
    problems: list[str] = []
    seen: set[Path] = set()
    if scenario_path is not None:
        given = preset_from_file(scenario_path)
        presets[given.name] = given
        seen.add(Path(scenario_path).resolve())
    files = sorted(
        f for d in (scenario_dirs() if dirs is None else dirs) for f in Path(d).glob("*.y*ml")
    )
    for f in files:
        if f.resolve() in seen:
            continue
        seen.add(f.resolve())
        try:
            preset = preset_from_file(f)
        except ScenarioError as exc:
            if not any(p.startswith("model: the app runs") for p in exc.problems):
                problems.append(f"{f.name}: {'; '.join(exc.problems)}")
            continue
        name = preset.name if preset.name not in presets else f"{preset.name} ({f.name})"
        presets[name] = Preset(name, preset.description, preset.seed, preset.params, f)
    return presets, problems


def initial_preset(presets: dict[str, Preset], scenario_path: str | Path | None) -> str:
    """The preset to start with: the file given, else ``baseline``, else the defaults."""
    if scenario_path is not None:
        target = Path(scenario_path).resolve()
        for name, p in presets.items():
            if p.path is not None and p.path.resolve() == target:
                return name
    return "baseline" if "baseline" in presets else DEFAULTS_PRESET


def new_model(preset: Preset, seed: int | None = None, **changes: Any) -> AppModel:
    """A fresh live model with a preset's settings (and any changes)."""
    return AppModel(
        seed=preset.seed if seed is None else seed,
        preset=preset.name,
        **{**preset.params, **changes},
    )


# -------------------------------------------------------------------------- controls
@dataclass(frozen=True)
class Control:
    """One slider (or picker) of the app, read off a parameter's definition."""

    name: str
    label: str
    kind: str  # "float", "int" or "choice"
    low: float
    high: float
    step: float
    choices: tuple[str, ...]
    info: ParameterInfo


def _step(low: float, high: float) -> float:
    span = max(high - low, 1e-9)
    return 10.0 ** math.floor(math.log10(span / 100.0))


def make_control(info: ParameterInfo, value: Any = None) -> Control:
    """The control for one parameter: its range from the definition (see :data:`LIVE_CAPS`)."""
    if info.kind == "choice":
        return Control(info.name, label(info.name), "choice", 0, 0, 0, info.choices, info)
    low = float(info.low if info.low is not None else 0.0)
    high = float(info.high if info.high is not None else max(1.0, 2 * float(info.default)))
    if info.name in LIVE_CAPS:
        high = min(high, LIVE_CAPS[info.name])
    if value is not None:
        high = max(high, float(value))
    if info.kind == "int":
        return Control(info.name, label(info.name), "int", int(low), int(high), 1, (), info)
    return Control(info.name, label(info.name), "float", low, high, _step(low, high), (), info)


def controls(values: dict[str, Any] | None = None) -> list[Control]:
    """The app's controls, in display order (ranges widened to include ``values``)."""
    info = parameter_info(JourneyParameters)
    values = values or {}
    return [make_control(info[n], values.get(n)) for n in CONTROL_NAMES if n in info]


def model_params(preset: Preset) -> dict[str, Any]:
    """Mesa ``model_params`` for a preset: sliders for the controls, the rest fixed.

    The seed is a text box; the preset's other parameters are passed as fixed values so
    that a reset keeps them.
    """
    out: dict[str, Any] = {
        "seed": {"type": "InputText", "value": str(preset.seed), "label": "Random seed"},
    }
    for c in controls(preset.params):
        value = preset.params[c.name]
        if c.kind == "choice":
            out[c.name] = {
                "type": "Select",
                "value": value,
                "values": list(c.choices),
                "label": c.label,
            }
        elif c.kind == "int":
            out[c.name] = {
                "type": "SliderInt",
                "value": int(value),
                "min": int(c.low),
                "max": int(c.high),
                "step": 1,
                "label": c.label,
            }
        else:
            out[c.name] = {
                "type": "SliderFloat",
                "value": float(value),
                "min": c.low,
                "max": c.high,
                "step": c.step,
                "label": c.label,
            }
    for name, value in preset.params.items():
        out.setdefault(name, value)
    out["preset"] = preset.name
    return out


# ---------------------------------------------------------------------------- events
def describe_event(model: JourneyModel, event: Event) -> str | None:
    """One sentence for a notable event, or ``None`` for routine ones.

    Example: ``"Consortium 4 exited gracefully at week 31: partners lost confidence"``.
    """
    if not 0 <= event.initiative < len(model.initiatives):
        return None
    name = model.initiatives[event.initiative].name
    week = f"week {event.tick}"
    if event.kind == "transition":
        if event.outcome:
            if event.outcome == Outcome.LAPSED.value:
                return None
            verb = OUTCOME_VERBS.get(event.outcome, outcome_label(event.outcome))
            return f"{name} {verb} at {week}: {event.reason}"
        if event.to_stage == "meta_organisation":
            return f"{name} became a lasting alliance at {week}: {event.reason}"
        return None
    if event.kind in ("spawn", "review"):
        return f"At {week}, {event.reason}"
    return None


def notable_events(model: JourneyModel, limit: int = 12) -> list[str]:
    """The latest notable events, newest first."""
    out: list[str] = []
    for event in reversed(model.events):
        text = describe_event(model, event)
        if text is not None:
            out.append(text)
            if len(out) >= limit:
                break
    return out


# --------------------------------------------------------------------------- tallies
@dataclass
class Tally:
    """How the initiatives of one or more runs stand."""

    counts: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in STARTED_OUTCOMES})
    lapsed: int = 0  # opportunities nobody acted on
    in_progress: int = 0  # started and not ended yet

    @property
    def ended(self) -> int:
        """Started initiatives that have ended."""
        return sum(self.counts.values())

    def shares(self) -> dict[str, float]:
        """Share of ended, started initiatives per outcome (NaN when none ended)."""
        n = self.ended
        return {o: (c / n if n else float("nan")) for o, c in self.counts.items()}

    def add(self, model: JourneyModel) -> Tally:
        """Add a model's initiatives to the tally (returns ``self``)."""
        for ini in model.initiatives:
            started = ini.started
            if ini.outcome is None:
                self.in_progress += started
            elif ini.outcome is Outcome.LAPSED:
                self.lapsed += 1
            else:
                self.counts[ini.outcome.value] += 1
        return self


def tally(model: JourneyModel) -> Tally:
    """The outcome tally of one model (outcome shares match :mod:`sim.journey.measures`)."""
    return Tally().add(model)


# --------------------------------------------------------------------------- compare
# What the compare tab judges first, then the other outcomes it reports.
HEADLINE_MEASURES = ("value_creation_share", "graceful_exit_share")
COMPARED_MEASURES = (
    *HEADLINE_MEASURES,
    "failed_share",
    "drifted_apart_share",
    "stalled_share",
    "lapsed_share",
    "value_created",
    "mean_trust",
)
DEFAULT_PAIRS = 20
MAX_PAIRS = 200


@dataclass
class SettingResult:
    """One setting of a comparison: the run measures of each of its runs."""

    params: dict[str, Any]
    runs: list[dict[str, float]]  # one dict of run measures per seed
    tally: Tally  # pooled over the runs
    timelines: list[pd.DataFrame]  # the first run's

    def values(self, name: str) -> np.ndarray:
        """One measure over the runs, in seed order (NaN where the run had none)."""
        return np.array([run.get(name, float("nan")) for run in self.runs], dtype=float)


@dataclass
class Comparison:
    """Two settings run with the same seeds (common random numbers)."""

    a: SettingResult
    b: SettingResult
    seeds: list[int]
    steps: int
    changes: dict[str, tuple[Any, Any]]  # parameter: (A's value, B's value)

    def difference(self, name: str) -> PairedDifference:
        """B minus A for one run measure over the paired runs, with its 95% interval."""
        return paired_difference(self.a.values(name), self.b.values(name))

    def rows(self) -> list[tuple[str, PairedDifference]]:
        """The paired difference of every compared measure, headline outcomes first."""
        return [(name, self.difference(name)) for name in COMPARED_MEASURES]


def run_setting(values: dict[str, Any], seeds: Sequence[int], steps: int) -> SettingResult:
    """Run one setting once per seed for ``steps`` weeks."""
    total = Tally()
    runs, timelines = [], []
    params = JourneyParameters(**{**coerce_params(values), "steps": int(steps)})
    for k, seed in enumerate(seeds):
        model = JourneyModel(params, rng=int(seed))
        if k == 0:  # only the first pair's timelines are drawn
            timelines.append(run_collecting(model, timeline_reporters()))
        else:
            while model.running:
                model.step()
        total.add(model)
        runs.append(measures.measure_all(model))
    return SettingResult(params.model_dump(), runs, total, timelines)


def compare_runs(
    a: dict[str, Any], b: dict[str, Any], seed: int, steps: int, pairs: int = DEFAULT_PAIRS
) -> Comparison:
    """Run settings ``a`` and ``b`` with the same seeds for the same number of weeks.

    Args:
        a: Parameter values of setting A (unnamed ones take their defaults).
        b: Parameter values of setting B.
        seed: First seed; pair ``k`` uses ``seed + k`` for both settings.
        steps: Weeks to simulate (the same for both).
        pairs: Number of paired runs (seeds).
    """
    seeds = [int(seed) + k for k in range(max(1, int(pairs)))]
    ra = run_setting(a, seeds, steps)
    rb = run_setting(b, seeds, steps)
    changes = param_changes(ra.params, rb.params)
    return Comparison(ra, rb, seeds, int(steps), changes)


def format_value(value: Any) -> str:
    """A parameter value as shown to people (``0.5``, ``100``, ``small world``)."""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value).replace("_", " ")


# ------------------------------------------------------------------------ explainer
def explainer_markdown() -> str:
    """The plain-language guide: what the app shows, each stage, outcome and slider."""
    lines = [
        "## What you are looking at",
        "",
        "This is a simulation of organisations that try to work together. Every dot in the "
        "network is an **organisation** (a company, a charity, a public body). Each week some "
        "of them spot an opportunity they cannot realise alone and go looking for partners. "
        "A group that forms around one opportunity is an **initiative**: a small, quick "
        "*consortium* or a large, representative *coalition*.",
        "",
        "Nobody scripts what happens. Each organisation follows a few simple rules (how much "
        "it trusts the others, how self-interested it is, how much time it has) and the "
        "stories in the log come out of those rules meeting each other. The same settings "
        "with another random seed tell another possible story. The *Compare* tab therefore "
        "runs both settings over the same set of seeds and says whether a difference is "
        "larger than the luck of the draw could explain (a 95% interval).",
        "",
        "**How to use it:** pick a preset in the sidebar, press ▶ to watch the weeks go by, "
        "or *Step* one week at a time. To try a change, move a slider and press **Reset**: "
        "a new run starts with your settings. *Speed* sets how fast the weeks go by; "
        "**Fast-forward** plays the rest of the run in seconds, redrawing once a simulated year.",
        "",
        "## The journey: what each stage means",
        "",
    ]
    for stage, text in STAGE_TEXT.items():
        lines.append(f"- **{stage.label.capitalize()}**: {text}")
    lines += ["", "## How an initiative can end", ""]
    for outcome, text in OUTCOME_TEXT.items():
        lines.append(f"- **{outcome_label(outcome).capitalize()}**: {text}.")
    lines += [
        "",
        "Opportunities that nobody acted on are counted apart; the outcome shares are over "
        "initiatives that were really started.",
        "",
        "## What each slider does",
        "",
        "| slider | range | what it means |",
        "|:---|:---|:---|",
    ]
    for c in controls():
        info = c.info
        if c.kind == "choice":
            rng = ", ".join(ch.replace("_", " ") for ch in c.choices)
        else:
            rng = f"{format_value(c.low)} to {format_value(c.high)} {info.unit}".strip()
        lines.append(f"| **{c.label}** | {rng} | {info.doc} |")
    lines += [
        "| **Random seed** | any whole number | Which of the many possible histories you "
        "see. The same seed and settings always give the same run. |",
        "",
        "Every other parameter keeps the value of the chosen preset.",
        "",
        "## Reading the charts",
        "",
        "- **Network**: organisations coloured by the stage they are in. Members of an "
        "initiative under way are joined by lines in the colour of its stage and drift "
        "together; faint grey lines are informal ties (people who know each other), darker "
        "ones pairs that have worked together before.",
        "- **Organisations per stage**: how many organisations are in each stage, week by week.",
        "- **Mean trust**: how much organisations that know each other trust each other on "
        "average (0: not at all, 1: fully); the band shows how much that varies.",
        "- **How initiatives ended**: a running tally of outcomes.",
        "- **What just happened**: the latest notable events, newest first.",
    ]
    return "\n".join(lines)
