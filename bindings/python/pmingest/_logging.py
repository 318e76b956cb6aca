"""The library's log into Python's ``logging``: loggers ``pmingest.http``, ``pmingest.stream``,
``pmingest.lws`` …

Installed at import for WARNING and above (retries, reconnects, dropped or skipped stream data);
``set_log_level(logging.DEBUG)`` lowers it. The trampoline runs on library threads (the HTTP
thread, a stream's service thread): it only hands the line to ``logging`` and swallows every
exception, because an exception cannot cross back into C. It is unregistered at exit, before the
interpreter can no longer run Python code.

``set_log_level`` only changes the level (``pm_set_log_level``): it never waits for a line being
delivered, so a ``logging`` handler may call it from inside ``emit`` — for a pmingest record on a
library thread, or for any record while another thread's pmingest record waits for the same
handler's lock — without deadlocking. The trampoline itself is installed once.

The ``pmingest`` logger has a ``logging.NullHandler``: with no logging configured, the library's
warnings go nowhere (a library must not print; without it, ``logging``'s last-resort handler
would write them to stderr). Configure logging (``logging.basicConfig()``, a handler on
``pmingest`` or on the root logger) and they show as any other record.
"""

from __future__ import annotations

import atexit
import logging
from typing import Optional

from . import _ffi

# The library convention (logging's "Configuring Logging for a Library"): records reach the
# application's handlers, or nothing; never the last-resort handler's stderr.
logging.getLogger("pmingest").addHandler(logging.NullHandler())

_LEVELS = {0: logging.DEBUG, 1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
_TO_PM = [(logging.ERROR, 4), (logging.WARNING, 3), (logging.INFO, 2), (logging.DEBUG, 1)]


def _log_line(level: int, subsystem: Optional[bytes], message: Optional[bytes], _userdata: Optional[int]) -> None:
    # runs on a library thread
    try:
        name = "pmingest." + (subsystem or b"").decode("utf-8", "replace")
        logging.getLogger(name).log(_LEVELS.get(level, logging.WARNING), (message or b"").decode("utf-8", "replace"))
    except BaseException:  # noqa: BLE001 - nothing may propagate into C
        pass


_trampoline = _ffi.pm_log_cb(_log_line)  # referenced for the life of the process


_NO_FREE = _ffi.pm_userdata_free_cb()  # NULL function pointer


_installed = False


def set_log_level(level: int) -> None:
    """Forwards the library's log lines at ``level`` (a ``logging`` level) and above. Safe from
    inside a ``logging`` handler."""
    global _installed
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError(f"level must be a logging level (int), not {type(level).__name__}")
    pm_level = next((pm for py, pm in _TO_PM if level >= py), 0)
    if _installed:
        _ffi.pm_set_log_level(pm_level)
    else:
        _ffi.pm_set_log_callback(_trampoline, pm_level, None, _NO_FREE)
        _installed = True


def _disable() -> None:
    try:
        _ffi.pm_set_log_callback(_ffi.pm_log_cb(), 3, None, _NO_FREE)
    except Exception:  # noqa: BLE001 - at exit, best effort
        pass


set_log_level(logging.WARNING)
atexit.register(_disable)
