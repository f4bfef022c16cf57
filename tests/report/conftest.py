"""The report tests use the analysis tests' synthetic sweeps."""

from tests.analysis.conftest import (
    ishigami,
    ishigami_outcomes,
    make_sweep,
    store_writer,
    sweep_factory,
)

__all__ = ["ishigami", "ishigami_outcomes", "make_sweep", "store_writer", "sweep_factory"]
