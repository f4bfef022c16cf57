"""Shared test set-up: deterministic hypothesis, small models, the repository root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

settings.register_profile(
    "project",
    derandomize=True,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "project"))


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT


# every compiled kernel call checks that its argument types never change (see
# sim.journey.compiled.Kernel); set before any model runs, and inherited by subprocesses
os.environ.setdefault("SIM_CHECK_KERNEL_TYPES", "1")
