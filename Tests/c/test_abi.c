/* test_abi.c — the behaviour of the C ABI, as promised by include/pmingest.h.
 *
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include Tests/c/test_abi.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread
 * Covers: versions; status names; the thread-local last error; exact decimals; the store on
 * ":memory:" (trades, batches, queries, accessors, watermarks, token metadata); NULL and invalid
 * arguments everywhere; *_free(NULL). Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN_A "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define TOKEN_B "52114319501245915516055106046884209969926127482827954674443846427813813222426"
#define TOKEN_C "21742633143463906290569050155826241533067272736897614950488156847949938836455"
#define COND_A "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"
#define COND_B "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"
#define TX_1 "0x3c7e5e4ac2b8b1e0ab1b7a2d6ffdc1a0d6f0f1c8b5d3e0a9e8f7c6b5a4938271"
#define WALLET_1 "0x56687bf447db6ffa42ffe2204a05edaa20f55839"

/* A fake pointer that must be overwritten with NULL by a failing constructor. */
static int not_null_dummy;
#define SENTINEL(type) ((type *)(void *)&not_null_dummy)

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int is_hex64(const char *s) {
    size_t i;
    if (s == NULL || strlen(s) != 64) return 0;
    for (i = 0; i < 64; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
    }
    return 1;
}

static pm_trade_input base_trade(void) {
    pm_trade_input t = PM_TRADE_INPUT_INIT;
    t.token_id = TOKEN_A;
    t.condition_id = COND_A;
    t.side = "BUY";
    t.price = "0.95";
    t.size = "84.17";
    t.timestamp_ms = 1700000000000LL;
    t.transaction_hash = TX_1;
    t.proxy_wallet = WALLET_1;
    t.outcome = "Yes";
    return t;
}

/* ------------------------------------------------------------------------------------------ */

static void test_versions(void) {
    CHECK_I64(pm_version_number(), PM_VERSION_NUMBER);
    CHECK_I64(pm_abi_version(), PM_ABI_VERSION);
    CHECK(pm_version_string() != NULL);
    CHECK_STR(pm_version_string(), PM_VERSION_STRING);
}

static void test_status_str(void) {
    static const pm_status all[] = {
        PM_OK, PM_E_INVALID_ARG, PM_E_INVALID_UTF8, PM_E_NETWORK, PM_E_TIMEOUT, PM_E_HTTP,
        PM_E_PARSE, PM_E_RANGE, PM_E_TOO_LARGE, PM_E_STALE, PM_E_BOOK_INVALID, PM_E_STORAGE,
        PM_E_BUSY, PM_E_CORRUPT, PM_E_CANT_OPEN, PM_E_MISUSE, PM_E_CANCELLED, PM_E_INTERNAL,
        PM_E_NO_BOOK};
    size_t n = sizeof all / sizeof all[0], i, j;
    CHECK_I64(n, 19);
    for (i = 0; i < n; i++) {
        const char *s = pm_status_str(all[i]);
        CHECK_I64(all[i], (int)i); /* numbers are 0..18, explicit and dense */
        CHECK(s != NULL && s[0] != '\0');
        CHECK(s != NULL && strcmp(s, "unknown status") != 0);
        for (j = 0; j < i; j++) {
            const char *t = pm_status_str(all[j]);
            if (s && t && strcmp(s, t) == 0) fprintf(stderr, "     duplicate name \"%s\" for %d and %d\n", s, (int)i, (int)j);
            CHECK(s && t && strcmp(s, t) != 0);
        }
    }
    CHECK_STR(pm_status_str(PM_E_INVALID_ARG), "invalid argument");
    CHECK_STR(pm_status_str((pm_status)19), "unknown status");
    CHECK_STR(pm_status_str((pm_status)-1), "unknown status");
    CHECK_STR(pm_status_str((pm_status)1000000), "unknown status");
}

/* ---- last error ---------------------------------------------------------------------------- */

struct thread_error_probe {
    char seen_at_start[256];
    char seen_after_own_failure[256];
    pm_status own_status;
};

static void *probe_thread(void *arg) {
    struct thread_error_probe *p = arg;
    const char *e = pm_last_error();
    snprintf(p->seen_at_start, sizeof p->seen_at_start, "%s", e ? e : "(NULL)");
    p->own_status = pm_decimal_parse("not a number", NULL);
    e = pm_last_error();
    snprintf(p->seen_after_own_failure, sizeof p->seen_after_own_failure, "%s", e ? e : "(NULL)");
    return NULL;
}

static void test_last_error(void) {
    const char *e = pm_last_error();
    char main_message[512];
    struct thread_error_probe probe;
    pthread_t th;
    int64_t micros = 0;

    CHECK(e != NULL);
    CHECK_STATUS(pm_decimal_parse("1", &micros), PM_OK);
    CHECK(pm_last_error() != NULL);

    /* A failure on this thread sets this thread's message ... */
    CHECK_FAILS(pm_decimal_parse(NULL, &micros), PM_E_INVALID_ARG);
    e = pm_last_error();
    CHECK(e != NULL && e[0] != '\0');
    snprintf(main_message, sizeof main_message, "%s", e ? e : "");

    /* ... and another thread still sees "" until it fails itself. */
    memset(&probe, 0, sizeof probe);
    CHECK(pthread_create(&th, NULL, probe_thread, &probe) == 0);
    CHECK(pthread_join(th, NULL) == 0);
    CHECK_STR(probe.seen_at_start, "");
    CHECK(probe.own_status == PM_E_INVALID_ARG || probe.own_status == PM_E_PARSE);
    CHECK(probe.seen_after_own_failure[0] != '\0');

    /* The other thread's failure did not touch this thread's message. */
    CHECK_STR(pm_last_error(), main_message);

    /* Only failing calls write the message: successful calls, pm_status_str() and record
     * accessors leave it as it was. */
    {
        char *text = NULL;
        CHECK_STR(pm_last_error(), main_message);
        CHECK_STATUS(pm_decimal_parse("0.5", &micros), PM_OK);
        CHECK_STR(pm_last_error(), main_message);
        CHECK_STATUS(pm_decimal_format(5, &text), PM_OK);
        pm_string_free(text);
        CHECK_STR(pm_last_error(), main_message);
        (void)pm_status_str(PM_E_BUSY);
        (void)pm_status_str((pm_status)12345);
        CHECK_STR(pm_last_error(), main_message);
        (void)pm_trade_price(NULL);
        (void)pm_trades_count(NULL);
        (void)pm_token_meta_question(NULL);
        (void)pm_watermark_last_trade_ms(NULL);
        (void)pm_version_string();
        CHECK_STR(pm_last_error(), main_message);
        /* a new failure replaces it */
        CHECK_FAILS(pm_decimal_parse("x", &micros), PM_E_PARSE);
        CHECK(strcmp(pm_last_error(), main_message) != 0);
        snprintf(main_message, sizeof main_message, "%s", pm_last_error());
    }

    /* A long message is not a problem (pm_last_error never NULL, thread exit frees the slot). */
    {
        char longtoken[5000];
        memset(longtoken, '9', sizeof longtoken - 1);
        longtoken[sizeof longtoken - 1] = '\0';
        CHECK(pm_decimal_parse(longtoken, &micros) != PM_OK);
        CHECK(pm_last_error() != NULL && pm_last_error()[0] != '\0');
    }
}

