/*
 * pmingest.h — the C interface of libpmingest, Polymarket market-data ingestion.
 *
 * One header, one prefix. This file is the reference documentation of the C ABI; the Swift
 * implementation is checked against it by the compiler (`@c @implementation`), and a C test
 * links every function declared here.
 *
 * ----------------------------------------------------------------------------------------------
 * CONVENTIONS
 *
 * Names      Functions are pm_<object>_<verb>; types are pm_<object> (opaque, no _t); macros PM_*.
 *
 * Results    Every function that can fail returns pm_status. PM_OK (0) is success; every other
 *            value is listed in enum pm_status with an explicit number that never changes and is
 *            never reused (new values are only appended). pm_status_str() names a status.
 *
 * Errors     On failure the calling thread's last-error message is set: pm_last_error() returns
 *            it. It is thread-local, never NULL ("" when there is none), owned by the library, and
 *            valid until the next pm_* call on the same thread. Only failing calls write it:
 *            successful calls, pm_status_str() and record accessors leave it as it was. As in
 *            libgit2, "callers should not rely on this to determine whether an error has
 *            occurred": the status is the truth, the message is detail. Messages are UTF-8.
 *
 * Arguments  Receiver first, then inputs, then outputs (named out / out_*). Constructors return
 *            pm_status and write the new handle through a final `**out`; on failure *out is set
 *            to NULL. A NULL handle or required pointer gives PM_E_INVALID_ARG; a string that is
 *            not valid UTF-8 gives PM_E_INVALID_UTF8. No function traps, aborts or exits the
 *            process on bad input.
 *
 * Ownership  - Anything returned through `**out` is owned by the caller and freed with its own
 *              pm_<object>_free(). Every *_free() accepts NULL and cannot fail.
 *            - Accessors that return `const char *` or `const pm_<record> *` lend memory owned by
 *              the object they were called on; it stays valid until that object is freed. Copy to
 *              keep it longer.
 *            - Owned standalone strings (`char **out`) are freed with pm_string_free().
 *            - Never call free() on memory from pmingest, and never pass pmingest memory that you
 *              did not receive as owned to a pm_*_free().
 *            - Input structs (pm_*_input, pm_*_options) and their strings are only read during the
 *              call; the library keeps no pointer to them.
 *
 * Numbers    Prices and sizes are exact. They cross this ABI as canonical decimal strings
 *            ("0.95", "1250.5", "0") and, where an accessor says so, as int64 micro-units
 *            (value x PM_DECIMAL_SCALE). pmingest never converts them through binary floating point.
 *            Timestamps are int64 milliseconds since the Unix epoch, UTC.
 *            Token ids are decimal strings of up to 78 digits: text, never integers.
 *
 * Threads    Unless a function says otherwise, every function may be called from any thread.
 *            pm_store: safe to share between threads; calls on one store are serialized inside.
 *            Records and lists returned to you are immutable and readable from any thread.
 *            pm_last_error() is per thread. No global initialisation call is needed.
 *
 * Versions   PM_VERSION_* describe this header; pm_version_number() the loaded library.
 *            PM_ABI_VERSION equals the SONAME number (libpmingest.so.0) and changes only on an
 *            ABI break. Check at start-up: assert(pm_abi_version() == PM_ABI_VERSION).
 *
 * Structs    Transparent structs are used only for inputs. Each starts with `uint32_t version`,
 *            has a PM_<NAME>_VERSION and a PM_<NAME>_INIT initializer; fields are only appended.
 *
 * Build      cc app.c $(pkg-config --cflags --libs pmingest)
 * ----------------------------------------------------------------------------------------------
 */
#ifndef PMINGEST_H
#define PMINGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PM_EXTERN
#  if defined(__GNUC__) || defined(__clang__)
#    define PM_EXTERN __attribute__((visibility("default")))
#  else
#    define PM_EXTERN
#  endif
#endif

/* ============================================================================================ */
/* Versions                                                                                     */
/* ============================================================================================ */

#define PM_VERSION_MAJOR 0
#define PM_VERSION_MINOR 1
#define PM_VERSION_PATCH 0
#define PM_VERSION_STRING "0.1.0"
#define PM_VERSION_NUMBER (PM_VERSION_MAJOR * 10000 + PM_VERSION_MINOR * 100 + PM_VERSION_PATCH)
/** True when the header is at least version maj.min.patch. */
#define PM_VERSION_CHECK(maj, min, patch) \
    (PM_VERSION_NUMBER >= ((maj) * 10000 + (min) * 100 + (patch)))
/** Changes only on an ABI break; equals the SONAME number. */
#define PM_ABI_VERSION 0

