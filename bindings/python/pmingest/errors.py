"""Exceptions raised by pmingest.

Every failing ``pm_*`` call returns a ``pm_status`` (see ``include/pmingest.h``); the binding
raises the class mapped to that status below, so callers can catch by meaning::

    try:
        repo.upsert(trade)
    except PmDatabaseBusy:       # also a PmStorageError
        ...

``PmError.status`` is the numeric status (stable: numbers never change), ``status_name`` the
library's short name for it (``pm_status_str``), and ``message`` the detail the library recorded
for the failing call (``pm_last_error``), read on the same thread right after the call.
``http_status`` is the HTTP status code behind the failure (``pm_last_error_http_status``): an
``int`` such as 404, 429 or 503 on a ``PmHTTPError`` (and on ``PmNoOrderBook``, an unknown
token's ``PmInvalidArgument``, a ``PmTimeoutError`` whose last attempt got an answer), ``None``
when the failure had no HTTP answer. (``status`` stays the ``pm_status`` number, so one
``except PmError as e: e.status`` works for every error.)
Errors detected by the binding itself before calling C use the same classes and numbers.

The errors of a bad value are also ``ValueError`` s: ``PmInvalidArgument`` (and
``PmInvalidUTF8``), ``PmParseError`` (like ``json.JSONDecodeError``) and ``PmRangeError``, so a
value type's constructor that refuses a price raises something ``except ValueError`` catches.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple, Type

__all__ = [
    "PmError",
    "PmInvalidArgument",
    "PmInvalidUTF8",
    "PmNetworkError",
    "PmTimeoutError",
    "PmHTTPError",
    "PmParseError",
    "PmRangeError",
    "PmTooLargeError",
    "PmStaleDataError",
    "PmBookInvalid",
    "PmStorageError",
    "PmDatabaseBusy",
    "PmDatabaseCorrupt",
    "PmCannotOpenDatabase",
    "PmMisuse",
    "PmCancelled",
    "PmInternalError",
    "PmNoOrderBook",
    "exception_class",
]

# Fallback names, used only when an exception is built without the library's pm_status_str().
_FALLBACK_NAMES: Dict[int, str] = {
    1: "invalid argument",
    2: "invalid UTF-8",
    3: "network error",
    4: "timeout",
    5: "HTTP error",
    6: "parse error",
    7: "out of range",
    8: "too large",
    9: "stale data",
    10: "invalid order book",
    11: "storage error",
    12: "database busy",
    13: "database corrupt",
    14: "cannot open database",
    15: "misuse",
    16: "cancelled",
    17: "internal error",
    18: "no order book",
}


class PmError(Exception):
    """Base class of every pmingest error. ``status`` is the ``pm_status`` number."""

    #: The pm_status this class stands for (the instance attribute holds the actual code).
    status: int = -1

    def __init__(
        self,
        message: str = "",
        status: Optional[int] = None,
        status_name: Optional[str] = None,
        *,
        http_status: Optional[int] = None,
    ) -> None:
        if status is None:
            status = type(self).status
        if status_name is None:
            status_name = _FALLBACK_NAMES.get(status, "unknown status")
        self.status = status
        self.status_name = status_name
        self.message = message
        #: The HTTP status code behind the failure (e.g. 404, 503), None when it had none.
        self.http_status: Optional[int] = http_status
        super().__init__(f"{status_name}: {message}" if message else status_name)

    def __reduce__(self) -> Tuple[object, ...]:
        # keep status, name and HTTP status across pickling (multiprocessing, logging)
        return (_rebuild, (type(self), self.message, self.status, self.status_name, self.http_status))


def _rebuild(
    cls: Type[PmError], message: str, status: int, status_name: str, http_status: Optional[int]
) -> PmError:
    return cls(message, status, status_name, http_status=http_status)


class PmInvalidArgument(PmError, ValueError):
    """NULL or closed handle, missing field, malformed or out-of-range argument (1)."""

    status = 1


class PmInvalidUTF8(PmInvalidArgument):
    """A string argument is not valid UTF-8 (2)."""

    status = 2


class PmNetworkError(PmError):
    """Connection failed or dropped (3)."""

    status = 3


class PmTimeoutError(PmError):
    """An operation ran past its time limit (4)."""

    status = 4


class PmHTTPError(PmError):
    """The server answered with an HTTP error status (5)."""

    status = 5


class PmParseError(PmError, ValueError):
    """Input or a response could not be parsed (6)."""

    status = 6


class PmRangeError(PmError, ValueError):
    """A number does not fit, e.g. a decimal beyond int64 micro-units (7)."""

    status = 7


class PmTooLargeError(PmError):
    """A response or message exceeded its size cap (8)."""

    status = 8


class PmStaleDataError(PmError):
    """Data older than the allowed age (9)."""

    status = 9


class PmBookInvalid(PmError):
    """An order book is empty, crossed or otherwise unusable (10)."""

    status = 10


class PmStorageError(PmError):
    """SQLite reported an error (11); base of the more specific database errors."""

    status = 11


class PmDatabaseBusy(PmStorageError):
    """The database stayed locked past the busy timeout (12)."""

    status = 12


class PmDatabaseCorrupt(PmStorageError):
    """The file is not a pmingest/SQLite database, is damaged, or has a newer schema (13)."""

    status = 13


class PmCannotOpenDatabase(PmStorageError):
    """The database file cannot be opened or created: missing directory, permissions (14)."""

    status = 14


class PmMisuse(PmError):
    """A call made in a state that does not allow it (15)."""

    status = 15


class PmCancelled(PmError):
    """The operation was cancelled (16)."""

    status = 16


class PmInternalError(PmError):
    """An unexpected internal failure; the message says what (17)."""

    status = 17


class PmNoOrderBook(PmBookInvalid):
    """The CLOB has no order book for the token (18): ``GET /book`` answered HTTP 404, as it does
    for a resolved market's token or an unknown one. Final, never retried; a ``PmBookInvalid``,
    so ``except PmBookInvalid`` still catches it."""

    status = 18


_BY_STATUS: Dict[int, Type[PmError]] = {
    cls.status: cls
    for cls in (
        PmInvalidArgument,
        PmInvalidUTF8,
        PmNetworkError,
        PmTimeoutError,
        PmHTTPError,
        PmParseError,
        PmRangeError,
        PmTooLargeError,
        PmStaleDataError,
        PmBookInvalid,
        PmStorageError,
        PmDatabaseBusy,
        PmDatabaseCorrupt,
        PmCannotOpenDatabase,
        PmMisuse,
        PmCancelled,
        PmInternalError,
        PmNoOrderBook,
    )
}


def exception_class(status: int) -> Type[PmError]:
    """The exception class for a pm_status; ``PmError`` for a status this binding does not know."""
    return _BY_STATUS.get(status, PmError)