/* ---- decimals ------------------------------------------------------------------------------ */

static void check_parse_ok(const char *text, int64_t expected, int line) {
    int64_t v = -12345;
    pm_status s = pm_decimal_parse(text, &v);
    pmt_record(s == PM_OK && v == expected, __FILE__, line, text);
    if (!(s == PM_OK && v == expected))
        fprintf(stderr, "     parse(\"%s\"): status %d (%s, \"%s\"), value %lld, expected %lld\n", text,
                (int)s, pm_status_str(s), pm_last_error(), (long long)v, (long long)expected);
}

static void check_parse_err(const char *text, pm_status expected, int line) {
    int64_t v = 0;
    pm_status s = pm_decimal_parse(text, &v);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", pm_last_error());
    pmt_record(s == expected, __FILE__, line, text ? text : "(NULL)");
    if (s != expected)
        fprintf(stderr, "     parse(\"%s\"): status %d (%s), expected %d (%s); value %lld\n",
                text ? text : "NULL", (int)s, pm_status_str(s), (int)expected,
                pm_status_str(expected), (long long)v);
    pmt_record(msg[0] != '\0', __FILE__, line, "message set after a failed parse");
}

static void check_format(int64_t micros, const char *expected, int line) {
    char *out = (char *)(void *)&not_null_dummy;
    pm_status s = pm_decimal_format(micros, &out);
    int ok = s == PM_OK && out != NULL && strcmp(out, expected) == 0;
    pmt_record(ok, __FILE__, line, expected);
    if (!ok)
        fprintf(stderr, "     format(%lld): status %d, got \"%s\", expected \"%s\"\n", (long long)micros,
                (int)s, (s == PM_OK && out) ? out : "?", expected);
    if (s == PM_OK) {
        /* round trip for non-negative values (the parser takes no sign) */
        if (micros >= 0) {
            int64_t back = -1;
            pmt_record(pm_decimal_parse(out, &back) == PM_OK && back == micros, __FILE__, line,
                       "parse(format(x)) == x");
        }
        pm_string_free(out);
    }
}

