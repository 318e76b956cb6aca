/* test_rest.c — the REST surface of the C ABI (pm_client_*, pm_markets*, pm_market_*, pm_book*,
 * pm_fetcher_*, pm_fetch_recent_trades, pm_verify_orderbook_price, pm_metadata_sync), through the
 * real library against the fake Polymarket server (Tests/fakepolymarket).
 *
 * Needs PM_FAKE_URL = the server's root URL ("http://127.0.0.1:PORT"); run.sh starts the server
 * and sets it. Each test scripts its own session (data, faults) through the control API, spoken
 * here with libcurl directly (no curl binary, no Python helper).
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_rest.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread -lcurl
 * Covers: G1 (stale trades never handed out as recent), G3 (size at price), G5 (best bid is the
 * highest bid whatever the wire order; unusable books fail closed), book/market accessors,
 * paging over a clamped Gamma limit, metadata sync, retries, HTTP/timeout/size/parse/network
 * errors, cancellation from another thread, bad arguments, *_free(NULL), freeing the client
 * before its fetcher, and the fault matrix of issue 6 on the book fetch (test_fault_matrix). PMTEST_TIME_SCALE (default 1) stretches the timing bounds (valgrind).
 * Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the basic preset's deterministic ids (Tests/fakepolymarket/README.md §4) --------------- */
#define A_COND "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"
#define A_YES "144025376118479892262749490880200562967355458335621099086839387638815271716888"
#define A_NO "112278289787275788450760739773662884649160898737205504916059379809203140215082"
#define B1_COND "0x4cca7fddf95469d7ad8ba03b0e1bef65c2747b9ad5a85670a0c53427c95df672"
#define B1_YES "157338753684267061108830111448127932791675353666341199424873457493042012750838"
#define B2_COND "0x7486dfbbe8bf538b2ae3edea995406918f8f98a499e0f3aec60249e4a75fb557"
#define C_COND "0x38721190db2a5ae7debe8e505ef6463463f5a5d5158965b2bdb55595f14b6bd0"
#define D_COND "0xe22ce8d8aaa158d5cc234620c27b6af151496d9f4ce2b9c7d5545e685569fc04"
#define D_YES "110436092679328050248773699021512577829689879253169394784141881484429816963284"
#define NO_COND "0x0000000000000000000000000000000000000000000000000000000000000000"

/* ---- ids of the scripted sessions ------------------------------------------------------------ */
#define T1_YES "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define T1_NO "52114319501245915516055106046884209969926127482827954674443846427813813222426"
#define T1_COND "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"
#define T2_YES "21742633143463906290569050155826241533067272736897614950488156847949938836455"
#define T2_COND "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"
#define T3_YES "48331043336612883890938759509493159234755048973500640148014422747788308965732"
#define T3_COND "0x26ee82bee2493a302d21283cb578f7e2fff2dd15743854f53034d12420863b55"
#define BOOK_LOW "11015470973684177829729219287262166995141465048508201953575582100565462316088"
#define BOOK_ACC "12015470973684177829729219287262166995141465048508201953575582100565462316088"
#define BOOK_EMPTY "13015470973684177829729219287262166995141465048508201953575582100565462316088"
#define BOOK_NULL "14015470973684177829729219287262166995141465048508201953575582100565462316088"
#define BOOK_CROSSED "15015470973684177829729219287262166995141465048508201953575582100565462316088"
#define BOOK_MISSING "16015470973684177829729219287262166995141465048508201953575582100565462316088"
#define BOOK_COND "0x9c1ef43e6bd8c0a2e3c3b7f1aa1f0cbb6a6e40f0b1cd4df07b3e0b1f3f2a7d10"
#define TX_FRESH "0x3c7e5e4ac2b8b1e0ab1b7a2d6ffdc1a0d6f0f1c8b5d3e0a9e8f7c6b5a4938271"
#define WALLET "0x56687bf447db6ffa42ffe2204a05edaa20f55839"

#define DAY_S 86400LL

static int not_null_dummy;
#define SENTINEL(type) ((type *)(void *)&not_null_dummy)

static double g_time_scale = 1.0;

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long now_s(void) { return (long long)time(NULL); }

static void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

/* ============================================================================================ */
/* The fake server's control API, over libcurl                                                  */
/* ============================================================================================ */

#include "fake_control.h"
#include "process_counts.h"

/* Creates session "<prefix>-<name>" (empty, or seeded with `preset` when not NULL) into sid. */
static void new_session(const char *name, const char *preset, char *sid, size_t cap) {
    char body[256];
    snprintf(sid, cap, "%s-%s", g_prefix, name);
    if (preset)
        snprintf(body, sizeof body, "{\"id\":\"%s\",\"preset\":\"%s\"}", sid, preset);
    else
        snprintf(body, sizeof body, "{\"id\":\"%s\"}", sid);
    CTL_OK("POST", "/_control/sessions", body);
}

static void session_post(const char *sid, const char *what, const char *body) {
    char path[256];
    snprintf(path, sizeof path, "/_control/sessions/%s/%s", sid, what);
    CTL_OK("POST", path, body);
}

static void session_clear_faults(const char *sid) {
    char path[256];
    snprintf(path, sizeof path, "/_control/sessions/%s/faults", sid);
    CTL_OK("DELETE", path, NULL);
}

static void session_clear_requests(const char *sid) {
    char path[256];
    snprintf(path, sizeof path, "/_control/sessions/%s/requests", sid);
    CTL_OK("DELETE", path, NULL);
}

/* Number of logged API requests of the session to `api_path` (e.g. "/clob/book"), or to every
 * path when api_path is NULL; -1 when the log cannot be read. */
static long count_requests(const char *sid, const char *api_path) {
    char path[512], *body = NULL;
    const char *p;
    long n = 0;
    if (api_path)
        snprintf(path, sizeof path, "/_control/sessions/%s/requests?path=%s", sid, api_path);
    else
        snprintf(path, sizeof path, "/_control/sessions/%s/requests", sid);
    if (ctl("GET", path, NULL, &body) != 200) {
        free(body);
        return -1;
    }
    for (p = body; (p = strstr(p, "\"seq\"")) != NULL; p += 5) n++;
    free(body);
    return n;
}

/* ============================================================================================ */
/* Clients and wire rows                                                                        */
/* ============================================================================================ */

/* A client for the session's three base URLs. total_ms/attempts/max_bytes <= 0 keep defaults. */
static pm_client *client_for(const char *sid, int32_t total_ms, int32_t attempts, int64_t max_bytes) {
    char gamma[512], clob[512], data[512];
    pm_client_options o = PM_CLIENT_OPTIONS_INIT;
    pm_client *client = NULL;
    snprintf(gamma, sizeof gamma, "%s/s/%s/gamma", g_base, sid);
    snprintf(clob, sizeof clob, "%s/s/%s/clob", g_base, sid);
    snprintf(data, sizeof data, "%s/s/%s/data", g_base, sid);
    o.gamma_url = gamma;
    o.clob_url = clob;
    o.data_url = data;
    o.connect_timeout_ms = 2000;
    o.total_timeout_ms = total_ms > 0 ? total_ms : 5000;
    if (attempts > 0) o.max_attempts = attempts;
    if (max_bytes > 0) o.max_response_bytes = max_bytes;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    CHECK(client != NULL);
    return client;
}

/* "," unless buf ends an opening bracket or brace (JSON list building). */
static const char *sep(const char *buf) {
    size_t n = strlen(buf);
    return n == 0 || buf[n - 1] == '[' || buf[n - 1] == '{' ? "" : ",";
}

/* A Data API trade row as served (float price/size, integer seconds). Appends to buf. */
static void add_trade_row(char *buf, size_t cap, const char *asset, const char *cond, const char *side,
                          const char *price, const char *size, long long ts, const char *tx, int outcome_index) {
    size_t used = strlen(buf);
    snprintf(buf + used, cap - used,
             "%s{\"proxyWallet\":\"%s\",\"side\":\"%s\",\"asset\":\"%s\",\"conditionId\":\"%s\","
             "\"size\":%s,\"price\":%s,\"timestamp\":%lld,\"title\":\"Test market\",\"outcome\":\"%s\","
             "\"outcomeIndex\":%d,\"transactionHash\":\"%s\"}",
             sep(buf), WALLET, side, asset, cond, size, price, ts,
             outcome_index == 0 ? "Yes" : "No", outcome_index, tx);
}

/* An OrderBookSummary as served: bids/asks are JSON arrays of levels, in wire order. */
static void add_book(char *buf, size_t cap, const char *token, const char *bids, const char *asks) {
    size_t used = strlen(buf);
    snprintf(buf + used, cap - used,
             "%s\"%s\":{\"market\":\"%s\",\"asset_id\":\"%s\",\"timestamp\":\"1767225600123\","
             "\"hash\":\"3f1e6c0d2b9a8e7f6a5b4c3d2e1f0a9b8c7d6e5f\",\"bids\":%s,\"asks\":%s,"
             "\"tick_size\":\"0.01\",\"min_order_size\":\"5\",\"neg_risk\":false,\"last_trade_price\":\"0.5\"}",
             sep(buf), token, BOOK_COND, token, bids, asks);
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

/* ============================================================================================ */
/* G1 + G3: trades                                                                              */
/* ============================================================================================ */

static char g1_sid[96];
static long long g1_fresh_ts;

/* T1: a 60-day-old print at 0.95 beside a 10-second-old one at 0.52 (and a fresh row of the
 * other outcome, which must not leak in). T2: only stale prints. T3: a fresh print and one
 * stamped an hour in the future. */
static void setup_g1_session(void) {
    static char state[8192];
    long long now = now_s();
    g1_fresh_ts = now - 10;
    new_session("g1", NULL, g1_sid, sizeof g1_sid);
    strcpy(state, "{\"market_by_token\":{\"" T1_YES "\":\"" T1_COND "\",\"" T1_NO "\":\"" T1_COND "\",\"" T2_YES
                  "\":\"" T2_COND "\",\"" T3_YES "\":\"" T3_COND "\"},\"trades\":[");
    add_trade_row(state, sizeof state, T1_YES, T1_COND, "BUY", "0.95", "100.0", now - 60 * DAY_S,
                  "0x1111111111111111111111111111111111111111111111111111111111111111", 0);
    add_trade_row(state, sizeof state, T1_YES, T1_COND, "BUY", "0.52", "12.5", g1_fresh_ts, TX_FRESH, 0);
    add_trade_row(state, sizeof state, T1_NO, T1_COND, "SELL", "0.48", "7", now - 5,
                  "0x2222222222222222222222222222222222222222222222222222222222222222", 1);
    add_trade_row(state, sizeof state, T2_YES, T2_COND, "BUY", "0.95", "50.0", now - 60 * DAY_S,
                  "0x3333333333333333333333333333333333333333333333333333333333333333", 0);
    add_trade_row(state, sizeof state, T2_YES, T2_COND, "SELL", "0.9", "20", now - 90 * DAY_S,
                  "0x4444444444444444444444444444444444444444444444444444444444444444", 0);
    /* Data API float noise, emitted verbatim: must read as exactly 0.3 */
    add_trade_row(state, sizeof state, T3_YES, T3_COND, "BUY", "0.30000000000000004", "10", now - 20,
                  "0x5555555555555555555555555555555555555555555555555555555555555555", 0);
    add_trade_row(state, sizeof state, T3_YES, T3_COND, "BUY", "0.31", "11", now + 3600,
                  "0x6666666666666666666666666666666666666666666666666666666666666666", 0);
    /* a timestamp in ms where seconds belong: far in the future once read as seconds */
    add_trade_row(state, sizeof state, T3_YES, T3_COND, "BUY", "0.32", "12", now * 1000,
                  "0x7777777777777777777777777777777777777777777777777777777777777777", 0);
    strcat(state, "]}");
    session_post(g1_sid, "state", state);
}

static void test_g1_recent_trades(void) {
    pm_client *client = client_for(g1_sid, 0, 0, 0);
    pm_fetcher *fetcher = SENTINEL(pm_fetcher);
    pm_trades *trades = SENTINEL(pm_trades);
    const pm_trade *t;
    size_t dropped = 99;
    long long before = now_s() * 1000;

    CHECK_STATUS(pm_fetcher_new(client, 300, &fetcher), PM_OK);
    CHECK(fetcher != NULL);

    /* G1: the 60-day-old trade is never handed out as "recent". */
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, T1_YES, -1, &trades, &dropped), PM_OK);
    CHECK(trades != NULL);
    CHECK_I64(pm_trades_count(trades), 1);
    CHECK_I64(dropped, 1);
    t = pm_trades_at(trades, 0);
    CHECK(t != NULL);
    CHECK_STR(pm_trade_token_id(t), T1_YES);
    CHECK_STR(pm_trade_condition_id(t), T1_COND);
    CHECK_STR(pm_trade_price(t), "0.52");
    CHECK_I64(pm_trade_price_micros(t), 520000);
    CHECK_STR(pm_trade_size(t), "12.5");
    CHECK_I64(pm_trade_size_micros(t), 12500000);
    CHECK_STR(pm_trade_side(t), "BUY");
    CHECK_I64(pm_trade_timestamp_ms(t), g1_fresh_ts * 1000); /* seconds on the wire, ms here */
    CHECK_STR(pm_trade_transaction_hash(t), TX_FRESH);
    CHECK_STR(pm_trade_proxy_wallet(t), WALLET);
    CHECK_STR(pm_trade_outcome(t), "Yes");
    CHECK(is_hex64(pm_trade_id(t)));
    CHECK(pm_trade_timestamp_ms(t) >= before - 300 * 1000);
    CHECK(pm_trades_at(trades, 1) == NULL);
    pm_trades_free(trades);

    /* out_dropped_stale may be NULL. */
    trades = NULL;
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, T1_YES, -1, &trades, NULL), PM_OK);
    CHECK_I64(pm_trades_count(trades), 1);
    pm_trades_free(trades);

    /* A wide window takes both, newest first, and drops nothing. */
    trades = NULL;
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, T1_YES, 120 * DAY_S, &trades, &dropped), PM_OK);
    CHECK_I64(pm_trades_count(trades), 2);
    CHECK_I64(dropped, 0);
    CHECK_STR(pm_trade_price(pm_trades_at(trades, 0)), "0.52");
    CHECK_STR(pm_trade_price(pm_trades_at(trades, 1)), "0.95");
    CHECK(pm_trade_timestamp_ms(pm_trades_at(trades, 0)) > pm_trade_timestamp_ms(pm_trades_at(trades, 1)));
    pm_trades_free(trades);

    /* All stale: an empty list, never the stale prints. */
    trades = NULL;
    dropped = 99;
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, T2_YES, -1, &trades, &dropped), PM_OK);
    CHECK(trades != NULL);
    CHECK_I64(pm_trades_count(trades), 0);
    CHECK_I64(dropped, 2);
    CHECK(pm_trades_at(trades, 0) == NULL);
    pm_trades_free(trades);

    /* Prints stamped ahead of the clock (an hour; ms read as seconds) are dropped too, but they
     * are not "stale". */
    trades = NULL;
    dropped = 99;
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, T3_YES, -1, &trades, &dropped), PM_OK);
    CHECK_I64(pm_trades_count(trades), 1);
    CHECK_STR(pm_trade_price(pm_trades_at(trades, 0)), "0.3");
    CHECK_I64(pm_trade_price_micros(pm_trades_at(trades, 0)), 300000);
    CHECK_I64(dropped, 0);
    pm_trades_free(trades);

    /* max_age 0: even the 10-second-old print is too old. */
    trades = NULL;
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, T1_YES, 0, &trades, &dropped), PM_OK);
    CHECK_I64(pm_trades_count(trades), 0);
    CHECK_I64(dropped, 2);
    pm_trades_free(trades);

    pm_fetcher_free(fetcher);

    /* a fetcher whose default max age is 5 s: the 10-second-old print is too old by default */
    fetcher = NULL;
    CHECK_STATUS(pm_fetcher_new(client, 5, &fetcher), PM_OK);
    trades = NULL;
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, T1_YES, -1, &trades, &dropped), PM_OK);
    CHECK_I64(pm_trades_count(trades), 0);
    CHECK_I64(dropped, 2);
    pm_trades_free(trades);
    trades = NULL;
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, T1_YES, 60, &trades, &dropped), PM_OK);
    CHECK_I64(pm_trades_count(trades), 1);
    pm_trades_free(trades);
    pm_fetcher_free(fetcher);
    pm_client_free(client);
}

