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
 *            Token ids are decimal strings of 1 to 78 digits: text, never integers. Functions
 *            that send, subscribe, verify or store a token id refuse anything else with
 *            PM_E_INVALID_ARG (before any request is sent); a token id on the wire that is not
 *            digits is PM_E_PARSE (REST) or a skipped, counted event (stream).
 * Strings    Strings handed out never contain NUL: a wire string holding \u0000 is refused as
 *            PM_E_PARSE (a C string would end there, truncating an id).
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
 *            A function that reads such a struct accepts any version >= 1 and reads the fields
 *            that version defines (a newer caller's struct works with an older library); a
 *            pm_*_options_init() writes a whole struct, so it refuses versions it does not know.
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
    PM_E_INTERNAL = 17,     /**< an unexpected internal failure; the message says what */
    /**
     * The CLOB has no order book for the token: GET /book answered HTTP 404 ("No orderbook exists
     * for the requested token id"), which it does for a resolved market's token or an unknown one.
     * A final answer, not a network failure: never retried. pm_verify_orderbook_price() fails
     * closed on it (PM_OK, valid false, the reason says "no order book").
     */
    PM_E_NO_BOOK = 18
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
/* Storage: pm_store — SQLite                                                                    */
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
 * or migrated (PRAGMA user_version) inside one write transaction. `opts` may be NULL for defaults.
 * Only an empty file (a new database) or a pmingest database (application_id 'PMIG' with
 * pmingest's tables) is used; any other file is refused before anything is written to it (its
 * bytes unchanged, no -wal/-shm created): garbage, another application's application_id, or a
 * plain SQLite file (application_id 0) that has tables or a user_version of its own.
 * Several threads or processes may open the same new file at once: one creates the schema, the
 * others wait for it (up to busy_timeout_ms) and then use it.
 * pmingest writes to every database it opens, so a read-only one is refused here, not at the
 * first write: a file without write permission, or one in a directory where SQLite cannot
 * create its -wal/-shm files (for root, file permissions do not apply).
 * Ownership: *out is owned by the caller; free it with pm_store_free().
 * Errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8, PM_E_CANT_OPEN (missing directory, no permission,
 * "database is read-only"), PM_E_CORRUPT ("not a pmingest database", damaged, or a schema newer
 * than this library), PM_E_BUSY (another connection kept the file locked past busy_timeout_ms),
 * PM_E_STORAGE. The message names the path and the reason. An existing file is never
 * overwritten or truncated. Thread: any.
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
    const char *token_id;          /**< required: the CLOB token (asset) id, 1-78 digits */
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
/** Stable dedup id: 64 hex characters (SHA-256 of the identifying fields, each prefixed with
 * its length, so different trades never share an id). */
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
    const char *token_id;        /**< required: 1-78 digits */
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
    /* version 2: */
    const char *protocol_version; /**< optional: the market's protocol, "v1" or "v2" (Gamma's
                                       `version`); NULL or "" = unknown. Anything else is
                                       PM_E_INVALID_ARG. */
} pm_token_meta_input;
#define PM_TOKEN_META_INPUT_VERSION 2
#define PM_TOKEN_META_INPUT_INIT \
    { PM_TOKEN_META_INPUT_VERSION, NULL, NULL, NULL, NULL, -1, NULL, NULL, false, false, false, 0, NULL, NULL }
/* Version 1 structs (without protocol_version) are still accepted: the protocol is then unknown. */

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
/** The market's protocol version, "v1" or "v2"; "" when unknown (records stored before it was
 * kept, or written without it). Borrowed from the record. Thread: any. */
PM_EXTERN const char *pm_token_meta_protocol_version(const pm_token_meta *meta);

/* ============================================================================================ */
/* REST: pm_client — Gamma, CLOB and Data API over libcurl                                     */
/* ============================================================================================ */

/** A REST client: one libcurl multi handle on its own thread, with retries and rate limits. */
typedef struct pm_client pm_client;
/** A list of markets (owned by the caller). */
typedef struct pm_markets pm_markets;
/** One market (read-only record). */
typedef struct pm_market pm_market;
/** An order-book snapshot, levels sorted best first (owned by the caller, or borrowed from a list). */
typedef struct pm_book pm_book;
/** A list of order books (owned by the caller). */
typedef struct pm_books pm_books;

/** Options for pm_client_new(). Initialise with PM_CLIENT_OPTIONS_INIT or pm_client_options_init(). */
typedef struct pm_client_options {
    uint32_t version;            /**< PM_CLIENT_OPTIONS_VERSION */
    const char *gamma_url;       /**< NULL = https://gamma-api.polymarket.com */
    const char *clob_url;        /**< NULL = https://clob.polymarket.com */
    const char *data_url;        /**< NULL = https://data-api.polymarket.com */
    int32_t connect_timeout_ms;  /**< per attempt; default 5000 */
    int32_t total_timeout_ms;    /**< per attempt; default 15000 */
    int32_t max_attempts;        /**< retries of 5xx/429/timeouts included; default 4; 1 = no retry */
    int64_t max_response_bytes;  /**< larger responses fail with PM_E_TOO_LARGE; default 16 MiB */
    bool verify_tls;             /**< default true; false only for test proxies */
    bool rate_limit;             /**< default true: pace requests by Polymarket's documented
                                      per-endpoint limits; false for a proxy that paces itself */
    /* Version 2: */
    int32_t listing_max_pages;   /**< most pages one market listing (pm_client_fetch_active_markets,
                                      pm_metadata_sync) may request; default 1000 (the real Gamma
                                      needs about 100 at 500 markets a page) */
    int32_t listing_timeout_ms;  /**< wall time for one whole listing, every page, retry and wait
                                      included; default 300000 (5 minutes) */
    /* Version 3: */
    int32_t deadline_ms;         /**< the deadline of one call across every attempt, back-off and
                                      rate-limit wait; default 20000; 0 = none. Each attempt's
                                      timeouts are cut to what remains, a retry that would pass it
                                      is not started; on expiry the call fails with PM_E_TIMEOUT,
                                      and pm_last_error() names the deadline, the attempts made
                                      and the last failure. A call is one request with its
                                      retries, except pm_client_fetch_trades and the fetchers
                                      (condition lookup + tape share one deadline); each page of
                                      a market listing gets its own, the listing as a whole is
                                      bounded by listing_timeout_ms. */
} pm_client_options;
/* Version 1 structs (without the listing_* fields) and version 2 structs (without deadline_ms)
 * are still accepted by pm_client_options_init() and pm_client_new(), which then use the
 * defaults of the missing fields. */
#define PM_CLIENT_OPTIONS_VERSION 3
#define PM_CLIENT_OPTIONS_INIT \
    { PM_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, 5000, 15000, 4, 16777216, true, true, 1000, 300000, 20000 }

/**
 * Fills *opts with the defaults of `version` (1, 2 or 3; a version 1 struct is written only up
 * to rate_limit, a version 2 struct only up to listing_timeout_ms). Errors: PM_E_INVALID_ARG (NULL opts or an unknown version). Thread: any.
 */
PM_EXTERN pm_status pm_client_options_init(pm_client_options *opts, uint32_t version);

/**
 * Creates a client and starts its HTTP thread. `opts` may be NULL for defaults; opts->version 1
 * (a caller built against an older header) is read only up to rate_limit, version 2 only up to
 * listing_timeout_ms (the deadline is then the default 20000 ms).
 * Retries: HTTP 5xx, 425, timeouts and connection errors with exponential backoff and jitter, up
 * to max_attempts; 429/503 wait for Retry-After (seconds or HTTP date, up to 60 s); other 4xx are
 * never retried. Requests are paced by Polymarket's documented per-endpoint rate limits.
 * Ownership: *out is owned by the caller; free it with pm_client_free().
 * Errors: PM_E_INVALID_ARG (bad URL or option, a listing budget < 1, deadline_ms < 0), PM_E_INVALID_UTF8,
 * PM_E_INTERNAL. Thread: any.
 */
PM_EXTERN pm_status pm_client_new(const pm_client_options *opts, pm_client **out);

/**
 * Cancels the calls in progress on this client and stops its HTTP thread; NULL is a no-op.
 * Thread: any, once no other call on this client can start (calls in progress return
 * PM_E_CANCELLED). Fetchers made from the client keep it alive until they are freed too.
 */
