"""Making residents' files safe in worker processes, killed and replaced when one overruns.

The sanitiser parses hostile input with native code (Pillow's decoders, PDFium): a file that
hangs or crashes a decoder, or makes it allocate without bound, must cost one worker process,
never the service. Never logs or returns anything of a file but the rebuilt bytes.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from bot.fork_server import fork_server_context
from privacy.attachments import AttachmentRefused, Limits, Refusal, Sanitised, sanitise

MEMORY_LIMIT_BYTES = 2 * 1024**3
"""The address space a worker may use: a 50 MP picture decodes to some 200 MB, so this is
room to spare for a real file and a wall for a decompression bomb."""

WORKERS = 2
"""Files made safe at once; more wait their turn (a file is rare next to text)."""

Sanitiser = Callable[[bytes, Limits], Sanitised]
Outcome = tuple[Sanitised | None, str | None]
UNREADABLE: Outcome = (None, str(Refusal.UNREADABLE))


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still holds
        return
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def _one_file(data: bytes, limits: Limits, sanitiser: Sanitiser) -> Outcome:
    try:
        return sanitiser(data, limits), None
    except AttachmentRefused as refused:
        return None, str(refused.reason)
    except MemoryError:
        return None, str(Refusal.TOO_MANY_PIXELS)
    except Exception:  # a decoder's own error on hostile input: the file is unreadable
        return UNREADABLE


def _serve(connection: Connection) -> None:
    """The worker: one file at a time, until its pipe closes."""
    _limit_memory()
    while True:
        try:
            data, limits, sanitiser = connection.recv()
        except EOFError:
            return
        connection.send(_one_file(data, limits, sanitiser))


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection

    @classmethod
    def start(cls) -> _Worker:
        ours, theirs = multiprocessing.Pipe()
        process = fork_server_context().Process(target=_serve, args=(theirs,), daemon=True)  # type: ignore[attr-defined]
        process.start()
        theirs.close()
        return cls(process, ours)

    def run(
        self, data: bytes, limits: Limits, seconds: float, sanitiser: Sanitiser
    ) -> Outcome | None:
        """The outcome, or None when the worker overran or died (it must then be killed)."""
        try:
            self.connection.send((data, limits, sanitiser))
            if not self.connection.poll(seconds):
                return None
            outcome: Outcome = self.connection.recv()
        except (EOFError, OSError):  # it died without an answer (a crash, the memory wall)
            return None
        return outcome

    def kill(self) -> None:
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.process.close()


class SanitiserWorkers:
    """Up to `WORKERS` worker processes, started on the first file; each serves one file at a
    time, and one that overruns its time or dies is killed and replaced on its next use."""

    def __init__(self, size: int = WORKERS) -> None:
        # Last in, first out: a warm worker takes the next file before a second one starts
        # (a worker's start imports the service's main module: about a second).
        self._free: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(size):
            self._free.put(None)
        self._size = size

    def run(
        self, data: bytes, limits: Limits, seconds: float, *, sanitiser: Sanitiser = sanitise
    ) -> Outcome:
        """The rebuilt file, or the refusal's code (`unreadable` for a worker that overran
        `seconds` or died). Blocking: call it on a thread."""
        worker = self._free.get()
        try:
            if worker is None:
                worker = _Worker.start()
            outcome = worker.run(data, limits, seconds, sanitiser)
            if outcome is None:
                worker.kill()
                worker = None
                return UNREADABLE
            return outcome
        finally:
            self._free.put(worker)

    def close(self) -> None:
        """Stop the idle workers (at shutdown; a worker still busy ends with its file)."""
        idle = []
        for _ in range(self._size):
            try:
                worker = self._free.get_nowait()
            except queue.Empty:  # busy ones come back when their file is done
                break
            if worker is not None:
                worker.kill()
            idle.append(worker)
        for _ in idle:
            self._free.put(None)
