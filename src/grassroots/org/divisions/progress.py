"""Progress of long work: the callback type and a rich progress bar on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

#: ``progress(phase, done, total)``: called now and then while long work runs.
ProgressCallback = Callable[[str, int, int | None], None]


class TerminalProgress:
    """A ProgressCallback that draws one rich progress bar per phase on stderr.

    Disabled (a no-op) when ``enabled`` is False; by default it is on only when stderr is
    a terminal, so that logs and pipes stay clean.
    """

    def __init__(self, *, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> TerminalProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._progress.add_task(phase, total=total)
        self._progress.update(task, completed=done, total=total)

    @property
    def callback(self) -> ProgressCallback | None:
        """Itself when drawing, else None (so that callers skip the bookkeeping)."""
        return self if self._progress is not None else None