PM_EXTERN void pm_client_free(pm_client *client);

/**
 * Cancels every call in progress on this client, at once and without retrying: they return
 * PM_E_CANCELLED. Calls started later run normally. Thread: any (e.g. a signal-handling thread).
 * Errors: PM_E_INVALID_ARG (NULL).
 */
PM_EXTERN pm_status pm_client_cancel(pm_client *client);

/*
 * All pm_client_* / pm_fetcher_* calls below block the calling thread until the answer, an error,
 * a timeout or pm_client_cancel(). They may be called from many threads at once on one client.
 * Common errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8, PM_E_NETWORK, PM_E_TIMEOUT, PM_E_HTTP
 * (an error status, after retries where they apply; pm_last_error() quotes the body),
 * PM_E_PARSE (a body that is not the expected JSON), PM_E_TOO_LARGE, PM_E_CANCELLED.
 * PM_E_INVALID_ARG is about the arguments only (e.g. a token id that is not 1-78 digits); a
 * server's protocol violation (an HTTP/0.9 reply without a status line, a redirect to another
 * scheme or to a malformed URL) is PM_E_NETWORK.
 */

/**
 * Every active, not-closed market from Gamma, following keyset pages by cursor to the end (the
 * legacy offset listing only when the keyset endpoint answers its first page with 404/410) —
 * within the client's listing budget: PM_E_TOO_LARGE when the listing has not ended after
 * listing_max_pages pages, PM_E_TIMEOUT when it has not ended within listing_timeout_ms (the
 * request in flight is cancelled). Either way pm_last_error() names the budget and the pages and
 * markets seen, and *out stays NULL: a listing is never silently truncated. PM_E_PARSE for
 * cursors that cycle, a page of only already-seen markets, or a market the decoder refuses (an
 * unknown `version`, v2 without positionIds; see pm_market_protocol_version()).
 * Ownership: *out is owned by the caller; free it with pm_markets_free().
 */
PM_EXTERN pm_status pm_client_fetch_active_markets(pm_client *client, pm_markets **out);

/**
 * The market with this condition id; *out is NULL (and PM_OK returned) when Gamma has none.
 * Ownership: *out is owned by the caller; free it with pm_market_free().
 */
PM_EXTERN pm_status pm_client_fetch_market(pm_client *client, const char *condition_id, pm_market **out);

/** Number of markets in the list; 0 for NULL. */
PM_EXTERN size_t pm_markets_count(const pm_markets *markets);
/** The market at `index`, borrowed from the list; NULL when out of range. */
PM_EXTERN const pm_market *pm_markets_at(const pm_markets *markets, size_t index);
/** Frees the list and every record borrowed from it. NULL is a no-op. */
PM_EXTERN void pm_markets_free(pm_markets *markets);
/** Frees a market returned by pm_client_fetch_market(). NULL is a no-op. */
PM_EXTERN void pm_market_free(pm_market *market);

/* Market accessors: strings borrowed from the record; NULL record gives "", 0 or false. */
PM_EXTERN const char *pm_market_id(const pm_market *market);
PM_EXTERN const char *pm_market_condition_id(const pm_market *market);
PM_EXTERN const char *pm_market_question(const pm_market *market);
PM_EXTERN const char *pm_market_slug(const pm_market *market);
PM_EXTERN bool pm_market_active(const pm_market *market);
PM_EXTERN bool pm_market_closed(const pm_market *market);
PM_EXTERN bool pm_market_neg_risk(const pm_market *market);
PM_EXTERN bool pm_market_accepting_orders(const pm_market *market);
/** Canonical decimal string, "" when unknown. */
PM_EXTERN const char *pm_market_tick_size(const pm_market *market);
/** Canonical decimal string, "" when unknown. */
PM_EXTERN const char *pm_market_min_order_size(const pm_market *market);
/** 0 when unknown. */
PM_EXTERN int64_t pm_market_end_date_ms(const pm_market *market);
/** Number of outcome tokens (usually 2). */
PM_EXTERN size_t pm_market_token_count(const pm_market *market);
/** Token id of outcome `index`; "" when out of range. */
PM_EXTERN const char *pm_market_token_id(const pm_market *market, size_t index);
/** Outcome name of `index` (e.g. "Yes"); "" when unknown or out of range. */
PM_EXTERN const char *pm_market_token_outcome(const pm_market *market, size_t index);
/**
 * The market's protocol version: "v1" or "v2" (Gamma's `version`; a market without one is "v1").
 * It decided where its token ids came from: `clobTokenIds` for v1, `positionIds` for v2. A market
 * with an unknown version, or v2 without positionIds, is refused at decoding (PM_E_PARSE naming
 * it). "" for NULL. Borrowed from the record. Thread: any.
 */
PM_EXTERN const char *pm_market_protocol_version(const pm_market *market);

/* ---- Gamma events ----------------------------------------------------------------------------- */

/** A list of Gamma events (owned by the caller). Not the stream's pm_event. */
typedef struct pm_gamma_events pm_gamma_events;
/** One Gamma event: a group of related markets (read-only record). */
typedef struct pm_gamma_event pm_gamma_event;

/**
 * Every Gamma event whose `closed` is as asked (false: the open ones; true: resolved ones, e.g.
 * for a backfill), each with its markets. Walked and bounded exactly like
 * pm_client_fetch_active_markets(): keyset pages by cursor, the legacy offset listing only when
 * the keyset endpoint answers its first page with 404/410; PM_E_TOO_LARGE / PM_E_TIMEOUT past the
 * client's listing budget; PM_E_PARSE for cursors that cycle, a page of only already-seen events,
 * or an event or market the decoder refuses; PM_E_HTTP, PM_E_NETWORK, PM_E_CANCELLED as any call.
 * *out stays NULL on error: never a truncated list.
 * Ownership: *out is owned by the caller; free it with pm_gamma_events_free().
 * Thread: any; blocks the calling thread only.
 */
PM_EXTERN pm_status pm_client_fetch_events(pm_client *client, bool closed, pm_gamma_events **out);
/** Number of events in the list; 0 for NULL. */
PM_EXTERN size_t pm_gamma_events_count(const pm_gamma_events *events);
/** The event at `index`, borrowed from the list; NULL when out of range. */
PM_EXTERN const pm_gamma_event *pm_gamma_events_at(const pm_gamma_events *events, size_t index);
/** Frees the list and every event and market borrowed from it. NULL is a no-op. */
PM_EXTERN void pm_gamma_events_free(pm_gamma_events *events);

/* Event accessors: strings borrowed from the record; a NULL record gives "", 0 or false. */
PM_EXTERN const char *pm_gamma_event_id(const pm_gamma_event *event);
/** "" when the event has none. */
PM_EXTERN const char *pm_gamma_event_slug(const pm_gamma_event *event);
/** "" when the event has none. */
PM_EXTERN const char *pm_gamma_event_title(const pm_gamma_event *event);
PM_EXTERN bool pm_gamma_event_active(const pm_gamma_event *event);
PM_EXTERN bool pm_gamma_event_closed(const pm_gamma_event *event);
/** Number of the event's markets. */
PM_EXTERN size_t pm_gamma_event_market_count(const pm_gamma_event *event);
/** The event's market at `index`, borrowed from the event (read it with the pm_market_*
 * accessors; never pass it to pm_market_free()); NULL when out of range. */
PM_EXTERN const pm_market *pm_gamma_event_market_at(const pm_gamma_event *event, size_t index);

/** Book side. Append-only. */
typedef enum pm_side {
    PM_SIDE_BID = 0, /**< bids (BUY orders); best = highest price */
    PM_SIDE_ASK = 1  /**< asks (SELL orders); best = lowest price */
} pm_side;

/**
 * The order book of a token from the CLOB. Levels are sorted best first whatever order the wire
 * used (the API sends bids lowest-first: its bids[0] is the WORST bid). Levels of size 0 are left
 * out (no liquidity: they never become the best bid or ask).
 * Ownership: *out is owned by the caller; free it with pm_book_free().
 * Errors: as above; PM_E_NO_BOOK when the CLOB has no book for the token (HTTP 404: a resolved
 * market, or an unknown token; not retried, the message says "no order book: market resolved or
 * unknown" and names the token); PM_E_BOOK_INVALID when it sends null or the book of another
 * token (the message names both ids).
 */