/** Version of the loaded library, as PM_VERSION_NUMBER. Thread: any. Errors: none. */
PM_EXTERN unsigned pm_version_number(void);
/** Version of the loaded library, e.g. "0.1.0". Static string: never free it. Thread: any. */
PM_EXTERN const char *pm_version_string(void);
/** ABI version of the loaded library; compare with PM_ABI_VERSION. Thread: any. */
PM_EXTERN unsigned pm_abi_version(void);

/* ============================================================================================ */
/* Status and errors                                                                            */
/* ============================================================================================ */

/** Result of every fallible call. Append-only: numbers never change and are never reused. */
typedef enum pm_status {
    PM_OK = 0,
    PM_E_INVALID_ARG = 1,   /**< NULL handle or pointer, out-of-range or malformed argument */
    PM_E_INVALID_UTF8 = 2,  /**< a string argument is not valid UTF-8 */
    PM_E_NETWORK = 3,       /**< connection failed or dropped */
    PM_E_TIMEOUT = 4,       /**< an operation ran past its time limit */
    PM_E_HTTP = 5,          /**< the server answered with an HTTP error status */
    PM_E_PARSE = 6,         /**< input or a response could not be parsed */
    PM_E_RANGE = 7,         /**< a number does not fit (e.g. a decimal beyond int64 micro-units) */
    PM_E_TOO_LARGE = 8,     /**< a response or message exceeded its size cap */
    PM_E_STALE = 9,         /**< data older than the allowed age */
    PM_E_BOOK_INVALID = 10, /**< an order book is empty, crossed or otherwise unusable */
    PM_E_STORAGE = 11,      /**< SQLite reported an error */
    PM_E_BUSY = 12,         /**< the database stayed locked past the busy timeout */
    PM_E_CORRUPT = 13,      /**< the file is not a pmingest/SQLite database or is damaged */
    PM_E_CANT_OPEN = 14,    /**< the database file cannot be opened or created (path, permissions) */
    PM_E_MISUSE = 15,       /**< a call made in a state that does not allow it */
    PM_E_CANCELLED = 16,    /**< the operation was cancelled */
    PM_E_INTERNAL = 17      /**< an unexpected internal failure; the message says what */
} pm_status;

/**
 * Short English name of a status, e.g. "invalid argument". Static string, never NULL, never
 * freed; an unknown value gives "unknown status". Thread: any.
 */
PM_EXTERN const char *pm_status_str(pm_status status);

/**
 * Detail of the last failure on the calling thread. Never NULL ("" if none). Owned by the
 * library, valid until the next pm_* call on this thread. Thread: per-thread.
 */
PM_EXTERN const char *pm_last_error(void);

/** Frees a string that pmingest returned as owned (`char **out`). NULL is a no-op. Thread: any. */
PM_EXTERN void pm_string_free(char *string);

/* ============================================================================================ */
/* Exact decimals                                                                               */
/* ============================================================================================ */

/** Scale of every *_micros value: 1 unit = 1e-6. Every Polymarket tick (0.1 ... 0.0025) fits. */
#define PM_DECIMAL_SCALE 1000000

/**
 * Parses a plain decimal string ("0.95", ".48", "1218691.83", "0") into micro-units.
 * At most 6 fraction digits (more gives PM_E_PARSE: a wire decimal never needs rounding);
 * no sign, exponent, spaces, NaN or infinity.
 * Errors: PM_E_INVALID_ARG (NULL), PM_E_INVALID_UTF8, PM_E_PARSE (empty or malformed),
 * PM_E_RANGE (beyond INT64_MAX micro-units). Thread: any.
 */
PM_EXTERN pm_status pm_decimal_parse(const char *text, int64_t *out_micros);

/**
 * Formats micro-units canonically: no exponent, no trailing fraction zeros, "0" for zero,
 * a leading "-" for negatives ("0.95", "1250.5", "-0.01"). Prices and sizes are never negative,
 * so pm_decimal_parse() (which refuses signs) reads back every price or size this writes.
 * Ownership: *out is owned by the caller; free it with pm_string_free().
 * Errors: PM_E_INVALID_ARG (NULL out). Thread: any.
 */
PM_EXTERN pm_status pm_decimal_format(int64_t micros, char **out);

/* ============================================================================================ */
/* Storage: pm_store (SQLite)                                                                   */
/* ============================================================================================ */

/** A SQLite database holding trades, token metadata and trade watermarks. */
typedef struct pm_store pm_store;
/** One stored trade (read-only record). */
typedef struct pm_trade pm_trade;
/** A list of trades (owned by the caller). */
typedef struct pm_trades pm_trades;
/** Token metadata (read-only record). */
typedef struct pm_token_meta pm_token_meta;
/** A list of token metadata (owned by the caller). */
typedef struct pm_token_metas pm_token_metas;
/** The last processed trade time of one condition id. */
typedef struct pm_watermark pm_watermark;