static void test_fetch_recent_trades_convenience(void) {
    pm_client *client = client_for(g1_sid, 0, 0, 0);
    pm_trades *trades = SENTINEL(pm_trades);

    CHECK_STATUS(pm_fetch_recent_trades(client, T1_YES, 300, &trades), PM_OK);
    CHECK_I64(pm_trades_count(trades), 1);
    CHECK_STR(pm_trade_price(pm_trades_at(trades, 0)), "0.52");
    pm_trades_free(trades);

    trades = NULL;
    CHECK_STATUS(pm_fetch_recent_trades(client, T2_YES, 300, &trades), PM_OK);
    CHECK(trades != NULL);
    CHECK_I64(pm_trades_count(trades), 0);
    pm_trades_free(trades);

    trades = NULL;
    CHECK_STATUS(pm_fetch_recent_trades(client, T1_YES, 0, &trades), PM_OK);
    CHECK_I64(pm_trades_count(trades), 0);
    pm_trades_free(trades);

    /* pm_client_fetch_trades has no age check: both prints of T1_YES, newest first, the other
     * outcome's row filtered out. */
    trades = NULL;
    CHECK_STATUS(pm_client_fetch_trades(client, T1_YES, 10, &trades), PM_OK);
    CHECK_I64(pm_trades_count(trades), 2);
    CHECK_STR(pm_trade_token_id(pm_trades_at(trades, 0)), T1_YES);
    CHECK_STR(pm_trade_token_id(pm_trades_at(trades, 1)), T1_YES);
    CHECK_STR(pm_trade_price(pm_trades_at(trades, 1)), "0.95");
    pm_trades_free(trades);

    trades = NULL;
    CHECK_STATUS(pm_client_fetch_trades(client, T1_YES, 1, &trades), PM_OK);
    CHECK_I64(pm_trades_count(trades), 1);
    CHECK_STR(pm_trade_price(pm_trades_at(trades, 0)), "0.52");
    pm_trades_free(trades);

    pm_client_free(client);
}

static void test_g3_size_at_price(void) {
    pm_client *client = client_for(g1_sid, 0, 0, 0);
    pm_fetcher *fetcher = NULL;
    char *size = SENTINEL(char);

    CHECK_STATUS(pm_fetcher_new(client, 300, &fetcher), PM_OK);

    CHECK_STATUS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "0.52", NULL, -1, &size), PM_OK);
    CHECK_STR(size, "12.5");
    pm_string_free(size);

    size = SENTINEL(char); /* within the default tolerance 0.01 */
    CHECK_STATUS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "0.515", NULL, -1, &size), PM_OK);
    CHECK_STR(size, "12.5");
    pm_string_free(size);

    size = SENTINEL(char); /* tolerance 0: exact only */
    CHECK_STATUS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "0.515", "0", -1, &size), PM_OK);
    CHECK(size == NULL);
    pm_string_free(size);

    size = SENTINEL(char); /* no trade near the price: NULL, PM_OK */
    CHECK_STATUS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "0.3", NULL, -1, &size), PM_OK);
    CHECK(size == NULL);

    size = SENTINEL(char); /* the 60-day-old print at 0.95 is not a size to act on */
    CHECK_STATUS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "0.95", NULL, -1, &size), PM_OK);
    CHECK(size == NULL);

    size = SENTINEL(char); /* ... unless the caller explicitly allows 120 days */
    CHECK_STATUS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "0.95", "0.001", 120 * DAY_S, &size), PM_OK);
    CHECK_STR(size, "100");
    pm_string_free(size);

    size = SENTINEL(char); /* only stale prints at all */
    CHECK_STATUS(pm_fetcher_fetch_trade_size_at_price(fetcher, T2_YES, "0.95", NULL, -1, &size), PM_OK);
    CHECK(size == NULL);

    size = SENTINEL(char); /* bad decimals: parsed before any request */
    CHECK_FAILS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "abc", NULL, -1, &size), PM_E_PARSE);
    CHECK(size == NULL);
    size = SENTINEL(char);
    CHECK_FAILS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "0.5", "-0.01", -1, &size), PM_E_PARSE);
    CHECK(size == NULL);
    size = SENTINEL(char);
    CHECK_FAILS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, NULL, NULL, -1, &size), PM_E_INVALID_ARG);
    CHECK(size == NULL);
    CHECK_FAILS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "0.5", NULL, -1, NULL), PM_E_INVALID_ARG);

    pm_fetcher_free(fetcher);
    pm_client_free(client);
}

/* The fetcher holds its own reference: the client may be freed first. */
static void test_client_freed_before_fetcher(void) {
    pm_client *client = client_for(g1_sid, 0, 0, 0);
    pm_fetcher *fetcher = NULL;
    pm_trades *trades = NULL;
    size_t dropped = 99;
    char *size = NULL;

    CHECK_STATUS(pm_fetcher_new(client, 300, &fetcher), PM_OK);
    pm_client_free(client);
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, T1_YES, -1, &trades, &dropped), PM_OK);
    CHECK_I64(pm_trades_count(trades), 1);
    CHECK_I64(dropped, 1);
    pm_trades_free(trades);
    CHECK_STATUS(pm_fetcher_fetch_trade_size_at_price(fetcher, T1_YES, "0.52", NULL, -1, &size), PM_OK);
    CHECK_STR(size, "12.5");
    pm_string_free(size);
    pm_fetcher_free(fetcher);
}

/* ============================================================================================ */
/* G5 and books                                                                                 */
/* ============================================================================================ */

static char g5_sid[96];

static void setup_g5_session(void) {
    static char state[8192];
    new_session("g5", NULL, g5_sid, sizeof g5_sid);
    strcpy(state, "{\"books\":{");
    /* The G5 incident: the market sits at 5c; bids arrive lowest-first, so bids[0] is the worst. */
    add_book(state, sizeof state, BOOK_LOW,
             "[{\"price\":\"0.01\",\"size\":\"500\"},{\"price\":\"0.03\",\"size\":\"120\"},{\"price\":\"0.05\",\"size\":\"84.17\"}]",
             "[{\"price\":\"0.99\",\"size\":\"1000\"},{\"price\":\"0.5\",\"size\":\"10\"},{\"price\":\"0.07\",\"size\":\"30\"}]");
    add_book(state, sizeof state, BOOK_ACC,
             "[{\"price\":\"0.01\",\"size\":\"1000\"},{\"price\":\"0.49\",\"size\":\"250.5\"},{\"price\":\"0.51\",\"size\":\"84.17\"}]",
             "[{\"price\":\"0.99\",\"size\":\"900\"},{\"price\":\"0.6\",\"size\":\"40\"},{\"price\":\".53\",\"size\":\"12\"}]");
    add_book(state, sizeof state, BOOK_EMPTY, "[]", "[]");
    add_book(state, sizeof state, BOOK_CROSSED,
             "[{\"price\":\"0.4\",\"size\":\"10\"},{\"price\":\"0.6\",\"size\":\"10\"}]",
             "[{\"price\":\"0.7\",\"size\":\"10\"},{\"price\":\"0.55\",\"size\":\"10\"}]");
    strcat(state, ",\"" BOOK_NULL "\":null}}");
    session_post(g5_sid, "state", state);
}

struct verdict {
    pm_status status;
    bool valid;
    char *best_bid;
    char *reason;
};

static struct verdict verify(pm_client *client, const char *token, const char *expected, const char *max_dev) {
    struct verdict v;
    v.valid = true; /* must be overwritten */
    v.best_bid = SENTINEL(char);
    v.reason = SENTINEL(char);
    v.status = pm_verify_orderbook_price(client, token, expected, max_dev, &v.valid, &v.best_bid, &v.reason);
    return v;
}

static void verdict_free(struct verdict *v) {
    if (v->best_bid != SENTINEL(char)) pm_string_free(v->best_bid);
    if (v->reason != SENTINEL(char)) pm_string_free(v->reason);
}

