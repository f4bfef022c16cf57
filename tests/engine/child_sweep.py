"""Run a sweep described by a JSON argument (the interruption test runs this)."""

import json
import sys
from pathlib import Path


def main() -> None:
    """Run the sweep."""
    args = json.loads(sys.argv[1])
    from sim.engine import SweepSpec, run_sweep

    run_sweep(
        SweepSpec.model_validate(args["spec"]),
        model=args["model"],
        base_params=args.get("base_params", {}),
        steps=None,
        name="child",
        scenario={},
        out_dir=Path(args["out"]),
        workers=args["workers"],
        backend=args.get("backend", "local"),
        checkpoint_s=args["checkpoint_s"],
        progress=True,
    )


if __name__ == "__main__":
    main()