/** Options for pm_store_open(). Initialise with PM_STORE_OPTIONS_INIT or pm_store_options_init(). */
typedef struct pm_store_options {
    uint32_t version;         /**< PM_STORE_OPTIONS_VERSION */
    int32_t busy_timeout_ms;  /**< how long to wait for a lock held by another connection
                                   (default 5000; 0 fails at once with PM_E_BUSY) */
} pm_store_options;
#define PM_STORE_OPTIONS_VERSION 1
#define PM_STORE_OPTIONS_INIT { PM_STORE_OPTIONS_VERSION, 5000 }

/**
 * Fills *opts with the defaults of `version`. Errors: PM_E_INVALID_ARG (NULL opts or a version
 * this library does not know). Thread: any.
 */
PM_EXTERN pm_status pm_store_options_init(pm_store_options *opts, uint32_t version);

/**
 * Opens (creating if needed) the database at `path`, or a private in-memory database when path
 * is ":memory:". File databases use WAL journaling and synchronous=NORMAL; the schema is created
 * or migrated (PRAGMA user_version) inside one transaction. `opts` may be NULL for defaults.
 * Ownership: *out is owned by the caller; free it with pm_store_free().
 * Errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8, PM_E_CANT_OPEN (missing directory, no permission),
 * PM_E_CORRUPT (not a database, or a schema newer than this library), PM_E_BUSY, PM_E_STORAGE.
 * An existing file is never overwritten or truncated. Thread: any.
 */
PM_EXTERN pm_status pm_store_open(const char *path, const pm_store_options *opts, pm_store **out);

/**
 * Closes the database and frees the handle. NULL is a no-op. Records and lists obtained from the
 * store stay valid (they own their data). Thread: any, once no other call on it is running.
 */
PM_EXTERN void pm_store_free(pm_store *store);

/* ---- trades ---------------------------------------------------------------------------------- */

/**
 * A trade to store. Strings are UTF-8; optional ones may be NULL or "".
 * The stored trade's id is derived from these fields (transaction hash, token, side, size, price,
 * wallet, timestamp), so storing the same trade twice keeps one row.
 */
typedef struct pm_trade_input {
    uint32_t version;              /**< PM_TRADE_INPUT_VERSION */
    const char *token_id;          /**< required: the CLOB token (asset) id */
    const char *condition_id;      /**< optional: the market's condition id (0x + 64 hex) */
    const char *side;              /**< required: "BUY" or "SELL" (any case) */
    const char *price;             /**< required: decimal string, 0 <= price */
    const char *size;              /**< required: decimal string, 0 <= size */
    int64_t timestamp_ms;          /**< required: > 0, ms since the epoch */
    const char *transaction_hash;  /**< optional */
    const char *proxy_wallet;      /**< optional */
    const char *outcome;           /**< optional, e.g. "Yes" */
} pm_trade_input;
#define PM_TRADE_INPUT_VERSION 1
#define PM_TRADE_INPUT_INIT { PM_TRADE_INPUT_VERSION, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL }

/**
 * Inserts the trade, or rewrites the row with the same id. *out_inserted (may be NULL) is set to
 * 1 for a new row, 0 for an existing one.
 * Errors: PM_E_INVALID_ARG (NULL, missing or malformed field; the message names the field),
 * PM_E_INVALID_UTF8, PM_E_PARSE / PM_E_RANGE (price or size), PM_E_BUSY, PM_E_STORAGE.
 * Thread: any.
 */
PM_EXTERN pm_status pm_store_upsert_trade(pm_store *store, const pm_trade_input *trade,
                                          int *out_inserted);

/**
 * Upserts `count` trades in one transaction with one prepared statement: either every row is
 * written or none is. Every row is validated before anything is written; an invalid row fails the
 * whole batch and the message names its index. *out_inserted (may be NULL) receives the number of
 * rows that were new. count == 0 is a no-op (trades may then be NULL).
 * Errors: as pm_store_upsert_trade(). Thread: any.
 */
PM_EXTERN pm_status pm_store_upsert_trades(pm_store *store, const pm_trade_input *trades,
                                           size_t count, size_t *out_inserted);

