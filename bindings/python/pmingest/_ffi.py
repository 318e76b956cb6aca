"""Private: loads libpmingest and declares every function of include/pmingest.h.

Nothing here is public API. Rules (see the "Python ctypes binding conventions" in the project's
style notes):

* Every ``pm_*`` function in the header is declared below with ``argtypes`` AND ``restype``, with
  its C prototype in the comment above it; ``tests/test_ffi.py`` parses the header and fails on
  any function that is missing or whose types differ.
* Every function returning ``pm_status`` gets ``_check`` as its ``errcheck``: a non-zero status
  raises the mapped ``PmError`` subclass, with ``pm_last_error()`` read first, on the calling
  thread, immediately after the call (the message is thread-local and valid only until the next
  ``pm_*`` call on this thread).
* Handles are ``POINTER(<empty Structure>)``, one type per handle kind, so passing a list where a
  store is expected raises ``ctypes.ArgumentError`` instead of crashing.
* Owned ``char *`` results come back through ``c_void_p`` outs and are freed with
  ``pm_string_free`` in a ``finally`` (``take_string``); a ``c_char_p`` would copy and leak.
* Loaded with ``ctypes.CDLL``, which releases the GIL during each call, so threads can use one
  store concurrently (the library serializes calls on a store internally).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import (
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_int,
    c_int32,
    c_int64,
    c_size_t,
    c_uint,
    c_uint32,
    c_void_p,
)
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .errors import PmError, PmInternalError, exception_class

# ---------------------------------------------------------------------------------------------
# Constants mirrored from include/pmingest.h
# ---------------------------------------------------------------------------------------------

#: PM_ABI_VERSION of the header this binding was written against.
EXPECTED_ABI_VERSION = 0

PM_OK = 0
PM_E_INVALID_ARG = 1
PM_E_INVALID_UTF8 = 2
PM_E_RANGE = 7
PM_E_CANCELLED = 16
PM_E_INTERNAL = 17
PM_E_NO_BOOK = 18

PM_DECIMAL_SCALE = 1_000_000

PM_STORE_OPTIONS_VERSION = 1
PM_TRADE_INPUT_VERSION = 1
PM_TOKEN_META_INPUT_VERSION = 2

PM_CHANGE_INSERTED = 1
PM_CHANGE_UPDATED = 2
PM_CHANGE_UNCHANGED = 3

PM_CLIENT_OPTIONS_VERSION = 3

PM_SIDE_BID = 0
PM_SIDE_ASK = 1

PM_STREAM_OPTIONS_VERSION = 4

# enum pm_overflow_policy
PM_OVERFLOW_DROP_OLDEST = 0
PM_OVERFLOW_PAUSE = 1

# enum pm_stream_stat
PM_STREAM_STAT_FRAMES = 0
PM_STREAM_STAT_EVENTS = 1
PM_STREAM_STAT_PONGS = 2
PM_STREAM_STAT_RECONNECTS = 3
PM_STREAM_STAT_SKIPPED = 4
PM_STREAM_STAT_DROPPED = 5
PM_STREAM_STAT_QUEUED_BYTES = 6
PM_STREAM_STAT_QUEUED_BYTES_PEAK = 7
PM_STREAM_STAT_PAUSES = 8
PM_STREAM_STAT_PAUSE_TIMEOUTS = 9

# enum pm_event_type
PM_EVENT_BOOK = 1
PM_EVENT_PRICE_CHANGE = 2
PM_EVENT_LAST_TRADE_PRICE = 3
PM_EVENT_TICK_SIZE_CHANGE = 4
PM_EVENT_BEST_BID_ASK = 5
PM_EVENT_NEW_MARKET = 6
PM_EVENT_MARKET_RESOLVED = 7
PM_EVENT_LEGACY_PRICE_CHANGE = 8
PM_EVENT_RECONNECTED = 9

# enum pm_size_source
PM_SIZE_NONE = 0
PM_SIZE_STREAM = 1
PM_SIZE_BACKFILL = 2

# enum pm_processor_stat
PM_PROCESSOR_STAT_TOTAL = 0
PM_PROCESSOR_STAT_STREAM_SIZED = 1
PM_PROCESSOR_STAT_G3_BACKFILLED = 2
PM_PROCESSOR_STAT_SIZE_UNKNOWN = 3
PM_PROCESSOR_STAT_FILTERED = 4
PM_PROCESSOR_STAT_PASSED = 5
PM_PROCESSOR_STAT_ERRORS = 6

ENV_LIBRARY = "PMINGEST_LIBRARY"
LIBRARY_FILENAME = "libpmingest.so"

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


# ---------------------------------------------------------------------------------------------
# Locating and loading the library
# ---------------------------------------------------------------------------------------------


def _candidates() -> List[Tuple[str, Optional[str]]]:
    """(description, path-or-None) in search order. An explicit PMINGEST_LIBRARY is the only
    candidate: silently falling back to another copy would hide a wrong path (and let tests run
    against a stale library)."""
    override = os.environ.get(ENV_LIBRARY)
    if override:
        return [(f"${ENV_LIBRARY}={override}", override)]
    here = Path(__file__).resolve().parent
    found: List[Tuple[str, Optional[str]]] = []
    for name in (LIBRARY_FILENAME, f"{LIBRARY_FILENAME}.{EXPECTED_ABI_VERSION}"):
        found.append((str(here / name), str(here / name)))
    system = ctypes.util.find_library("pmingest")
    found.append((f"ctypes.util.find_library('pmingest') -> {system!r}", system))
    return found


def _load() -> Tuple[ctypes.CDLL, str]:
    tried: List[str] = []
    for description, path in _candidates():
        if path is None:
            tried.append(f"{description} (not found)")
            continue
        # A bare soname from find_library is resolved by the dynamic loader; a path must exist.
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{description} (no such file)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as error:
            tried.append(f"{description} ({error})")
    raise ImportError(
        "cannot load libpmingest; tried: "
        + "; ".join(tried)
        + ". Build the self-contained library in the pmingest repository with `make lib` and set "
        f"{ENV_LIBRARY}=/path/to/pmingest/dist/lib/libpmingest.so.0, or install a wheel that "
        "bundles it (`make wheel`, then `pip install dist/wheel/pmingest-*.whl`)."
    )


lib, library_path = _load()


def _check_abi(library: Any) -> None:
    """Refuses a library built for another ABI (uniffi-style contract check)."""
    found = library.pm_abi_version()
    if found != EXPECTED_ABI_VERSION:
        raise ImportError(
            f"rebuild libpmingest: {library_path} has ABI version {found}, but this binding "
            f"expects {EXPECTED_ABI_VERSION} (the library and the Python package are from "
            "different releases)"
        )


# ---------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------


class _Opaque(Structure):
    """Base of the opaque handle types; never instantiated, only pointed to."""


class Store(_Opaque):
    """struct pm_store"""


class Trade(_Opaque):
    """struct pm_trade"""


class Trades(_Opaque):
    """struct pm_trades"""


class TokenMeta(_Opaque):
    """struct pm_token_meta"""


class TokenMetas(_Opaque):
    """struct pm_token_metas"""


class Watermark(_Opaque):
    """struct pm_watermark"""


StoreP = POINTER(Store)
TradeP = POINTER(Trade)
TradesP = POINTER(Trades)
TokenMetaP = POINTER(TokenMeta)
TokenMetasP = POINTER(TokenMetas)
WatermarkP = POINTER(Watermark)


class Client(_Opaque):
    """struct pm_client"""


class Markets(_Opaque):
    """struct pm_markets"""


class Market(_Opaque):
    """struct pm_market"""


class Book(_Opaque):
    """struct pm_book"""


class Books(_Opaque):
    """struct pm_books"""


class Fetcher(_Opaque):
    """struct pm_fetcher"""


class GammaEvents(_Opaque):
    """struct pm_gamma_events"""


class GammaEvent(_Opaque):
    """struct pm_gamma_event"""


ClientP = POINTER(Client)
MarketsP = POINTER(Markets)
GammaEventsP = POINTER(GammaEvents)
GammaEventP = POINTER(GammaEvent)
MarketP = POINTER(Market)
BookP = POINTER(Book)
BooksP = POINTER(Books)
FetcherP = POINTER(Fetcher)


class Stream(_Opaque):
    """struct pm_stream"""


class Event(_Opaque):
    """struct pm_event"""


class Processor(_Opaque):
    """struct pm_processor"""


class Recorder(_Opaque):
    """struct pm_recorder"""


StreamP = POINTER(Stream)
EventP = POINTER(Event)
ProcessorP = POINTER(Processor)
RecorderP = POINTER(Recorder)

pm_status = c_int  # enum pm_status
pm_change = c_int  # enum pm_change
pm_side = c_int  # enum pm_side
pm_event_type = c_int  # enum pm_event_type
pm_stream_stat = c_int  # enum pm_stream_stat
pm_size_source = c_int  # enum pm_size_source
pm_processor_stat = c_int  # enum pm_processor_stat

# typedef void (*pm_event_cb)(const pm_event *event, void *userdata);
# Declared for completeness of the header mirror only: the binding never registers a callback
# (pull model: no Python code ever runs on a library thread). Whoever passes one must keep the
# CFUNCTYPE object referenced for as long as the stream lives.
pm_event_cb = ctypes.CFUNCTYPE(None, EventP, c_void_p)
# void (*userdata_free)(void *userdata)  (parameter of pm_stream_set_callback)
pm_userdata_free_cb = ctypes.CFUNCTYPE(None, c_void_p)
pm_log_level = c_int  # enum pm_log_level
# typedef void (*pm_log_cb)(pm_log_level level, const char *subsystem, const char *message, void *userdata);
# The one push callback the binding registers (a log sink cannot be pulled): a module-level
# trampoline in _logging.py, referenced for the life of the process.
pm_log_cb = ctypes.CFUNCTYPE(None, pm_log_level, ctypes.c_char_p, ctypes.c_char_p, c_void_p)


class StoreOptions(Structure):
    """struct pm_store_options, field by field."""

    _fields_ = [
        ("version", c_uint32),
        ("busy_timeout_ms", c_int32),
    ]


class TradeInput(Structure):
    """struct pm_trade_input, field by field. c_char_p fields point into bytes objects that the
    caller must keep referenced until the call returns."""

    _fields_ = [
        ("version", c_uint32),
        ("token_id", c_char_p),
        ("condition_id", c_char_p),
        ("side", c_char_p),
        ("price", c_char_p),
        ("size", c_char_p),
        ("timestamp_ms", c_int64),
        ("transaction_hash", c_char_p),
        ("proxy_wallet", c_char_p),
        ("outcome", c_char_p),
    ]


class TokenMetaInput(Structure):
    """struct pm_token_meta_input, field by field."""

    _fields_ = [
        ("version", c_uint32),
        ("token_id", c_char_p),
        ("condition_id", c_char_p),
        ("question", c_char_p),
        ("outcome", c_char_p),
        ("outcome_index", c_int32),
        ("tick_size", c_char_p),
        ("min_order_size", c_char_p),
        ("neg_risk", c_bool),
        ("active", c_bool),
        ("closed", c_bool),
        ("end_date_ms", c_int64),
        ("market_slug", c_char_p),
        # version 2:
        ("protocol_version", c_char_p),
    ]


class ClientOptions(Structure):
    """struct pm_client_options, field by field. The URL fields point into bytes objects that the
    caller must keep referenced until pm_client_new returns."""

    _fields_ = [
        ("version", c_uint32),
        ("gamma_url", c_char_p),
        ("clob_url", c_char_p),
        ("data_url", c_char_p),
        ("connect_timeout_ms", c_int32),
        ("total_timeout_ms", c_int32),
        ("max_attempts", c_int32),
        ("max_response_bytes", c_int64),
        ("verify_tls", c_bool),
        ("rate_limit", c_bool),
        # version 2
        ("listing_max_pages", c_int32),
        ("listing_timeout_ms", c_int32),
        # version 3
        ("deadline_ms", c_int32),
    ]


class StreamOptions(Structure):
    """struct pm_stream_options, field by field. `url` points into a bytes object that the caller
    must keep referenced until pm_stream_new returns."""

    _fields_ = [
        ("version", c_uint32),
        ("url", c_char_p),
        ("ping_interval_ms", c_int32),
        ("pong_timeout_ms", c_int32),
        ("asset_silence_timeout_ms", c_int32),
        ("queue_capacity", c_int32),
        ("max_message_bytes", c_int64),
        ("verify_tls", c_bool),
        # version 2
        ("queue_max_bytes", c_int64),
        # version 3: the socket pool
        ("max_assets_per_connection", c_int32),
        ("connect_stagger_ms", c_int32),
        ("subscription_chunk_size", c_int32),
        # version 4: the overflow policy
        ("overflow_policy", c_int32),
        ("max_paused_ms", c_int32),
    ]


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def _decode_message(raw: Optional[bytes]) -> str:
    # An error message may quote the offending (invalid UTF-8) input: never let decoding the
    # message replace the real error with a UnicodeDecodeError.
    return raw.decode("utf-8", "replace") if raw else ""


def error(status: int, message: str, http_status: Optional[int] = None) -> PmError:
    """The exception for `status`, named by the library's pm_status_str()."""
    name = _decode_message(lib.pm_status_str(status)) or "unknown status"
    return exception_class(status)(message, status, name, http_status=http_status)


