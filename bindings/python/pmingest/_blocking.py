"""Private: owned handles that blocking calls share, and Ctrl-C for blocking calls.

``Guard`` owns one C pointer (a ``pm_client`` or ``pm_fetcher``), counts the calls that are using
it, and frees it only once none is (the pattern of ``Database._use``): the header allows freeing a
client only "once no other call on this client can start".

``interruptible(cancel, work)`` runs ``work()`` so that Ctrl-C can end it. A ctypes call cannot be
interrupted by SIGINT: the main thread sits inside C and Python's signal handler only runs after
the call returns, possibly minutes later (a hung server). So on the main thread the work runs on a
short-lived worker thread while the main thread waits in 0.1 s slices, where KeyboardInterrupt
can land. On KeyboardInterrupt the waiter calls ``cancel()`` (``pm_client_cancel``, which is safe
from any thread), waits for the worker (the call returns PM_E_CANCELLED at once) and re-raises.

``work`` makes the C call(s) AND converts the results on the worker thread: ``_ffi._check`` reads
``pm_last_error()`` right after each call on the thread that made it (the message is
thread-local), and owned C lists are freed where they were obtained. The exception or the plain
Python result is carried back to the caller. Off the main thread (where Python never delivers
KeyboardInterrupt) ``work()`` simply runs on the calling thread.
"""

from __future__ import annotations

import ctypes
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional, TypeVar

T = TypeVar("T")

#: How long the waiting thread sleeps between checks for KeyboardInterrupt.
WAIT_SLICE_S = 0.1
#: After Ctrl-C: how often cancel() is repeated while the worker finishes (a call that had not yet
#: registered itself with the library when the first cancel came is caught by a later one).
CANCEL_RETRY_S = 0.05
#: After Ctrl-C: how long to wait for the cancelled call before re-raising anyway. The worker then
#: finishes on its own (it frees whatever it obtained and releases its handles).
CANCEL_WAIT_S = 5.0


class Guard:
    """One owned C pointer, the calls using it, and its release (idempotent, waits for calls)."""

    def __init__(self, ptr: "ctypes._Pointer", free: Callable[[Any], None], what: str) -> None:
        self._lock = threading.Condition()
        self._in_flight = 0
        self._free = free
        self._what = what
        self._ptr: Optional[ctypes._Pointer] = ptr

    @property
    def closed(self) -> bool:
        return self._ptr is None

    @contextmanager
    def use(self) -> Iterator["ctypes._Pointer"]:
        """The pointer for one call; close() waits until no call is using it."""
        with self._lock:
            if self._ptr is None:
                raise ValueError(f"{self._what} is closed")
            self._in_flight += 1
            ptr = self._ptr
        try:
            yield ptr
        finally:
            with self._lock:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._lock.notify_all()

    def with_pointer(self, action: Callable[[Any], None]) -> bool:
        """Runs action(ptr) under the lock if still open (so close() cannot free the pointer
        meanwhile); False when closed. For quick, non-blocking calls such as pm_client_cancel."""
        with self._lock:
            if self._ptr is None:
                return False
            action(self._ptr)
            return True

    def close(
        self,
        interrupt: Optional[Callable[[Any], None]] = None,
        before_free: Optional[Callable[[], None]] = None,
    ) -> bool:
        """Refuses new calls, waits for calls in progress, runs before_free(), frees the pointer.
        While waiting, interrupt(ptr) is called every CANCEL_RETRY_S (to cancel the calls in
        progress). False when it was already closed."""
        with self._lock:
            ptr, self._ptr = self._ptr, None
            if ptr is None:
                return False
            while self._in_flight:
                if interrupt is not None:
                    interrupt(ptr)
                self._lock.wait(CANCEL_RETRY_S if interrupt is not None else None)
        try:
            if before_free is not None:
                before_free()
        finally:
            self._free(ptr)
        return True

    def free_unreachable(self) -> None:
        """__del__ fallback: nothing can be using the pointer once its owner is unreachable."""
        ptr, self._ptr = self._ptr, None
        if ptr:
            try:
                self._free(ptr)
            except Exception:  # interpreter shutdown may have torn ctypes down already
                pass


def interruptible(cancel: Callable[[], None], work: Callable[[], T]) -> T:
    """work() with Ctrl-C support on the main thread (see the module docstring).

    The waiter waits on an Event that the worker sets when it is done, never on Thread.join():
    on CPython 3.11 (gh-90882, the bpo-45274 change), a join interrupted by KeyboardInterrupt
    marks the still-running thread as stopped, so is_alive() turns False and the call would
    never be cancelled."""
    if threading.current_thread() is not threading.main_thread():
        return work()

    outcome: List[Any] = []  # [True, result] or [False, exception]
    done = threading.Event()

    def run() -> None:
        try:
            outcome.extend((True, work()))
        except BaseException as error:  # carried back and re-raised on the caller's thread
            outcome.extend((False, error))
        finally:
            done.set()

    worker = threading.Thread(target=run, name="pmingest-blocking-call", daemon=True)
    try:
        worker.start()
        while not done.wait(WAIT_SLICE_S):
            pass
    except KeyboardInterrupt:
        if worker.ident is not None:
            _cancel_and_wait(cancel, worker, done)
        raise
    if not outcome:  # the worker died without recording anything: cannot happen
        raise RuntimeError("pmingest: blocking call ended without a result")
    succeeded, value = outcome
    if succeeded:
        return value
    try:
        raise value
    finally:
        del value, outcome  # no reference cycle through the traceback


def _cancel_and_wait(cancel: Callable[[], None], worker: threading.Thread, done: threading.Event) -> None:
    """Cancels until the worker has finished (or CANCEL_WAIT_S passed). Further Ctrl-Cs while
    cancelling are absorbed: the caller re-raises the first one."""
    waited = 0.0
    while not done.is_set() and waited < CANCEL_WAIT_S:
        try:
            cancel()
            done.wait(CANCEL_RETRY_S)
        except KeyboardInterrupt:
            pass
        waited += CANCEL_RETRY_S
    if done.is_set():
        try:
            worker.join(CANCEL_WAIT_S)  # it only has to return from run() now
        except KeyboardInterrupt:
            pass