static void test_g5_verify(void) {
    pm_client *client = client_for(g5_sid, 0, 0, 0);
    struct verdict v;
    bool valid = true;

    /* The regression: 0.05 on the book vs an expected 0.95 must be refused, and the best bid is
     * the highest (0.05), not the first on the wire (0.01). */
    v = verify(client, BOOK_LOW, "0.95", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == false);
    CHECK_STR(v.best_bid, "0.05");
    CHECK(contains(v.reason, "0.05"));
    CHECK(contains(v.reason, "0.95"));
    CHECK(v.reason != NULL && pmt_is_utf8(v.reason));
    verdict_free(&v);

    v = verify(client, BOOK_LOW, "0.05", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == true);
    CHECK_STR(v.best_bid, "0.05");
    verdict_free(&v);

    v = verify(client, BOOK_LOW, "0.95", "0.9"); /* |0.05 - 0.95| = 0.9 <= 0.9 */
    CHECK(v.status == PM_OK && v.valid == true);
    verdict_free(&v);

    v = verify(client, BOOK_LOW, "0.95", "0.899999");
    CHECK(v.status == PM_OK && v.valid == false);
    verdict_free(&v);

    v = verify(client, BOOK_ACC, "0.5", NULL);
    CHECK(v.status == PM_OK && v.valid == true);
    CHECK_STR(v.best_bid, "0.51");
    verdict_free(&v);

    /* Fail closed: empty, null, crossed and missing (404) books are all invalid, with PM_OK. */
    v = verify(client, BOOK_EMPTY, "0.5", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == false);
    CHECK(v.best_bid == NULL);
    CHECK(v.reason != NULL && v.reason[0] != '\0');
    verdict_free(&v);

    v = verify(client, BOOK_NULL, "0.5", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == false);
    CHECK(v.best_bid == NULL);
    CHECK(v.reason != NULL && v.reason[0] != '\0');
    verdict_free(&v);

    v = verify(client, BOOK_CROSSED, "0.6", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == false);
    CHECK_STR(v.best_bid, "0.6");
    CHECK(contains(v.reason, "0.55"));
    verdict_free(&v);

    v = verify(client, BOOK_MISSING, "0.5", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == false);
    CHECK(v.best_bid == NULL);
    CHECK(v.reason != NULL && contains(v.reason, "0.5"));
    verdict_free(&v);

    /* The optional outputs may be NULL. */
    CHECK_STATUS(pm_verify_orderbook_price(client, BOOK_LOW, "0.95", NULL, &valid, NULL, NULL), PM_OK);
    CHECK(valid == false);
    valid = false;
    CHECK_STATUS(pm_verify_orderbook_price(client, BOOK_LOW, "0.05", NULL, &valid, NULL, NULL), PM_OK);
    CHECK(valid == true);

    /* Bad arguments are errors, not verdicts; outputs are cleared. */
    v = verify(client, BOOK_LOW, "abc", NULL);
    CHECK_FAILS(v.status, PM_E_PARSE);
    CHECK(v.valid == false);
    CHECK(v.best_bid == NULL && v.reason == NULL);
    verdict_free(&v);
    v = verify(client, BOOK_LOW, "0.5", "x");
    CHECK_FAILS(v.status, PM_E_PARSE);
    verdict_free(&v);
    v = verify(client, BOOK_LOW, "0.1234567", NULL); /* more than 6 fraction digits */
    CHECK_FAILS(v.status, PM_E_PARSE);
    verdict_free(&v);
    v = verify(client, BOOK_LOW, NULL, NULL);
    CHECK_FAILS(v.status, PM_E_INVALID_ARG);
    verdict_free(&v);
    v = verify(client, NULL, "0.5", NULL);
    CHECK_FAILS(v.status, PM_E_INVALID_ARG);
    verdict_free(&v);
    v = verify(client, "\xff\xfe", "0.5", NULL);
    CHECK_FAILS(v.status, PM_E_INVALID_UTF8);
    verdict_free(&v);
    v = verify(NULL, BOOK_LOW, "0.5", NULL);
    CHECK_FAILS(v.status, PM_E_INVALID_ARG);
    verdict_free(&v);
    CHECK_FAILS(pm_verify_orderbook_price(client, BOOK_LOW, "0.5", NULL, NULL, NULL, NULL), PM_E_INVALID_ARG);

    pm_client_free(client);
}

/* Books G5 must not trust: another token's book, a size-0 best bid, an HTTP/0.9 reply, an id
 * holding \u0000. Each is a refusal (PM_OK, valid false), never a pass; fetching them is an error
 * naming why. Token ids that are not digits are bad arguments, refused before any request. */
#define OTHER_TOKEN "17015470973684177829729219287262166995141465048508201953575582100565462316088"
#define ZERO_TOKEN "18015470973684177829729219287262166995141465048508201953575582100565462316088"
#define NUL_TOKEN "19015470973684177829729219287262166995141465048508201953575582100565462316088"
static void test_g5_untrustworthy_books(void) {
    char sid[96], state[4096];
    const char *one[1];
    pm_client *client;
    pm_book *book = SENTINEL(pm_book);
    pm_books *books = SENTINEL(pm_books);
    pm_trades *trades = SENTINEL(pm_trades);
    struct verdict v;
    new_session("g5-untrustworthy", NULL, sid, sizeof sid);
    snprintf(state, sizeof state,
             "{\"books\":{\"" BOOK_LOW "\":{\"asset_id\":\"" OTHER_TOKEN "\",\"bids\":[{\"price\":\"0.95\",\"size\":\"10\"}],"
             "\"asks\":[{\"price\":\"0.96\",\"size\":\"10\"}]},"
             "\"" ZERO_TOKEN "\":{\"asset_id\":\"" ZERO_TOKEN "\",\"bids\":[{\"price\":\"0.05\",\"size\":\"10\"},"
             "{\"price\":\"0.95\",\"size\":\"0\"}],\"asks\":[{\"price\":\"0.99\",\"size\":\"1\"},{\"price\":\"0.06\",\"size\":\"0\"}]},"
             "\"" NUL_TOKEN "\":{\"asset_id\":\"" NUL_TOKEN "\",\"hash\":\"ab\\u0000cd\",\"bids\":[{\"price\":\"0.5\",\"size\":\"1\"}],\"asks\":[]}}}");
    session_post(sid, "state", state);
    client = client_for(sid, 2000, 1, 0);

    /* Another token's book. */
    v = verify(client, BOOK_LOW, "0.95", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == false);
    CHECK(v.best_bid == NULL);
    CHECK(contains(v.reason, BOOK_LOW) && contains(v.reason, OTHER_TOKEN));
    verdict_free(&v);
    CHECK_FAILS(pm_client_fetch_orderbook(client, BOOK_LOW, &book), PM_E_BOOK_INVALID);
    CHECK(book == NULL);
    CHECK(contains(pmt_last_msg, BOOK_LOW) && contains(pmt_last_msg, OTHER_TOKEN));
    one[0] = BOOK_LOW;
    CHECK_FAILS(pm_client_fetch_orderbooks(client, one, 1, &books), PM_E_BOOK_INVALID);
    CHECK(books == NULL);
    CHECK(contains(pmt_last_msg, OTHER_TOKEN));

    /* Size-0 levels are not levels: the best bid is the real one at 0.05. */
    v = verify(client, ZERO_TOKEN, "0.95", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == false);
    CHECK_STR(v.best_bid, "0.05");
    verdict_free(&v);
    book = NULL;
    CHECK_STATUS(pm_client_fetch_orderbook(client, ZERO_TOKEN, &book), PM_OK);
    CHECK(pm_book_level_count(book, PM_SIDE_BID) == 1 && pm_book_level_count(book, PM_SIDE_ASK) == 1);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 0), "0.05");
    CHECK_STR(pm_book_level_price(book, PM_SIDE_ASK, 0), "0.99");
    pm_book_free(book);

    /* A NUL inside an id: refused (C would see it truncated), so G5 refuses the book. */
    book = SENTINEL(pm_book);
    CHECK_FAILS(pm_client_fetch_orderbook(client, NUL_TOKEN, &book), PM_E_PARSE);
    CHECK(book == NULL);
    CHECK(contains(pmt_last_msg, "hash") && contains(pmt_last_msg, "NUL"));
    v = verify(client, NUL_TOKEN, "0.5", NULL);
    CHECK(v.status == PM_OK && v.valid == false && v.best_bid == NULL);
    verdict_free(&v);

    /* An HTTP/0.9 reply (bytes, no status line) is the server's fault: a network error, and G5
     * fails closed instead of returning PM_E_INVALID_ARG. */
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"http09\":true}]}");
    v = verify(client, ZERO_TOKEN, "0.05", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == false && v.best_bid == NULL);
    CHECK(v.reason != NULL && v.reason[0] != '\0');
    verdict_free(&v);
    book = SENTINEL(pm_book);
    CHECK_FAILS(pm_client_fetch_orderbook(client, ZERO_TOKEN, &book), PM_E_NETWORK);
    CHECK(book == NULL);
    session_clear_faults(sid);

    /* Token ids are 1-78 digits: anything else is a bad argument, refused before any request
     * (`..` would otherwise make /markets-by-token/.. a GET of the CLOB's root). */
    session_clear_requests(sid);
    v = verify(client, "..", "0.5", NULL);
    CHECK_FAILS(v.status, PM_E_INVALID_ARG);
    CHECK(contains(pmt_last_msg, "token_id"));
    verdict_free(&v);
    book = SENTINEL(pm_book);
    CHECK_FAILS(pm_client_fetch_orderbook(client, "12a", &book), PM_E_INVALID_ARG);
    CHECK(book == NULL);
    one[0] = "..";
    books = SENTINEL(pm_books);
    CHECK_FAILS(pm_client_fetch_orderbooks(client, one, 1, &books), PM_E_INVALID_ARG);
    CHECK(books == NULL);
    CHECK_FAILS(pm_client_fetch_trades(client, "..", 10, &trades), PM_E_INVALID_ARG);
    CHECK(trades == NULL);
    trades = SENTINEL(pm_trades);
    CHECK_FAILS(pm_fetch_recent_trades(client, "/", 60, &trades), PM_E_INVALID_ARG);
    CHECK(trades == NULL);
    CHECK(count_requests(sid, NULL) == 0);

    pm_client_free(client);
}

/* A book that cannot be fetched at all (503 forever, HTML, garbage) is a refusal, not an error. */
static void test_g5_unfetchable_fails_closed(void) {
    char sid[96];
    pm_client *client;
    struct verdict v;
    new_session("g5-unfetchable", "basic", sid, sizeof sid);
    client = client_for(sid, 2000, 1, 0);

    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"status\":503}]}");
    v = verify(client, A_YES, "0.5", NULL);
    CHECK_STATUS(v.status, PM_OK);
    CHECK(v.valid == false);
    CHECK(v.best_bid == NULL);
    CHECK(v.reason != NULL && contains(v.reason, "0.5"));
    verdict_free(&v);
    session_clear_faults(sid);

    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"preset\":\"cloudflare_403\"}]}");
    v = verify(client, A_YES, "0.5", NULL);
    CHECK(v.status == PM_OK && v.valid == false && v.best_bid == NULL);
    verdict_free(&v);
    session_clear_faults(sid);

    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"body\":\"<<not json>>\"}]}");
    v = verify(client, A_YES, "0.5", NULL);
    CHECK(v.status == PM_OK && v.valid == false && v.best_bid == NULL);
    verdict_free(&v);
    session_clear_faults(sid);

    pm_client_free(client);
}

static void test_book_accessors(void) {
    pm_client *client = client_for(g5_sid, 0, 0, 0);
    pm_book *book = SENTINEL(pm_book);

    CHECK_STATUS(pm_client_fetch_orderbook(client, BOOK_ACC, &book), PM_OK);
    CHECK(book != NULL);
    CHECK_STR(pm_book_token_id(book), BOOK_ACC);
    CHECK_STR(pm_book_condition_id(book), BOOK_COND);
    CHECK_I64(pm_book_timestamp_ms(book), 1767225600123LL);
    CHECK_STR(pm_book_hash(book), "3f1e6c0d2b9a8e7f6a5b4c3d2e1f0a9b8c7d6e5f");
    CHECK_STR(pm_book_tick_size(book), "0.01");
    CHECK_STR(pm_book_min_order_size(book), "5");
    /* wire bids 0.01, 0.49, 0.51 -> best first */
    CHECK_I64(pm_book_level_count(book, PM_SIDE_BID), 3);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 0), "0.51");
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 1), "0.49");
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 2), "0.01");
    CHECK_I64(pm_book_level_price_micros(book, PM_SIDE_BID, 0), 510000);
    CHECK_STR(pm_book_level_size(book, PM_SIDE_BID, 0), "84.17");
    CHECK_I64(pm_book_level_size_micros(book, PM_SIDE_BID, 0), 84170000);
    CHECK_STR(pm_book_level_size(book, PM_SIDE_BID, 1), "250.5");
    /* wire asks 0.99, 0.6, .53 -> best (lowest) first, canonical text */
    CHECK_I64(pm_book_level_count(book, PM_SIDE_ASK), 3);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_ASK, 0), "0.53");
    CHECK_STR(pm_book_level_price(book, PM_SIDE_ASK, 1), "0.6");
    CHECK_STR(pm_book_level_price(book, PM_SIDE_ASK, 2), "0.99");
    CHECK_I64(pm_book_level_price_micros(book, PM_SIDE_ASK, 2), 990000);
    CHECK_STR(pm_book_level_size(book, PM_SIDE_ASK, 0), "12");
    /* a whole side in one string, best first, the same canonical texts */
    {
        const char *bids = pm_book_levels_text(book, PM_SIDE_BID);
        const char *prefix = "0.51 84.17\n0.49 250.5\n0.01 ";
        int lines = 0;
        for (const char *c = bids; *c; c++) lines += *c == '\n';
        CHECK(strncmp(bids, prefix, strlen(prefix)) == 0 && lines == 3 && bids[strlen(bids) - 1] == '\n');
    }
    CHECK(strncmp(pm_book_levels_text(book, PM_SIDE_ASK), "0.53 12\n0.6 ", 12) == 0);
    CHECK(pm_book_levels_text(book, PM_SIDE_ASK) == pm_book_levels_text(book, PM_SIDE_ASK)); /* made once */
    CHECK_STR(pm_book_levels_text(book, (pm_side)7), "");
    CHECK_STR(pm_book_levels_text(NULL, PM_SIDE_BID), "");
    /* out of range */
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 3), "");
    CHECK_STR(pm_book_level_size(book, PM_SIDE_ASK, 99), "");
    CHECK_I64(pm_book_level_price_micros(book, PM_SIDE_BID, 3), -1);
    CHECK_I64(pm_book_level_size_micros(book, PM_SIDE_ASK, (size_t)-1), -1);
    CHECK_I64(pm_book_level_count(book, (pm_side)7), 0);
    CHECK_STR(pm_book_level_price(book, (pm_side)7, 0), "");
    pm_book_free(book);

    /* An empty book is still a book (its verification is what fails). */
    book = NULL;
    CHECK_STATUS(pm_client_fetch_orderbook(client, BOOK_EMPTY, &book), PM_OK);
    CHECK_I64(pm_book_level_count(book, PM_SIDE_BID), 0);
    CHECK_I64(pm_book_level_count(book, PM_SIDE_ASK), 0);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 0), "");
    pm_book_free(book);

    /* No book (404): PM_E_NO_BOOK; a null body: PM_E_BOOK_INVALID; *out NULL. */
    book = SENTINEL(pm_book);
    CHECK_FAILS(pm_client_fetch_orderbook(client, BOOK_MISSING, &book), PM_E_NO_BOOK);
    CHECK(book == NULL);
    book = SENTINEL(pm_book);
    CHECK_FAILS(pm_client_fetch_orderbook(client, BOOK_NULL, &book), PM_E_BOOK_INVALID);
    CHECK(book == NULL);

    pm_client_free(client);
}