PM_EXTERN pm_status pm_client_fetch_orderbook(pm_client *client, const char *token_id, pm_book **out);

/**
 * Several books over POST /books, one request per 100 tokens, in request order; tokens without
 * a book are left out of the list.
 * Ownership: *out is owned by the caller; free it with pm_books_free().
 * Errors: as above, and PM_E_BOOK_INVALID when the answer holds a book of a token that was not
 * requested (the whole answer is refused, not filtered).
 */
PM_EXTERN pm_status pm_client_fetch_orderbooks(pm_client *client, const char *const *token_ids, size_t count,
                                               pm_books **out);

PM_EXTERN size_t pm_books_count(const pm_books *books);
/** The book at `index`, borrowed from the list; NULL when out of range. */
PM_EXTERN const pm_book *pm_books_at(const pm_books *books, size_t index);
/** Frees the list and every book borrowed from it. NULL is a no-op. */
PM_EXTERN void pm_books_free(pm_books *books);
/** Frees a book returned by pm_client_fetch_orderbook(). NULL is a no-op. */
PM_EXTERN void pm_book_free(pm_book *book);

/* Book accessors: strings borrowed from the book; NULL book gives "", 0. Index 0 is the best level. */
PM_EXTERN const char *pm_book_token_id(const pm_book *book);
PM_EXTERN const char *pm_book_condition_id(const pm_book *book);
/** Server time of the snapshot, ms; 0 when absent. */
PM_EXTERN int64_t pm_book_timestamp_ms(const pm_book *book);
PM_EXTERN const char *pm_book_hash(const pm_book *book);
/** "" when absent. */
PM_EXTERN const char *pm_book_tick_size(const pm_book *book);
/** "" when absent. */
PM_EXTERN const char *pm_book_min_order_size(const pm_book *book);
PM_EXTERN size_t pm_book_level_count(const pm_book *book, pm_side side);
/** Price of level `index` (0 = best) as a canonical decimal; "" when out of range. */
PM_EXTERN const char *pm_book_level_price(const pm_book *book, pm_side side, size_t index);
/** -1 when out of range. */
PM_EXTERN int64_t pm_book_level_price_micros(const pm_book *book, pm_side side, size_t index);
PM_EXTERN const char *pm_book_level_size(const pm_book *book, pm_side side, size_t index);
/** -1 when out of range. */
PM_EXTERN int64_t pm_book_level_size_micros(const pm_book *book, pm_side side, size_t index);
/** Every level of one side in one string, best first: "<price> <size>\n" per level, each a
 * canonical decimal as pm_book_level_price/size give it ("" for an empty side, a NULL book or an
 * unknown side). For bindings that copy a whole side at once (one call instead of two per level).
 * Borrowed from the book (valid until pm_book_free / pm_books_free); made on first use. Thread:
 * any, concurrently with the other book accessors. */
PM_EXTERN const char *pm_book_levels_text(const pm_book *book, pm_side side);

/**
 * Up to `limit` (> 0) of the token's most recent trades from the Data API, newest first, WITHOUT
 * an age check: for trades you will act on, use pm_fetcher_fetch_recent_trades() (G1).
 * Ownership: *out is owned by the caller; free it with pm_trades_free().
 */
PM_EXTERN pm_status pm_client_fetch_trades(pm_client *client, const char *token_id, size_t limit, pm_trades **out);

/* ============================================================================================ */
/* G1 + G3: pm_fetcher — recent trades that passed an age check                                 */
/* ============================================================================================ */

/** Fetches trades and hands out only those that passed `now - max_age <= timestamp`. */
typedef struct pm_fetcher pm_fetcher;

/**
 * A fetcher over `client` with a default max age (>= 0 s; the brief's default is 300).
 * Trades stamped more than 5 s after the clock are dropped as suspect (a seconds/ms mix-up or a
 * broken clock). The fetcher holds its own reference to the client: either may be freed first.
 * Ownership: *out is owned by the caller; free it with pm_fetcher_free().
 * Errors: PM_E_INVALID_ARG. Thread: any.
 */
PM_EXTERN pm_status pm_fetcher_new(pm_client *client, int64_t max_age_seconds, pm_fetcher **out);
/** NULL is a no-op. */
PM_EXTERN void pm_fetcher_free(pm_fetcher *fetcher);

/**
 * The token's trades no older than max_age_seconds (< 0: the fetcher's default), newest first.
 * *out_dropped_stale (may be NULL) receives how many trades the age check refused.
 * Ownership: *out is owned by the caller; free it with pm_trades_free(). Errors: as pm_client_*.
 */
PM_EXTERN pm_status pm_fetcher_fetch_recent_trades(pm_fetcher *fetcher, const char *token_id,
                                                   int64_t max_age_seconds, pm_trades **out,
                                                   size_t *out_dropped_stale);

/**
 * G3: stream price updates carry no size. This returns the size of the most recent trade no
 * older than max_age_seconds (< 0: 60) whose price is within price_tolerance (NULL: "0.01") of
 * target_price, as a canonical decimal string in *out_size — or NULL (and PM_OK) when none.
 * The call (condition lookup + tape request) ends within the client's deadline_ms, else
 * PM_E_TIMEOUT naming the deadline.
 * Ownership: *out_size is owned by the caller; free it with pm_string_free().
 * Errors: as pm_client_*, and PM_E_PARSE / PM_E_RANGE for the decimal arguments.
 */
PM_EXTERN pm_status pm_fetcher_fetch_trade_size_at_price(pm_fetcher *fetcher, const char *token_id,
                                                         const char *target_price, const char *price_tolerance,
                                                         int64_t max_age_seconds, char **out_size);

/**
 * The brief's convenience function: the token's trades no older than max_age_seconds (>= 0),
 * newest first. Ownership: *out is owned by the caller; free it with pm_trades_free().
 */
PM_EXTERN pm_status pm_fetch_recent_trades(pm_client *client, const char *token_id, int64_t max_age_seconds,
                                           pm_trades **out);

/* ============================================================================================ */
/* G5: verify a price against the order book before any order                                   */
/* ============================================================================================ */

/**
 * Fetches the token's book and sets *out_valid to true only when it has bids, is not crossed, and
 * |best bid - expected_price| <= max_deviation (NULL: "0.10"). The best bid is the highest bid,
 * whatever order the levels arrived in; levels of size 0 do not count. Fails closed: a book that
 * cannot be fetched (whatever the server sent, HTTP/0.9 replies included), is empty, crossed, or
 * is the book of another token gives PM_OK with *out_valid false and the reason — only bad
 * arguments (a token id that is not 1-78 digits, malformed decimals) and cancellation return an
 * error status. A token without a book (a resolved market: the fetch's PM_E_NO_BOOK) gives the
 * reason "... no order book: market resolved or unknown (token ...)"; a call that ran past the
 * client's deadline_ms gives one naming the deadline.
 * *out_best_bid (may be NULL): the best bid as a canonical decimal, or NULL when there is none.
 * *out_reason (may be NULL): a sentence naming both prices, e.g.
 *   "Orderbook 0.05 vs expected 0.95: deviation 0.9 exceeds 0.1".
 * Ownership: both strings are owned by the caller; free them with pm_string_free().
 * Errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8, PM_E_PARSE, PM_E_RANGE, PM_E_CANCELLED. Thread: any.
 */
PM_EXTERN pm_status pm_verify_orderbook_price(pm_client *client, const char *token_id, const char *expected_price,
                                              const char *max_deviation, bool *out_valid, char **out_best_bid,
                                              char **out_reason);

/* ============================================================================================ */
/* MetadataSync: Gamma -> token metadata in the store                                           */
/* ============================================================================================ */

/**
 * Fetches every active market and upserts one token-metadata record per outcome token into
 * `store`; identical records are not rewritten. Each out pointer may be NULL. The listing is
 * bounded as in pm_client_fetch_active_markets() (PM_E_TOO_LARGE, PM_E_TIMEOUT); when it fails
 * nothing is written.
 * (The brief's save_trades and update_watermark are pm_store_upsert_trades() and
 * pm_store_update_watermark().)
 * Errors: as pm_client_*, and the pm_store_* errors. Thread: any.
 */
