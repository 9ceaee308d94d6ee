"""A progress bar on stderr for commands that run longer than a few seconds (`rectify benchmark`,
`rectify reindex`): an operator sees that the command is alive and how far it is.

On a terminal the bar redraws one line in place; into a file or a pipe (cron, CI logs) it writes a
line only at every tenth of the way, so a log is not flooded with carriage returns.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    """`with ProgressBar("写入措施", total=1000) as bar: bar.advance(50)`; prints the label, a bar,
    done/total, the percentage and the seconds elapsed; the closing line stays on screen."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, max(total, 0), 0
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.perf_counter()
        self._last_tenth = -1
        self._last_draw = 0.0

    def __enter__(self) -> ProgressBar:
        self._draw(force=True)
        return self

    def __exit__(self, *exc) -> None:
        self._draw(force=True)
        if self.live:
            self.stream.write("\n")
        self.stream.flush()

    def advance(self, count: int = 1) -> None:
        self.done = min(self.done + count, self.total) if self.total else self.done + count
        self._draw()

    def line(self) -> str:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(WIDTH * fraction)
        elapsed = time.perf_counter() - self.started
        return (
            f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] "
            f"{self.done}/{self.total} {fraction:.0%} {elapsed:.1f} s"
        )

    def _draw(self, force: bool = False) -> None:
        fraction = self.done / self.total if self.total else 1.0
        if self.live:
            now = time.perf_counter()
            if force or now - self._last_draw >= 0.2:  # redrawing costs; five times a second is enough
                self._last_draw = now
                self.stream.write("\r" + self.line())
                self.stream.flush()
            return
        tenth = int(fraction * 10)
        if force and self._last_tenth >= 0 and tenth == self._last_tenth:
            return  # the closing line would repeat the last one
        if force or tenth > self._last_tenth:
            self._last_tenth = tenth
            self.stream.write(self.line() + "\n")