static void test_fetch_orderbooks(void) {
    char sid[96];
    pm_client *client;
    pm_books *books = SENTINEL(pm_books);
    const char *tokens[] = {A_YES, D_YES, A_NO};
    const char *g5_tokens[] = {BOOK_NULL, BOOK_ACC, BOOK_MISSING, BOOK_LOW};
    size_t i, n;

    new_session("books", "basic", sid, sizeof sid);
    client = client_for(sid, 0, 0, 0);
    CHECK_STATUS(pm_client_fetch_orderbooks(client, tokens, 3, &books), PM_OK);
    CHECK_I64(pm_books_count(books), 2); /* D has no book: left out */
    CHECK_STR(pm_book_token_id(pm_books_at(books, 0)), A_YES);
    CHECK_STR(pm_book_token_id(pm_books_at(books, 1)), A_NO);
    CHECK(pm_books_at(books, 2) == NULL);
    for (i = 0; i < 2; i++) {
        const pm_book *b = pm_books_at(books, i);
        size_t k;
        int bids_desc = 1, asks_asc = 1;
        CHECK(pm_book_level_count(b, PM_SIDE_BID) > 1);
        CHECK(pm_book_level_count(b, PM_SIDE_ASK) > 1);
        CHECK_STR(pm_book_condition_id(b), A_COND);
        CHECK_STR(pm_book_tick_size(b), "0.01");
        CHECK(pm_book_timestamp_ms(b) > 0);
        n = pm_book_level_count(b, PM_SIDE_BID);
        for (k = 1; k < n; k++)
            if (pm_book_level_price_micros(b, PM_SIDE_BID, k - 1) <= pm_book_level_price_micros(b, PM_SIDE_BID, k)) bids_desc = 0;
        n = pm_book_level_count(b, PM_SIDE_ASK);
        for (k = 1; k < n; k++)
            if (pm_book_level_price_micros(b, PM_SIDE_ASK, k - 1) >= pm_book_level_price_micros(b, PM_SIDE_ASK, k)) asks_asc = 0;
        CHECK(bids_desc);
        CHECK(asks_asc);
        /* the preset's worst levels (0.01 / 0.99) come first on the wire, last here */
        CHECK_STR(pm_book_level_price(b, PM_SIDE_BID, pm_book_level_count(b, PM_SIDE_BID) - 1), "0.01");
        CHECK_STR(pm_book_level_price(b, PM_SIDE_ASK, pm_book_level_count(b, PM_SIDE_ASK) - 1), "0.99");
    }
    pm_books_free(books);
    CHECK_I64(count_requests(sid, "/clob/books"), 1); /* one POST for all */

    /* count 0: an empty list, no request */
    books = SENTINEL(pm_books);
    CHECK_STATUS(pm_client_fetch_orderbooks(client, NULL, 0, &books), PM_OK);
    CHECK(books != NULL);
    CHECK_I64(pm_books_count(books), 0);
    pm_books_free(books);
    CHECK_I64(count_requests(sid, "/clob/books"), 1);

    books = SENTINEL(pm_books);
    CHECK_FAILS(pm_client_fetch_orderbooks(client, NULL, 2, &books), PM_E_INVALID_ARG);
    CHECK(books == NULL);
    {
        const char *with_null[] = {A_YES, NULL};
        const char *with_bad[] = {A_YES, "\xc3\x28"};
        books = SENTINEL(pm_books);
        CHECK_FAILS(pm_client_fetch_orderbooks(client, with_null, 2, &books), PM_E_INVALID_ARG);
        CHECK(books == NULL);
        CHECK_FAILS(pm_client_fetch_orderbooks(client, with_bad, 2, &books), PM_E_INVALID_UTF8);
        CHECK(books == NULL);
    }
    CHECK_FAILS(pm_client_fetch_orderbooks(client, tokens, 3, NULL), PM_E_INVALID_ARG);
    pm_client_free(client);

    /* A stored null and a missing book are both left out; order kept. */
    client = client_for(g5_sid, 0, 0, 0);
    books = NULL;
    CHECK_STATUS(pm_client_fetch_orderbooks(client, g5_tokens, 4, &books), PM_OK);
    CHECK_I64(pm_books_count(books), 2);
    CHECK_STR(pm_book_token_id(pm_books_at(books, 0)), BOOK_ACC);
    CHECK_STR(pm_book_level_price(pm_books_at(books, 0), PM_SIDE_BID, 0), "0.51");
    CHECK_STR(pm_book_token_id(pm_books_at(books, 1)), BOOK_LOW);
    CHECK_STR(pm_book_level_price(pm_books_at(books, 1), PM_SIDE_BID, 0), "0.05");
    pm_books_free(books);
    pm_client_free(client);
}

/* ============================================================================================ */
/* Markets, trades, metadata sync (basic preset)                                                */
/* ============================================================================================ */

static const pm_market *find_market(const pm_markets *list, const char *condition) {
    size_t i;
    for (i = 0; i < pm_markets_count(list); i++)
        if (strcmp(pm_market_condition_id(pm_markets_at(list, i)), condition) == 0) return pm_markets_at(list, i);
    return NULL;
}