def _check(result: int, func: Any, args: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """errcheck of every pm_status function."""
    if result != PM_OK:
        # pm_last_error() and pm_last_error_http_status() first: they are thread-local and only
        # valid until the next pm_* call.
        message = _decode_message(lib.pm_last_error())
        http = pm_last_error_http_status()
        raise error(result, message, http if http > 0 else None)
    return args


# ---------------------------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------------------------

#: Sentinel restype: "returns pm_status" -> restype c_int plus errcheck _check.
STATUS = object()

#: Every declared function by name (the header test checks this against pmingest.h).
declared: Dict[str, Any] = {}


def _declare(name: str, restype: Any, argtypes: Sequence[Any]) -> Any:
    try:
        func = getattr(lib, name)
    except AttributeError:
        raise ImportError(
            f"rebuild libpmingest: {library_path} does not export {name}, which this binding "
            "needs (the library is older than the binding)"
        ) from None
    func.argtypes = list(argtypes)
    if restype is STATUS:
        func.restype = pm_status
        func.errcheck = _check
    else:
        func.restype = restype
    declared[name] = func
    return func


# ---- versions ---------------------------------------------------------------------------------
# unsigned pm_abi_version(void);
pm_abi_version = _declare("pm_abi_version", c_uint, [])
_check_abi(lib)  # before anything else: another ABI may not even have the symbols below
# unsigned pm_version_number(void);
pm_version_number = _declare("pm_version_number", c_uint, [])
# const char *pm_version_string(void);
pm_version_string = _declare("pm_version_string", c_char_p, [])

# ---- status and errors ------------------------------------------------------------------------
# const char *pm_status_str(pm_status status);
pm_status_str = _declare("pm_status_str", c_char_p, [pm_status])
# const char *pm_last_error(void);
pm_last_error = _declare("pm_last_error", c_char_p, [])
# void pm_string_free(char *string);
pm_string_free = _declare("pm_string_free", None, [c_void_p])

# ---- exact decimals ---------------------------------------------------------------------------
# pm_status pm_decimal_parse(const char *text, int64_t *out_micros);
pm_decimal_parse = _declare("pm_decimal_parse", STATUS, [c_char_p, POINTER(c_int64)])
# pm_status pm_decimal_format(int64_t micros, char **out);
pm_decimal_format = _declare("pm_decimal_format", STATUS, [c_int64, POINTER(c_void_p)])

# ---- storage ----------------------------------------------------------------------------------
# pm_status pm_store_options_init(pm_store_options *opts, uint32_t version);
pm_store_options_init = _declare("pm_store_options_init", STATUS, [POINTER(StoreOptions), c_uint32])
# pm_status pm_store_open(const char *path, const pm_store_options *opts, pm_store **out);
pm_store_open = _declare(
    "pm_store_open", STATUS, [c_char_p, POINTER(StoreOptions), POINTER(StoreP)]
)
# void pm_store_free(pm_store *store);
pm_store_free = _declare("pm_store_free", None, [StoreP])

# ---- trades -----------------------------------------------------------------------------------
# pm_status pm_store_upsert_trade(pm_store *store, const pm_trade_input *trade, int *out_inserted);
pm_store_upsert_trade = _declare(
    "pm_store_upsert_trade", STATUS, [StoreP, POINTER(TradeInput), POINTER(c_int)]
)
# pm_status pm_store_upsert_trades(pm_store *store, const pm_trade_input *trades, size_t count,
#                                  size_t *out_inserted);
pm_store_upsert_trades = _declare(
    "pm_store_upsert_trades", STATUS, [StoreP, POINTER(TradeInput), c_size_t, POINTER(c_size_t)]
)
# pm_status pm_store_query_trades(pm_store *store, const char *token_id, int64_t from_ms,
#                                 int64_t to_ms, size_t limit, pm_trades **out);
pm_store_query_trades = _declare(
    "pm_store_query_trades",
    STATUS,
    [StoreP, c_char_p, c_int64, c_int64, c_size_t, POINTER(TradesP)],
)
# pm_status pm_store_count_trades(pm_store *store, const char *token_id, int64_t *out_count);
pm_store_count_trades = _declare(
    "pm_store_count_trades", STATUS, [StoreP, c_char_p, POINTER(c_int64)]
)
# size_t pm_trades_count(const pm_trades *trades);
pm_trades_count = _declare("pm_trades_count", c_size_t, [TradesP])
# const pm_trade *pm_trades_at(const pm_trades *trades, size_t index);
pm_trades_at = _declare("pm_trades_at", TradeP, [TradesP, c_size_t])
# void pm_trades_free(pm_trades *trades);
pm_trades_free = _declare("pm_trades_free", None, [TradesP])
# const char *pm_trade_id(const pm_trade *trade);
pm_trade_id = _declare("pm_trade_id", c_char_p, [TradeP])
# const char *pm_trade_token_id(const pm_trade *trade);
pm_trade_token_id = _declare("pm_trade_token_id", c_char_p, [TradeP])
# const char *pm_trade_condition_id(const pm_trade *trade);
pm_trade_condition_id = _declare("pm_trade_condition_id", c_char_p, [TradeP])
# const char *pm_trade_side(const pm_trade *trade);
pm_trade_side = _declare("pm_trade_side", c_char_p, [TradeP])
# const char *pm_trade_price(const pm_trade *trade);
pm_trade_price = _declare("pm_trade_price", c_char_p, [TradeP])
# int64_t pm_trade_price_micros(const pm_trade *trade);
pm_trade_price_micros = _declare("pm_trade_price_micros", c_int64, [TradeP])
# const char *pm_trade_size(const pm_trade *trade);
pm_trade_size = _declare("pm_trade_size", c_char_p, [TradeP])
# int64_t pm_trade_size_micros(const pm_trade *trade);
pm_trade_size_micros = _declare("pm_trade_size_micros", c_int64, [TradeP])
# int64_t pm_trade_timestamp_ms(const pm_trade *trade);
pm_trade_timestamp_ms = _declare("pm_trade_timestamp_ms", c_int64, [TradeP])
# const char *pm_trade_transaction_hash(const pm_trade *trade);
pm_trade_transaction_hash = _declare("pm_trade_transaction_hash", c_char_p, [TradeP])
# const char *pm_trade_proxy_wallet(const pm_trade *trade);
pm_trade_proxy_wallet = _declare("pm_trade_proxy_wallet", c_char_p, [TradeP])
# const char *pm_trade_outcome(const pm_trade *trade);
pm_trade_outcome = _declare("pm_trade_outcome", c_char_p, [TradeP])

# ---- trade watermarks -------------------------------------------------------------------------
# pm_status pm_store_get_watermark(pm_store *store, const char *condition_id, pm_watermark **out);
pm_store_get_watermark = _declare(
    "pm_store_get_watermark", STATUS, [StoreP, c_char_p, POINTER(WatermarkP)]
)
# pm_status pm_store_update_watermark(pm_store *store, const char *condition_id,
#                                     int64_t last_trade_ms, pm_watermark **out);
pm_store_update_watermark = _declare(
    "pm_store_update_watermark", STATUS, [StoreP, c_char_p, c_int64, POINTER(WatermarkP)]
)
# const char *pm_watermark_condition_id(const pm_watermark *watermark);
pm_watermark_condition_id = _declare("pm_watermark_condition_id", c_char_p, [WatermarkP])
# int64_t pm_watermark_last_trade_ms(const pm_watermark *watermark);
pm_watermark_last_trade_ms = _declare("pm_watermark_last_trade_ms", c_int64, [WatermarkP])
# int64_t pm_watermark_updated_at_ms(const pm_watermark *watermark);
pm_watermark_updated_at_ms = _declare("pm_watermark_updated_at_ms", c_int64, [WatermarkP])
# void pm_watermark_free(pm_watermark *watermark);
pm_watermark_free = _declare("pm_watermark_free", None, [WatermarkP])

# ---- token metadata ---------------------------------------------------------------------------
# pm_status pm_store_upsert_token_meta(pm_store *store, const pm_token_meta_input *meta,
#                                      pm_change *out_change);
pm_store_upsert_token_meta = _declare(
    "pm_store_upsert_token_meta", STATUS, [StoreP, POINTER(TokenMetaInput), POINTER(pm_change)]
)
# pm_status pm_store_get_token_meta(pm_store *store, const char *token_id, pm_token_meta **out);
pm_store_get_token_meta = _declare(
    "pm_store_get_token_meta", STATUS, [StoreP, c_char_p, POINTER(TokenMetaP)]
)
# pm_status pm_store_list_token_metas(pm_store *store, pm_token_metas **out);
pm_store_list_token_metas = _declare(
    "pm_store_list_token_metas", STATUS, [StoreP, POINTER(TokenMetasP)]
)
# void pm_token_meta_free(pm_token_meta *meta);
pm_token_meta_free = _declare("pm_token_meta_free", None, [TokenMetaP])
# size_t pm_token_metas_count(const pm_token_metas *metas);
pm_token_metas_count = _declare("pm_token_metas_count", c_size_t, [TokenMetasP])
# const pm_token_meta *pm_token_metas_at(const pm_token_metas *metas, size_t index);
pm_token_metas_at = _declare("pm_token_metas_at", TokenMetaP, [TokenMetasP, c_size_t])
# void pm_token_metas_free(pm_token_metas *metas);
pm_token_metas_free = _declare("pm_token_metas_free", None, [TokenMetasP])
# const char *pm_token_meta_token_id(const pm_token_meta *meta);
pm_token_meta_token_id = _declare("pm_token_meta_token_id", c_char_p, [TokenMetaP])
# const char *pm_token_meta_condition_id(const pm_token_meta *meta);
pm_token_meta_condition_id = _declare("pm_token_meta_condition_id", c_char_p, [TokenMetaP])
# const char *pm_token_meta_question(const pm_token_meta *meta);
pm_token_meta_question = _declare("pm_token_meta_question", c_char_p, [TokenMetaP])
# const char *pm_token_meta_outcome(const pm_token_meta *meta);
pm_token_meta_outcome = _declare("pm_token_meta_outcome", c_char_p, [TokenMetaP])
# int32_t pm_token_meta_outcome_index(const pm_token_meta *meta);
pm_token_meta_outcome_index = _declare("pm_token_meta_outcome_index", c_int32, [TokenMetaP])
# const char *pm_token_meta_tick_size(const pm_token_meta *meta);
pm_token_meta_tick_size = _declare("pm_token_meta_tick_size", c_char_p, [TokenMetaP])
# const char *pm_token_meta_min_order_size(const pm_token_meta *meta);
pm_token_meta_min_order_size = _declare("pm_token_meta_min_order_size", c_char_p, [TokenMetaP])
# bool pm_token_meta_neg_risk(const pm_token_meta *meta);
pm_token_meta_neg_risk = _declare("pm_token_meta_neg_risk", c_bool, [TokenMetaP])
# bool pm_token_meta_active(const pm_token_meta *meta);
pm_token_meta_active = _declare("pm_token_meta_active", c_bool, [TokenMetaP])
# bool pm_token_meta_closed(const pm_token_meta *meta);
pm_token_meta_closed = _declare("pm_token_meta_closed", c_bool, [TokenMetaP])
# int64_t pm_token_meta_end_date_ms(const pm_token_meta *meta);
pm_token_meta_end_date_ms = _declare("pm_token_meta_end_date_ms", c_int64, [TokenMetaP])
# const char *pm_token_meta_market_slug(const pm_token_meta *meta);
pm_token_meta_market_slug = _declare("pm_token_meta_market_slug", c_char_p, [TokenMetaP])
# int64_t pm_token_meta_updated_at_ms(const pm_token_meta *meta);
pm_token_meta_updated_at_ms = _declare("pm_token_meta_updated_at_ms", c_int64, [TokenMetaP])
# const char *pm_token_meta_protocol_version(const pm_token_meta *meta);
pm_token_meta_protocol_version = _declare("pm_token_meta_protocol_version", c_char_p, [TokenMetaP])


# ---- REST: pm_client --------------------------------------------------------------------------
# Every pm_client_* / pm_fetcher_* / pm_verify_* / pm_metadata_sync call blocks. _check reads
# pm_last_error() on the thread that made the call, which is what the interruptible wrappers in
# client.py rely on (they make the call, and convert the result, on a worker thread).

# pm_status pm_client_options_init(pm_client_options *opts, uint32_t version);
pm_client_options_init = _declare(
    "pm_client_options_init", STATUS, [POINTER(ClientOptions), c_uint32]
)
# pm_status pm_client_new(const pm_client_options *opts, pm_client **out);
pm_client_new = _declare("pm_client_new", STATUS, [POINTER(ClientOptions), POINTER(ClientP)])
# void pm_client_free(pm_client *client);
pm_client_free = _declare("pm_client_free", None, [ClientP])
# pm_status pm_client_cancel(pm_client *client);
pm_client_cancel = _declare("pm_client_cancel", STATUS, [ClientP])
# pm_status pm_client_fetch_active_markets(pm_client *client, pm_markets **out);
pm_client_fetch_active_markets = _declare(
    "pm_client_fetch_active_markets", STATUS, [ClientP, POINTER(MarketsP)]
)
# pm_status pm_client_fetch_market(pm_client *client, const char *condition_id, pm_market **out);
pm_client_fetch_market = _declare(
    "pm_client_fetch_market", STATUS, [ClientP, c_char_p, POINTER(MarketP)]
)
# size_t pm_markets_count(const pm_markets *markets);
pm_markets_count = _declare("pm_markets_count", c_size_t, [MarketsP])
# const pm_market *pm_markets_at(const pm_markets *markets, size_t index);
pm_markets_at = _declare("pm_markets_at", MarketP, [MarketsP, c_size_t])
# void pm_markets_free(pm_markets *markets);
pm_markets_free = _declare("pm_markets_free", None, [MarketsP])
# void pm_market_free(pm_market *market);
pm_market_free = _declare("pm_market_free", None, [MarketP])
# const char *pm_market_id(const pm_market *market);
pm_market_id = _declare("pm_market_id", c_char_p, [MarketP])
# const char *pm_market_condition_id(const pm_market *market);
pm_market_condition_id = _declare("pm_market_condition_id", c_char_p, [MarketP])
# const char *pm_market_question(const pm_market *market);
pm_market_question = _declare("pm_market_question", c_char_p, [MarketP])
# const char *pm_market_slug(const pm_market *market);
pm_market_slug = _declare("pm_market_slug", c_char_p, [MarketP])
# bool pm_market_active(const pm_market *market);
pm_market_active = _declare("pm_market_active", c_bool, [MarketP])
# bool pm_market_closed(const pm_market *market);
pm_market_closed = _declare("pm_market_closed", c_bool, [MarketP])
# bool pm_market_neg_risk(const pm_market *market);
pm_market_neg_risk = _declare("pm_market_neg_risk", c_bool, [MarketP])
# bool pm_market_accepting_orders(const pm_market *market);
pm_market_accepting_orders = _declare("pm_market_accepting_orders", c_bool, [MarketP])
# const char *pm_market_tick_size(const pm_market *market);
pm_market_tick_size = _declare("pm_market_tick_size", c_char_p, [MarketP])
# const char *pm_market_min_order_size(const pm_market *market);
pm_market_min_order_size = _declare("pm_market_min_order_size", c_char_p, [MarketP])
# int64_t pm_market_end_date_ms(const pm_market *market);
pm_market_end_date_ms = _declare("pm_market_end_date_ms", c_int64, [MarketP])
# size_t pm_market_token_count(const pm_market *market);
pm_market_token_count = _declare("pm_market_token_count", c_size_t, [MarketP])
# const char *pm_market_token_id(const pm_market *market, size_t index);
pm_market_token_id = _declare("pm_market_token_id", c_char_p, [MarketP, c_size_t])
# const char *pm_market_token_outcome(const pm_market *market, size_t index);
pm_market_token_outcome = _declare("pm_market_token_outcome", c_char_p, [MarketP, c_size_t])
# const char *pm_market_protocol_version(const pm_market *market);
pm_market_protocol_version = _declare("pm_market_protocol_version", c_char_p, [MarketP])

# ---- REST: Gamma events -----------------------------------------------------------------------
# pm_status pm_client_fetch_events(pm_client *client, bool closed, pm_gamma_events **out);
pm_client_fetch_events = _declare(
    "pm_client_fetch_events", STATUS, [ClientP, c_bool, POINTER(GammaEventsP)]
)
# size_t pm_gamma_events_count(const pm_gamma_events *events);
pm_gamma_events_count = _declare("pm_gamma_events_count", c_size_t, [GammaEventsP])
# const pm_gamma_event *pm_gamma_events_at(const pm_gamma_events *events, size_t index);
pm_gamma_events_at = _declare("pm_gamma_events_at", GammaEventP, [GammaEventsP, c_size_t])
# void pm_gamma_events_free(pm_gamma_events *events);
pm_gamma_events_free = _declare("pm_gamma_events_free", None, [GammaEventsP])
# const char *pm_gamma_event_id(const pm_gamma_event *event); (and slug, title)
pm_gamma_event_id = _declare("pm_gamma_event_id", c_char_p, [GammaEventP])
pm_gamma_event_slug = _declare("pm_gamma_event_slug", c_char_p, [GammaEventP])
pm_gamma_event_title = _declare("pm_gamma_event_title", c_char_p, [GammaEventP])
# bool pm_gamma_event_active(const pm_gamma_event *event); (and closed)
pm_gamma_event_active = _declare("pm_gamma_event_active", c_bool, [GammaEventP])
pm_gamma_event_closed = _declare("pm_gamma_event_closed", c_bool, [GammaEventP])
# size_t pm_gamma_event_market_count(const pm_gamma_event *event);
pm_gamma_event_market_count = _declare("pm_gamma_event_market_count", c_size_t, [GammaEventP])
# const pm_market *pm_gamma_event_market_at(const pm_gamma_event *event, size_t index);
pm_gamma_event_market_at = _declare("pm_gamma_event_market_at", MarketP, [GammaEventP, c_size_t])

# ---- REST: order books ------------------------------------------------------------------------
# pm_status pm_client_fetch_orderbook(pm_client *client, const char *token_id, pm_book **out);
pm_client_fetch_orderbook = _declare(
    "pm_client_fetch_orderbook", STATUS, [ClientP, c_char_p, POINTER(BookP)]
)
# pm_status pm_client_fetch_orderbooks(pm_client *client, const char *const *token_ids,
#                                      size_t count, pm_books **out);
pm_client_fetch_orderbooks = _declare(
    "pm_client_fetch_orderbooks", STATUS, [ClientP, POINTER(c_char_p), c_size_t, POINTER(BooksP)]
)
# size_t pm_books_count(const pm_books *books);
pm_books_count = _declare("pm_books_count", c_size_t, [BooksP])
# const pm_book *pm_books_at(const pm_books *books, size_t index);
pm_books_at = _declare("pm_books_at", BookP, [BooksP, c_size_t])
# void pm_books_free(pm_books *books);
pm_books_free = _declare("pm_books_free", None, [BooksP])
# void pm_book_free(pm_book *book);
pm_book_free = _declare("pm_book_free", None, [BookP])
# const char *pm_book_token_id(const pm_book *book);
pm_book_token_id = _declare("pm_book_token_id", c_char_p, [BookP])
# const char *pm_book_condition_id(const pm_book *book);
pm_book_condition_id = _declare("pm_book_condition_id", c_char_p, [BookP])
# int64_t pm_book_timestamp_ms(const pm_book *book);
pm_book_timestamp_ms = _declare("pm_book_timestamp_ms", c_int64, [BookP])
# const char *pm_book_hash(const pm_book *book);
pm_book_hash = _declare("pm_book_hash", c_char_p, [BookP])
# const char *pm_book_tick_size(const pm_book *book);
pm_book_tick_size = _declare("pm_book_tick_size", c_char_p, [BookP])
# const char *pm_book_min_order_size(const pm_book *book);
pm_book_min_order_size = _declare("pm_book_min_order_size", c_char_p, [BookP])
# size_t pm_book_level_count(const pm_book *book, pm_side side);
pm_book_level_count = _declare("pm_book_level_count", c_size_t, [BookP, pm_side])
# const char *pm_book_level_price(const pm_book *book, pm_side side, size_t index);
pm_book_level_price = _declare("pm_book_level_price", c_char_p, [BookP, pm_side, c_size_t])
# int64_t pm_book_level_price_micros(const pm_book *book, pm_side side, size_t index);
pm_book_level_price_micros = _declare(
    "pm_book_level_price_micros", c_int64, [BookP, pm_side, c_size_t]
)
# const char *pm_book_level_size(const pm_book *book, pm_side side, size_t index);
pm_book_level_size = _declare("pm_book_level_size", c_char_p, [BookP, pm_side, c_size_t])
# int64_t pm_book_level_size_micros(const pm_book *book, pm_side side, size_t index);
pm_book_level_size_micros = _declare(
    "pm_book_level_size_micros", c_int64, [BookP, pm_side, c_size_t]
)
# const char *pm_book_levels_text(const pm_book *book, pm_side side);
pm_book_levels_text = _declare("pm_book_levels_text", c_char_p, [BookP, pm_side])

# ---- REST: trades (raw, G1 fetcher, G3 size lookup) -------------------------------------------
# pm_status pm_client_fetch_trades(pm_client *client, const char *token_id, size_t limit,
#                                  pm_trades **out);
pm_client_fetch_trades = _declare(
    "pm_client_fetch_trades", STATUS, [ClientP, c_char_p, c_size_t, POINTER(TradesP)]
)
# pm_status pm_fetcher_new(pm_client *client, int64_t max_age_seconds, pm_fetcher **out);
pm_fetcher_new = _declare("pm_fetcher_new", STATUS, [ClientP, c_int64, POINTER(FetcherP)])
# void pm_fetcher_free(pm_fetcher *fetcher);
pm_fetcher_free = _declare("pm_fetcher_free", None, [FetcherP])
# pm_status pm_fetcher_fetch_recent_trades(pm_fetcher *fetcher, const char *token_id,
#                                          int64_t max_age_seconds, pm_trades **out,
#                                          size_t *out_dropped_stale);
pm_fetcher_fetch_recent_trades = _declare(
    "pm_fetcher_fetch_recent_trades",
    STATUS,
    [FetcherP, c_char_p, c_int64, POINTER(TradesP), POINTER(c_size_t)],
)
# pm_status pm_fetcher_fetch_trade_size_at_price(pm_fetcher *fetcher, const char *token_id,
#                                                const char *target_price,
#                                                const char *price_tolerance,
#                                                int64_t max_age_seconds, char **out_size);
pm_fetcher_fetch_trade_size_at_price = _declare(
    "pm_fetcher_fetch_trade_size_at_price",
    STATUS,
    [FetcherP, c_char_p, c_char_p, c_char_p, c_int64, POINTER(c_void_p)],
)
# pm_status pm_fetch_recent_trades(pm_client *client, const char *token_id,
#                                  int64_t max_age_seconds, pm_trades **out);
pm_fetch_recent_trades = _declare(
    "pm_fetch_recent_trades", STATUS, [ClientP, c_char_p, c_int64, POINTER(TradesP)]
)

# ---- G5 and MetadataSync ----------------------------------------------------------------------
# pm_status pm_verify_orderbook_price(pm_client *client, const char *token_id,
#                                     const char *expected_price, const char *max_deviation,
#                                     bool *out_valid, char **out_best_bid, char **out_reason);
pm_verify_orderbook_price = _declare(
    "pm_verify_orderbook_price",
    STATUS,
    [ClientP, c_char_p, c_char_p, c_char_p, POINTER(c_bool), POINTER(c_void_p), POINTER(c_void_p)],
)
# pm_status pm_metadata_sync(pm_client *client, pm_store *store, size_t *out_markets,
#                            size_t *out_inserted, size_t *out_updated, size_t *out_unchanged);
pm_metadata_sync = _declare(
    "pm_metadata_sync",
    STATUS,
    [ClientP, StoreP, POINTER(c_size_t), POINTER(c_size_t), POINTER(c_size_t), POINTER(c_size_t)],
)


# ---- trade history: /v2/trades, the backfill, coverage ------------------------------------------
# pm_status pm_client_fetch_trade_history(pm_client *client, const char *condition_id, int64_t since_ms,
#                                         pm_trades **out);
pm_client_fetch_trade_history = _declare(
    "pm_client_fetch_trade_history", STATUS, [ClientP, c_char_p, c_int64, POINTER(TradesP)]
)
# typedef void (*pm_backfill_progress_cb)(const char *condition_id, size_t market_index, size_t market_count,
#                                         size_t pages, size_t trades, size_t inserted, void *userdata);
pm_backfill_progress_cb = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, c_size_t, c_size_t, c_size_t, c_size_t, c_size_t, c_void_p
)
# pm_status pm_backfill_trades(pm_client *client, pm_store *store, const char *const *condition_ids,
#                              size_t count, int64_t since_ms, pm_backfill_progress_cb progress,
#                              void *userdata, size_t *out_pages, size_t *out_trades,
#                              size_t *out_inserted);
pm_backfill_trades = _declare(
    "pm_backfill_trades",
    STATUS,
    [ClientP, StoreP, POINTER(c_char_p), c_size_t, c_int64, pm_backfill_progress_cb, c_void_p,
     POINTER(c_size_t), POINTER(c_size_t), POINTER(c_size_t)],
)
# pm_status pm_store_get_trade_coverage(pm_store *store, const char *condition_id, bool *out_found,
#                                       int64_t *out_oldest_ms, int64_t *out_newest_ms);
pm_store_get_trade_coverage = _declare(
    "pm_store_get_trade_coverage",
    STATUS,
    [StoreP, c_char_p, POINTER(c_bool), POINTER(c_int64), POINTER(c_int64)],
)


