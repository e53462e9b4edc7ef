"""Ctrl-C and SIGTERM stop a run within seconds and leave the warehouse as it was.

How a run stops:

- Inside Dagster's run, Dagster turns SIGINT and SIGTERM into an interrupt of the running step. The live
  source then cancels every platform client, and their reads notice within a quarter of a second
  (`collectors/limits.py`): before, the step waited for every collector thread's socket read to time out
  (a per-read timeout of 60 s, never for a server dribbling bytes), which is why a run ignored SIGTERM.
  The interrupted step writes nothing (every layer is one warehouse transaction), the run is marked
  failed, and the command exits with 130 (SIGINT) or 143 (SIGTERM) saying so.
- Outside a run (planning, checking inputs), SIGTERM behaves as Ctrl-C, so `finally` blocks release
  locks and connections instead of the process vanishing mid-way.
- A watchdog ends the process `GRACE` seconds after the first signal if it has not stopped by then, or
  at once on a second signal: a stop never depends on every thread cooperating. Nothing can be left
  half-written by it, since writes are transactions; Dagster may then show the run as still started.
- Once the one-line message is out, a signalled process exits without the interpreter's finalisation
  (`exit_after`), which was seen to hang in garbage collection after an interrupted Dagster run.

The watchdog sees signals through `signal.set_wakeup_fd`, which reports every signal whatever Python
handler is installed (Dagster replaces ours during a run).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from contextlib import contextmanager

from leaderboard_pipeline.cli.arguments import CliError

GRACE = 10.0  # seconds a stopping run may take after the first signal before the process exits anyway
_NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}


class Interrupted(CliError):
    """The run was stopped by a signal; `status` is the conventional 128 + signal number. `signalled`:
    a real signal arrived (not a KeyboardInterrupt raised some other way)."""

    def __init__(self, signum: int, signalled: bool = True):
        super().__init__(
            f"interrupted by {_NAMES.get(signum, signum)}: the run stopped; months not reported as "
            "written above were not written, the warehouse keeps what it had"
        )
        self.status, self.signalled = 128 + signum, signalled


def exit_after(error: CliError) -> None:
    """After a signal the process ends here, once its message is out, without the interpreter's
    finalisation: after an interrupted Dagster run (whose handler raises wherever the signal lands, even
    inside a connection's close) the final garbage collection was seen to hang. Every write is a
    committed transaction or none, so nothing is lost by not finalising."""
    if isinstance(error, Interrupted) and error.signalled:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(error.status)


def _sigterm_as_interrupt(signum, frame):
    raise KeyboardInterrupt


class _Watchdog(threading.Thread):
    def __init__(self, wakeup: socket.socket, grace: float):
        super().__init__(name="leaderboard-interrupts", daemon=True)
        self.wakeup, self.grace = wakeup, grace
        self.first: int | None = None
        self.done = threading.Event()

    def run(self) -> None:
        deadline = None
        while not self.done.is_set():
            timeout = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic()))
            self.wakeup.settimeout(timeout)
            try:
                data = self.wakeup.recv(64)
            except TimeoutError:
                data = b""
            except OSError:
                return
            for signum in (s for s in data if s in _NAMES):
                if self.first is not None:
                    self._exit(signum, "a second signal")
                self.first = signum
                deadline = time.monotonic() + self.grace
            if deadline is not None and time.monotonic() >= deadline and not self.done.is_set():
                self._exit(self.first, f"still running {self.grace:g} s after it")

    def _exit(self, signum: int, why: str) -> None:
        sys.stderr.write(f"leaderboard: error: {_NAMES[signum]}, {why}: stopping now\n")
        sys.stderr.flush()
        os._exit(128 + signum)


@contextmanager
def stop_promptly(grace: float = GRACE):
    """For the block: SIGTERM behaves as Ctrl-C, a watchdog bounds the stop, and an error ending the
    block after a signal becomes `Interrupted` (one line, exit status 128 + signal)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    previous_term = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    watchdog = _Watchdog(reader, grace)
    watchdog.start()
    try:
        yield
    except BaseException as exc:  # also Dagster's DagsterExecutionInterruptedError (a BaseException)
        if isinstance(exc, SystemExit | GeneratorExit):
            raise
        time.sleep(0.05)  # let the watchdog read the signal that caused this, if one did
        if watchdog.first is not None or not isinstance(exc, Exception):
            raise Interrupted(watchdog.first or signal.SIGINT, watchdog.first is not None) from None
        raise
    finally:
        watchdog.done.set()
        watchdog.join(1.0)
        signal.signal(signal.SIGTERM, previous_term)
        signal.set_wakeup_fd(previous_fd)
        reader.close()
        writer.close()