static void test_decimals(void) {
    int64_t v = 0;
    check_parse_ok(".48", 480000, __LINE__);
    check_parse_ok("0.48", 480000, __LINE__);
    check_parse_ok("1218691.83", 1218691830000LL, __LINE__);
    check_parse_ok("0", 0, __LINE__);
    check_parse_ok("0.95", 950000, __LINE__);
    check_parse_ok("5", 5000000, __LINE__);
    check_parse_ok("0.000001", 1, __LINE__);
    check_parse_ok("0.123456", 123456, __LINE__);
    check_parse_ok("1250.5", 1250500000LL, __LINE__);
    check_parse_ok("9223372036854.775807", INT64_MAX, __LINE__);

    check_parse_err("", PM_E_PARSE, __LINE__);
    check_parse_err("1e5", PM_E_PARSE, __LINE__);
    check_parse_err("-1", PM_E_PARSE, __LINE__);
    check_parse_err("+1", PM_E_PARSE, __LINE__);
    check_parse_err("0.1234567", PM_E_PARSE, __LINE__);
    check_parse_err(" 1", PM_E_PARSE, __LINE__);
    check_parse_err("1 ", PM_E_PARSE, __LINE__);
    check_parse_err("NaN", PM_E_PARSE, __LINE__);
    check_parse_err("inf", PM_E_PARSE, __LINE__);
    check_parse_err("1,5", PM_E_PARSE, __LINE__);
    check_parse_err("1.2.3", PM_E_PARSE, __LINE__);
    check_parse_err("0x10", PM_E_PARSE, __LINE__);
    check_parse_err(".", PM_E_PARSE, __LINE__);
    check_parse_err("9223372036854.775808", PM_E_RANGE, __LINE__);
    check_parse_err("9223372036855", PM_E_RANGE, __LINE__);
    check_parse_err("99999999999999999999999999999999", PM_E_RANGE, __LINE__);
    check_parse_err(NULL, PM_E_INVALID_ARG, __LINE__);
    /* The header: "a string that is not valid UTF-8 gives PM_E_INVALID_UTF8"; pm_decimal_parse
     * lists PM_E_INVALID_UTF8 among its errors. */
    check_parse_err("\xff", PM_E_INVALID_UTF8, __LINE__);
    check_parse_err("0.\xc3\x28", PM_E_INVALID_UTF8, __LINE__);
    CHECK_FAILS(pm_decimal_parse("\xff\xfe" "1", &v), PM_E_INVALID_UTF8); /* message stays UTF-8 */
    CHECK_FAILS(pm_decimal_parse("caf\xc3\xa9", &v), PM_E_PARSE);     /* valid UTF-8, not a number */
    CHECK_FAILS(pm_decimal_parse("1", NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_decimal_parse("2.5", &v), PM_OK);
    CHECK_I64(v, 2500000);

    check_format(950000, "0.95", __LINE__);
    check_format(1250500000LL, "1250.5", __LINE__);
    check_format(0, "0", __LINE__);
    check_format(-10000, "-0.01", __LINE__);
    check_format(1, "0.000001", __LINE__);
    check_format(1000000, "1", __LINE__);
    check_format(480000, "0.48", __LINE__);
    check_format(1218691830000LL, "1218691.83", __LINE__);
    check_format(-5000000, "-5", __LINE__);
    check_format(INT64_MAX, "9223372036854.775807", __LINE__);
    check_format(INT64_MIN, "-9223372036854.775808", __LINE__);
    CHECK_FAILS(pm_decimal_format(1, NULL), PM_E_INVALID_ARG);
}

/* ---- options -------------------------------------------------------------------------------- */

static void test_options(void) {
    pm_store_options o;
    pm_store *s = SENTINEL(pm_store);
    memset(&o, 0xAB, sizeof o);
    CHECK_STATUS(pm_store_options_init(&o, PM_STORE_OPTIONS_VERSION), PM_OK);
    CHECK_I64(o.version, PM_STORE_OPTIONS_VERSION);
    CHECK_I64(o.busy_timeout_ms, 5000);
    CHECK_FAILS(pm_store_options_init(&o, 0), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_options_init(&o, PM_STORE_OPTIONS_VERSION + 1), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_options_init(&o, 0xFFFFFFFFu), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_options_init(NULL, PM_STORE_OPTIONS_VERSION), PM_E_INVALID_ARG);

    /* Options that were never initialised (version 0) are an invalid argument. (A version newer
     * than this library's is accepted by pm_store_open: fields are append-only, so it reads the
     * ones it knows. The header does not say which; see the report.) */
    o.version = 0;
    o.busy_timeout_ms = 100;
    CHECK_FAILS(pm_store_open(":memory:", &o, &s), PM_E_INVALID_ARG);
    CHECK(s == NULL);
    if (s && s != SENTINEL(pm_store)) pm_store_free(s);

    /* Explicit defaults work. */
    {
        pm_store_options good = PM_STORE_OPTIONS_INIT;
        s = NULL;
        CHECK_STATUS(pm_store_open(":memory:", &good, &s), PM_OK);
        CHECK(s != NULL);
        pm_store_free(s);
    }
}

/* ---- trades -------------------------------------------------------------------------------- */

static void check_trade_a(const pm_trade *t) {
    CHECK(t != NULL);
    CHECK(is_hex64(pm_trade_id(t)));
    CHECK_STR(pm_trade_token_id(t), TOKEN_A);
    CHECK_STR(pm_trade_condition_id(t), COND_A);
    CHECK_STR(pm_trade_side(t), "BUY");
    CHECK_STR(pm_trade_price(t), "0.95");
    CHECK_I64(pm_trade_price_micros(t), 950000);
    CHECK_STR(pm_trade_size(t), "84.17");
    CHECK_I64(pm_trade_size_micros(t), 84170000);
    CHECK_I64(pm_trade_timestamp_ms(t), 1700000000000LL);
    CHECK_STR(pm_trade_transaction_hash(t), TX_1);
    CHECK_STR(pm_trade_proxy_wallet(t), WALLET_1);
    CHECK_STR(pm_trade_outcome(t), "Yes");
}

static void test_trade_single(pm_store *s) {
    pm_trade_input t = base_trade();
    int inserted = -1;
    int64_t n = -1;
    pm_trades *list = SENTINEL(pm_trades);
    char first_id[80] = "";

    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    CHECK_I64(n, 0);

    CHECK_STATUS(pm_store_upsert_trade(s, &t, &inserted), PM_OK);
    CHECK_I64(inserted, 1);
    inserted = -1;
    CHECK_STATUS(pm_store_upsert_trade(s, &t, &inserted), PM_OK);
    CHECK_I64(inserted, 0);
    CHECK_STATUS(pm_store_upsert_trade(s, &t, NULL), PM_OK); /* out_inserted may be NULL */
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    CHECK_I64(n, 1);
    CHECK_STATUS(pm_store_count_trades(s, TOKEN_A, &n), PM_OK);
    CHECK_I64(n, 1);
    CHECK_STATUS(pm_store_count_trades(s, TOKEN_B, &n), PM_OK);
    CHECK_I64(n, 0);
    /* Look-ups refuse a malformed token id instead of answering "nothing stored". */
    CHECK_FAILS(pm_store_count_trades(s, "tok1", &n), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_query_trades(s, "..", 0, INT64_MAX, 0, &list), PM_E_INVALID_ARG);
    CHECK(list == NULL);
    list = SENTINEL(pm_trades);
    {
        pm_token_meta *meta = SENTINEL(pm_token_meta);
        CHECK_FAILS(pm_store_get_token_meta(s, "12a", &meta), PM_E_INVALID_ARG);
        CHECK(meta == NULL);
    }

    CHECK_STATUS(pm_store_query_trades(s, TOKEN_A, 0, INT64_MAX, 0, &list), PM_OK);
    CHECK(list != NULL && list != SENTINEL(pm_trades));
    CHECK_I64(pm_trades_count(list), 1);
    if (pm_trades_count(list) == 1) {
        check_trade_a(pm_trades_at(list, 0));
        snprintf(first_id, sizeof first_id, "%s", pm_trade_id(pm_trades_at(list, 0)));
    }
    CHECK(pm_trades_at(list, 1) == NULL);
    CHECK(pm_trades_at(list, (size_t)-1) == NULL);
    pm_trades_free(list);

    /* The same trade written differently (case of side, non-canonical decimals) is the same
     * trade: the id derives from the parsed fields, and the stored strings are canonical. */
    {
        pm_trade_input u = base_trade();
        u.side = "buy";
        u.price = ".950";
        u.size = "84.170000";
        inserted = -1;
        CHECK_STATUS(pm_store_upsert_trade(s, &u, &inserted), PM_OK);
        CHECK_I64(inserted, 0);
        CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
        CHECK_I64(n, 1);
        list = NULL;
        CHECK_STATUS(pm_store_query_trades(s, TOKEN_A, 0, INT64_MAX, 0, &list), PM_OK);
        if (pm_trades_count(list) == 1) {
            check_trade_a(pm_trades_at(list, 0));
            CHECK_STR(pm_trade_id(pm_trades_at(list, 0)), first_id);
        }
        pm_trades_free(list);
    }

    /* Rewriting the row with the same id: descriptive fields take the new values. */
    {
        pm_trade_input u = base_trade();
        const pm_trade *tr;
        u.outcome = "No";
        inserted = -1;
        CHECK_STATUS(pm_store_upsert_trade(s, &u, &inserted), PM_OK);
        CHECK_I64(inserted, 0);
        list = NULL;
        CHECK_STATUS(pm_store_query_trades(s, TOKEN_A, 0, INT64_MAX, 0, &list), PM_OK);
        CHECK_I64(pm_trades_count(list), 1);
        tr = pm_trades_at(list, 0);
        CHECK_STR(pm_trade_id(tr), first_id);
        CHECK_STR(pm_trade_outcome(tr), "No");
        pm_trades_free(list);
        u.outcome = "Yes";
        CHECK_STATUS(pm_store_upsert_trade(s, &u, NULL), PM_OK);
    }

    /* A different field is a different trade; optional fields may be NULL or "". */
    {
        pm_trade_input u = base_trade();
        const pm_trade *tr;
        u.token_id = TOKEN_C;
        u.side = "sell";
        u.condition_id = NULL;
        u.transaction_hash = "";
        u.proxy_wallet = NULL;
        u.outcome = NULL;
        u.price = "0";
        u.size = "1000000";
        inserted = -1;
        CHECK_STATUS(pm_store_upsert_trade(s, &u, &inserted), PM_OK);
        CHECK_I64(inserted, 1);
        list = NULL;
        CHECK_STATUS(pm_store_query_trades(s, TOKEN_C, 0, INT64_MAX, 0, &list), PM_OK);
        CHECK_I64(pm_trades_count(list), 1);
        tr = pm_trades_at(list, 0);
        CHECK_STR(pm_trade_side(tr), "SELL");
        CHECK_STR(pm_trade_condition_id(tr), "");
        CHECK_STR(pm_trade_transaction_hash(tr), "");
        CHECK_STR(pm_trade_proxy_wallet(tr), "");
        CHECK_STR(pm_trade_outcome(tr), "");
        CHECK_STR(pm_trade_price(tr), "0");
        CHECK_I64(pm_trade_price_micros(tr), 0);
        CHECK_STR(pm_trade_size(tr), "1000000");
        CHECK_I64(pm_trade_size_micros(tr), 1000000000000LL);
        CHECK(is_hex64(pm_trade_id(tr)));
        CHECK(strcmp(pm_trade_id(tr), first_id) != 0);
        pm_trades_free(list);
    }
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    CHECK_I64(n, 2);
}

static void test_trade_validation(pm_store *s) {
    pm_trade_input t;
    int64_t before = -1, after = -1;
    CHECK_STATUS(pm_store_count_trades(s, NULL, &before), PM_OK);

#define BAD(field_stmt, expected, needle)                                                     \
    do {                                                                                        \
        int ins = -7;                                                                           \
        t = base_trade();                                                                       \
        field_stmt;                                                                             \
        CHECK_FAILS(pm_store_upsert_trade(s, &t, &ins), expected);                              \
        if ((needle)[0] != '\0') {                                                              \
            int has = strstr(pmt_last_msg, (needle)) != NULL;                                   \
            pmt_record(has, __FILE__, __LINE__, "message names the field: " needle);            \
            if (!has) fprintf(stderr, "     message: \"%s\"\n", pmt_last_msg);                 \
        }                                                                                       \
    } while (0)

    BAD(t.token_id = NULL, PM_E_INVALID_ARG, "token");
    BAD(t.token_id = "", PM_E_INVALID_ARG, "token");
    BAD(t.token_id = "tok1", PM_E_INVALID_ARG, "token_id");   /* token ids are 1-78 digits */
    BAD(t.token_id = "..", PM_E_INVALID_ARG, "token_id");
    BAD(t.token_id = "1234567890123456789012345678901234567890123456789012345678901234567890123456789",
        PM_E_INVALID_ARG, "token_id");                        /* 79 digits */
    BAD(t.side = NULL, PM_E_INVALID_ARG, "side");
    BAD(t.side = "HOLD", PM_E_INVALID_ARG, "side");
    BAD(t.price = NULL, PM_E_INVALID_ARG, "price");
    BAD(t.size = NULL, PM_E_INVALID_ARG, "size");
    BAD(t.timestamp_ms = 0, PM_E_INVALID_ARG, "timestamp");
    BAD(t.timestamp_ms = -5, PM_E_INVALID_ARG, "timestamp");
    BAD(t.token_id = "7132\xff", PM_E_INVALID_UTF8, "");
    BAD(t.outcome = "Y\xc3\x28s", PM_E_INVALID_UTF8, "");
    BAD(t.price = "9223372036854.775808", PM_E_RANGE, "");
    BAD(t.version = 0, PM_E_INVALID_ARG, "");
#undef BAD
    /* A malformed price: the header allows PM_E_PARSE (price or size) or PM_E_INVALID_ARG
     * (malformed field); either way the call fails and says so. */
    {
        pm_status st;
        t = base_trade();
        t.price = "abc";
        st = pm_store_upsert_trade(s, &t, NULL);
        CHECK(st == PM_E_PARSE || st == PM_E_INVALID_ARG);
        CHECK(pm_last_error()[0] != '\0');
        t = base_trade();
        t.size = "-1";
        st = pm_store_upsert_trade(s, &t, NULL);
        CHECK(st == PM_E_PARSE || st == PM_E_INVALID_ARG);
    }
    CHECK_STATUS(pm_store_count_trades(s, NULL, &after), PM_OK);
    CHECK_I64(after, before);
}

#define BATCH 1000
static char batch_tx[BATCH][72];

static void fill_batch(pm_trade_input *rows, size_t n, const char *token, int64_t ts0) {
    size_t i;
    for (i = 0; i < n; i++) {
        rows[i] = base_trade();
        rows[i].token_id = token;
        snprintf(batch_tx[i], sizeof batch_tx[i], "0x%064lu", (unsigned long)i);
        rows[i].transaction_hash = batch_tx[i];
        rows[i].timestamp_ms = ts0 + (int64_t)i;
        rows[i].side = (i % 2) ? "SELL" : "BUY";
        rows[i].price = (i % 3) ? "0.5" : "0.25";
    }
}

static void test_trade_batches(pm_store *s) {
    static pm_trade_input rows[BATCH];
    size_t inserted = 12345;
    int64_t before = -1, n = -1;

    CHECK_STATUS(pm_store_count_trades(s, NULL, &before), PM_OK);

    /* count == 0 is a no-op and trades may then be NULL. */
    CHECK_STATUS(pm_store_upsert_trades(s, NULL, 0, &inserted), PM_OK);
    CHECK_I64(inserted, 0);
    CHECK_STATUS(pm_store_upsert_trades(s, NULL, 0, NULL), PM_OK);
    CHECK_FAILS(pm_store_upsert_trades(s, NULL, 5, &inserted), PM_E_INVALID_ARG);

    /* One call, 1000 rows. */
    fill_batch(rows, BATCH, TOKEN_B, 1710000000000LL);
    inserted = 12345;
    CHECK_STATUS(pm_store_upsert_trades(s, rows, BATCH, &inserted), PM_OK);
    CHECK_I64(inserted, BATCH);
    CHECK_STATUS(pm_store_count_trades(s, TOKEN_B, &n), PM_OK);
    CHECK_I64(n, BATCH);
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    CHECK_I64(n, before + BATCH);

    /* Again: nothing new. */
    inserted = 12345;
    CHECK_STATUS(pm_store_upsert_trades(s, rows, BATCH, &inserted), PM_OK);
    CHECK_I64(inserted, 0);
    CHECK_STATUS(pm_store_upsert_trades(s, rows, BATCH, NULL), PM_OK);

    /* A duplicate inside one batch counts once. */
    {
        pm_trade_input two[2];
        two[0] = base_trade();
        two[0].token_id = TOKEN_C;
        two[0].timestamp_ms = 1690000000000LL;
        two[1] = two[0];
        inserted = 12345;
        CHECK_STATUS(pm_store_upsert_trades(s, two, 2, &inserted), PM_OK);
        CHECK_I64(inserted, 1);
    }
    CHECK_STATUS(pm_store_count_trades(s, NULL, &before), PM_OK);

    /* One invalid row (index 7) fails the whole batch, names the index, writes nothing. */
    fill_batch(rows, 20, TOKEN_C, 1720000000000LL);
    rows[7].price = "not-a-price";
    inserted = 12345;
    {
        pm_status st = pm_store_upsert_trades(s, rows, 20, &inserted);
        char msg[512];
        snprintf(msg, sizeof msg, "%s", pm_last_error());
        CHECK(st == PM_E_PARSE || st == PM_E_INVALID_ARG);
        if (!(st == PM_E_PARSE || st == PM_E_INVALID_ARG))
            fprintf(stderr, "     got %d (%s)\n", (int)st, pm_status_str(st));
        CHECK(strstr(msg, "7") != NULL);
        if (strstr(msg, "7") == NULL) fprintf(stderr, "     message: \"%s\"\n", msg);
    }
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    CHECK_I64(n, before);
    /* index 0 is validated like the rest (not only the first row), and the last row too */
    rows[7].price = "0.5";
    rows[19].side = "sideways";
    {
        pm_status st = pm_store_upsert_trades(s, rows, 20, &inserted);
        CHECK_I64(st, PM_E_INVALID_ARG);
        CHECK(strstr(pm_last_error(), "19") != NULL);
    }
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    CHECK_I64(n, before);
    /* fixed, the same batch goes in */
    rows[19].side = "SELL";
    CHECK_STATUS(pm_store_upsert_trades(s, rows, 20, &inserted), PM_OK);
    CHECK_I64(inserted, 20);
}

static void test_trade_queries(pm_store *s) {
    /* ten trades of a fresh token at t = 1000, 2000, ..., 10000, plus two at 5000 (a tie) */
    const char *tok = "98765432109876543210987654321098765432109876543210987654321098765432109876543";
    pm_trade_input rows[11];
    char tx[11][72];
    size_t i, ins = 0;
    pm_trades *list = NULL;
    for (i = 0; i < 10; i++) {
        rows[i] = base_trade();
        rows[i].token_id = tok;
        rows[i].timestamp_ms = (int64_t)(i + 1) * 1000;
        snprintf(tx[i], sizeof tx[i], "0x%064lu", (unsigned long)(i + 500));
        rows[i].transaction_hash = tx[i];
    }
    rows[10] = rows[4]; /* same time as rows[4] (5000), different trade */
    rows[10].side = "SELL";
    CHECK_STATUS(pm_store_upsert_trades(s, rows, 11, &ins), PM_OK);
    CHECK_I64(ins, 11);

    /* inclusive bounds */
    CHECK_STATUS(pm_store_query_trades(s, tok, 2000, 5000, 0, &list), PM_OK);
    CHECK_I64(pm_trades_count(list), 5);
    if (pm_trades_count(list) == 5) {
        CHECK_I64(pm_trade_timestamp_ms(pm_trades_at(list, 0)), 2000);
        CHECK_I64(pm_trade_timestamp_ms(pm_trades_at(list, 1)), 3000);
        CHECK_I64(pm_trade_timestamp_ms(pm_trades_at(list, 2)), 4000);
        CHECK_I64(pm_trade_timestamp_ms(pm_trades_at(list, 3)), 5000);
        CHECK_I64(pm_trade_timestamp_ms(pm_trades_at(list, 4)), 5000);
        /* ties by id */
        CHECK(strcmp(pm_trade_id(pm_trades_at(list, 3)), pm_trade_id(pm_trades_at(list, 4))) < 0);
    }
    pm_trades_free(list);

    /* from == to */
    list = NULL;
    CHECK_STATUS(pm_store_query_trades(s, tok, 7000, 7000, 0, &list), PM_OK);
    CHECK_I64(pm_trades_count(list), 1);
    CHECK_I64(pm_trade_timestamp_ms(pm_trades_at(list, 0)), 7000);
    pm_trades_free(list);

    /* just outside */
    list = NULL;
    CHECK_STATUS(pm_store_query_trades(s, tok, 1001, 1999, 0, &list), PM_OK);
    CHECK(list != NULL);
    CHECK_I64(pm_trades_count(list), 0);
    CHECK(pm_trades_at(list, 0) == NULL);
    pm_trades_free(list);

    /* limit: the first rows in order */
    list = NULL;
    CHECK_STATUS(pm_store_query_trades(s, tok, 0, INT64_MAX, 3, &list), PM_OK);
    CHECK_I64(pm_trades_count(list), 3);
    CHECK_I64(pm_trade_timestamp_ms(pm_trades_at(list, 0)), 1000);
    CHECK_I64(pm_trade_timestamp_ms(pm_trades_at(list, 2)), 3000);
    pm_trades_free(list);
    list = NULL;
    CHECK_STATUS(pm_store_query_trades(s, tok, INT64_MIN, INT64_MAX, 0, &list), PM_OK);
    CHECK_I64(pm_trades_count(list), 11);
    for (i = 1; i < pm_trades_count(list); i++)
        CHECK(pm_trade_timestamp_ms(pm_trades_at(list, i - 1)) <= pm_trade_timestamp_ms(pm_trades_at(list, i)));
    pm_trades_free(list);
    list = NULL;
    CHECK_STATUS(pm_store_query_trades(s, tok, 0, INT64_MAX, 100, &list), PM_OK);
    CHECK_I64(pm_trades_count(list), 11);
    pm_trades_free(list);

    /* unknown token: empty list */
    list = NULL;
    CHECK_STATUS(pm_store_query_trades(s, "42", 0, INT64_MAX, 0, &list), PM_OK);
    CHECK(list != NULL);
    CHECK_I64(pm_trades_count(list), 0);
    pm_trades_free(list);

    /* invalid */
    list = SENTINEL(pm_trades);
    CHECK_FAILS(pm_store_query_trades(s, tok, 5000, 4000, 0, &list), PM_E_INVALID_ARG);
    CHECK(list == NULL);
    list = SENTINEL(pm_trades);
    CHECK_FAILS(pm_store_query_trades(s, "", 0, 1, 0, &list), PM_E_INVALID_ARG);
    CHECK(list == NULL);
    list = SENTINEL(pm_trades);
    CHECK_FAILS(pm_store_query_trades(s, NULL, 0, 1, 0, &list), PM_E_INVALID_ARG);
    CHECK(list == NULL);
    list = SENTINEL(pm_trades);
    CHECK_FAILS(pm_store_query_trades(s, "12\xff", 0, 1, 0, &list), PM_E_INVALID_UTF8);
    CHECK(list == NULL);
    CHECK_FAILS(pm_store_query_trades(s, tok, 0, 1, 0, NULL), PM_E_INVALID_ARG);
}

static void test_records_outlive_store(void) {
    pm_store *s = NULL;
    pm_trades *list = NULL;
    pm_trade_input t = base_trade();
    pm_watermark *w = NULL;
    pm_token_meta *m = NULL;
    pm_token_meta_input mi = PM_TOKEN_META_INPUT_INIT;
    CHECK_STATUS(pm_store_open(":memory:", NULL, &s), PM_OK);
    if (!s) return;
    CHECK_STATUS(pm_store_upsert_trade(s, &t, NULL), PM_OK);
    CHECK_STATUS(pm_store_query_trades(s, TOKEN_A, 0, INT64_MAX, 0, &list), PM_OK);
    CHECK_STATUS(pm_store_update_watermark(s, COND_A, 77, &w), PM_OK);
    mi.token_id = TOKEN_A;
    mi.condition_id = COND_A;
    mi.question = "Will it rain?";
    CHECK_STATUS(pm_store_upsert_token_meta(s, &mi, NULL), PM_OK);
    CHECK_STATUS(pm_store_get_token_meta(s, TOKEN_A, &m), PM_OK);
    pm_store_free(s);
    /* "Records and lists obtained from the store stay valid (they own their data)." */
    CHECK_I64(pm_trades_count(list), 1);
    if (pm_trades_count(list) == 1) check_trade_a(pm_trades_at(list, 0));
    CHECK_I64(pm_watermark_last_trade_ms(w), 77);
    CHECK_STR(pm_watermark_condition_id(w), COND_A);
    CHECK_STR(pm_token_meta_question(m), "Will it rain?");
    pm_trades_free(list);
    pm_watermark_free(w);
    pm_token_meta_free(m);
}

/* ---- watermarks ---------------------------------------------------------------------------- */

static void test_watermarks(pm_store *s) {
    pm_watermark *w = SENTINEL(pm_watermark);
    int64_t t0 = now_ms();

    CHECK_STATUS(pm_store_get_watermark(s, COND_B, &w), PM_OK);
    CHECK(w == NULL);

    w = NULL;
    CHECK_STATUS(pm_store_update_watermark(s, COND_B, 5000, &w), PM_OK);
    CHECK(w != NULL);
    CHECK_STR(pm_watermark_condition_id(w), COND_B);
    CHECK_I64(pm_watermark_last_trade_ms(w), 5000);
    CHECK(pm_watermark_updated_at_ms(w) >= t0 - 60000 && pm_watermark_updated_at_ms(w) <= now_ms() + 60000);
    pm_watermark_free(w);

    /* an older time does not move it back; *out is the watermark in force */
    w = NULL;
    CHECK_STATUS(pm_store_update_watermark(s, COND_B, 3000, &w), PM_OK);
    CHECK_I64(pm_watermark_last_trade_ms(w), 5000);
    pm_watermark_free(w);
    CHECK_STATUS(pm_store_update_watermark(s, COND_B, 4999, NULL), PM_OK); /* out may be NULL */
    w = NULL;
    CHECK_STATUS(pm_store_get_watermark(s, COND_B, &w), PM_OK);
    CHECK_I64(pm_watermark_last_trade_ms(w), 5000);
    pm_watermark_free(w);

    /* equal and newer */
    w = NULL;
    CHECK_STATUS(pm_store_update_watermark(s, COND_B, 5000, &w), PM_OK);
    CHECK_I64(pm_watermark_last_trade_ms(w), 5000);
    pm_watermark_free(w);
    w = NULL;
    CHECK_STATUS(pm_store_update_watermark(s, COND_B, 7000, &w), PM_OK);
    CHECK_I64(pm_watermark_last_trade_ms(w), 7000);
    pm_watermark_free(w);
    w = NULL;
    CHECK_STATUS(pm_store_get_watermark(s, COND_B, &w), PM_OK);
    CHECK_I64(pm_watermark_last_trade_ms(w), 7000);
    pm_watermark_free(w);

    /* 0 is a valid time; watermarks are per condition id */
    CHECK_STATUS(pm_store_update_watermark(s, "cond-zero", 0, NULL), PM_OK);
    w = NULL;
    CHECK_STATUS(pm_store_get_watermark(s, "cond-zero", &w), PM_OK);
    CHECK(w != NULL);
    CHECK_I64(pm_watermark_last_trade_ms(w), 0);
    pm_watermark_free(w);

    /* invalid */
    w = SENTINEL(pm_watermark);
    CHECK_FAILS(pm_store_update_watermark(s, COND_B, -1, &w), PM_E_INVALID_ARG);
    CHECK(w == NULL);
    CHECK_FAILS(pm_store_update_watermark(s, "", 10, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_update_watermark(s, NULL, 10, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_update_watermark(s, "\xff", 10, NULL), PM_E_INVALID_UTF8);
    CHECK_FAILS(pm_store_get_watermark(s, NULL, &w), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_get_watermark(s, "\xfe\xff", &w), PM_E_INVALID_UTF8);
    CHECK_FAILS(pm_store_get_watermark(s, COND_B, NULL), PM_E_INVALID_ARG);
    w = NULL;
    CHECK_STATUS(pm_store_get_watermark(s, COND_B, &w), PM_OK);
    CHECK_I64(pm_watermark_last_trade_ms(w), 7000);
    pm_watermark_free(w);

    /* accessors on NULL */
    CHECK_STR(pm_watermark_condition_id(NULL), "");
    CHECK_I64(pm_watermark_last_trade_ms(NULL), 0);
    CHECK_I64(pm_watermark_updated_at_ms(NULL), 0);
}

/* ---- token metadata ------------------------------------------------------------------------ */

static pm_token_meta_input meta_yes(void) {
    pm_token_meta_input m = PM_TOKEN_META_INPUT_INIT;
    m.token_id = TOKEN_A;
    m.condition_id = COND_A;
    m.question = "Will the Fed cut rates in December?";
    m.outcome = "Yes";
    m.outcome_index = 0;
    m.tick_size = "0.010";
    m.min_order_size = "5";
    m.neg_risk = true;
    m.active = true;
    m.closed = false;
    m.end_date_ms = 1767225600000LL;
    m.market_slug = "fed-cut-december";
    return m;
}

static void test_token_meta(pm_store *s) {
    pm_token_meta_input in = meta_yes();
    pm_change ch = (pm_change)0;
    pm_token_meta *m = SENTINEL(pm_token_meta);
    pm_token_metas *list = SENTINEL(pm_token_metas);
    int64_t t0 = now_ms();

    CHECK_STATUS(pm_store_get_token_meta(s, TOKEN_A, &m), PM_OK);
    CHECK(m == NULL);
    CHECK_STATUS(pm_store_list_token_metas(s, &list), PM_OK);
    CHECK(list != NULL && list != SENTINEL(pm_token_metas));
    CHECK_I64(pm_token_metas_count(list), 0);
    pm_token_metas_free(list);

    CHECK_STATUS(pm_store_upsert_token_meta(s, &in, &ch), PM_OK);
    CHECK_I64(ch, PM_CHANGE_INSERTED);
    ch = (pm_change)0;
    CHECK_STATUS(pm_store_upsert_token_meta(s, &in, &ch), PM_OK);
    CHECK_I64(ch, PM_CHANGE_UNCHANGED);
    /* the same values written differently are the same content */
    in.tick_size = "0.01";
    ch = (pm_change)0;
    CHECK_STATUS(pm_store_upsert_token_meta(s, &in, &ch), PM_OK);
    CHECK_I64(ch, PM_CHANGE_UNCHANGED);
    CHECK_STATUS(pm_store_upsert_token_meta(s, &in, NULL), PM_OK); /* out_change may be NULL */

    m = NULL;
    CHECK_STATUS(pm_store_get_token_meta(s, TOKEN_A, &m), PM_OK);
    CHECK(m != NULL);
    CHECK_STR(pm_token_meta_token_id(m), TOKEN_A);
    CHECK_STR(pm_token_meta_condition_id(m), COND_A);
    CHECK_STR(pm_token_meta_question(m), "Will the Fed cut rates in December?");
    CHECK_STR(pm_token_meta_outcome(m), "Yes");
    CHECK_I64(pm_token_meta_outcome_index(m), 0);
    CHECK_STR(pm_token_meta_tick_size(m), "0.01");
    CHECK_STR(pm_token_meta_min_order_size(m), "5");
    CHECK(pm_token_meta_neg_risk(m) == true);
    CHECK(pm_token_meta_active(m) == true);
    CHECK(pm_token_meta_closed(m) == false);
    CHECK_I64(pm_token_meta_end_date_ms(m), 1767225600000LL);
    CHECK_STR(pm_token_meta_market_slug(m), "fed-cut-december");
    CHECK(pm_token_meta_updated_at_ms(m) >= t0 - 60000 && pm_token_meta_updated_at_ms(m) <= now_ms() + 60000);
    pm_token_meta_free(m);

    /* a change is an update */
    in.closed = true;
    in.active = false;
    ch = (pm_change)0;
    CHECK_STATUS(pm_store_upsert_token_meta(s, &in, &ch), PM_OK);
    CHECK_I64(ch, PM_CHANGE_UPDATED);
    in.question = "Will the Fed cut rates in December 2025?";
    ch = (pm_change)0;
    CHECK_STATUS(pm_store_upsert_token_meta(s, &in, &ch), PM_OK);
    CHECK_I64(ch, PM_CHANGE_UPDATED);
    m = NULL;
    CHECK_STATUS(pm_store_get_token_meta(s, TOKEN_A, &m), PM_OK);
    CHECK(pm_token_meta_closed(m) == true);
    CHECK(pm_token_meta_active(m) == false);
    CHECK_STR(pm_token_meta_question(m), "Will the Fed cut rates in December 2025?");
    pm_token_meta_free(m);

    /* optional fields absent: "", -1, 0 */
    {
        pm_token_meta_input bare = PM_TOKEN_META_INPUT_INIT;
        bare.token_id = TOKEN_C;
        bare.condition_id = COND_B;
        ch = (pm_change)0;
        CHECK_STATUS(pm_store_upsert_token_meta(s, &bare, &ch), PM_OK);
        CHECK_I64(ch, PM_CHANGE_INSERTED);
        m = NULL;
        CHECK_STATUS(pm_store_get_token_meta(s, TOKEN_C, &m), PM_OK);
        CHECK_STR(pm_token_meta_question(m), "");
        CHECK_STR(pm_token_meta_outcome(m), "");
        CHECK_I64(pm_token_meta_outcome_index(m), -1);
        CHECK_STR(pm_token_meta_tick_size(m), "");
        CHECK_STR(pm_token_meta_min_order_size(m), "");
        CHECK_I64(pm_token_meta_end_date_ms(m), 0);
        CHECK_STR(pm_token_meta_market_slug(m), "");
        CHECK(!pm_token_meta_neg_risk(m) && !pm_token_meta_active(m) && !pm_token_meta_closed(m));
        pm_token_meta_free(m);
    }

    /* list order: condition id, then outcome index, then token id */
    {
        pm_token_meta_input x = PM_TOKEN_META_INPUT_INIT;
        static const struct { const char *token, *cond; int idx; } add[] = {
            {"30000000000000000000000000000000000000000000000000000000000000000000000000003", "0xaa", 1},
            {"30000000000000000000000000000000000000000000000000000000000000000000000000002", "0xaa", 0},
            {"30000000000000000000000000000000000000000000000000000000000000000000000000001", "0xaa", 0},
            {"30000000000000000000000000000000000000000000000000000000000000000000000000000", "0xbb", 0},
        };
        /* expected order of everything stored:
         *   0x5f65... (COND_B): TOKEN_C (-1)
         *   0xaa: ...01 (0), ...02 (0), ...03 (1)
         *   0xbb: ...00 (0)
         *   0xdd22... (COND_A): TOKEN_A (0) */
        static const char *expected[] = {
            TOKEN_C,
            "30000000000000000000000000000000000000000000000000000000000000000000000000001",
            "30000000000000000000000000000000000000000000000000000000000000000000000000002",
            "30000000000000000000000000000000000000000000000000000000000000000000000000003",
            "30000000000000000000000000000000000000000000000000000000000000000000000000000",
            TOKEN_A,
        };
        size_t i;
        for (i = 0; i < sizeof add / sizeof add[0]; i++) {
            x.token_id = add[i].token;
            x.condition_id = add[i].cond;
            x.outcome_index = add[i].idx;
            CHECK_STATUS(pm_store_upsert_token_meta(s, &x, NULL), PM_OK);
        }
        list = NULL;
        CHECK_STATUS(pm_store_list_token_metas(s, &list), PM_OK);
        CHECK_I64(pm_token_metas_count(list), 6);
        for (i = 0; i < 6 && i < pm_token_metas_count(list); i++)
            CHECK_STR(pm_token_meta_token_id(pm_token_metas_at(list, i)), expected[i]);
        CHECK(pm_token_metas_at(list, 6) == NULL);
        CHECK(pm_token_metas_at(list, (size_t)-1) == NULL);
        pm_token_metas_free(list);
    }

    /* get missing */
    m = SENTINEL(pm_token_meta);
    CHECK_STATUS(pm_store_get_token_meta(s, "404", &m), PM_OK);
    CHECK(m == NULL);

    /* invalid */
    {
        pm_token_meta_input bad = meta_yes();
        bad.token_id = NULL;
        CHECK_FAILS(pm_store_upsert_token_meta(s, &bad, &ch), PM_E_INVALID_ARG);
        CHECK(strstr(pmt_last_msg, "token") != NULL);
        bad = meta_yes();
        bad.token_id = "";
        CHECK_FAILS(pm_store_upsert_token_meta(s, &bad, &ch), PM_E_INVALID_ARG);
        bad = meta_yes();
        bad.token_id = "yes";   /* token ids are 1-78 digits */
        CHECK_FAILS(pm_store_upsert_token_meta(s, &bad, &ch), PM_E_INVALID_ARG);
        CHECK(strstr(pmt_last_msg, "token_id") != NULL);
        bad = meta_yes();
        bad.condition_id = NULL;
        CHECK_FAILS(pm_store_upsert_token_meta(s, &bad, &ch), PM_E_INVALID_ARG);
        CHECK(strstr(pmt_last_msg, "condition") != NULL);
        bad = meta_yes();
        bad.question = "caf\xe9";
        CHECK_FAILS(pm_store_upsert_token_meta(s, &bad, &ch), PM_E_INVALID_UTF8);
        bad = meta_yes();
        bad.tick_size = "one cent";
        {
            pm_status st = pm_store_upsert_token_meta(s, &bad, &ch);
            CHECK(st == PM_E_PARSE || st == PM_E_INVALID_ARG);
        }
        bad = meta_yes();
        bad.min_order_size = "99999999999999999999";
        CHECK_FAILS(pm_store_upsert_token_meta(s, &bad, &ch), PM_E_RANGE);
        bad = meta_yes();
        bad.version = 0;
        CHECK_FAILS(pm_store_upsert_token_meta(s, &bad, &ch), PM_E_INVALID_ARG);
        CHECK_FAILS(pm_store_upsert_token_meta(s, NULL, &ch), PM_E_INVALID_ARG);
        CHECK_FAILS(pm_store_get_token_meta(s, NULL, &m), PM_E_INVALID_ARG);
        CHECK_FAILS(pm_store_get_token_meta(s, "\xff", &m), PM_E_INVALID_UTF8);
        CHECK_FAILS(pm_store_get_token_meta(s, TOKEN_A, NULL), PM_E_INVALID_ARG);
        CHECK_FAILS(pm_store_list_token_metas(s, NULL), PM_E_INVALID_ARG);
    }
    /* the failed writes changed nothing */
    m = NULL;
    CHECK_STATUS(pm_store_get_token_meta(s, TOKEN_A, &m), PM_OK);
    CHECK_STR(pm_token_meta_tick_size(m), "0.01");
    CHECK_STR(pm_token_meta_min_order_size(m), "5");
    pm_token_meta_free(m);

    /* accessors on NULL */
    CHECK_STR(pm_token_meta_token_id(NULL), "");
    CHECK_STR(pm_token_meta_condition_id(NULL), "");
    CHECK_STR(pm_token_meta_question(NULL), "");
    CHECK_STR(pm_token_meta_outcome(NULL), "");
    CHECK_STR(pm_token_meta_tick_size(NULL), "");
    CHECK_STR(pm_token_meta_min_order_size(NULL), "");
    CHECK_STR(pm_token_meta_market_slug(NULL), "");
    CHECK(pm_token_meta_neg_risk(NULL) == false);
    CHECK(pm_token_meta_active(NULL) == false);
    CHECK(pm_token_meta_closed(NULL) == false);
    CHECK_I64(pm_token_meta_end_date_ms(NULL), 0);
    CHECK_I64(pm_token_meta_updated_at_ms(NULL), 0);
    CHECK_I64(pm_token_metas_count(NULL), 0);
    CHECK(pm_token_metas_at(NULL, 0) == NULL);
}

/* ---- NULL handles and arguments everywhere ------------------------------------------------- */

static void test_null_arguments(pm_store *s) {
    pm_store *out_store = SENTINEL(pm_store);
    pm_trades *tr = SENTINEL(pm_trades);
    pm_watermark *w = SENTINEL(pm_watermark);
    pm_token_meta *m = SENTINEL(pm_token_meta);
    pm_token_metas *ms = SENTINEL(pm_token_metas);
    pm_trade_input t = base_trade();
    pm_token_meta_input mi = meta_yes();
    int ins = 0;
    size_t nins = 0;
    int64_t n = 0;
    pm_change ch;

    CHECK_FAILS(pm_store_open(NULL, NULL, &out_store), PM_E_INVALID_ARG);
    CHECK(out_store == NULL);
    CHECK_FAILS(pm_store_open(":memory:", NULL, NULL), PM_E_INVALID_ARG);
    out_store = SENTINEL(pm_store);
    CHECK_FAILS(pm_store_open("/tmp/\xff\xfe.db", NULL, &out_store), PM_E_INVALID_UTF8);
    CHECK(out_store == NULL);

    CHECK_FAILS(pm_store_upsert_trade(NULL, &t, &ins), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_upsert_trade(s, NULL, &ins), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_upsert_trades(NULL, &t, 1, &nins), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_upsert_trades(NULL, NULL, 0, &nins), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_upsert_trades(s, NULL, 1, &nins), PM_E_INVALID_ARG);

    CHECK_FAILS(pm_store_query_trades(NULL, TOKEN_A, 0, 1, 0, &tr), PM_E_INVALID_ARG);
    CHECK(tr == NULL);
    CHECK_FAILS(pm_store_count_trades(NULL, NULL, &n), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_count_trades(NULL, TOKEN_A, &n), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_count_trades(s, NULL, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_count_trades(s, "\xff", &n), PM_E_INVALID_UTF8);

    CHECK_FAILS(pm_store_get_watermark(NULL, COND_A, &w), PM_E_INVALID_ARG);
    CHECK(w == NULL);
    w = SENTINEL(pm_watermark);
    CHECK_FAILS(pm_store_update_watermark(NULL, COND_A, 1, &w), PM_E_INVALID_ARG);
    CHECK(w == NULL);

    CHECK_FAILS(pm_store_upsert_token_meta(NULL, &mi, &ch), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_store_get_token_meta(NULL, TOKEN_A, &m), PM_E_INVALID_ARG);
    CHECK(m == NULL);
    CHECK_FAILS(pm_store_list_token_metas(NULL, &ms), PM_E_INVALID_ARG);
    CHECK(ms == NULL);

    /* accessors and list functions on NULL */
    CHECK_I64(pm_trades_count(NULL), 0);
    CHECK(pm_trades_at(NULL, 0) == NULL);
    CHECK_STR(pm_trade_id(NULL), "");
    CHECK_STR(pm_trade_token_id(NULL), "");
    CHECK_STR(pm_trade_condition_id(NULL), "");
    CHECK_STR(pm_trade_side(NULL), "");
    CHECK_STR(pm_trade_price(NULL), "");
    CHECK_I64(pm_trade_price_micros(NULL), 0);
    CHECK_STR(pm_trade_size(NULL), "");
    CHECK_I64(pm_trade_size_micros(NULL), 0);
    CHECK_I64(pm_trade_timestamp_ms(NULL), 0);
    CHECK_STR(pm_trade_transaction_hash(NULL), "");
    CHECK_STR(pm_trade_proxy_wallet(NULL), "");
    CHECK_STR(pm_trade_outcome(NULL), "");

    /* every *_free accepts NULL */
    pm_store_free(NULL);
    pm_trades_free(NULL);
    pm_watermark_free(NULL);
    pm_token_meta_free(NULL);
    pm_token_metas_free(NULL);
    pm_string_free(NULL);
    CHECK(1);

    /* the store is still fine after all that */
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
}

int main(void) {
    pm_store *s = NULL;

    test_versions();
    test_status_str();
    test_last_error();
    test_decimals();
    test_options();

    CHECK_STATUS(pm_store_open(":memory:", NULL, &s), PM_OK);
    CHECK(s != NULL);
    if (s != NULL) {
        test_trade_single(s);
        test_trade_validation(s);
        test_trade_batches(s);
        test_trade_queries(s);
        test_watermarks(s);
        test_token_meta(s);
        test_null_arguments(s);
        pm_store_free(s);
    }
    /* two :memory: stores are private to each other */
    {
        pm_store *a = NULL, *b = NULL;
        pm_trade_input t = base_trade();
        int64_t n = -1;
        CHECK_STATUS(pm_store_open(":memory:", NULL, &a), PM_OK);
        CHECK_STATUS(pm_store_open(":memory:", NULL, &b), PM_OK);
        CHECK_STATUS(pm_store_upsert_trade(a, &t, NULL), PM_OK);
        CHECK_STATUS(pm_store_count_trades(b, NULL, &n), PM_OK);
        CHECK_I64(n, 0);
        pm_store_free(a);
        pm_store_free(b);
    }
    test_records_outlive_store();
    return pmt_summary();
}