# ---- price history ------------------------------------------------------------------------------
class PricePoints(_Opaque):
    """struct pm_price_points"""


PricePointsP = POINTER(PricePoints)


class PricePointInput(Structure):
    _fields_ = [("version", c_uint32), ("token_id", c_char_p), ("timestamp_ms", c_int64), ("price", c_char_p)]


PM_PRICE_POINT_INPUT_VERSION = 1

# pm_status pm_client_fetch_price_history(pm_client *client, const char *token_id, int64_t start_ms,
#                                         int64_t end_ms, int64_t bucket_seconds, pm_price_points **out);
pm_client_fetch_price_history = _declare(
    "pm_client_fetch_price_history", STATUS, [ClientP, c_char_p, c_int64, c_int64, c_int64, POINTER(PricePointsP)]
)
# pm_status pm_client_fetch_price_histories(pm_client *client, const char *const *token_ids, size_t count,
#                                           int64_t start_ms, int64_t end_ms, int32_t fidelity_minutes,
#                                           pm_price_points **out);
pm_client_fetch_price_histories = _declare(
    "pm_client_fetch_price_histories",
    STATUS,
    [ClientP, POINTER(c_char_p), c_size_t, c_int64, c_int64, c_int32, POINTER(PricePointsP)],
)
# size_t pm_price_points_count(const pm_price_points *points);
pm_price_points_count = _declare("pm_price_points_count", c_size_t, [PricePointsP])
# const char *pm_price_points_token_id(const pm_price_points *points, size_t index);
pm_price_points_token_id = _declare("pm_price_points_token_id", c_char_p, [PricePointsP, c_size_t])
# int64_t pm_price_points_timestamp_ms(const pm_price_points *points, size_t index);
pm_price_points_timestamp_ms = _declare("pm_price_points_timestamp_ms", c_int64, [PricePointsP, c_size_t])
# const char *pm_price_points_price(const pm_price_points *points, size_t index);
pm_price_points_price = _declare("pm_price_points_price", c_char_p, [PricePointsP, c_size_t])
# int64_t pm_price_points_price_micros(const pm_price_points *points, size_t index);
pm_price_points_price_micros = _declare("pm_price_points_price_micros", c_int64, [PricePointsP, c_size_t])
# void pm_price_points_free(pm_price_points *points);
pm_price_points_free = _declare("pm_price_points_free", None, [PricePointsP])
# pm_status pm_store_upsert_price_points(pm_store *store, const pm_price_point_input *points, size_t count,
#                                        size_t *out_inserted);
pm_store_upsert_price_points = _declare(
    "pm_store_upsert_price_points", STATUS, [StoreP, POINTER(PricePointInput), c_size_t, POINTER(c_size_t)]
)
# pm_status pm_store_query_price_points(pm_store *store, const char *token_id, int64_t from_ms,
#                                       int64_t to_ms, pm_price_points **out);
pm_store_query_price_points = _declare(
    "pm_store_query_price_points", STATUS, [StoreP, c_char_p, c_int64, c_int64, POINTER(PricePointsP)]
)


