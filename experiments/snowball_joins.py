"""When members join under snowballing: joins per week since an initiative began exploring.

Runs the snowball scenario's settings (``snowball`` 0.8, ``search_breadth`` 1,
``network_strength`` 0.8) over seeds and counts, per week since each initiative began
exploring, how many members joined it: asked (by the champion or through a member) and
unasked (drawn by the initiative's pull, Granovetter's threshold model). Averaged over
the initiatives that assembled a team. Writes ``results/snowball_joins.json``.

Usage::

    .venv/bin/python experiments/snowball_joins.py [--seeds 20] [--weeks 16]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from sim.journey.model import JourneyModel

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"snowball": 0.8, "search_breadth": 1, "network_strength": 0.8}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=16)
    args = parser.parse_args()
    weeks = args.weeks
    joins = {"asked": np.zeros(weeks), "unasked": np.zeros(weeks)}
    teams = 0
    for seed in range(args.seeds):
        model = JourneyModel(rng=seed, **SETTINGS)
        while model.running:
            model.step()
        began = {
            ini.id: ini.entered_first["exploring"]
            for ini in model.initiatives
            if "exploring" in ini.entered_first and "cohering" in ini.entered
        }
        teams += len(began)
        for e in model.events:
            if e.kind != "join" or e.initiative not in began:
                continue
            week = e.tick - began[e.initiative]
            if 0 <= week < weeks:
                joins["unasked" if "unasked" in e.reason else "asked"][week] += 1
    per_team = {kind: (counts / max(teams, 1)).round(3).tolist() for kind, counts in joins.items()}
    out = {
        "command": f"python experiments/snowball_joins.py --seeds {args.seeds} --weeks {weeks}",
        "settings": SETTINGS,
        "teams": teams,
        "joins_per_team_by_week": per_team,
        "cumulative_unasked": np.cumsum(per_team["unasked"]).round(2).tolist(),
    }
    folder = ROOT / "results"
    folder.mkdir(exist_ok=True)
    (folder / "snowball_joins.json").write_text(json.dumps(out, indent=2))
    for kind, values in per_team.items():
        print(f"{kind:8s}", " ".join(f"{v:.2f}" for v in values))
    print("cumulative unasked", " ".join(f"{v:.2f}" for v in out["cumulative_unasked"]))


if __name__ == "__main__":
    main()
