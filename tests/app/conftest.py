"""Shared set-up for the app tests."""

from __future__ import annotations

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (fixtures read ``rep_call``)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