static void test_markets(void) {
    char sid[96];
    pm_client *client;
    pm_markets *markets = SENTINEL(pm_markets);
    pm_market *market = SENTINEL(pm_market);
    const pm_market *a, *b1, *c;

    new_session("markets", "basic", sid, sizeof sid);
    session_post(sid, "config", "{\"gamma_limit_max\":2}");
    client = client_for(sid, 0, 0, 0);

    /* Gamma clamps the page to 2 silently; the client must page by cursor until a page has none. */
    CHECK_STATUS(pm_client_fetch_active_markets(client, &markets), PM_OK);
    CHECK_I64(pm_markets_count(markets), 4);
    CHECK_I64(count_requests(sid, "/gamma/markets/keyset"), 2); /* 2 + 2, the second without a cursor */
    CHECK_I64(count_requests(sid, "/gamma/markets"), 0);        /* no offset fallback */
    CHECK(find_market(markets, D_COND) == NULL);          /* closed */
    CHECK(find_market(markets, B2_COND) != NULL);
    CHECK(pm_markets_at(markets, 4) == NULL);
    CHECK(pm_markets_at(markets, (size_t)-1) == NULL);

    a = find_market(markets, A_COND);
    CHECK(a != NULL);
    CHECK_STR(pm_market_id(a), "512345");
    CHECK_STR(pm_market_condition_id(a), A_COND);
    CHECK(pm_market_question(a)[0] != '\0');
    CHECK(pm_market_slug(a)[0] != '\0');
    CHECK(pm_market_active(a) == true);
    CHECK(pm_market_closed(a) == false);
    CHECK(pm_market_neg_risk(a) == false);
    CHECK(pm_market_accepting_orders(a) == true);
    CHECK_STR(pm_market_tick_size(a), "0.01");
    CHECK_STR(pm_market_min_order_size(a), "5");
    CHECK(pm_market_end_date_ms(a) > (int64_t)now_s() * 1000 + 30 * DAY_S * 1000);
    CHECK_I64(pm_market_token_count(a), 2);
    CHECK_STR(pm_market_token_id(a, 0), A_YES);
    CHECK_STR(pm_market_token_id(a, 1), A_NO);
    CHECK_STR(pm_market_token_outcome(a, 0), "Yes");
    CHECK_STR(pm_market_token_outcome(a, 1), "No");
    CHECK_STR(pm_market_token_id(a, 2), "");
    CHECK_STR(pm_market_token_outcome(a, 2), "");

    b1 = find_market(markets, B1_COND);
    CHECK(b1 != NULL);
    CHECK_STR(pm_market_id(b1), "530101");
    CHECK(pm_market_neg_risk(b1) == true);
    CHECK_STR(pm_market_tick_size(b1), "0.001");
    CHECK_STR(pm_market_token_id(b1, 0), B1_YES);

    c = find_market(markets, C_COND);
    CHECK(c != NULL);
    CHECK_STR(pm_market_tick_size(c), "0.005");
    pm_markets_free(markets);

    /* One market by condition id; absent -> NULL with PM_OK. */
    CHECK_STATUS(pm_client_fetch_market(client, A_COND, &market), PM_OK);
    CHECK(market != NULL);
    CHECK_STR(pm_market_id(market), "512345");
    CHECK_STR(pm_market_token_id(market, 1), A_NO);
    pm_market_free(market);

    market = NULL;
    CHECK_STATUS(pm_client_fetch_market(client, D_COND, &market), PM_OK); /* closed, still found */
    CHECK(market != NULL);
    CHECK(pm_market_closed(market) == true);
    CHECK_STR(pm_market_id(market), "498877");
    pm_market_free(market);

    market = SENTINEL(pm_market);
    CHECK_STATUS(pm_client_fetch_market(client, NO_COND, &market), PM_OK);
    CHECK(market == NULL);

    market = SENTINEL(pm_market);
    CHECK_FAILS(pm_client_fetch_market(client, NULL, &market), PM_E_INVALID_ARG);
    CHECK(market == NULL);
    CHECK_FAILS(pm_client_fetch_market(client, A_COND, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_client_fetch_active_markets(client, NULL), PM_E_INVALID_ARG);

    pm_client_free(client);
}

static void test_fetch_trades_basic(void) {
    char sid[96];
    pm_client *client;
    pm_trades *trades = SENTINEL(pm_trades);
    size_t i, n;
    int newest_first = 1, same_token = 1;

    new_session("trades", "basic", sid, sizeof sid);
    client = client_for(sid, 0, 0, 0);
    CHECK_STATUS(pm_client_fetch_trades(client, A_YES, 100, &trades), PM_OK);
    n = pm_trades_count(trades);
    CHECK(n > 0 && n <= 13);
    for (i = 0; i < n; i++) {
        const pm_trade *t = pm_trades_at(trades, i);
        if (strcmp(pm_trade_token_id(t), A_YES) != 0) same_token = 0;
        if (i > 0 && pm_trade_timestamp_ms(pm_trades_at(trades, i - 1)) < pm_trade_timestamp_ms(t)) newest_first = 0;
    }
    CHECK(same_token);
    CHECK(newest_first);
    /* the preset has 60-day-old rows: this call has no age check, so they are here */
    CHECK(n > 0 && pm_trade_timestamp_ms(pm_trades_at(trades, n - 1)) < ((int64_t)now_s() - 59 * DAY_S) * 1000);
    pm_trades_free(trades);

    trades = NULL;
    CHECK_STATUS(pm_client_fetch_trades(client, A_YES, 2, &trades), PM_OK);
    CHECK_I64(pm_trades_count(trades), 2);
    pm_trades_free(trades);

    /* the convenience function on the same tape: nothing older than an hour */
    trades = NULL;
    CHECK_STATUS(pm_fetch_recent_trades(client, A_YES, 3600, &trades), PM_OK);
    n = pm_trades_count(trades);
    for (i = 0; i < n; i++)
        CHECK(pm_trade_timestamp_ms(pm_trades_at(trades, i)) >= ((int64_t)now_s() - 3600 - 5) * 1000);
    pm_trades_free(trades);

    /* a token the CLOB does not know */
    trades = SENTINEL(pm_trades);
    CHECK(pm_client_fetch_trades(client, "999", 10, &trades) != PM_OK);
    CHECK(trades == NULL);

    trades = SENTINEL(pm_trades);
    CHECK_FAILS(pm_client_fetch_trades(client, A_YES, 0, &trades), PM_E_INVALID_ARG);
    CHECK(trades == NULL);
    pm_client_free(client);
}

static void test_metadata_sync(void) {
    char sid[96];
    pm_client *client;
    pm_store *store = NULL;
    pm_token_meta *meta = NULL;
    size_t markets = 99, inserted = 99, updated = 99, unchanged = 99;
    int64_t count = -1;

    new_session("sync", "basic", sid, sizeof sid);
    client = client_for(sid, 0, 0, 0);
    CHECK_STATUS(pm_store_open(":memory:", NULL, &store), PM_OK);

    CHECK_STATUS(pm_metadata_sync(client, store, &markets, &inserted, &updated, &unchanged), PM_OK);
    CHECK_I64(markets, 4);
    CHECK_I64(inserted, 8);
    CHECK_I64(updated, 0);
    CHECK_I64(unchanged, 0);

    CHECK_STATUS(pm_metadata_sync(client, store, &markets, &inserted, &updated, &unchanged), PM_OK);
    CHECK_I64(markets, 4);
    CHECK_I64(inserted, 0);
    CHECK_I64(updated, 0);
    CHECK_I64(unchanged, 8);

    CHECK_STATUS(pm_metadata_sync(client, store, NULL, NULL, NULL, NULL), PM_OK);

    CHECK_STATUS(pm_store_get_token_meta(store, A_NO, &meta), PM_OK);
    CHECK(meta != NULL);
    CHECK_STR(pm_token_meta_condition_id(meta), A_COND);
    CHECK_STR(pm_token_meta_outcome(meta), "No");
    CHECK_I64(pm_token_meta_outcome_index(meta), 1);
    CHECK_STR(pm_token_meta_tick_size(meta), "0.01");
    CHECK(pm_token_meta_neg_risk(meta) == false);
    CHECK(pm_token_meta_active(meta) == true);
    pm_token_meta_free(meta);
    meta = NULL;
    CHECK_STATUS(pm_store_get_token_meta(store, B1_YES, &meta), PM_OK);
    CHECK(meta != NULL && pm_token_meta_neg_risk(meta) == true);
    pm_token_meta_free(meta);
    meta = SENTINEL(pm_token_meta);
    CHECK_STATUS(pm_store_get_token_meta(store, D_YES, &meta), PM_OK); /* closed: not synced */
    CHECK(meta == NULL);
    CHECK_STATUS(pm_store_count_trades(store, NULL, &count), PM_OK);
    CHECK_I64(count, 0);

    CHECK_FAILS(pm_metadata_sync(client, NULL, NULL, NULL, NULL, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_metadata_sync(NULL, store, NULL, NULL, NULL, NULL), PM_E_INVALID_ARG);

    /* a failed fetch writes nothing and reports the HTTP error (the keyset 404 falls back to the
     * offset listing, whose 404 is the error) */
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/gamma/markets/keyset\",\"times\":1,\"status\":404},"
                                "{\"path\":\"/gamma/markets\",\"times\":1,\"status\":404}]}");
    CHECK_FAILS(pm_metadata_sync(client, store, NULL, NULL, NULL, NULL), PM_E_HTTP);

    pm_store_free(store);
    pm_client_free(client);
}

/* The listing budget: a Gamma that never ends its listing (the fake's gamma_endless: fresh ids on
 * every page) or a page that hangs ends in an error naming the budget, never in an endless call;
 * pm_metadata_sync inherits the bound and writes nothing. No timing is asserted: the budgets are
 * small, and the calls returning at all is the point. */
static pm_client *listing_client(const char *sid, int32_t max_pages, int32_t timeout_ms, int32_t total_ms) {
    char gamma[512];
    pm_client_options o = PM_CLIENT_OPTIONS_INIT;
    pm_client *client = NULL;
    snprintf(gamma, sizeof gamma, "%s/s/%s/gamma", g_base, sid);
    o.gamma_url = gamma;
    o.connect_timeout_ms = 2000;
    o.total_timeout_ms = total_ms;
    o.rate_limit = false;
    o.listing_max_pages = max_pages;
    o.listing_timeout_ms = timeout_ms;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    return client;
}

static void test_listing_budgets(void) {
    char sid[96], hang_sid[96];
    pm_client *client;
    pm_markets *markets = SENTINEL(pm_markets);
    pm_store *store = NULL;
    pm_token_metas *metas = NULL;

    new_session("endless", NULL, sid, sizeof sid);
    session_post(sid, "config", "{\"gamma_endless\":true,\"gamma_limit_max\":2}");

    /* page budget: 5 pages of 2 fresh markets, then PM_E_TOO_LARGE before a 6th request */
    client = listing_client(sid, 5, 60000, 5000);
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_TOO_LARGE);
    CHECK(markets == NULL);
    CHECK(contains(pmt_last_msg, "listing_max_pages") && contains(pmt_last_msg, "5 pages"));
    CHECK(contains(pmt_last_msg, "10 markets"));
    CHECK_I64(count_requests(sid, "/gamma/markets/keyset"), 5);

    /* metadata sync inherits it, and writes nothing */
    CHECK_STATUS(pm_store_open(":memory:", NULL, &store), PM_OK);
    CHECK_FAILS(pm_metadata_sync(client, store, NULL, NULL, NULL, NULL), PM_E_TOO_LARGE);
    CHECK(contains(pmt_last_msg, "listing_max_pages"));
    CHECK_STATUS(pm_store_list_token_metas(store, &metas), PM_OK);
    CHECK_I64(pm_token_metas_count(metas), 0);
    pm_token_metas_free(metas);
    pm_store_free(store);
    pm_client_free(client);

    /* time budget over endless pages */
    client = listing_client(sid, INT32_MAX, 1000, 5000);
    markets = SENTINEL(pm_markets);
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_TIMEOUT);
    CHECK(markets == NULL);
    CHECK(contains(pmt_last_msg, "listing_timeout_ms") && contains(pmt_last_msg, "1000 ms"));
    pm_client_free(client);

    /* time budget over one page that hangs: the request in flight is cancelled long before its
     * own 60 s timeout and retries would end it */
    new_session("listing-hang", "basic", hang_sid, sizeof hang_sid);
    session_post(hang_sid, "faults", "{\"rules\":[{\"path\":\"/gamma/markets/keyset\",\"hang\":true}]}");
    client = listing_client(hang_sid, 1000, 1000, 60000);
    markets = SENTINEL(pm_markets);
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_TIMEOUT);
    CHECK(markets == NULL);
    CHECK(contains(pmt_last_msg, "listing_timeout_ms"));
    CHECK_I64(count_requests(hang_sid, "/gamma/markets/keyset"), 1);
    /* the client is still usable afterwards: a listing that fits its budget succeeds */
    session_clear_faults(hang_sid);
    CHECK_STATUS(pm_client_fetch_active_markets(client, &markets), PM_OK);
    CHECK_I64(pm_markets_count(markets), 4);
    pm_markets_free(markets);
    pm_client_free(client);
}

/* ============================================================================================ */
/* Faults                                                                                       */
/* ============================================================================================ */

static void test_retry_then_success(void) {
    char sid[96];
    pm_client *client;
    pm_book *book = NULL;

    new_session("retry", "basic", sid, sizeof sid);
    client = client_for(sid, 2000, 4, 0);
    session_post(sid, "faults",
                 "{\"rules\":[{\"path\":\"/clob/book\",\"times\":2,\"status\":503,\"headers\":{\"Retry-After\":\"0\"}}]}");
    CHECK_STATUS(pm_client_fetch_orderbook(client, A_YES, &book), PM_OK);
    CHECK(book != NULL);
    CHECK_STR(pm_book_token_id(book), A_YES);
    pm_book_free(book);
    CHECK_I64(count_requests(sid, "/clob/book"), 3);

    /* attempts exhausted: the status is an error, the request count is max_attempts */
    session_clear_requests(sid);
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"times\":5,\"status\":503,"
                                "\"headers\":{\"Retry-After\":\"0\"}}]}");
    book = SENTINEL(pm_book);
    CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, &book), PM_E_HTTP);
    CHECK(book == NULL);
    CHECK(contains(pmt_last_msg, "503"));
    CHECK_I64(count_requests(sid, "/clob/book"), 4);
    session_clear_faults(sid);
    pm_client_free(client);
}

/* Logging: a retry reaches the host's callback as a warning from "http", on a library thread;
 * replacing the callback frees the previous userdata exactly once. */
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static int log_retry_lines, log_frees, log_bad_level;

static void on_log(pm_log_level level, const char *subsystem, const char *message, void *userdata) {
    (void)userdata;
    pthread_mutex_lock(&log_mutex);
    if ((int)level > (int)PM_LOG_ERROR) log_bad_level++;
    if (strcmp(subsystem, "http") == 0 && strstr(message, "HTTP 503") && strstr(message, "retry")) log_retry_lines++;
    pthread_mutex_unlock(&log_mutex);
}

static void on_log_free(void *userdata) {
    (void)userdata;
    pthread_mutex_lock(&log_mutex);
    log_frees++;
    pthread_mutex_unlock(&log_mutex);
}

static void test_log_callback(void) {
    char sid[96];
    pm_client *client;
    pm_book *book = NULL;

    CHECK_FAILS(pm_set_log_callback(on_log, (pm_log_level)42, NULL, NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_set_log_callback(on_log, PM_LOG_WARNING, &log_frees, on_log_free), PM_OK);
    new_session("logging", "basic", sid, sizeof sid);
    client = client_for(sid, 2000, 4, 0);
    session_post(sid, "faults",
                 "{\"rules\":[{\"path\":\"/clob/book\",\"times\":1,\"status\":503,\"headers\":{\"Retry-After\":\"0\"}}]}");
    CHECK_STATUS(pm_client_fetch_orderbook(client, A_YES, &book), PM_OK);
    pm_book_free(book);
    pm_client_free(client);
    CHECK_STATUS(pm_set_log_callback(NULL, PM_LOG_WARNING, NULL, NULL), PM_OK); /* off: frees the old userdata */
    pthread_mutex_lock(&log_mutex);
    CHECK(log_retry_lines >= 1);
    CHECK_I64(log_frees, 1);
    CHECK_I64(log_bad_level, 0);
    pthread_mutex_unlock(&log_mutex);
}

/* Logging re-entrancy: pm_set_log_callback() from inside the callback returns PM_E_MISUSE
 * instead of deadlocking the pm_* call that logged; pm_set_log_level() works there; a line logged
 * from inside is dropped. Another thread's pm_set_log_callback() waits for the line in flight. */
static pthread_mutex_t reent_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reent_cond = PTHREAD_COND_INITIALIZER;
static int reent_lines, reent_set_status = -1, reent_level_status = -1, reent_done, reent_inside, reent_release;
static int reent_block; /* the callback waits for reent_release */

static void on_log_reentrant(pm_log_level level, const char *subsystem, const char *message, void *userdata) {
    pm_status set, lvl;
    (void)level, (void)subsystem;
    if (!contains(message, (const char *)userdata)) return; /* only this test's session */
    set = pm_set_log_callback(NULL, PM_LOG_WARNING, NULL, NULL);
    lvl = pm_set_log_level(PM_LOG_WARNING);
    pthread_mutex_lock(&reent_mutex);
    reent_lines++;
    reent_set_status = (int)set;
    reent_level_status = (int)lvl;
    reent_inside = 1;
    pthread_cond_broadcast(&reent_cond);
    while (reent_block && !reent_release) pthread_cond_wait(&reent_cond, &reent_mutex);
    pthread_mutex_unlock(&reent_mutex);
}

struct reent_call {
    pm_client *client;
    pm_status status;
};

static void *reent_call_main(void *arg) {
    struct reent_call *call = arg;
    pm_book *book = NULL;
    call->status = pm_client_fetch_orderbook(call->client, A_YES, &book);
    pm_book_free(book);
    pthread_mutex_lock(&reent_mutex);
    reent_done |= 1;
    pthread_cond_broadcast(&reent_cond);
    pthread_mutex_unlock(&reent_mutex);
    return NULL;
}

static void *reent_replace_main(void *arg) {
    (void)arg;
    pm_set_log_callback(NULL, PM_LOG_WARNING, NULL, NULL);
    pthread_mutex_lock(&reent_mutex);
    reent_done |= 2;
    pthread_cond_broadcast(&reent_cond);
    pthread_mutex_unlock(&reent_mutex);
    return NULL;
}

/* Waits (bounded: liveness only) until (reent_done & mask) == mask; returns it held. */
static int reent_wait(int mask, int seconds) {
    struct timespec deadline;
    int ok;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&reent_mutex);
    while ((reent_done & mask) != mask)
        if (pthread_cond_timedwait(&reent_cond, &reent_mutex, &deadline) != 0) break;
    ok = (reent_done & mask) == mask;
    pthread_mutex_unlock(&reent_mutex);
    return ok;
}