PM_EXTERN pm_status pm_metadata_sync(pm_client *client, pm_store *store, size_t *out_markets,
                                     size_t *out_inserted, size_t *out_updated, size_t *out_unchanged);

/* ============================================================================================ */
/* Stream: pm_stream — the market channel over libwebsockets                                     */
/* ============================================================================================ */

/**
 * A WebSocket subscription to the market channel: one logical stream over a pool of sockets, each
 * holding at most max_assets_per_connection assets (more assets open more sockets, staggered by
 * connect_stagger_ms; subscription frames carry at most subscription_chunk_size assets;
 * unsubscribing compacts the pool). Each socket has a library-owned service thread running
 * libwebsockets; after its initial subscription (never before: the server closes a socket whose
 * first frame is not the subscription) it sends `PING` every ping_interval_ms and expects `PONG`.
 * When PONGs stop, or a subscribed asset goes silent while PONGs continue (the feed's known silent
 * stall), it closes that socket, reconnects with exponential backoff and jitter, resubscribes its
 * assets, and delivers a PM_EVENT_RECONNECTED event naming them (pm_event_reconnect_token_id()):
 * their continuity was lost, distrust their local books until their next PM_EVENT_BOOK. Other
 * sockets' assets are not affected. Frames that are oversize, not UTF-8, not JSON or of unknown type are counted
 * and skipped; the connection survives them.
 *
 * Delivery: events go into a queue bounded by count (queue_capacity) and by the events' estimated
 * memory (queue_max_bytes; a 40-level book weighs far more than a trade print). When either bound
 * is reached the OLDEST events are dropped, the drop is counted (PM_STREAM_STAT_DROPPED), a
 * PM_EVENT_RECONNECTED gap marker is delivered before the survivors, and local books are marked
 * invalid. The newest event is always kept, even one larger than queue_max_bytes on its own. The
 * queue's storage grows with use, so a large queue_capacity costs nothing until it fills. Read
 * events either by pulling (pm_stream_next) or by a callback (pm_stream_set_callback), not both.
 */
typedef struct pm_stream pm_stream;
/** One stream event (owned by the caller when returned by pm_stream_next). */
typedef struct pm_event pm_event;

/** What a full stream queue does (pm_stream_options.overflow_policy). */
typedef enum pm_overflow_policy {
    /** Drop the OLDEST events: counted (PM_STREAM_STAT_DROPPED), a PM_EVENT_RECONNECTED gap marker
        before the survivors, local books invalid. The socket is read at wire speed (trading). */
    PM_OVERFLOW_DROP_OLDEST = 0,
    /** Stop reading the socket (TCP flow control) until the consumer has taken half the queue;
        nothing is dropped, no gap marker. PINGs keep going out and the PONG deadline is suspended
        while paused. Paused longer than max_paused_ms: the socket counts as lost (closed,
        reconnected, PM_EVENT_RECONNECTED). For recorders and research scripts. */
    PM_OVERFLOW_PAUSE = 1
} pm_overflow_policy;

/** Options for pm_stream_new(). Initialise with PM_STREAM_OPTIONS_INIT or pm_stream_options_init(). */
typedef struct pm_stream_options {
    uint32_t version;                  /**< PM_STREAM_OPTIONS_VERSION */
    const char *url;                   /**< NULL = wss://ws-subscriptions-clob.polymarket.com/ws/market */
    int32_t ping_interval_ms;          /**< default 10000 */
    int32_t pong_timeout_ms;           /**< default 30000 */
    int32_t asset_silence_timeout_ms;  /**< per-asset staleness watchdog; default 120000; 0 = off */
    int32_t queue_capacity;            /**< events held at most: 1-1000000, default 10000 */
    int64_t max_message_bytes;         /**< reassembled message cap; default 8 MiB */
    bool verify_tls;                   /**< default true */
    /* version 2 */
    int64_t queue_max_bytes;           /**< held events' estimated memory at most: 64 KiB-16 GiB,
                                            default 64 MiB (67108864) */
    /* version 3: the socket pool (docs/wire/market-channel.md) */
    int32_t max_assets_per_connection; /**< assets on one socket at most: 1-500, default 200; more
                                            assets open more sockets */
    int32_t connect_stagger_ms;        /**< consecutive socket openings at least this far apart:
                                            0-60000, default 250 (a burst of handshakes draws 429s) */
    int32_t subscription_chunk_size;   /**< assets in one subscribe/unsubscribe frame at most: 1-500,
                                            default 100 */
    /* version 4: the overflow policy */
    int32_t overflow_policy;           /**< a pm_overflow_policy; default PM_OVERFLOW_DROP_OLDEST */
    int32_t max_paused_ms;             /**< PM_OVERFLOW_PAUSE: paused this long = a lost connection;
                                            0-86400000, 0 = no limit, default 60000 */
} pm_stream_options;
#define PM_STREAM_OPTIONS_VERSION 4
#define PM_STREAM_OPTIONS_INIT \
    { PM_STREAM_OPTIONS_VERSION, NULL, 10000, 30000, 120000, 10000, 8388608, true, 67108864, 200, 250, 100, \
      PM_OVERFLOW_DROP_OLDEST, 60000 }

/**
 * Fills *opts with the defaults of `version` (1 to 4; only that version's fields are written, so a
 * program built against an older header passes its own, smaller struct safely).
 * Errors: PM_E_INVALID_ARG. Thread: any.
 */
PM_EXTERN pm_status pm_stream_options_init(pm_stream_options *opts, uint32_t version);

/**
 * Creates a stream (not yet connected). `opts` may be NULL for defaults.
 * Ownership: *out is owned by the caller; free it with pm_stream_free().
 * Errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8. Thread: any.
 */
PM_EXTERN pm_status pm_stream_new(const pm_stream_options *opts, pm_stream **out);

/**
 * Connects (starting the service thread) and blocks until the socket is open.
 * Errors: PM_E_NETWORK, PM_E_TIMEOUT, PM_E_MISUSE (already connected or closed). Thread: any.
 */
PM_EXTERN pm_status pm_stream_connect(pm_stream *stream);

/**
 * Subscribes to `count` token ids (the first call sends the initial subscription with
 * initial_dump; later calls add assets on the open socket). Subscriptions are restored after
 * every reconnect. Errors: PM_E_INVALID_ARG (count 0, or an id that is not 1-78 digits; nothing
 * is subscribed then), PM_E_INVALID_UTF8, PM_E_MISUSE (closed). Thread: any.
 */
PM_EXTERN pm_status pm_stream_subscribe(pm_stream *stream, const char *const *token_ids, size_t count);

/** Removes assets from the subscription. Errors: as pm_stream_subscribe(). Thread: any. */
PM_EXTERN pm_status pm_stream_unsubscribe(pm_stream *stream, const char *const *token_ids, size_t count);

/**
 * Pull API: waits up to timeout_ms (0 = do not wait; < 0 = wait indefinitely) for the next
 * event. PM_OK with *out set to an event, or PM_OK with *out NULL when none arrived in time.
 * Ownership: *out is owned by the caller; free it with pm_event_free().
 * Errors: PM_E_CANCELLED once the stream is closed (a blocked call returns at once when
 * pm_stream_close() is called from another thread), PM_E_MISUSE when a callback is set.
 * Thread: any one consumer thread at a time.
 */
PM_EXTERN pm_status pm_stream_next(pm_stream *stream, int32_t timeout_ms, pm_event **out);

/**
 * Batch pull: waits up to timeout_ms (as pm_stream_next) for the first event, then takes up to
 * `max_n` waiting events at once (a backlog in one call). PM_OK with *out_n set to how many of
 * out[0..*out_n) were filled (0 when none arrived in time); the rest of `out` is untouched.
 * Ownership: each out[i] is owned by the caller; free each with pm_event_free().
 * Errors: PM_E_INVALID_ARG (NULL stream, out or out_n; max_n 0), PM_E_CANCELLED once the stream
 * is closed, PM_E_MISUSE when a callback is set. Thread: any one consumer thread at a time.
 */
PM_EXTERN pm_status pm_stream_next_batch(pm_stream *stream, int32_t timeout_ms, pm_event **out, size_t max_n,
                                         size_t *out_n);

/**
 * Callback invoked for each event on the stream's own delivery thread (never on the caller's
 * thread, never on a Swift or libwebsockets thread, never concurrently with itself). `event` is
 * borrowed for the duration of the call. Do not call pm_stream_close()/pm_stream_free() of the
 * same stream from inside the callback (it returns PM_E_MISUSE).
 */
