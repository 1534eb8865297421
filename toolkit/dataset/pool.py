"""Run one function over many files so that no file can take the batch down: time limits, memory
caps, crash isolation.

The default is a local process pool with one worker per core. Any `concurrent.futures.Executor`
(a thread pool, a Dask `Client(...).get_executor()`) may be passed instead; time limits are then
enforced from the caller's side, and if that executor breaks the rest of the batch moves to a local
pool.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None

TIMEOUT = 60.0  # default per-file time limit, seconds
MEMORY_LIMIT = 4 << 30  # default address space a worker may add while reading one file, bytes
POLL = 0.25  # seconds between looks at the clock while waiting for results
GRACE = 5.0  # seconds past the limit before a stuck worker is killed from outside
STARTUP = 300.0  # seconds a new pool may take to start its workers


@dataclass(frozen=True)
class Failure:
    """What happened to a task that returned nothing: kind is 'timeout', 'memory', 'crash' or
    'error'.
    """

    kind: str
    message: str


class FileTimeout(BaseException):
    """Raised inside a worker when its file runs past the limit (a BaseException: no reader swallows
    it).
    """


def _on_alarm(signum, frame):
    raise FileTimeout


def guarded(fn: Callable, timeout: float | None, arg: Any) -> Any:
    """Worker side: fn(arg) under a SIGALRM limit where signals can reach it (the worker's main
    thread).
    """
    armed = (
        bool(timeout)
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
    )
    if armed:
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn(arg)
    except FileTimeout:
        return Failure("timeout", f"stopped after the per-file time limit of {timeout:g} s")
    except MemoryError:
        return Failure("memory", "the worker's memory cap was reached")
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def init_worker(memory_limit: int | None, parent: int | None = None) -> None:
    """Pool initializer: ignore Ctrl-C (the parent handles it), cap the address space a file may
    add, die with the parent.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        threading.Thread(
            target=_exit_with, args=(parent,), daemon=True, name="ogi-parent-watch"
        ).start()
    if memory_limit and resource is not None:
        base = _vm_size()
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = base + memory_limit
        resource.setrlimit(
            resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard)
        )


def _exit_with(parent: int) -> None:
    """A worker whose build was killed would wait forever on its task queue: leave when the parent
    is gone.
    """
    while True:
        time.sleep(1.0)
        try:
            os.kill(parent, 0)
            with open(f"/proc/{parent}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":  # killed, not yet reaped
                    os._exit(1)
        except (ProcessLookupError, PermissionError):  # gone (or its pid reused by another user)
            os._exit(1)
        except OSError:  # no /proc: the signal test above is all there is
            pass


def _vm_size() -> int:
    """Current virtual memory size of this process in bytes (0 where /proc is absent)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _start_methods() -> list[str]:
    """forkserver first (workers start clean: no inherited threads or memory); fork if its workers
    cannot start.
    """
    methods = mp.get_all_start_methods()
    if "forkserver" in methods and "fork" in methods and sys.platform != "darwin":
        return ["forkserver", "fork"]
    return ["spawn"]


_working_method: list[
    str
] = []  # the start method that worked in this process, so a fallback is found once


def local_pool(workers: int, memory_limit: int | None) -> ProcessPoolExecutor:
    """A started pool: its workers are up (imports done) before any file's clock starts."""
    for method in _working_method or _start_methods():
        ctx = mp.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["toolkit.dataset.run"])
        pool = ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=init_worker, initargs=(memory_limit, os.getpid())
        )
        try:
            for fut in [pool.submit(_ready) for _ in range(workers)]:
                fut.result(timeout=STARTUP)
        except (BrokenExecutor, TimeoutError):
            pool.shutdown(wait=False, cancel_futures=True)
            warnings.warn(
                f"worker processes could not start with {method!r} "
                "(a script run from stdin, or one without "
                "`if __name__ == '__main__':`?); trying the next start method",
                RuntimeWarning,
                stacklevel=2,
            )
            continue
        _working_method[:] = [method]
        return pool
    raise RuntimeError(
        "no worker process could be started; pass executor=concurrent.futures.ThreadPoolExecutor() "
        "to read in this process"
    )


def _ready() -> bool:
    return True


def foreign_workers(executor: Executor) -> int:
    """How many tasks an executor runs at once (a Dask client: its threads), to size the window."""
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - an estimate is enough
            pass
    return getattr(executor, "_max_workers", None) or os.cpu_count() or 1


def robust_map(
    fn: Callable,
    items: Iterable[tuple[Any, Any]],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    timeout: float | None = TIMEOUT,
    memory_limit: int | None = None,
    grace: float = GRACE,
) -> Iterator[tuple[Any, Any]]:
    """Yield (key, fn(arg) or Failure) for every (key, arg), in completion order; never raises for a
    task.
    """
    queue = deque(items)
    if executor is not None:
        runner = _Runner(
            fn, timeout, workers or foreign_workers(executor), memory_limit, grace, executor
        )
        yield from runner.drive(queue)
        if not runner.broken:
            return
        queue.extendleft(reversed(runner.suspects))  # the executor broke: finish on local processes
    yield from _Runner(fn, timeout, workers or os.cpu_count() or 1, memory_limit, grace).run(queue)