static void reent_session(const char *name, char *sid, size_t cap) {
    new_session(name, "basic", sid, cap);
    session_post(sid, "faults",
                 "{\"rules\":[{\"path\":\"/clob/book\",\"times\":1,\"status\":503,\"headers\":{\"Retry-After\":\"0\"}}]}");
}

/* Returns 0 when the library's log is deadlocked (the rest of the program cannot go on). */
static int test_log_reentrancy(void) {
    static char sid[96], sid2[96];
    struct reent_call call;
    pthread_t worker, replacer;
    int finished, replaced_early;

    /* 1. from inside: PM_E_MISUSE, and the fetch that logged returns */
    reent_session("log-reentry", sid, sizeof sid);
    call.client = client_for(sid, 2000, 4, 0);
    CHECK_STATUS(pm_set_log_callback(on_log_reentrant, PM_LOG_WARNING, sid, NULL), PM_OK);
    pthread_create(&worker, NULL, reent_call_main, &call);
    finished = reent_wait(1, 20);
    CHECK(finished);
    if (!finished) return 0; /* deadlocked: leave the thread; nothing can log any more */
    pthread_join(worker, NULL);
    CHECK_STATUS(call.status, PM_OK);
    CHECK_I64(reent_lines, 1);
    CHECK_I64(reent_set_status, PM_E_MISUSE);
    CHECK_I64(reent_level_status, PM_OK);
    pm_client_free(call.client);

    /* 2. another thread replacing the callback waits for the line in flight */
    reent_session("log-reentry-wait", sid2, sizeof sid2);
    call.client = client_for(sid2, 2000, 4, 0);
    CHECK_STATUS(pm_set_log_callback(on_log_reentrant, PM_LOG_WARNING, sid2, NULL), PM_OK);
    pthread_mutex_lock(&reent_mutex);
    reent_done = reent_inside = reent_release = 0;
    reent_block = 1;
    pthread_mutex_unlock(&reent_mutex);
    pthread_create(&worker, NULL, reent_call_main, &call);
    pthread_mutex_lock(&reent_mutex);
    while (!reent_inside) pthread_cond_wait(&reent_cond, &reent_mutex);
    pthread_mutex_unlock(&reent_mutex);
    pthread_create(&replacer, NULL, reent_replace_main, NULL);
    sleep_ms(200);
    pthread_mutex_lock(&reent_mutex);
    replaced_early = (reent_done & 2) != 0;
    reent_release = 1;
    pthread_cond_broadcast(&reent_cond);
    pthread_mutex_unlock(&reent_mutex);
    CHECK(!replaced_early); /* it waited for the callback in flight */
    finished = reent_wait(3, 20);
    CHECK(finished);
    if (!finished) return 0;
    pthread_join(worker, NULL);
    pthread_join(replacer, NULL);
    CHECK_STATUS(call.status, PM_OK);
    CHECK_I64(reent_lines, 2);
    pm_client_free(call.client);
    CHECK_FAILS(pm_set_log_level((pm_log_level)42), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_set_log_level(PM_LOG_ERROR), PM_OK); /* no callback: no effect, no error */
    return 1;
}

static void test_http_errors(void) {
    char sid[96];
    pm_client *client;
    pm_markets *markets = SENTINEL(pm_markets);

    new_session("http", "basic", sid, sizeof sid);
    client = client_for(sid, 2000, 4, 0);

    /* Cloudflare's HTML 403: not retried, and the message quotes the page title. */
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/gamma/*\",\"times\":1,\"preset\":\"cloudflare_403\"}]}");
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_HTTP);
    CHECK(markets == NULL);
    CHECK(contains(pmt_last_msg, "403"));
    CHECK(contains(pmt_last_msg, "Attention Required! | Cloudflare"));
    if (!contains(pmt_last_msg, "Attention Required! | Cloudflare")) fprintf(stderr, "     message: %s\n", pmt_last_msg);
    CHECK_I64(count_requests(sid, "/gamma/markets/keyset"), 1);

    /* garbage 200 body */
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/gamma/markets/keyset\",\"times\":1,\"body\":\"<<not json>>\"}]}");
    markets = SENTINEL(pm_markets);
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_PARSE);
    CHECK(markets == NULL);

    /* valid JSON of the wrong shape (a bare array where the keyset envelope belongs) */
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/gamma/markets/keyset\",\"times\":1,\"body\":\"[]\"}]}");
    markets = SENTINEL(pm_markets);
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_PARSE);
    CHECK(markets == NULL);

    /* a truncated body (the connection drops mid-answer) is a network failure */
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/gamma/markets/keyset\",\"truncate_at\":50,\"gzip\":false}]}");
    markets = SENTINEL(pm_markets);
    {
        pm_client *one = client_for(sid, 2000, 1, 0);
        CHECK_FAILS(pm_client_fetch_active_markets(one, &markets), PM_E_NETWORK);
        pm_client_free(one);
    }
    CHECK(markets == NULL);
    session_clear_faults(sid);

    /* and the client still works afterwards */
    markets = NULL;
    CHECK_STATUS(pm_client_fetch_active_markets(client, &markets), PM_OK);
    CHECK_I64(pm_markets_count(markets), 4);
    pm_markets_free(markets);
    pm_client_free(client);
}

static void test_timeout(void) {
    char sid[96];
    pm_client *client;
    pm_markets *markets = SENTINEL(pm_markets);
    double t0, elapsed;

    new_session("timeout", "basic", sid, sizeof sid);
    client = client_for(sid, 300, 1, 0);
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/gamma/markets/keyset\",\"hang\":true}]}");
    t0 = mono_s();
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_TIMEOUT);
    elapsed = mono_s() - t0;
    CHECK(markets == NULL);
    CHECK(elapsed >= 0.25);
    CHECK(elapsed < 2.0 * g_time_scale);
    if (elapsed >= 2.0 * g_time_scale) fprintf(stderr, "     timeout took %.3f s\n", elapsed);
    CHECK_I64(count_requests(sid, "/gamma/markets/keyset"), 1);
    session_clear_faults(sid);
    pm_client_free(client);
}

static void test_too_large(void) {
    char sid[96];
    pm_client *client;
    pm_markets *markets = SENTINEL(pm_markets);
    pm_trades *trades = SENTINEL(pm_trades);

    new_session("large", "basic", sid, sizeof sid);
    client = client_for(sid, 5000, 4, 4096);
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/gamma/markets/keyset\",\"oversize_bytes\":100000}]}");
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_TOO_LARGE);
    CHECK(markets == NULL);
    CHECK_I64(count_requests(sid, "/gamma/markets/keyset"), 1); /* never retried */
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/data/trades\",\"oversize_bytes\":100000}]}");
    CHECK_FAILS(pm_client_fetch_trades(client, A_YES, 10, &trades), PM_E_TOO_LARGE);
    CHECK(trades == NULL);
    session_clear_faults(sid);
    pm_client_free(client);
}

/* A port nothing listens on: bind an ephemeral one, then close it. */
static int closed_port(void) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int port = 0, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

static void test_connection_refused(void) {
    char url[3][128];
    pm_client_options o = PM_CLIENT_OPTIONS_INIT;
    pm_client *client = NULL;
    pm_markets *markets = SENTINEL(pm_markets);
    pm_book *book = SENTINEL(pm_book);
    bool valid = true;
    char *reason = NULL;
    int port = closed_port();
    double t0;

    CHECK(port > 0);
    snprintf(url[0], sizeof url[0], "http://127.0.0.1:%d/gamma", port);
    snprintf(url[1], sizeof url[1], "http://127.0.0.1:%d/clob", port);
    snprintf(url[2], sizeof url[2], "http://127.0.0.1:%d/data", port);
    o.gamma_url = url[0];
    o.clob_url = url[1];
    o.data_url = url[2];
    o.connect_timeout_ms = 1000;
    o.total_timeout_ms = 2000;
    o.max_attempts = 1;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    t0 = mono_s();
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_NETWORK);
    CHECK(markets == NULL);
    CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, &book), PM_E_NETWORK);
    CHECK(book == NULL);
    CHECK(mono_s() - t0 < 2.0 * g_time_scale);
    /* G5 fails closed on it */
    CHECK_STATUS(pm_verify_orderbook_price(client, A_YES, "0.5", NULL, &valid, NULL, &reason), PM_OK);
    CHECK(valid == false);
    CHECK(reason != NULL && reason[0] != '\0');
    pm_string_free(reason);
    pm_client_free(client);
}

/* ---- cancellation from another thread ---------------------------------------------------------- */

struct canceller {
    pm_client *client;
    const char *sid;
    const char *path;
    double cancelled_at;
    pm_status status;
    int saw_request;
};

/* Waits until the hanging request has reached the server, then cancels every call on the client. */
static void *canceller_main(void *arg) {
    struct canceller *c = arg;
    int i;
    for (i = 0; i < 500; i++) {
        if (count_requests(c->sid, c->path) >= 1) {
            c->saw_request = 1;
            break;
        }
        sleep_ms(10);
    }
    sleep_ms(50);
    c->cancelled_at = mono_s();
    c->status = pm_client_cancel(c->client);
    return NULL;
}

static void test_cancel(void) {
    char sid[96];
    pm_client *client;
    pm_book *book = SENTINEL(pm_book);
    struct canceller c;
    pthread_t th;
    double t0, done;
    pm_status st;
    bool valid = true;
    char *reason = SENTINEL(char);

    new_session("cancel", "basic", sid, sizeof sid);
    client = client_for(sid, 20000, 4, 0);
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"hang\":true}]}");

    memset(&c, 0, sizeof c);
    c.client = client;
    c.sid = sid;
    c.path = "/clob/book";
    c.status = PM_E_INTERNAL;
    t0 = mono_s();
    CHECK(pthread_create(&th, NULL, canceller_main, &c) == 0);
    st = pm_client_fetch_orderbook(client, A_YES, &book);
    done = mono_s();
    pthread_join(th, NULL);
    CHECK_FAILS(st, PM_E_CANCELLED);
    CHECK(book == NULL);
    CHECK(c.saw_request);
    CHECK_STATUS(c.status, PM_OK);
    CHECK(done - c.cancelled_at < 1.0 * g_time_scale);
    CHECK(done - t0 < 5.0 * g_time_scale);
    CHECK_I64(count_requests(sid, "/clob/book"), 1); /* not retried */

    /* G5 does not turn a cancellation into a verdict */
    session_clear_requests(sid);
    memset(&c, 0, sizeof c);
    c.client = client;
    c.sid = sid;
    c.path = "/clob/book";
    c.status = PM_E_INTERNAL;
    CHECK(pthread_create(&th, NULL, canceller_main, &c) == 0);
    st = pm_verify_orderbook_price(client, A_YES, "0.5", NULL, &valid, NULL, &reason);
    done = mono_s();
    pthread_join(th, NULL);
    CHECK_FAILS(st, PM_E_CANCELLED);
    CHECK(valid == false);
    CHECK(reason == NULL);
    CHECK(done - c.cancelled_at < 1.0 * g_time_scale);

    /* calls started later run normally */
    session_clear_faults(sid);
    book = NULL;
    CHECK_STATUS(pm_client_fetch_orderbook(client, A_YES, &book), PM_OK);
    CHECK(book != NULL);
    pm_book_free(book);
    /* cancelling with nothing in flight is fine */
    CHECK_STATUS(pm_client_cancel(client), PM_OK);
    pm_client_free(client);
}

/* pm_client_free while a call hangs on another thread: the call returns PM_E_CANCELLED. */
struct hanging_call {
    pm_client *client;
    pm_status status;
    pm_book *book;
};

static void *hanging_call_main(void *arg) {
    struct hanging_call *h = arg;
    h->status = pm_client_fetch_orderbook(h->client, A_YES, &h->book);
    return NULL;
}

static void test_free_during_call(void) {
    char sid[96];
    struct hanging_call h;
    pthread_t th;
    double freed_at, done;
    int i, seen = 0;

    new_session("freecall", "basic", sid, sizeof sid);
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"hang\":true}]}");
    memset(&h, 0, sizeof h);
    h.client = client_for(sid, 20000, 1, 0);
    h.status = PM_E_INTERNAL;
    h.book = SENTINEL(pm_book);
    CHECK(pthread_create(&th, NULL, hanging_call_main, &h) == 0);
    for (i = 0; i < 500 && !seen; i++) {
        seen = count_requests(sid, "/clob/book") >= 1;
        if (!seen) sleep_ms(10);
    }
    CHECK(seen);
    sleep_ms(50);
    freed_at = mono_s();
    pm_client_free(h.client);
    pthread_join(th, NULL);
    done = mono_s();
    CHECK_STATUS(h.status, PM_E_CANCELLED);
    CHECK(h.book == NULL);
    CHECK(done - freed_at < 1.0 * g_time_scale);
}