typedef void (*pm_event_cb)(const pm_event *event, void *userdata);

/**
 * Delivers events to `cb` instead of the pull API. userdata_free (may be NULL) is called exactly
 * once, on the delivery thread, after the last callback. May be set once per stream.
 * Errors: PM_E_INVALID_ARG, PM_E_MISUSE (already set, or closed). Thread: any.
 */
PM_EXTERN pm_status pm_stream_set_callback(pm_stream *stream, pm_event_cb cb, void *userdata,
                                           void (*userdata_free)(void *userdata));

/**
 * Closes the socket, stops the service and delivery threads, and wakes a blocked
 * pm_stream_next(). Idempotent. Errors: PM_E_INVALID_ARG (NULL), PM_E_MISUSE (from inside this
 * stream's callback). Thread: any.
 */
PM_EXTERN pm_status pm_stream_close(pm_stream *stream);

/** Closes (if needed) and frees the stream; NULL is a no-op. Not from inside its own callback. */
PM_EXTERN void pm_stream_free(pm_stream *stream);

/** True while the socket is open. Thread: any. */
PM_EXTERN bool pm_stream_is_connected(const pm_stream *stream);

/** Stream counters. Append-only. */
typedef enum pm_stream_stat {
    PM_STREAM_STAT_FRAMES = 0,        /**< text frames received */
    PM_STREAM_STAT_EVENTS = 1,        /**< events delivered into the queue */
    PM_STREAM_STAT_PONGS = 2,
    PM_STREAM_STAT_RECONNECTS = 3,
    PM_STREAM_STAT_SKIPPED = 4,       /**< unknown, malformed, oversize, invalid UTF-8 or binary */
    PM_STREAM_STAT_DROPPED = 5,       /**< events dropped on queue overflow (count or bytes) */
    PM_STREAM_STAT_QUEUED_BYTES = 6,  /**< a level, not a counter: estimated bytes waiting now */
    PM_STREAM_STAT_QUEUED_BYTES_PEAK = 7, /**< the most estimated bytes the queue has held */
    PM_STREAM_STAT_PAUSES = 8,        /**< PM_OVERFLOW_PAUSE: times a socket stopped reading, queue full */
    PM_STREAM_STAT_PAUSE_TIMEOUTS = 9 /**< PM_OVERFLOW_PAUSE: sockets paused past max_paused_ms */
} pm_stream_stat;

/** A counter's value; 0 for NULL or an unknown counter. Thread: any. */
PM_EXTERN int64_t pm_stream_stat_value(const pm_stream *stream, pm_stream_stat stat);

/**
 * The stream's local order book of `token_id` (from snapshots and deltas), levels best first.
 * Only subscribed tokens have local books: events for any other asset neither create nor change
 * one, and a book is only ever built from events naming its own token. Levels of size 0 are not
 * kept (a delta of size 0 deletes its level).
 * *out is NULL when there is none yet. *out_valid is false after a reconnect, an overflow or a
 * delta without snapshot, until the next snapshot, and once the token is unsubscribed;
 * *out_reason (may be NULL) then says why.
 * Ownership: *out with pm_book_free(), *out_reason with pm_string_free().
 * Errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8. Thread: any.
 */
PM_EXTERN pm_status pm_stream_book(pm_stream *stream, const char *token_id, pm_book **out, bool *out_valid,
                                   char **out_reason);

/** Event kinds. Append-only. */
typedef enum pm_event_type {
    PM_EVENT_BOOK = 1,              /**< full snapshot: pm_event_book() */
    PM_EVENT_PRICE_CHANGE = 2,      /**< order-book level deltas (NOT trades): pm_event_change_*() */
    PM_EVENT_LAST_TRADE_PRICE = 3,  /**< a trade: a price update (+ size when the feed sent it) */
    PM_EVENT_TICK_SIZE_CHANGE = 4,
    PM_EVENT_BEST_BID_ASK = 5,
    PM_EVENT_NEW_MARKET = 6,
    PM_EVENT_MARKET_RESOLVED = 7,
    PM_EVENT_LEGACY_PRICE_CHANGE = 8, /**< the brief's {"type":"price_change","asset_id","price"}: a price update */
    PM_EVENT_RECONNECTED = 9        /**< continuity lost; local books invalid until the next snapshot */
} pm_event_type;

/** NULL is a no-op. Only for events returned by pm_stream_next(). */
PM_EXTERN void pm_event_free(pm_event *event);
PM_EXTERN pm_event_type pm_event_get_type(const pm_event *event);
/** "book", "price_change", … as on the wire; "reconnected" for PM_EVENT_RECONNECTED. */
PM_EXTERN const char *pm_event_type_name(const pm_event *event);
/** The asset the event is about ("" when it has none or several: see pm_event_change_*). */
PM_EXTERN const char *pm_event_token_id(const pm_event *event);
PM_EXTERN const char *pm_event_condition_id(const pm_event *event);
/** Server time, ms; 0 when the event has none. The brief's legacy price_change usually has no
 * timestamp: it is stamped with the time the library received it. */
PM_EXTERN int64_t pm_event_timestamp_ms(const pm_event *event);

/**
 * True for the trade-price signals (PM_EVENT_LAST_TRADE_PRICE and PM_EVENT_LEGACY_PRICE_CHANGE):
 * then pm_event_token_id(), pm_event_price() and pm_event_timestamp_ms() form the PriceUpdate.
 * A price update has NO size (G3): back-fill it with pm_fetcher_fetch_trade_size_at_price().
 */
PM_EXTERN bool pm_event_is_price_update(const pm_event *event);
/** Trade price (LAST_TRADE_PRICE, LEGACY_PRICE_CHANGE); new tick (TICK_SIZE_CHANGE); else "". */
PM_EXTERN const char *pm_event_price(const pm_event *event);
/**
 * The stream's own trade size of a LAST_TRADE_PRICE event when the feed sent one, else "".
 * Not part of the price update: its absence is normal (G3).
 */
PM_EXTERN const char *pm_event_trade_size(const pm_event *event);
/** "BUY"/"SELL" for LAST_TRADE_PRICE when sent, else "". */
PM_EXTERN const char *pm_event_side(const pm_event *event);
/** Best bid / ask of BEST_BID_ASK; "" when absent. */
PM_EXTERN const char *pm_event_best_bid(const pm_event *event);
PM_EXTERN const char *pm_event_best_ask(const pm_event *event);
/** The snapshot of a BOOK event, borrowed from the event; NULL for other kinds. */
PM_EXTERN const pm_book *pm_event_book(const pm_event *event);
/** Number of level changes of a PRICE_CHANGE event; 0 for other kinds. */
PM_EXTERN size_t pm_event_change_count(const pm_event *event);
PM_EXTERN const char *pm_event_change_token_id(const pm_event *event, size_t index);
PM_EXTERN pm_side pm_event_change_side(const pm_event *event, size_t index);
PM_EXTERN const char *pm_event_change_price(const pm_event *event, size_t index);
/** The level's new total size; "0" removes the level. */
PM_EXTERN const char *pm_event_change_size(const pm_event *event, size_t index);
/** Why continuity was lost (RECONNECTED), the winning asset (MARKET_RESOLVED) or the question
 * (NEW_MARKET); else "". */
PM_EXTERN const char *pm_event_detail(const pm_event *event);
/**
 * The assets whose continuity a RECONNECTED event concerns: the reconnected socket's assets, or
 * the assets moved between sockets. 0 means every asset of the stream (a queue overflow), and for
 * other kinds. pm_event_reconnect_token_id() is borrowed from the event; "" out of range.
 * Thread: any (the event is read-only).
 */
PM_EXTERN size_t pm_event_reconnect_token_count(const pm_event *event);
PM_EXTERN const char *pm_event_reconnect_token_id(const pm_event *event, size_t index);

/* ---- stream health ------------------------------------------------------------------------- */

/** A snapshot of a stream's health (pm_stream_health()): immutable, owned by the caller. */
typedef struct pm_health pm_health;

