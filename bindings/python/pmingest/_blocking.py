"""Private: owned handles that blocking calls share, and Ctrl-C for blocking calls.

``Guard`` owns one C pointer (a ``pm_client`` or ``pm_fetcher``), counts the calls that are using
it, and frees it only once none is (the pattern of ``Database._use``): the header allows freeing a
client only "once no other call on this client can start".

``interruptible(cancel, work)`` runs ``work()`` so that Ctrl-C can end it, on the calling thread
and without starting a thread per call. A ctypes call cannot be interrupted by SIGINT: the main
thread sits inside C (the GIL released) and Python's signal handler only runs after the call
returns, possibly minutes later (a hung server). But CPython's C-level signal handler also writes
the signal number to the "wakeup fd" (``signal.set_wakeup_fd``). So on the main thread, for the
duration of ``work()``:

- the wakeup fd is a pipe read by ONE long-lived daemon thread (``pmingest-interrupt``, started on
  first use); on a SIGINT byte it calls ``cancel()`` (``pm_client_cancel``, safe from any thread),
  repeating it every CANCEL_RETRY_S while the call is still running (a call that had not yet
  registered with the library when the first cancel came is caught by a later one). Bytes are
  forwarded to the wakeup fd that was set before (asyncio's), so nothing is lost;
- the Python SIGINT handler is a stand-in that only records the interrupt, so KeyboardInterrupt
  cannot land in the middle of ``work()``'s bookkeeping (a ``finally`` that frees a C list or ends
  a ``Guard.use``). When ``work()`` has returned (the cancelled call ends with PM_E_CANCELLED at
  once), the previous handler is put back and, if a SIGINT came, called: the default one raises
  KeyboardInterrupt, with the cancelled call's error as its context.

Off the main thread (where Python never delivers signals), when SIGINT has no Python handler
(ignored, or the default action), or inside another ``interruptible`` on the same thread, ``work()``
simply runs. ``work`` makes the C call(s) and converts the results on the calling thread:
``_ffi._check`` reads ``pm_last_error()`` right after each call (the message is thread-local).
"""

from __future__ import annotations

import ctypes
import importlib
import os
import select
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, TypeVar

T = TypeVar("T")

# The signal module's C half: signal.signal's enum wrapping costs ~15 us a call. It has no type
# stub (typeshed types only `signal`), so it is loaded by name and used as Any.
_signal: Any = importlib.import_module("_signal")

#: After Ctrl-C: how often cancel() is repeated while the call is still running (a call that had
#: not yet registered itself with the library when the first cancel came is caught by a later one).
#: Also how often Guard.close() repeats its interrupt.
CANCEL_RETRY_S = 0.05
#: After Ctrl-C: how long the watcher keeps repeating cancel() for one call.
CANCEL_WAIT_S = 5.0


class Guard:
    """One owned C pointer, the calls using it, and its release (idempotent, waits for calls)."""

    def __init__(self, ptr: "ctypes._Pointer[Any]", free: Callable[[Any], None], what: str) -> None:
        self._lock = threading.Condition()
        self._in_flight = 0
        self._free = free
        self._what = what
        self._ptr: Optional["ctypes._Pointer[Any]"] = ptr

    @property
    def closed(self) -> bool:
        return self._ptr is None

    @contextmanager
    def use(self) -> Iterator["ctypes._Pointer[Any]"]:
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


class _Watcher:
    """The wakeup pipe and the one thread that turns a SIGINT byte into ``cancel()`` calls."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.read_fd, False)
        os.set_blocking(self.write_fd, False)  # set_wakeup_fd requires it
        self.lock = threading.Lock()
        # Guarded by lock: the call in progress on the main thread (its cancel), whether a SIGINT
        # came during it, and the wakeup fd that was set before ours (forwarded to).
        self.cancel: Optional[Callable[[], None]] = None
        self.interrupted = False
        self.previous_fd = -1
        self.thread = threading.Thread(target=self._run, name="pmingest-interrupt", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                select.select([self.read_fd], [], [])
                data = os.read(self.read_fd, 512)
            except BlockingIOError:
                continue
            except OSError:  # pragma: no cover - the pipe is never closed
                return
            with self.lock:
                previous = self.previous_fd
                cancel = self.cancel if _SIGINT in data else None
                if cancel is not None:
                    self.interrupted = True
            if previous >= 0:
                try:
                    os.write(previous, data)
                except OSError:
                    pass
            if cancel is not None:
                self._cancel_while_running(cancel)

    def _cancel_while_running(self, cancel: Callable[[], None]) -> None:
        waited = 0.0
        while waited < CANCEL_WAIT_S:
            try:
                cancel()
            except Exception:  # a closed handle: nothing left to cancel
                return
            time.sleep(CANCEL_RETRY_S)
            waited += CANCEL_RETRY_S
            with self.lock:
                if self.cancel is not cancel:
                    return


_SIGINT = int(_signal.SIGINT)
_watcher: Optional[_Watcher] = None
_watcher_lock = threading.Lock()
_active = False  # main thread only: an interruptible call is in progress


def _the_watcher() -> _Watcher:
    global _watcher
    with _watcher_lock:
        if _watcher is None:
            _watcher = _Watcher()
        return _watcher


_sigint_seen = False  # main thread only: the stand-in handler ran during the call


def _record_sigint(signum: int, frame: Any) -> None:
    """The stand-in SIGINT handler during a call (runs on the main thread once the C call has
    returned): records the interrupt, to be delivered when the call has ended."""
    global _sigint_seen
    _sigint_seen = True


def interruptible(cancel: Callable[[], None], work: Callable[[], T]) -> T:
    """work() with Ctrl-C support on the main thread (see the module docstring)."""
    global _active, _sigint_seen
    if _active or threading.current_thread() is not threading.main_thread():
        return work()
    handler = _signal.getsignal(_SIGINT)
    if not callable(handler):  # SIG_IGN / SIG_DFL / None: nothing Python could deliver
        return work()
    watcher = _the_watcher()
    _active = True
    _sigint_seen = False
    previous_fd: Optional[int] = None
    try:
        with watcher.lock:
            watcher.cancel = cancel
            watcher.interrupted = False
        _signal.signal(_SIGINT, _record_sigint)
        previous_fd = int(_signal.set_wakeup_fd(watcher.write_fd, warn_on_full_buffer=False))
        with watcher.lock:
            watcher.previous_fd = previous_fd if previous_fd != watcher.write_fd else -1
        result = work()
    finally:
        if previous_fd is not None and previous_fd != watcher.write_fd:
            _signal.set_wakeup_fd(previous_fd)
        _signal.signal(_SIGINT, handler)
        with watcher.lock:
            watcher.cancel = None
            watcher.previous_fd = -1
            interrupted = watcher.interrupted or _sigint_seen
            watcher.interrupted = False
        _active = False
        _sigint_seen = False
        if interrupted:
            handler(_SIGINT, None)  # the default handler raises KeyboardInterrupt
    return result