# ---- batch prices (POST /prices, /midpoints, /last-trades-prices) ------------------------------
class TokenPrices(_Opaque):
    """struct pm_token_prices"""


TokenPricesP = POINTER(TokenPrices)

# pm_status pm_client_fetch_prices(pm_client *client, const char *const *token_ids, size_t count,
#                                  pm_side side, pm_token_prices **out);
pm_client_fetch_prices = _declare(
    "pm_client_fetch_prices", STATUS, [ClientP, POINTER(c_char_p), c_size_t, pm_side, POINTER(TokenPricesP)]
)
# pm_status pm_client_fetch_midpoints(pm_client *client, const char *const *token_ids, size_t count,
#                                     pm_token_prices **out);
pm_client_fetch_midpoints = _declare(
    "pm_client_fetch_midpoints", STATUS, [ClientP, POINTER(c_char_p), c_size_t, POINTER(TokenPricesP)]
)
# pm_status pm_client_fetch_last_trade_prices(pm_client *client, const char *const *token_ids, size_t count,
#                                             pm_token_prices **out);
pm_client_fetch_last_trade_prices = _declare(
    "pm_client_fetch_last_trade_prices", STATUS, [ClientP, POINTER(c_char_p), c_size_t, POINTER(TokenPricesP)]
)
# size_t pm_token_prices_count(const pm_token_prices *prices);
pm_token_prices_count = _declare("pm_token_prices_count", c_size_t, [TokenPricesP])
# const char *pm_token_prices_token_id(const pm_token_prices *prices, size_t index);
pm_token_prices_token_id = _declare("pm_token_prices_token_id", c_char_p, [TokenPricesP, c_size_t])
# const char *pm_token_prices_price(const pm_token_prices *prices, size_t index);
pm_token_prices_price = _declare("pm_token_prices_price", c_char_p, [TokenPricesP, c_size_t])
# int64_t pm_token_prices_price_micros(const pm_token_prices *prices, size_t index);
pm_token_prices_price_micros = _declare("pm_token_prices_price_micros", c_int64, [TokenPricesP, c_size_t])
# const char *pm_token_prices_side(const pm_token_prices *prices, size_t index);
pm_token_prices_side = _declare("pm_token_prices_side", c_char_p, [TokenPricesP, c_size_t])
# void pm_token_prices_free(pm_token_prices *prices);
pm_token_prices_free = _declare("pm_token_prices_free", None, [TokenPricesP])