/** State of one socket of the pool. Append-only. */
typedef enum pm_socket_state {
    PM_SOCKET_IDLE = 0,        /**< not started yet (before connect, or waiting for its staggered start) */
    PM_SOCKET_CONNECTING = 1,  /**< handshake under way */
    PM_SOCKET_OPEN = 2,
    PM_SOCKET_BACKOFF = 3,     /**< lost; waiting out the reconnect backoff */
    PM_SOCKET_CLOSED = 4
} pm_socket_state;

/** Continuity of one asset. Append-only. */
typedef enum pm_continuity {
    PM_CONTINUITY_AWAITING_SNAPSHOT = 0, /**< subscribed / reconnected / moved, no book snapshot since */
    PM_CONTINUITY_LIVE = 1               /**< a snapshot arrived on the current connection */
} pm_continuity;

/**
 * Takes a snapshot of the stream's health: each socket's state, each subscribed asset's last-event
 * age and continuity, reconnect and gap counts, queue depth. Cheap (no I/O); works before connect
 * and after close. Ownership: *out is owned by the caller; free it with pm_health_free().
 * Errors: PM_E_INVALID_ARG (NULL stream or out). Thread: any.
 */
PM_EXTERN pm_status pm_stream_health(const pm_stream *stream, pm_health **out);
/** Frees a snapshot; NULL is a no-op. Thread: any (not concurrently with its accessors). */
PM_EXTERN void pm_health_free(pm_health *health);
/** Successful re-connections of all sockets; 0 for NULL. */
PM_EXTERN int64_t pm_health_reconnects(const pm_health *health);
/** Continuity gaps delivered (RECONNECTED events of every kind: reconnects, overflows, moves). */
PM_EXTERN int64_t pm_health_gaps(const pm_health *health);
/** Events waiting in the queue, and their estimated bytes. */
PM_EXTERN int64_t pm_health_queue_depth(const pm_health *health);
PM_EXTERN int64_t pm_health_queued_bytes(const pm_health *health);
/** Sockets of the pool, the primary (id 0) first. Accessors return -1 / PM_SOCKET_CLOSED / 0 / ""
 * for an index out of range or a NULL snapshot. */
PM_EXTERN size_t pm_health_socket_count(const pm_health *health);
PM_EXTERN int32_t pm_health_socket_id(const pm_health *health, size_t index);
PM_EXTERN pm_socket_state pm_health_socket_state(const pm_health *health, size_t index);
PM_EXTERN size_t pm_health_socket_asset_count(const pm_health *health, size_t index);
PM_EXTERN int64_t pm_health_socket_reconnects(const pm_health *health, size_t index);
/** Why the socket last lost its connection; "" when it never did. Borrowed from the snapshot. */
PM_EXTERN const char *pm_health_socket_last_loss(const pm_health *health, size_t index);
/** Subscribed assets in subscription order. Accessors return ""/-1/PM_CONTINUITY_AWAITING_SNAPSHOT
 * out of range; strings are borrowed from the snapshot. */
PM_EXTERN size_t pm_health_asset_count(const pm_health *health);
PM_EXTERN const char *pm_health_asset_token_id(const pm_health *health, size_t index);
/** The socket id the asset is on. */
PM_EXTERN int32_t pm_health_asset_socket(const pm_health *health, size_t index);
/** Milliseconds since the asset's last event; -1 when none has arrived yet. */
PM_EXTERN int64_t pm_health_asset_last_event_age_ms(const pm_health *health, size_t index);
PM_EXTERN pm_continuity pm_health_asset_continuity(const pm_health *health, size_t index);

/* ============================================================================================ */
/* Resolutions you can trust: MARKET_RESOLVED confirmed by polling Gamma                        */
/* ============================================================================================ */

/**
 * The socket's market_resolved is not reliably delivered and a missed one is never replayed.
 * This polls Gamma (GET /markets?condition_ids=...&closed=true) through `client` every
 * interval_ms (the first round at once) for the markets of the stream's subscribed tokens, and
 * delivers a PM_EVENT_MARKET_RESOLVED event (pm_event_condition_id = the market,
 * pm_event_detail = the winning token) for each closed market with a winner (exactly one outcome
 * priced 1). Each market's resolution is delivered exactly once, whichever of the socket and the
 * poll saw it first. Events come through pm_stream_next()/the callback like frame events, with the
 * same counting and queue bounds. A failed round (network, deadline_ms, parse) is logged and the
 * next one runs as usual. Works before or after pm_stream_connect(); a second call replaces the
 * first; interval_ms 0 stops polling (client may then be NULL). Polling stops at pm_stream_close().
 * Ownership: the stream keeps its own reference to `client` while it polls (pm_client_free() may
 * come first). Thread: any.
 * Errors: PM_E_INVALID_ARG (NULL stream; NULL client with interval_ms != 0; interval_ms < 100
 * other than 0), PM_E_MISUSE (the stream is closed).
 */
PM_EXTERN pm_status pm_stream_set_resolution_poll(pm_stream *stream, pm_client *client, int32_t interval_ms);

/* ============================================================================================ */
/* EventProcessor: trade sizes for price updates (G3) and the size filter                       */
/* ============================================================================================ */

/** Processes price updates: the stream's size when present, else a REST back-fill (G3). */
typedef struct pm_processor pm_processor;

/**
 * A processor whose back-fills go through `fetcher` (NULL: no back-fill) and whose filter passes
 * trades of at least min_size (NULL: "50"). It keeps its own reference to the fetcher.
 * Ownership: *out with pm_processor_free(). Errors: PM_E_INVALID_ARG, PM_E_PARSE, PM_E_RANGE.
 */
PM_EXTERN pm_status pm_processor_new(pm_fetcher *fetcher, const char *min_size, pm_processor **out);
/** NULL is a no-op. */
PM_EXTERN void pm_processor_free(pm_processor *processor);

/** Where a processed update's size came from. Append-only. */
typedef enum pm_size_source {
    PM_SIZE_NONE = 0,      /**< no size found: the update does not pass */
    PM_SIZE_STREAM = 1,    /**< the stream's last_trade_price carried it */
    PM_SIZE_BACKFILL = 2   /**< back-filled over REST from a fresh trade near the price (G3) */
} pm_size_source;

/**
 * Processes one event: a price update gets a size and the filter verdict. For events that are
 * not price updates, *out_passed is false and *out_source PM_SIZE_NONE. Blocks for the REST
 * back-fill; safe from many threads at once (no lock is held across I/O). A failed back-fill
 * does not fail the call: it counts as an error and the update does not pass (fail closed).
 * *out_size (may be NULL): the size as a decimal string, or NULL when unknown; free with
 * pm_string_free(). Errors: PM_E_INVALID_ARG, PM_E_CANCELLED. Thread: any.
 */
PM_EXTERN pm_status pm_processor_process(pm_processor *processor, const pm_event *event, bool *out_passed,
                                         pm_size_source *out_source, char **out_size);

/** Processor counters. Append-only. */
typedef enum pm_processor_stat {
    PM_PROCESSOR_STAT_TOTAL = 0,
    PM_PROCESSOR_STAT_STREAM_SIZED = 1,
    PM_PROCESSOR_STAT_G3_BACKFILLED = 2,
    PM_PROCESSOR_STAT_SIZE_UNKNOWN = 3,
    PM_PROCESSOR_STAT_FILTERED = 4,
    PM_PROCESSOR_STAT_PASSED = 5,
    PM_PROCESSOR_STAT_ERRORS = 6
} pm_processor_stat;

/** A counter's value; 0 for NULL or an unknown counter. Thread: any. */
PM_EXTERN int64_t pm_processor_stat_value(const pm_processor *processor, pm_processor_stat stat);

/* ============================================================================================ */
/* Recording: stream trades into the store (research use)                                       */
/* ============================================================================================ */

/** Buffers stream trades (PM_EVENT_LAST_TRADE_PRICE) and writes them to a store in batches. */
typedef struct pm_recorder pm_recorder;

/**
 * A recorder writing into `store` every batch_size trades (> 0; 0 = 500) or once flush_ms have
 * passed since the last write (>= 0). It keeps its own reference to the store. Only prints with a
 * side and a size become trade rows; the others are counted as skipped, never stored with
 * made-up values. Ownership: *out with pm_recorder_free(). Errors: PM_E_INVALID_ARG.
 * Thread: one thread at a time per recorder.
 */
PM_EXTERN pm_status pm_recorder_new(pm_store *store, int32_t batch_size, int64_t flush_ms, pm_recorder **out);