class _Runner:
    """Keeps at most `workers` tasks in flight, so a task starts when submitted and its clock is
    honest.
    """

    def __init__(
        self, fn, timeout, workers, memory_limit, grace, executor: Executor | None = None
    ) -> None:
        self.fn, self.timeout, self.workers, self.memory_limit = fn, timeout, workers, memory_limit
        self.executor, self.own = executor, executor is None
        self.broken, self.suspects = False, []
        # own pool: kill `grace` s past the worker's own alarm; foreign: tasks may queue, so allow
        # twice the limit
        self.deadline = (
            None if not timeout else (timeout + grace if self.own else 2 * timeout + grace)
        )

    def run(self, queue: deque) -> Iterator[tuple[Any, Any]]:
        """Own pools until the queue is empty; after a break, each suspect runs alone to find the
        culprit.
        """
        while queue:
            self.executor = local_pool(min(self.workers, len(queue)), self.memory_limit)
            self.broken, self.suspects = False, []
            try:
                yield from self.drive(queue)
            finally:
                self.executor.shutdown(wait=False, cancel_futures=True)
            for key, arg in self.suspects:
                yield key, self.alone(arg)

    def drive(self, queue: deque) -> Iterator[tuple[Any, Any]]:
        """Submit, collect and watch the clock until the queue is empty or the executor breaks."""
        inflight: dict[Future, tuple[Any, Any, float]] = {}
        while (queue or inflight) and not self.broken:
            self._fill(inflight, queue)
            done, _ = wait(inflight, timeout=POLL, return_when=FIRST_COMPLETED)
            finished = [(inflight.pop(fut), self._outcome(fut)) for fut in done]
            if not any(outcome is None for _, outcome in finished):
                # the workers start on the next files while the caller stores these
                self._fill(inflight, queue)
            for (key, arg, _), outcome in finished:
                if outcome is None:
                    self.broken = True
                    self.suspects.append((key, arg))
                else:
                    yield key, outcome
            yield from self._overdue(inflight, queue)
        if self.broken:
            self.suspects += [(key, arg) for key, arg, _ in inflight.values()]

    def _fill(self, inflight: dict, queue: deque) -> None:
        """Submit from the queue until `workers` tasks are in flight (or the executor turns out
        broken).
        """
        while queue and len(inflight) < self.workers and not self.broken:
            key, arg = queue[0]
            try:
                inflight[self.executor.submit(guarded, self.fn, self.timeout, arg)] = (
                    key,
                    arg,
                    time.monotonic(),
                )
                queue.popleft()
            except (
                BrokenExecutor,
                RuntimeError,
            ):  # broke (or shut down) since the last look: nothing was lost
                self.broken = True

    def _outcome(self, fut: Future) -> Any:
        """The task's value, a Failure, or None when the executor itself broke."""
        try:
            return fut.result()
        except BrokenExecutor:
            return None
        except Exception as exc:  # noqa: BLE001 - the task raised, a Dask worker was lost, a result would not pickle
            kind = "crash" if type(exc).__name__ in ("KilledWorker", "CancelledError") else "error"
            return Failure(kind, f"{type(exc).__name__}: {exc}")

    def _overdue(self, inflight: dict, queue: deque) -> Iterator[tuple[Any, Any]]:
        """Tasks past the deadline become timeouts; in an own pool the workers are killed and the
        rest re-queued.
        """
        if self.deadline is None:
            return
        now = time.monotonic()
        late = [fut for fut, (_, _, t0) in inflight.items() if now - t0 > self.deadline]
        for fut in late:
            key, _, _ = inflight.pop(fut)
            fut.cancel()
            yield (
                key,
                Failure(
                    "timeout",
                    f"killed after {self.deadline:g} s (the per-file limit is {self.timeout:g} s)",
                ),
            )
        if late and self.own:
            _kill_workers(self.executor)
            queue.extendleft(reversed([(key, arg) for key, arg, _ in inflight.values()]))
            inflight.clear()
            self.broken = True

    def alone(self, arg: Any) -> Any:
        """Run one suspect in a fresh one-worker pool: a crash now is this file's doing."""
        pool = local_pool(1, self.memory_limit)
        try:
            fut = pool.submit(guarded, self.fn, self.timeout, arg)
            try:
                return fut.result(timeout=self.deadline)
            except BrokenProcessPool:
                return Failure(
                    "crash",
                    "the worker process died reading this file (a crash in a library, "
                    "or the memory cap was reached)",
                )
            except TimeoutError:
                _kill_workers(pool)
                return Failure(
                    "timeout",
                    f"killed after {self.deadline:g} s (the per-file limit is {self.timeout:g} s)",
                )
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def _kill_workers(pool: Executor) -> None:
    """Kill a local pool's worker processes (a stuck C call ignores the alarm; only a signal stops
    it).
    """
    for proc in list(getattr(pool, "_processes", {}).values()):
        try:
            proc.kill()
        except (OSError, AttributeError):
            pass