# ---- stream: pm_stream ------------------------------------------------------------------------
# Pull model only: stream.py calls pm_stream_next in short slices from the consuming thread.

# pm_status pm_stream_options_init(pm_stream_options *opts, uint32_t version);
pm_stream_options_init = _declare(
    "pm_stream_options_init", STATUS, [POINTER(StreamOptions), c_uint32]
)
# pm_status pm_stream_new(const pm_stream_options *opts, pm_stream **out);
pm_stream_new = _declare("pm_stream_new", STATUS, [POINTER(StreamOptions), POINTER(StreamP)])
# pm_status pm_stream_connect(pm_stream *stream);
pm_stream_connect = _declare("pm_stream_connect", STATUS, [StreamP])
# pm_status pm_stream_subscribe(pm_stream *stream, const char *const *token_ids, size_t count);
pm_stream_subscribe = _declare(
    "pm_stream_subscribe", STATUS, [StreamP, POINTER(c_char_p), c_size_t]
)
# pm_status pm_stream_unsubscribe(pm_stream *stream, const char *const *token_ids, size_t count);
pm_stream_unsubscribe = _declare(
    "pm_stream_unsubscribe", STATUS, [StreamP, POINTER(c_char_p), c_size_t]
)
# pm_status pm_stream_next(pm_stream *stream, int32_t timeout_ms, pm_event **out);
pm_stream_next = _declare("pm_stream_next", STATUS, [StreamP, c_int32, POINTER(EventP)])
# pm_status pm_stream_next_batch(pm_stream *stream, int32_t timeout_ms, pm_event **out, size_t max_n,
#                                size_t *out_n);
pm_stream_next_batch = _declare(
    "pm_stream_next_batch", STATUS, [StreamP, c_int32, POINTER(EventP), c_size_t, POINTER(c_size_t)]
)
# pm_status pm_stream_set_callback(pm_stream *stream, pm_event_cb cb, void *userdata,
#                                  void (*userdata_free)(void *userdata));
pm_stream_set_callback = _declare(
    "pm_stream_set_callback", STATUS, [StreamP, pm_event_cb, c_void_p, pm_userdata_free_cb]
)
# pm_status pm_stream_close(pm_stream *stream);
pm_stream_close = _declare("pm_stream_close", STATUS, [StreamP])
# void pm_stream_free(pm_stream *stream);
pm_stream_free = _declare("pm_stream_free", None, [StreamP])
# bool pm_stream_is_connected(const pm_stream *stream);
pm_stream_is_connected = _declare("pm_stream_is_connected", c_bool, [StreamP])
# int64_t pm_stream_stat_value(const pm_stream *stream, pm_stream_stat stat);
pm_stream_stat_value = _declare("pm_stream_stat_value", c_int64, [StreamP, pm_stream_stat])
# pm_status pm_stream_book(pm_stream *stream, const char *token_id, pm_book **out,
#                          bool *out_valid, char **out_reason);
pm_stream_book = _declare(
    "pm_stream_book",
    STATUS,
    [StreamP, c_char_p, POINTER(BookP), POINTER(c_bool), POINTER(c_void_p)],
)

