"""Ctrl+C and SIGTERM end a run cleanly: German line, exit 130 / 143, outputs untouched.

The command line runs inside :func:`handled`. A signal then raises :class:`Interrupted`
(a ``BaseException``, like ``KeyboardInterrupt``, so no ``except Exception`` swallows
it) at the next Python instruction, and the ``finally`` blocks that remove half-written
output folders run. PyVRP's search loop is Python, so it is interrupted like any other
code. OR-Tools searches in C++, where no Python instruction runs: its adapter polls
:func:`requested` from the per-solution callback inside :func:`deferred`, stops the
search, and the signal is raised right after the engine returns — an interrupted search
never becomes a plan.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_NAMES_DE = {signal.SIGINT: "Strg+C", signal.SIGTERM: "SIGTERM"}

_state = threading.local()
_received: list[int] = []


class Interrupted(BaseException):
    """The user (Ctrl+C) or the system (SIGTERM) asked the run to stop."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        name = _NAMES_DE.get(signal.Signals(signum), f"Signal {signum}")
        super().__init__(
            f"Abgebrochen ({name}). Es wurde nichts geschrieben; vorhandene Ausgaben sind "
            "unverändert."
        )

    @property
    def exit_code(self) -> int:
        """The shell convention: 128 + signal number (130 for Ctrl+C, 143 for SIGTERM)."""
        return 128 + self.signum


def requested() -> int | None:
    """The signal that asked to stop, if any (for solver callbacks)."""
    return _received[0] if _received else None


def raise_if_requested() -> None:
    signum = requested()
    if signum is not None:
        raise Interrupted(signum)


def _handler(signum: int, frame: FrameType | None) -> None:
    if not _received:
        _received.append(signum)
    if not getattr(_state, "deferred", False):
        raise Interrupted(signum)


@contextmanager
def handled() -> Iterator[None]:
    """Inside, SIGINT and SIGTERM raise :class:`Interrupted` (main thread only).

    The previous handlers come back on leaving, so calling the CLI in-process (tests,
    notebooks) leaves the host's own handling alone.
    """
    _received.clear()
    previous = {signum: signal.signal(signum, _handler) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextmanager
def deferred() -> Iterator[None]:
    """Inside, a signal is only recorded (for engines that must stop their search first).

    On leaving, a recorded signal is raised as :class:`Interrupted`.
    """
    before = getattr(_state, "deferred", False)
    _state.deferred = True
    try:
        yield
    finally:
        _state.deferred = before
    raise_if_requested()