/* A Retry-After beyond the 60 s ceiling fails the call at once instead of stalling it. */
static void test_retry_after_too_long(void) {
    char sid[96];
    pm_client *client;
    pm_book *book = SENTINEL(pm_book);
    double t0;

    new_session("retryafter", "basic", sid, sizeof sid);
    client = client_for(sid, 2000, 4, 0);
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"times\":1,\"status\":429,"
                                "\"headers\":{\"Retry-After\":\"120\"}}]}");
    t0 = mono_s();
    CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, &book), PM_E_HTTP);
    CHECK(book == NULL);
    CHECK(contains(pmt_last_msg, "429"));
    CHECK(mono_s() - t0 < 1.0 * g_time_scale);
    CHECK_I64(count_requests(sid, "/clob/book"), 1);
    pm_client_free(client);
}

/* Sequential calls on one client reuse one keep-alive connection (the log's "conn" ids). */
static void test_keepalive(void) {
    char sid[96], path[256], *log = NULL;
    pm_client *client;
    const char *p;
    long first = -1;
    int i, n = 0, same = 1;

    new_session("keepalive", "basic", sid, sizeof sid);
    client = client_for(sid, 0, 0, 0);
    for (i = 0; i < 3; i++) {
        pm_book *book = NULL;
        CHECK_STATUS(pm_client_fetch_orderbook(client, A_YES, &book), PM_OK);
        pm_book_free(book);
    }
    snprintf(path, sizeof path, "/_control/sessions/%s/requests", sid);
    CHECK_I64(ctl("GET", path, NULL, &log), 200);
    for (p = log; p && (p = strstr(p, "\"conn\":")) != NULL; p += 7) {
        long conn = strtol(p + 7, NULL, 10);
        if (n++ == 0) first = conn; else if (conn != first) same = 0;
    }
    free(log);
    CHECK_I64(n, 3);
    CHECK(same);
    pm_client_free(client);
}

/* ---- a huge fetch limit must not trap (runs in a child process: it currently does) ---------- */

#define HUGE_LIMIT_FLAG "--child-huge-limit"

/* In the child: one pm_client_fetch_trades with limit 2^62 against the default session. */
static int child_huge_limit(void) {
    char gamma[512], clob[512], data[512];
    pm_client_options o = PM_CLIENT_OPTIONS_INIT;
    pm_client *client = NULL;
    pm_trades *trades = NULL;
    pm_status st;
    snprintf(gamma, sizeof gamma, "%s/gamma", g_base);
    snprintf(clob, sizeof clob, "%s/clob", g_base);
    snprintf(data, sizeof data, "%s/data", g_base);
    o.gamma_url = gamma;
    o.clob_url = clob;
    o.data_url = data;
    o.max_attempts = 1;
    if (pm_client_new(&o, &client) != PM_OK) return 4;
    st = pm_client_fetch_trades(client, A_YES, (size_t)1 << 62, &trades);
    pm_trades_free(trades);
    pm_client_free(client);
    return st == PM_OK || st == PM_E_INVALID_ARG ? 0 : 3;
}