# ---- stream events: pm_event ------------------------------------------------------------------
# void pm_event_free(pm_event *event);
pm_event_free = _declare("pm_event_free", None, [EventP])
# pm_event_type pm_event_get_type(const pm_event *event);
pm_event_get_type = _declare("pm_event_get_type", pm_event_type, [EventP])
# const char *pm_event_type_name(const pm_event *event);
pm_event_type_name = _declare("pm_event_type_name", c_char_p, [EventP])
# const char *pm_event_token_id(const pm_event *event);
pm_event_token_id = _declare("pm_event_token_id", c_char_p, [EventP])
# const char *pm_event_condition_id(const pm_event *event);
pm_event_condition_id = _declare("pm_event_condition_id", c_char_p, [EventP])
# int64_t pm_event_timestamp_ms(const pm_event *event);
pm_event_timestamp_ms = _declare("pm_event_timestamp_ms", c_int64, [EventP])
# bool pm_event_is_price_update(const pm_event *event);
pm_event_is_price_update = _declare("pm_event_is_price_update", c_bool, [EventP])
# const char *pm_event_price(const pm_event *event);
pm_event_price = _declare("pm_event_price", c_char_p, [EventP])
# const char *pm_event_trade_size(const pm_event *event);
pm_event_trade_size = _declare("pm_event_trade_size", c_char_p, [EventP])
# const char *pm_event_side(const pm_event *event);
pm_event_side = _declare("pm_event_side", c_char_p, [EventP])
# const char *pm_event_best_bid(const pm_event *event);
pm_event_best_bid = _declare("pm_event_best_bid", c_char_p, [EventP])
# const char *pm_event_best_ask(const pm_event *event);
pm_event_best_ask = _declare("pm_event_best_ask", c_char_p, [EventP])
# const pm_book *pm_event_book(const pm_event *event);
pm_event_book = _declare("pm_event_book", BookP, [EventP])
# size_t pm_event_change_count(const pm_event *event);
pm_event_change_count = _declare("pm_event_change_count", c_size_t, [EventP])
# const char *pm_event_change_token_id(const pm_event *event, size_t index);
pm_event_change_token_id = _declare("pm_event_change_token_id", c_char_p, [EventP, c_size_t])
# pm_side pm_event_change_side(const pm_event *event, size_t index);
pm_event_change_side = _declare("pm_event_change_side", pm_side, [EventP, c_size_t])
# const char *pm_event_change_price(const pm_event *event, size_t index);
pm_event_change_price = _declare("pm_event_change_price", c_char_p, [EventP, c_size_t])
# const char *pm_event_change_size(const pm_event *event, size_t index);
pm_event_change_size = _declare("pm_event_change_size", c_char_p, [EventP, c_size_t])
# const char *pm_event_detail(const pm_event *event);
pm_event_detail = _declare("pm_event_detail", c_char_p, [EventP])

