"""Progress reporting: a live bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class Progress:
    """Report a sweep's progress.

    Args:
        name: The sweep's name, shown on every line.
        total: Runs in the whole sweep.
        already: Runs already stored before this session.
        enabled: Print anything at all.
        stream: Where to print (standard error by default).
        every_s: Seconds between plain log lines when not on a terminal.
        live: Force (True) or forbid (False) the live bar; default: when ``stream`` is a
            terminal.
    """

    def __init__(
        self,
        name: str,
        total: int,
        already: int = 0,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        every_s: float = 10.0,
        live: bool | None = None,
    ) -> None:
        self.name = name
        self.total = total
        self.completed = already
        self.already = already
        self.counts = {"done": 0, "failed": 0, "timeout": 0, "crashed": 0}
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.every_s = every_s
        self.live = (
            live if live is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        )
        self._start = time.monotonic()
        self._last_line = self._start
        self._bar = None
        self._task = None

    def __enter__(self) -> Progress:
        if self.enabled and self.live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} runs/s"),
                TextColumn("{task.fields[issues]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(
                self.name, total=self.total, completed=self.completed, rate="-", issues=""
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    @property
    def rate(self) -> float:
        """Runs per second in this session."""
        elapsed = time.monotonic() - self._start
        return (self.completed - self.already) / elapsed if elapsed > 0 else 0.0

    def advance(self, done: int = 0, failed: int = 0, timeout: int = 0, crashed: int = 0) -> None:
        """Count newly finished runs."""
        self.counts["done"] += done
        self.counts["failed"] += failed
        self.counts["timeout"] += timeout
        self.counts["crashed"] += crashed
        self.completed += done + failed + timeout + crashed
        if not self.enabled:
            return
        if self._bar is not None:
            issues = self._issues()
            self._bar.update(
                self._task, completed=self.completed, rate=f"{self.rate:,.1f}", issues=issues
            )
            return
        now = time.monotonic()
        if now - self._last_line >= self.every_s:
            self._last_line = now
            self._line(self._status())

    def _issues(self) -> str:
        failed, timeout = self.counts["failed"], self.counts["timeout"]
        parts = [f"{failed} failed"] if failed else []
        if timeout:
            parts.append(f"{timeout} timeout")
        if self.counts["crashed"]:
            parts.append(f"{self.counts['crashed']} crashed")
        return ", ".join(parts)

    def _status(self) -> str:
        share = 100.0 * self.completed / self.total if self.total else 100.0
        rate = self.rate
        remaining = self.total - self.completed
        eta = _duration(remaining / rate) if rate > 0 else "?"
        issues = self._issues()
        return (
            f"sweep {self.name}: {self.completed:,}/{self.total:,} runs ({share:.1f}%), "
            f"{rate:,.1f} runs/s, ETA {eta}" + (f", {issues}" if issues else "")
        )

    def summary(self, counts: dict[str, int]) -> str:
        """Print and return the end summary for the whole store."""
        text = (
            f"sweep {self.name}: done {counts.get('done', 0):,}, "
            f"failed {counts.get('failed', 0):,}, timeout {counts.get('timeout', 0):,}, "
            f"crashed {counts.get('crashed', 0):,} "
            f"({self.completed - self.already:,} runs in this session, "
            f"{_duration(time.monotonic() - self._start)})"
        )
        if self.enabled:
            self._line(text)
        return text

    def message(self, text: str) -> None:
        """Print one line (if enabled)."""
        if self.enabled:
            self._line(text)

    def _line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)