static void test_huge_limit(const char *self) {
    extern char **environ;
    char *argv[3];
    pid_t pid;
    int status = 0;
    argv[0] = (char *)self;
    argv[1] = (char *)HUGE_LIMIT_FLAG;
    argv[2] = NULL;
    fflush(stdout);
    fflush(stderr);
    /* The program's own path, not /proc/self/exe: under RUN_WRAPPER=valgrind that names
     * valgrind's tool binary, which refuses to run ("You cannot run ... directly"). */
    if (posix_spawn(&pid, strchr(self, '/') ? self : "/proc/self/exe", NULL, NULL, argv, environ) != 0) {
        CHECK(!"posix_spawn of the child failed");
        return;
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    /* A huge limit once trapped (SIGILL) on an unchecked `limit * 2`; it must now return normally. */
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* pm_client_free stops the client's HTTP thread: creating and freeing clients does not grow the
 * process's thread count (Linux: /proc/self/task). */
static void test_client_threads_stop(void) {
    char sid[96];
    int i, before = -1, after;
    new_session("threadcount", "basic", sid, sizeof sid);
    for (i = 0; i < 12; i++) {
        pm_client *client = client_for(sid, 0, 0, 0);
        pm_book *book = NULL;
        CHECK_STATUS(pm_client_fetch_orderbook(client, A_YES, &book), PM_OK);
        pm_book_free(book);
        pm_client_free(client);
        if (i == 1) {
            sleep_ms(50);
            before = thread_count();
        }
    }
    sleep_ms(100);
    after = thread_count();
    CHECK(before > 0);
    CHECK(after <= before + 2);
    if (after > before + 2) fprintf(stderr, "     threads: %d before, %d after 10 more clients\n", before, after);
}

/* ---- one client, many threads ------------------------------------------------------------------ */

struct worker {
    pm_client *client;
    int ok;
    int best_bid_ok;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    int i;
    for (i = 0; i < 5; i++) {
        pm_book *book = NULL;
        if (pm_client_fetch_orderbook(w->client, i % 2 ? A_NO : A_YES, &book) == PM_OK) w->ok++;
        if (book && pm_book_level_price_micros(book, PM_SIDE_BID, 0) > 0) w->best_bid_ok++;
        pm_book_free(book);
    }
    return NULL;
}

static void test_threads(void) {
    char sid[96];
    pm_client *client;
    struct worker w[4];
    pthread_t th[4];
    int i;

    new_session("threads", "basic", sid, sizeof sid);
    client = client_for(sid, 0, 0, 0);
    memset(w, 0, sizeof w);
    for (i = 0; i < 4; i++) {
        w[i].client = client;
        CHECK(pthread_create(&th[i], NULL, worker_main, &w[i]) == 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_I64(w[i].ok, 5);
        CHECK_I64(w[i].best_bid_ok, 5);
    }
    CHECK_I64(count_requests(sid, "/clob/book"), 20);
    pm_client_free(client);
}

/* ============================================================================================ */
/* Arguments, options, NULLs                                                                    */
/* ============================================================================================ */

static void test_options(void) {
    pm_client_options o, def = PM_CLIENT_OPTIONS_INIT;
    pm_client *client = SENTINEL(pm_client);

    memset(&o, 0xAB, sizeof o);
    CHECK_STATUS(pm_client_options_init(&o, PM_CLIENT_OPTIONS_VERSION), PM_OK);
    CHECK_I64(o.version, PM_CLIENT_OPTIONS_VERSION);
    CHECK(o.gamma_url == NULL && o.clob_url == NULL && o.data_url == NULL);
    CHECK_I64(o.connect_timeout_ms, def.connect_timeout_ms);
    CHECK_I64(o.total_timeout_ms, def.total_timeout_ms);
    CHECK_I64(o.max_attempts, def.max_attempts);
    CHECK_I64(o.max_response_bytes, def.max_response_bytes);
    CHECK(o.verify_tls == def.verify_tls);
    CHECK(o.rate_limit == def.rate_limit && o.rate_limit);
    CHECK_I64(PM_CLIENT_OPTIONS_VERSION, 3);
    CHECK_I64(o.deadline_ms, 20000);
    CHECK_I64(o.listing_max_pages, 1000);
    CHECK_I64(o.listing_timeout_ms, 300000);
    CHECK_I64(def.listing_max_pages, o.listing_max_pages);
    CHECK_I64(def.listing_timeout_ms, o.listing_timeout_ms);
    {
        /* A caller built against version 1 passes the shorter struct: init writes only its fields */
        union {
            pm_client_options full;
            unsigned char bytes[sizeof(pm_client_options)];
        } v1;
        size_t v1_size = offsetof(pm_client_options, listing_max_pages), i;
        int untouched = 1;
        memset(&v1, 0xAB, sizeof v1);
        CHECK_STATUS(pm_client_options_init(&v1.full, 1), PM_OK);
        CHECK_I64(v1.full.version, 1);
        CHECK_I64(v1.full.max_attempts, def.max_attempts);
        CHECK(v1.full.rate_limit == true);
        for (i = v1_size; i < sizeof v1; i++) untouched &= v1.bytes[i] == 0xAB;
        CHECK(untouched);
        /* ... and pm_client_new never reads past them: garbage there is ignored */
        client = NULL;
        CHECK_STATUS(pm_client_new(&v1.full, &client), PM_OK);
        CHECK(client != NULL);
        pm_client_free(client);
    }
    CHECK_FAILS(pm_client_options_init(NULL, PM_CLIENT_OPTIONS_VERSION), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_client_options_init(&o, 0), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_client_options_init(&o, 999), PM_E_INVALID_ARG);

    /* NULL options: production defaults, no network at creation */
    CHECK_STATUS(pm_client_new(NULL, &client), PM_OK);
    CHECK(client != NULL);
    pm_client_free(client);
    CHECK_FAILS(pm_client_new(NULL, NULL), PM_E_INVALID_ARG);

#define BAD_OPTS(mutation, expected)                                   \
    do {                                                               \
        pm_client_options b_ = PM_CLIENT_OPTIONS_INIT;                 \
        mutation;                                                      \
        client = SENTINEL(pm_client);                                  \
        CHECK_FAILS(pm_client_new(&b_, &client), expected);            \
        CHECK(client == NULL);                                         \
    } while (0)
    BAD_OPTS(b_.version = 0, PM_E_INVALID_ARG);
    BAD_OPTS(b_.gamma_url = "ftp://x", PM_E_INVALID_ARG);
    BAD_OPTS(b_.clob_url = "not a url", PM_E_INVALID_ARG);
    BAD_OPTS(b_.data_url = "http://host/path?query=1", PM_E_INVALID_ARG);
    BAD_OPTS(b_.gamma_url = "http://\xff\xfe/", PM_E_INVALID_UTF8);
    BAD_OPTS(b_.connect_timeout_ms = 0, PM_E_INVALID_ARG);
    BAD_OPTS(b_.total_timeout_ms = -1, PM_E_INVALID_ARG);
    BAD_OPTS(b_.max_attempts = 0, PM_E_INVALID_ARG);
    BAD_OPTS(b_.max_response_bytes = 0, PM_E_INVALID_ARG);
    BAD_OPTS(b_.listing_max_pages = 0, PM_E_INVALID_ARG);
    BAD_OPTS(b_.listing_timeout_ms = -1, PM_E_INVALID_ARG);
#undef BAD_OPTS
    {
        /* trailing slashes are fine */
        pm_client_options ok = PM_CLIENT_OPTIONS_INIT;
        ok.gamma_url = "http://127.0.0.1:1/gamma/";
        client = NULL;
        CHECK_STATUS(pm_client_new(&ok, &client), PM_OK);
        pm_client_free(client);
    }
}

static void test_bad_arguments(void) {
    char sid[96];
    pm_client *client;
    pm_fetcher *fetcher = SENTINEL(pm_fetcher);
    pm_markets *markets = SENTINEL(pm_markets);
    pm_book *book = SENTINEL(pm_book);
    pm_trades *trades = SENTINEL(pm_trades);
    size_t dropped = 99;

    new_session("args", "basic", sid, sizeof sid);
    client = client_for(sid, 0, 0, 0);

    /* NULL client */
    CHECK_FAILS(pm_client_fetch_active_markets(NULL, &markets), PM_E_INVALID_ARG);
    CHECK(markets == NULL);
    CHECK_FAILS(pm_client_fetch_orderbook(NULL, A_YES, &book), PM_E_INVALID_ARG);
    CHECK(book == NULL);
    CHECK_FAILS(pm_client_fetch_trades(NULL, A_YES, 10, &trades), PM_E_INVALID_ARG);
    CHECK(trades == NULL);
    trades = SENTINEL(pm_trades);
    CHECK_FAILS(pm_fetch_recent_trades(NULL, A_YES, 300, &trades), PM_E_INVALID_ARG);
    CHECK(trades == NULL);
    CHECK_FAILS(pm_fetcher_new(NULL, 300, &fetcher), PM_E_INVALID_ARG);
    CHECK(fetcher == NULL);
    CHECK_FAILS(pm_client_cancel(NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_client_fetch_orderbooks(NULL, NULL, 0, NULL), PM_E_INVALID_ARG);

    /* NULL / empty / invalid UTF-8 / non-identifier token */
    book = SENTINEL(pm_book);
    CHECK_FAILS(pm_client_fetch_orderbook(client, NULL, &book), PM_E_INVALID_ARG);
    CHECK(book == NULL);
    book = SENTINEL(pm_book);
    CHECK_FAILS(pm_client_fetch_orderbook(client, "\xff\xfe", &book), PM_E_INVALID_UTF8);
    CHECK(book == NULL);
    CHECK_FAILS(pm_client_fetch_orderbook(client, "", &book), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_client_fetch_orderbook(client, "12 34", &book), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, NULL), PM_E_INVALID_ARG);
    trades = SENTINEL(pm_trades);
    CHECK_FAILS(pm_client_fetch_trades(client, NULL, 10, &trades), PM_E_INVALID_ARG);
    CHECK(trades == NULL);
    CHECK_FAILS(pm_client_fetch_trades(client, "\xc3\x28", 10, &trades), PM_E_INVALID_UTF8);
    CHECK_FAILS(pm_client_fetch_trades(client, A_YES, 10, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_fetch_recent_trades(client, NULL, 300, &trades), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_fetch_recent_trades(client, A_YES, -1, &trades), PM_E_INVALID_ARG);
    CHECK(trades == NULL);
    CHECK_FAILS(pm_fetch_recent_trades(client, A_YES, 300, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_client_fetch_market(client, "\xff", NULL), PM_E_INVALID_ARG);

    /* fetcher */
    fetcher = SENTINEL(pm_fetcher);
    CHECK_FAILS(pm_fetcher_new(client, -1, &fetcher), PM_E_INVALID_ARG);
    CHECK(fetcher == NULL);
    CHECK_FAILS(pm_fetcher_new(client, 300, NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_fetcher_new(client, 0, &fetcher), PM_OK);
    trades = SENTINEL(pm_trades);
    dropped = 99;
    CHECK_FAILS(pm_fetcher_fetch_recent_trades(NULL, A_YES, -1, &trades, &dropped), PM_E_INVALID_ARG);
    CHECK(trades == NULL);
    CHECK_I64(dropped, 0);
    CHECK_FAILS(pm_fetcher_fetch_recent_trades(fetcher, NULL, -1, &trades, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_fetcher_fetch_recent_trades(fetcher, "\xff", -1, &trades, NULL), PM_E_INVALID_UTF8);
    CHECK_FAILS(pm_fetcher_fetch_recent_trades(fetcher, A_YES, -1, NULL, NULL), PM_E_INVALID_ARG);
    {
        char *size = SENTINEL(char);
        CHECK_FAILS(pm_fetcher_fetch_trade_size_at_price(NULL, A_YES, "0.5", NULL, -1, &size), PM_E_INVALID_ARG);
        CHECK(size == NULL);
        size = SENTINEL(char);
        CHECK_FAILS(pm_fetcher_fetch_trade_size_at_price(fetcher, "\xff", "0.5", NULL, -1, &size), PM_E_INVALID_UTF8);
        CHECK(size == NULL);
        CHECK_FAILS(pm_fetcher_fetch_trade_size_at_price(fetcher, A_YES, "99999999999999999999", NULL, -1, &size), PM_E_RANGE);
    }
    pm_fetcher_free(fetcher);

    /* None of the above reached the server. */
    CHECK_I64(count_requests(sid, NULL), 0);
    pm_client_free(client);
}

/* ============================================================================================ */
/* Fault matrix (issue 6): the REST faults through the C ABI                                    */
/* ============================================================================================ */

/* One row: a fault rule on GET /clob/book (forever unless it says "times"), the client's timeout
 * and attempts, and the exact outcome — PM_OK (recovered: the same best bid as the fault-free
 * fetch) or the status, a fragment of pm_last_error(), and how often the server was asked. The
 * Swift matrix (Tests/PMIngestTests/FaultMatrix) covers more calls; this is the engines' surface. */
struct fault_row {
    const char *name;
    const char *rule;
    int32_t total_ms, attempts;
    pm_status expect;
    const char *says;
    long asked;
};

static void test_fault_matrix(void) {
    static const struct fault_row rows[] = {
        {"5xx burst within the attempts", "\"times\":2,\"status\":503", 5000, 3, PM_OK, NULL, 3},
        {"5xx past the attempts", "\"status\":503", 5000, 3, PM_E_HTTP, "after 3 attempts", 3},
        {"429 with Retry-After: 1", "\"times\":1,\"status\":429,\"headers\":{\"Retry-After\":\"1\"}", 5000, 3, PM_OK,
         NULL, 2},
        {"429 with Retry-After: 3600", "\"status\":429,\"headers\":{\"Retry-After\":\"3600\"}", 5000, 3, PM_E_HTTP,
         "asked to wait 3600 s", 1},
        {"Cloudflare HTML 403", "\"preset\":\"cloudflare_403\"", 5000, 3, PM_E_HTTP, "Sorry, you have been blocked", 1},
        {"empty reply", "\"close_connection\":true", 5000, 3, PM_E_NETWORK, "Empty reply", 3},
        {"reset mid-body once", "\"times\":1,\"reset_at\":40", 5000, 3, PM_OK, NULL, 2},
        {"reset mid-body", "\"reset_at\":40", 5000, 3, PM_E_NETWORK, "Connection reset", 3},
        {"body cut short", "\"truncate_at\":30", 5000, 3, PM_E_NETWORK, "after 3 attempts", 3},
        {"slowloris body", "\"slow_body_ms\":100", 700, 2, PM_E_TIMEOUT, "timed out after 2 attempts", 2},
        {"no answer", "\"hang\":true", 700, 2, PM_E_TIMEOUT, "timed out after 2 attempts", 2},
        {"truncated JSON", "\"body\":\"{\\\"market\\\":\\\"0x7b2a8f\"", 5000, 3, PM_E_PARSE, "body starts", 1},
        {"wrong JSON types", "\"body\":\"{\\\"market\\\":\\\"" A_COND "\\\",\\\"asset_id\\\":\\\"" A_YES
                             "\\\",\\\"bids\\\":\\\"none\\\",\\\"asks\\\":[]}\"",
         5000, 3, PM_E_PARSE, "field \"bids\"", 1},
        {"oversize body", "\"oversize_bytes\":2000000", 5000, 3, PM_E_TOO_LARGE, "larger than 1048576 bytes", 1},
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct fault_row *row = &rows[i];
        char sid[96], name[32], rule[1024], clean_bid[32];
        pm_client *setup, *client;
        pm_book *book = NULL;
        pm_status st;
        long before, asked;
        double t0, elapsed, guard;
        int ok_before = pmt_failed;

        snprintf(name, sizeof name, "fm%zu", i);
        new_session(name, "basic", sid, sizeof sid);
        /* The fault-free fetch on a generous client: what a recovery must reproduce. */
        setup = client_for(sid, 5000, 3, 1 << 20);
        CHECK_STATUS(pm_client_fetch_orderbook(setup, A_YES, &book), PM_OK);
        snprintf(clean_bid, sizeof clean_bid, "%s", pm_book_level_price(book, PM_SIDE_BID, 0));
        CHECK(clean_bid[0] != '\0');
        pm_book_free(book);
        pm_client_free(setup);

        client = client_for(sid, row->total_ms, row->attempts, 1 << 20);
        before = count_requests(sid, "/clob/book");
        snprintf(rule, sizeof rule, "{\"rules\":[{\"path\":\"/clob/book\",%s}]}", row->rule);
        session_post(sid, "faults", rule);
        book = SENTINEL(pm_book);
        t0 = mono_s();
        st = pm_client_fetch_orderbook(client, A_YES, &book);
        elapsed = mono_s() - t0;
        if (row->expect == PM_OK) {
            CHECK_STATUS(st, PM_OK);
            CHECK(st == PM_OK && strcmp(pm_book_level_price(book, PM_SIDE_BID, 0), clean_bid) == 0);
            if (st == PM_OK) pm_book_free(book);
        } else {
            CHECK_FAILS(st, row->expect);
            CHECK(book == NULL);   /* nothing handed out */
            CHECK(contains(pmt_last_msg, row->says));
            CHECK(contains(pmt_last_msg, "/book"));
        }
        /* The hang guard: every attempt may take its whole timeout, plus Retry-After and a margin. */
        guard = (row->attempts * row->total_ms / 1000.0 + 1.0 + 20.0) * g_time_scale;
        CHECK(elapsed < guard);
        /* The server logs a request when its handler thread gets to it: wait for it (bounded). */
        asked = count_requests(sid, "/clob/book") - before;
        for (t0 = mono_s(); asked < row->asked && mono_s() - t0 < 5.0 * g_time_scale; sleep_ms(20))
            asked = count_requests(sid, "/clob/book") - before;
        /* An attempt abandoned at its timeout may never reach the server's log on a starved (or
         * valgrind-slowed) machine; "after N attempts" in the message is the client's own count. */
        if (row->expect == PM_E_TIMEOUT)
            CHECK(asked >= 1 && asked <= row->asked);
        else
            CHECK_I64(asked, row->asked);

        if (row->expect != PM_OK) {
            /* G5 fails closed on the same fault: not valid, no best bid, the reason says why. */
            bool valid = true;
            char *bid = SENTINEL(char), *reason = NULL;
            CHECK_STATUS(pm_verify_orderbook_price(client, A_YES, clean_bid, NULL, &valid, &bid, &reason), PM_OK);
            CHECK(!valid && bid == NULL);
            CHECK(contains(reason, "Orderbook unavailable") && contains(reason, row->says));
            pm_string_free(reason);
        }
        pm_client_free(client);
        session_clear_faults(sid);
        if (pmt_failed != ok_before)
            fprintf(stderr, "     fault matrix row \"%s\": %.3f s, asked %ld, last error: %s\n", row->name, elapsed,
                    asked, pmt_last_msg);
    }
}

static void test_free_null_and_null_accessors(void) {
    pm_client_free(NULL);
    pm_fetcher_free(NULL);
    pm_markets_free(NULL);
    pm_market_free(NULL);
    pm_books_free(NULL);
    pm_book_free(NULL);
    pm_trades_free(NULL);
    pm_string_free(NULL);
    CHECK(1); /* survived */

    CHECK_I64(pm_markets_count(NULL), 0);
    CHECK(pm_markets_at(NULL, 0) == NULL);
    CHECK_STR(pm_market_id(NULL), "");
    CHECK_STR(pm_market_condition_id(NULL), "");
    CHECK_STR(pm_market_question(NULL), "");
    CHECK_STR(pm_market_slug(NULL), "");
    CHECK(pm_market_active(NULL) == false);
    CHECK(pm_market_closed(NULL) == false);
    CHECK(pm_market_neg_risk(NULL) == false);
    CHECK(pm_market_accepting_orders(NULL) == false);
    CHECK_STR(pm_market_tick_size(NULL), "");
    CHECK_STR(pm_market_min_order_size(NULL), "");
    CHECK_I64(pm_market_end_date_ms(NULL), 0);
    CHECK_I64(pm_market_token_count(NULL), 0);
    CHECK_STR(pm_market_token_id(NULL, 0), "");
    CHECK_STR(pm_market_token_outcome(NULL, 0), "");

    CHECK_I64(pm_books_count(NULL), 0);
    CHECK(pm_books_at(NULL, 0) == NULL);
    CHECK_STR(pm_book_token_id(NULL), "");
    CHECK_STR(pm_book_condition_id(NULL), "");
    CHECK_I64(pm_book_timestamp_ms(NULL), 0);
    CHECK_STR(pm_book_hash(NULL), "");
    CHECK_STR(pm_book_tick_size(NULL), "");
    CHECK_STR(pm_book_min_order_size(NULL), "");
    CHECK_I64(pm_book_level_count(NULL, PM_SIDE_BID), 0);
    CHECK_STR(pm_book_level_price(NULL, PM_SIDE_BID, 0), "");
    CHECK_I64(pm_book_level_price_micros(NULL, PM_SIDE_ASK, 0), -1);
    CHECK_STR(pm_book_level_size(NULL, PM_SIDE_BID, 0), "");
    CHECK_I64(pm_book_level_size_micros(NULL, PM_SIDE_ASK, 0), -1);
}

/* ============================================================================================ */

int main(int argc, char **argv) {
    const char *scale = getenv("PMTEST_TIME_SCALE");
    double t0 = mono_s();

    if (fake_connect("test_rest", "crest") != 0) return pmt_summary();
    if (scale && atof(scale) > 0) g_time_scale = atof(scale);
    if (argc == 2 && strcmp(argv[1], HUGE_LIMIT_FLAG) == 0) return child_huge_limit();

    test_free_null_and_null_accessors();
    test_options();
    test_bad_arguments();

    setup_g1_session();
    test_g1_recent_trades();
    test_fetch_recent_trades_convenience();
    test_g3_size_at_price();
    test_client_freed_before_fetcher();

    setup_g5_session();
    test_g5_verify();
    test_log_callback();
    if (!test_log_reentrancy()) return pmt_summary();
    test_g5_unfetchable_fails_closed();
    test_g5_untrustworthy_books();
    test_book_accessors();
    test_fetch_orderbooks();

    test_markets();
    test_fetch_trades_basic();
    test_metadata_sync();
    test_listing_budgets();

    test_retry_then_success();
    test_http_errors();
    test_timeout();
    test_too_large();
    test_connection_refused();
    test_cancel();
    test_free_during_call();
    test_retry_after_too_long();
    test_keepalive();
    test_threads();
    test_client_threads_stop();
    test_fault_matrix();
    test_huge_limit(argc > 0 ? argv[0] : "test_rest");

    curl_global_cleanup();
    fprintf(stderr, "test_rest: %.2f s\n", mono_s() - t0);
    return pmt_summary();
}