# pm_status pm_stream_set_resolution_poll(pm_stream *stream, pm_client *client, int32_t interval_ms);
pm_stream_set_resolution_poll = _declare(
    "pm_stream_set_resolution_poll", STATUS, [StreamP, ClientP, c_int32]
)

# ---- the socket pool: reconnect assets and stream health ------------------------------------


class Health(_Opaque):
    """struct pm_health"""


HealthP = POINTER(Health)

# enum pm_socket_state / pm_continuity
PM_SOCKET_IDLE = 0
PM_SOCKET_CONNECTING = 1
PM_SOCKET_OPEN = 2
PM_SOCKET_BACKOFF = 3
PM_SOCKET_CLOSED = 4
PM_CONTINUITY_AWAITING_SNAPSHOT = 0
PM_CONTINUITY_LIVE = 1

pm_event_reconnect_token_count = _declare("pm_event_reconnect_token_count", c_size_t, [EventP])
pm_event_reconnect_token_id = _declare("pm_event_reconnect_token_id", c_char_p, [EventP, c_size_t])
# pm_status pm_stream_health(const pm_stream *stream, pm_health **out);
pm_stream_health = _declare("pm_stream_health", STATUS, [StreamP, POINTER(HealthP)])
pm_health_free = _declare("pm_health_free", None, [HealthP])
pm_health_reconnects = _declare("pm_health_reconnects", c_int64, [HealthP])
pm_health_gaps = _declare("pm_health_gaps", c_int64, [HealthP])
pm_health_queue_depth = _declare("pm_health_queue_depth", c_int64, [HealthP])
pm_health_queued_bytes = _declare("pm_health_queued_bytes", c_int64, [HealthP])
pm_health_socket_count = _declare("pm_health_socket_count", c_size_t, [HealthP])
pm_health_socket_id = _declare("pm_health_socket_id", c_int32, [HealthP, c_size_t])
pm_health_socket_state = _declare("pm_health_socket_state", c_int, [HealthP, c_size_t])
pm_health_socket_asset_count = _declare("pm_health_socket_asset_count", c_size_t, [HealthP, c_size_t])
pm_health_socket_reconnects = _declare("pm_health_socket_reconnects", c_int64, [HealthP, c_size_t])
pm_health_socket_last_loss = _declare("pm_health_socket_last_loss", c_char_p, [HealthP, c_size_t])
pm_health_asset_count = _declare("pm_health_asset_count", c_size_t, [HealthP])
pm_health_asset_token_id = _declare("pm_health_asset_token_id", c_char_p, [HealthP, c_size_t])
pm_health_asset_socket = _declare("pm_health_asset_socket", c_int32, [HealthP, c_size_t])
pm_health_asset_last_event_age_ms = _declare("pm_health_asset_last_event_age_ms", c_int64, [HealthP, c_size_t])
pm_health_asset_continuity = _declare("pm_health_asset_continuity", c_int, [HealthP, c_size_t])