/**
 * Records one event (events of other kinds are ignored) and writes the batch when due.
 * Errors: PM_E_INVALID_ARG, and the pm_store_* errors of a batch write (the batch is kept and
 * retried on the next call or pm_recorder_flush()).
 */
PM_EXTERN pm_status pm_recorder_record(pm_recorder *recorder, const pm_event *event);

/** Writes what is buffered now. Errors: as pm_recorder_record(). */
PM_EXTERN pm_status pm_recorder_flush(pm_recorder *recorder);

/** Trades written so far (new or already present). 0 for NULL. */
PM_EXTERN int64_t pm_recorder_recorded(const pm_recorder *recorder);
/** Prints skipped for lack of a side or size. 0 for NULL. */
PM_EXTERN int64_t pm_recorder_skipped(const pm_recorder *recorder);

/** Flushes (errors are dropped; call pm_recorder_flush() first to see them) and frees. NULL is a no-op. */
PM_EXTERN void pm_recorder_free(pm_recorder *recorder);

/* ============================================================================================ */
/* Logging                                                                                      */
/* ============================================================================================ */

/** Log levels. Append-only. */
typedef enum pm_log_level {
    PM_LOG_TRACE = 0,
    PM_LOG_DEBUG = 1,   /**< e.g. each skipped stream event, with the reason */
    PM_LOG_INFO = 2,
    PM_LOG_WARNING = 3, /**< e.g. an HTTP retry, a reconnect, a dropped event, a skipped frame */
    PM_LOG_ERROR = 4    /**< e.g. a request that failed after its retries */
} pm_log_level;

/**
 * A log line from the library. `subsystem` ("http", "stream", "lws", …) and `message` are
 * borrowed for the duration of the call. Runs on whichever library thread logs (the HTTP thread,
 * a stream's service thread, or the thread of the pm_* call), one line at a time: calls are
 * serialized. It should return quickly. From inside it, pm_set_log_callback() returns
 * PM_E_MISUSE (it would wait for this very call) and pm_set_log_level() works; pm_* calls work
 * too, but the lines they log are dropped (lines are delivered one at a time).
 */
typedef void (*pm_log_cb)(pm_log_level level, const char *subsystem, const char *message, void *userdata);

/**
 * Routes the library's log (including libwebsockets' own messages) to `cb` for lines at
 * min_level and above; cb NULL turns logging off (the default: the library never writes to
 * stderr by itself). Waits until a line being delivered to the previous callback (on another
 * thread) has been delivered: once this returns, the previous callback is never called again.
 * Its userdata_free (may be NULL) is then called exactly once, on the thread calling this
 * function. On failure nothing changes and the new userdata_free is not called.
 * Errors: PM_E_INVALID_ARG (a level out of range), PM_E_MISUSE (called from inside the log
 * callback, which would wait for itself). Thread: any.
 */
PM_EXTERN pm_status pm_set_log_callback(pm_log_cb cb, pm_log_level min_level, void *userdata,
                                        void (*userdata_free)(void *userdata));

/**
 * Changes the minimum level of the installed callback without replacing it; with no callback
 * installed it has no effect (pm_set_log_callback() sets its own level). Does not wait for a
 * line in flight, which may be below the new level.
 * Errors: PM_E_INVALID_ARG (a level out of range). Thread: any, including inside the callback.
 */
PM_EXTERN pm_status pm_set_log_level(pm_log_level min_level);

/* ============================================================================================ */
/* Trade history (Data API /v2/trades) and the resumable backfill                               */
/* ============================================================================================ */

/**
 * Every trade of the market `condition_id` at or after since_ms (ms since the epoch; < 0: as far
 * back as the tape goes), newest first, each once, walking the v2 tape's cursor pages. Combo
 * (multi-leg) rows are skipped. These are NOT "recent trades" (the tape is cached for up to 5
 * minutes): use pm_fetcher_fetch_recent_trades() for that. Bounded by the client's listing
 * budget (PM_E_TOO_LARGE, PM_E_TIMEOUT); a server that repeats a cursor, or says it has more
 * without one, gives PM_E_PARSE — never a truncated history.
 * Ownership: *out is owned by the caller; free it with pm_trades_free().
 * Errors: as pm_client_*. Thread: any.
 */
PM_EXTERN pm_status pm_client_fetch_trade_history(pm_client *client, const char *condition_id, int64_t since_ms,
                                                  pm_trades **out);

/**
 * Progress of pm_backfill_trades(), after every page: the market, its 0-based index of
 * market_count, and its pages, trade rows and new rows so far. `condition_id` is lent for the
 * call only. Called on a library thread while pm_backfill_trades() blocks its caller; it must
 * not call pm_backfill_trades() on the same store.
 */
typedef void (*pm_backfill_progress_cb)(const char *condition_id, size_t market_index, size_t market_count,
                                        size_t pages, size_t trades, size_t inserted, void *userdata);

/**
 * Fills `store` from the v2 trade tape for `count` markets (condition ids), or for every market
 * of the store's token metadata when count is 0 (condition_ids may then be NULL). since_ms < 0:
 * as far back as the tape goes. Resumable: it may be killed at any point (kill -9 included) and
 * run again, with no duplicate and no gap — each market's proven range is recorded (see
 * pm_store_get_trade_coverage()) and only grows contiguously; trades are written before it.
 * The newest 10 minutes before the call are stored but not claimed as covered.
 * progress (may be NULL) gets `userdata`. Each out pointer may be NULL. pm_client_cancel()
 * stops it (PM_E_CANCELLED); what was written stays valid.
 * Errors: as pm_client_*, and the pm_store_* errors. Thread: any.
 */
PM_EXTERN pm_status pm_backfill_trades(pm_client *client, pm_store *store, const char *const *condition_ids,
                                       size_t count, int64_t since_ms, pm_backfill_progress_cb progress,
                                       void *userdata, size_t *out_pages, size_t *out_trades,
                                       size_t *out_inserted);

/**
 * The range a backfill has proven for a market: every trade with oldest_ms <= timestamp <=
 * newest_ms is in the store (oldest_ms 0: back to the start of what the tape serves).
 * *out_found is false (and the ranges 0) when nothing is proven yet. The range outs may be NULL.
 * Errors: PM_E_INVALID_ARG, the pm_store_* errors. Thread: any.
 */
PM_EXTERN pm_status pm_store_get_trade_coverage(pm_store *store, const char *condition_id, bool *out_found,
                                                int64_t *out_oldest_ms, int64_t *out_newest_ms);

/* ============================================================================================ */
/* Price history (Data API /v2/prices-history, CLOB /batch-prices-history) and its storage       */
/* ============================================================================================ */

/** A list of price points (token, time, exact price), oldest first per token. */
typedef struct pm_price_points pm_price_points;

/**
 * The token's prices with start_ms <= timestamp < end_ms (end_ms <= 0: now), oldest first, each
 * timestamp once. A range over 15 days is asked as consecutive 15-day windows and joined.
 * bucket_seconds > 0 asks for that spacing (<= 0: the server's). Bounded by the client's listing
 * budget (PM_E_TOO_LARGE, PM_E_TIMEOUT).
 * Ownership: *out is owned by the caller; free it with pm_price_points_free().
 * Errors: as pm_client_*; PM_E_INVALID_ARG for a bad token id, start_ms < 0 or end <= start.
 * Thread: any.
 */
PM_EXTERN pm_status pm_client_fetch_price_history(pm_client *client, const char *token_id, int64_t start_ms,
                                                  int64_t end_ms, int64_t bucket_seconds, pm_price_points **out);

/**
 * The prices of `count` tokens with start_ms <= timestamp <= end_ms (end_ms <= 0: now), one
 * POST /batch-prices-history per 20 tokens, in one list ordered by token id, then time.
 * fidelity_minutes > 0 asks for that spacing (<= 0: the server's). count 0 gives an empty list.
 * Ownership: *out is owned by the caller; free it with pm_price_points_free().
 * Errors: as pm_client_*; PM_E_PARSE when the answer holds a token that was not asked for.
 * Thread: any.
 */
PM_EXTERN pm_status pm_client_fetch_price_histories(pm_client *client, const char *const *token_ids, size_t count,
                                                    int64_t start_ms, int64_t end_ms, int32_t fidelity_minutes,
                                                    pm_price_points **out);