/**
 * The trades of `token_id` with from_ms <= timestamp <= to_ms, oldest first (ties by id).
 * Pass INT64_MIN / INT64_MAX for an open end. limit 0 means no limit; otherwise the first
 * `limit` rows in that order.
 * Ownership: *out is owned by the caller; free it with pm_trades_free().
 * Errors: PM_E_INVALID_ARG (NULL, empty token id, from_ms > to_ms), PM_E_INVALID_UTF8,
 * PM_E_BUSY, PM_E_STORAGE. Thread: any.
 */
PM_EXTERN pm_status pm_store_query_trades(pm_store *store, const char *token_id, int64_t from_ms,
                                          int64_t to_ms, size_t limit, pm_trades **out);

/**
 * Number of stored trades, of one token when token_id is not NULL, of all tokens when it is NULL.
 * Errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8, PM_E_BUSY, PM_E_STORAGE. Thread: any.
 */
PM_EXTERN pm_status pm_store_count_trades(pm_store *store, const char *token_id, int64_t *out_count);

/** Number of trades in the list; 0 for NULL. Thread: any. */
PM_EXTERN size_t pm_trades_count(const pm_trades *trades);
/** The trade at `index`, borrowed from the list; NULL when index >= count or trades is NULL. */
PM_EXTERN const pm_trade *pm_trades_at(const pm_trades *trades, size_t index);
/** Frees the list and every record borrowed from it. NULL is a no-op. */
PM_EXTERN void pm_trades_free(pm_trades *trades);

/*
 * Trade accessors. Strings are borrowed from the list the trade came from. A NULL trade gives ""
 * or 0; optional fields that are absent give "". Thread: any.
 */
/** Stable dedup id: 64 hex characters (SHA-256 of the identifying fields). */
PM_EXTERN const char *pm_trade_id(const pm_trade *trade);
PM_EXTERN const char *pm_trade_token_id(const pm_trade *trade);
PM_EXTERN const char *pm_trade_condition_id(const pm_trade *trade);
/** "BUY" or "SELL". */
PM_EXTERN const char *pm_trade_side(const pm_trade *trade);
/** Canonical decimal string, e.g. "0.95". */
PM_EXTERN const char *pm_trade_price(const pm_trade *trade);
PM_EXTERN int64_t pm_trade_price_micros(const pm_trade *trade);
/** Canonical decimal string, e.g. "84.17". */
PM_EXTERN const char *pm_trade_size(const pm_trade *trade);
PM_EXTERN int64_t pm_trade_size_micros(const pm_trade *trade);
PM_EXTERN int64_t pm_trade_timestamp_ms(const pm_trade *trade);
PM_EXTERN const char *pm_trade_transaction_hash(const pm_trade *trade);
PM_EXTERN const char *pm_trade_proxy_wallet(const pm_trade *trade);
PM_EXTERN const char *pm_trade_outcome(const pm_trade *trade);

/* ---- trade watermarks ------------------------------------------------------------------------ */

/**
 * The watermark of `condition_id`; *out is set to NULL (and PM_OK returned) when there is none.
 * Ownership: *out is owned by the caller; free it with pm_watermark_free().
 * Errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8, PM_E_BUSY, PM_E_STORAGE. Thread: any.
 */
PM_EXTERN pm_status pm_store_get_watermark(pm_store *store, const char *condition_id,
                                           pm_watermark **out);

/**
 * Records that trades of `condition_id` were processed up to last_trade_ms. A watermark never
 * moves backwards: an older last_trade_ms leaves the stored one unchanged. *out (may be NULL)
 * receives the watermark in force afterwards, owned by the caller.
 * Errors: PM_E_INVALID_ARG (NULL, empty id, last_trade_ms < 0), PM_E_INVALID_UTF8, PM_E_BUSY,
 * PM_E_STORAGE. Thread: any.
 */
PM_EXTERN pm_status pm_store_update_watermark(pm_store *store, const char *condition_id,
                                              int64_t last_trade_ms, pm_watermark **out);

PM_EXTERN const char *pm_watermark_condition_id(const pm_watermark *watermark);
PM_EXTERN int64_t pm_watermark_last_trade_ms(const pm_watermark *watermark);
/** When the watermark last moved, ms since the epoch. */
PM_EXTERN int64_t pm_watermark_updated_at_ms(const pm_watermark *watermark);
/** NULL is a no-op. */
PM_EXTERN void pm_watermark_free(pm_watermark *watermark);

/* ---- token metadata -------------------------------------------------------------------------- */