# ---- EventProcessor: pm_processor -------------------------------------------------------------
# pm_status pm_processor_new(pm_fetcher *fetcher, const char *min_size, pm_processor **out);
pm_processor_new = _declare(
    "pm_processor_new", STATUS, [FetcherP, c_char_p, POINTER(ProcessorP)]
)
# void pm_processor_free(pm_processor *processor);
pm_processor_free = _declare("pm_processor_free", None, [ProcessorP])
# pm_status pm_processor_process(pm_processor *processor, const pm_event *event,
#                                bool *out_passed, pm_size_source *out_source, char **out_size);
pm_processor_process = _declare(
    "pm_processor_process",
    STATUS,
    [ProcessorP, EventP, POINTER(c_bool), POINTER(pm_size_source), POINTER(c_void_p)],
)
# int64_t pm_processor_stat_value(const pm_processor *processor, pm_processor_stat stat);
pm_processor_stat_value = _declare(
    "pm_processor_stat_value", c_int64, [ProcessorP, pm_processor_stat]
)

# pm_status pm_set_log_callback(pm_log_cb cb, pm_log_level min_level, void *userdata,
#                               void (*userdata_free)(void *userdata));
pm_set_log_callback = _declare(
    "pm_set_log_callback", STATUS, [pm_log_cb, pm_log_level, c_void_p, pm_userdata_free_cb]
)
# pm_status pm_set_log_level(pm_log_level min_level);
pm_set_log_level = _declare("pm_set_log_level", STATUS, [pm_log_level])

# pm_status pm_recorder_new(pm_store *store, int32_t batch_size, int64_t flush_ms, pm_recorder **out);
pm_recorder_new = _declare("pm_recorder_new", STATUS, [StoreP, c_int32, c_int64, POINTER(RecorderP)])
# pm_status pm_recorder_record(pm_recorder *recorder, const pm_event *event);
pm_recorder_record = _declare("pm_recorder_record", STATUS, [RecorderP, EventP])
# pm_status pm_recorder_flush(pm_recorder *recorder);
pm_recorder_flush = _declare("pm_recorder_flush", STATUS, [RecorderP])
# int64_t pm_recorder_recorded(const pm_recorder *recorder);
pm_recorder_recorded = _declare("pm_recorder_recorded", c_int64, [RecorderP])
# int64_t pm_recorder_skipped(const pm_recorder *recorder);
pm_recorder_skipped = _declare("pm_recorder_skipped", c_int64, [RecorderP])
# void pm_recorder_free(pm_recorder *recorder);
pm_recorder_free = _declare("pm_recorder_free", None, [RecorderP])


# ---------------------------------------------------------------------------------------------
# Helpers for the wrappers
# ---------------------------------------------------------------------------------------------


def take_string(out: c_void_p) -> str:
    """Copies an owned `char *` written through a `char **out`, then frees it with
    pm_string_free, whatever happens while copying."""
    pointer = out.value
    try:
        if not pointer:
            raise PmInternalError("the library returned PM_OK without a string", PM_E_INTERNAL)
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        if pointer:
            pm_string_free(pointer)
            out.value = None


def take_optional_string(out: c_void_p) -> Optional[str]:
    """Like take_string(), but a NULL result (the header's "none") gives None."""
    return take_string(out) if out.value else None


def text(raw: Optional[bytes]) -> str:
    """A borrowed `const char *` result (already copied by c_char_p) as str; NULL gives ""."""
    return raw.decode("utf-8") if raw else ""


def optional_text(raw: Optional[bytes]) -> Optional[str]:
    """Like text(), but "" (the header's "absent") gives None."""
    return raw.decode("utf-8") if raw else None


def version_string() -> str:
    return text(pm_version_string())


# ---- the HTTP status of the last failure; MetadataSync with progress -------------------------
# int pm_last_error_http_status(void);
pm_last_error_http_status = _declare("pm_last_error_http_status", c_int, [])
# typedef void (*pm_metadata_sync_progress_cb)(size_t pages, size_t markets, void *userdata);
pm_metadata_sync_progress_cb = ctypes.CFUNCTYPE(None, c_size_t, c_size_t, c_void_p)
# pm_status pm_metadata_sync_with_progress(pm_client *client, pm_store *store,
#                                          pm_metadata_sync_progress_cb progress, void *userdata,
#                                          size_t *out_markets, size_t *out_inserted,
#                                          size_t *out_updated, size_t *out_unchanged);
pm_metadata_sync_with_progress = _declare(
    "pm_metadata_sync_with_progress",
    STATUS,
    [ClientP, StoreP, pm_metadata_sync_progress_cb, c_void_p,
     POINTER(c_size_t), POINTER(c_size_t), POINTER(c_size_t), POINTER(c_size_t)],
)