/** Number of points; 0 for NULL. Thread: any. */
PM_EXTERN size_t pm_price_points_count(const pm_price_points *points);
/** The token of point `index`, borrowed from the list; "" when out of range or NULL. */
PM_EXTERN const char *pm_price_points_token_id(const pm_price_points *points, size_t index);
/** ms since the epoch; 0 when out of range or NULL. */
PM_EXTERN int64_t pm_price_points_timestamp_ms(const pm_price_points *points, size_t index);
/** The price as a canonical decimal, borrowed from the list; "" when out of range or NULL. */
PM_EXTERN const char *pm_price_points_price(const pm_price_points *points, size_t index);
/** The price in micro-units; -1 when out of range or NULL. */
PM_EXTERN int64_t pm_price_points_price_micros(const pm_price_points *points, size_t index);
/** Frees the list and the strings borrowed from it. NULL is a no-op. */
PM_EXTERN void pm_price_points_free(pm_price_points *points);

/** A price point to store. */
typedef struct pm_price_point_input {
    uint32_t version;      /**< PM_PRICE_POINT_INPUT_VERSION */
    const char *token_id;  /**< required: 1-78 digits */
    int64_t timestamp_ms;  /**< required: >= 0, ms since the epoch */
    const char *price;     /**< required: decimal string, >= 0 */
} pm_price_point_input;
#define PM_PRICE_POINT_INPUT_VERSION 1
#define PM_PRICE_POINT_INPUT_INIT { PM_PRICE_POINT_INPUT_VERSION, NULL, 0, NULL }

/**
 * Upserts `count` points in one transaction (all or none; one price per token and timestamp, a
 * later write replaces it). Every row is validated first; the message names a bad row's index.
 * *out_inserted (may be NULL) receives how many were new. count 0 is a no-op (points may be NULL).
 * Errors: PM_E_INVALID_ARG, PM_E_INVALID_UTF8, PM_E_PARSE / PM_E_RANGE (price), PM_E_BUSY,
 * PM_E_STORAGE. Thread: any.
 */
PM_EXTERN pm_status pm_store_upsert_price_points(pm_store *store, const pm_price_point_input *points, size_t count,
                                                 size_t *out_inserted);

/**
 * The stored points of `token_id` with from_ms <= timestamp <= to_ms (INT64_MIN / INT64_MAX for
 * an open end), oldest first.
 * Ownership: *out is owned by the caller; free it with pm_price_points_free().
 * Errors: PM_E_INVALID_ARG (NULL, bad token id, from_ms > to_ms), PM_E_INVALID_UTF8, PM_E_BUSY,
 * PM_E_STORAGE. Thread: any.
 */
PM_EXTERN pm_status pm_store_query_price_points(pm_store *store, const char *token_id, int64_t from_ms,
                                                int64_t to_ms, pm_price_points **out);

/* ============================================================================================ */
/* Batch prices (CLOB POST /prices, /midpoints, /last-trades-prices)                            */
/* ============================================================================================ */

/** A list of (token id, exact price, side) rows, ordered by token id. */
typedef struct pm_token_prices pm_token_prices;

/**
 * The best price on one side of each token's book: side PM_SIDE_BID asks the CLOB for BUY (the
 * best bid), PM_SIDE_ASK for SELL (the best ask); one POST /prices per 100 tokens, repeats asked
 * once. A token the CLOB leaves out (no book, empty side) has no row: it is never reported as 0.
 * Each row's side is "BUY" or "SELL" (the side asked). count 0 gives an empty list (token_ids may
 * be NULL).
 * Ownership: *out is owned by the caller; free it with pm_token_prices_free(). token_ids is only
 * read during the call.
 * Errors: as pm_client_*; PM_E_INVALID_ARG for NULL arguments, a bad token id (the message names
 * its index) or a side other than PM_SIDE_BID / PM_SIDE_ASK; PM_E_PARSE for a malformed answer or
 * one holding a token that was not asked for; PM_E_RANGE for a price out of range. Thread: any.
 */
PM_EXTERN pm_status pm_client_fetch_prices(pm_client *client, const char *const *token_ids, size_t count,
                                           pm_side side, pm_token_prices **out);

/**
 * Each token's midpoint (the mean of its best bid and best ask), one POST /midpoints per 100
 * tokens; tokens without one have no row. Rows have side "". Ownership, errors and thread as
 * pm_client_fetch_prices.
 */
PM_EXTERN pm_status pm_client_fetch_midpoints(pm_client *client, const char *const *token_ids, size_t count,
                                              pm_token_prices **out);

/**
 * Each token's last trade price and its taker side ("BUY", "SELL", or "" when the CLOB gives
 * none), one POST /last-trades-prices per 100 tokens; tokens without a trade have no row.
 * Ownership, errors and thread as pm_client_fetch_prices.
 */
PM_EXTERN pm_status pm_client_fetch_last_trade_prices(pm_client *client, const char *const *token_ids, size_t count,
                                                      pm_token_prices **out);

/** Number of rows; 0 for NULL. Thread: any. */
PM_EXTERN size_t pm_token_prices_count(const pm_token_prices *prices);
/** The token of row `index`, borrowed from the list; "" when out of range or NULL. */
PM_EXTERN const char *pm_token_prices_token_id(const pm_token_prices *prices, size_t index);
/** The price as a canonical decimal, borrowed from the list; "" when out of range or NULL. */
PM_EXTERN const char *pm_token_prices_price(const pm_token_prices *prices, size_t index);
/** The price in micro-units; -1 when out of range or NULL. */
PM_EXTERN int64_t pm_token_prices_price_micros(const pm_token_prices *prices, size_t index);
/** "BUY", "SELL" or "" (static strings); "" when out of range or NULL. */
PM_EXTERN const char *pm_token_prices_side(const pm_token_prices *prices, size_t index);
/** Frees the list and the strings borrowed from it. NULL is a no-op. */
PM_EXTERN void pm_token_prices_free(pm_token_prices *prices);

/* ============================================================================================ */
/* The HTTP status of the last failure; MetadataSync with progress                              */
/* ============================================================================================ */

/**
 * The HTTP status code behind the calling thread's last failure, e.g. 404, 429 or 503; 0 when that
 * failure had none (not an HTTP answer: a network error, a parse error, a bad argument), or when no
 * call on this thread has failed yet. Written by the same failing calls, at the same moment, as
 * pm_last_error(), and kept until the next failing call on this thread: read it right after the
 * status, before any other pm_* call, as you would the message. Failures that carry one:
 * PM_E_HTTP (a final 4xx, or a 429/5xx whose retries ran out), PM_E_NO_BOOK (404), the
 * PM_E_INVALID_ARG of an unknown token (404), and a PM_E_TIMEOUT whose last attempt got an answer.
 * Ownership: nothing to free. Errors: none (it cannot fail). Thread: per-thread, as pm_last_error().
 */
PM_EXTERN int pm_last_error_http_status(void);

/**
 * Progress of pm_metadata_sync_with_progress(), after every Gamma listing page: the pages fetched
 * and the markets listed so far (before any is written). Called on a library thread while the call
 * blocks its caller; it must not call pm_* functions on the same client or store.
 */
typedef void (*pm_metadata_sync_progress_cb)(size_t pages, size_t markets, void *userdata);

/**
 * pm_metadata_sync() with a progress callback: `progress` (may be NULL: then exactly
 * pm_metadata_sync()) gets `userdata` after every listing page. The callback cannot fail the call;
 * to stop it, call pm_client_cancel() on `client` (from the callback or any thread): a cancel
 * during the listing returns PM_E_CANCELLED with nothing written. Each out pointer may be NULL; on failure the outs
 * are 0. Ownership: the library keeps neither `progress` nor `userdata` after the call returns.
 * Errors: as pm_metadata_sync() (PM_E_INVALID_ARG for a NULL client or store). Thread: any; blocks.
 */
PM_EXTERN pm_status pm_metadata_sync_with_progress(pm_client *client, pm_store *store,
                                                   pm_metadata_sync_progress_cb progress, void *userdata,
                                                   size_t *out_markets, size_t *out_inserted,
                                                   size_t *out_updated, size_t *out_unchanged);

#ifdef __cplusplus
}
#endif

#endif /* PMINGEST_H */