/** Token metadata to store. Strings are UTF-8; optional ones may be NULL or "". */
typedef struct pm_token_meta_input {
    uint32_t version;            /**< PM_TOKEN_META_INPUT_VERSION */
    const char *token_id;        /**< required */
    const char *condition_id;    /**< required */
    const char *question;        /**< optional */
    const char *outcome;         /**< optional, e.g. "Yes" */
    int32_t outcome_index;       /**< -1 when unknown */
    const char *tick_size;       /**< optional decimal string, e.g. "0.01" */
    const char *min_order_size;  /**< optional decimal string, e.g. "5" */
    bool neg_risk;
    bool active;
    bool closed;
    int64_t end_date_ms;         /**< 0 when unknown */
    const char *market_slug;     /**< optional */
} pm_token_meta_input;
#define PM_TOKEN_META_INPUT_VERSION 1
#define PM_TOKEN_META_INPUT_INIT \
    { PM_TOKEN_META_INPUT_VERSION, NULL, NULL, NULL, NULL, -1, NULL, NULL, false, false, false, 0, NULL }

/** What an upsert did. Append-only. */
typedef enum pm_change {
    PM_CHANGE_INSERTED = 1,  /**< a new row */
    PM_CHANGE_UPDATED = 2,   /**< an existing row with different content, rewritten */
    PM_CHANGE_UNCHANGED = 3  /**< an identical row existed; nothing written */
} pm_change;

/**
 * Inserts or updates the metadata of one token. *out_change (may be NULL) says which happened.
 * Errors: PM_E_INVALID_ARG (the message names the field), PM_E_INVALID_UTF8, PM_E_PARSE,
 * PM_E_RANGE, PM_E_BUSY, PM_E_STORAGE. Thread: any.
 */
PM_EXTERN pm_status pm_store_upsert_token_meta(pm_store *store, const pm_token_meta_input *meta,
                                               pm_change *out_change);

/**
 * The metadata of `token_id`; *out is set to NULL (and PM_OK returned) when there is none.
 * Ownership: *out is owned by the caller; free it with pm_token_meta_free().
 * Errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8, PM_E_BUSY, PM_E_STORAGE. Thread: any.
 */
PM_EXTERN pm_status pm_store_get_token_meta(pm_store *store, const char *token_id,
                                            pm_token_meta **out);

/**
 * All stored token metadata, ordered by condition id, then outcome index, then token id.
 * Ownership: *out is owned by the caller; free it with pm_token_metas_free().
 * Errors: PM_E_INVALID_ARG, PM_E_BUSY, PM_E_STORAGE. Thread: any.
 */
PM_EXTERN pm_status pm_store_list_token_metas(pm_store *store, pm_token_metas **out);

/** NULL is a no-op. Only for records returned through pm_store_get_token_meta(). */
PM_EXTERN void pm_token_meta_free(pm_token_meta *meta);
/** Number of records in the list; 0 for NULL. */
PM_EXTERN size_t pm_token_metas_count(const pm_token_metas *metas);
/** The record at `index`, borrowed from the list; NULL when out of range. */
PM_EXTERN const pm_token_meta *pm_token_metas_at(const pm_token_metas *metas, size_t index);
/** Frees the list and every record borrowed from it. NULL is a no-op. */
PM_EXTERN void pm_token_metas_free(pm_token_metas *metas);

/*
 * Token metadata accessors. Strings are borrowed from the record (or its list). A NULL record
 * gives "", 0 or false; absent optional strings give "". Thread: any.
 */
PM_EXTERN const char *pm_token_meta_token_id(const pm_token_meta *meta);
PM_EXTERN const char *pm_token_meta_condition_id(const pm_token_meta *meta);
PM_EXTERN const char *pm_token_meta_question(const pm_token_meta *meta);
PM_EXTERN const char *pm_token_meta_outcome(const pm_token_meta *meta);
/** -1 when unknown. */
PM_EXTERN int32_t pm_token_meta_outcome_index(const pm_token_meta *meta);
/** Canonical decimal string, "" when unknown. */
PM_EXTERN const char *pm_token_meta_tick_size(const pm_token_meta *meta);
/** Canonical decimal string, "" when unknown. */
PM_EXTERN const char *pm_token_meta_min_order_size(const pm_token_meta *meta);
PM_EXTERN bool pm_token_meta_neg_risk(const pm_token_meta *meta);
PM_EXTERN bool pm_token_meta_active(const pm_token_meta *meta);
PM_EXTERN bool pm_token_meta_closed(const pm_token_meta *meta);
/** 0 when unknown. */
PM_EXTERN int64_t pm_token_meta_end_date_ms(const pm_token_meta *meta);
PM_EXTERN const char *pm_token_meta_market_slug(const pm_token_meta *meta);
/** When the record was last written, ms since the epoch. */
PM_EXTERN int64_t pm_token_meta_updated_at_ms(const pm_token_meta *meta);

#ifdef __cplusplus
}
#endif

#endif /* PMINGEST_H */
