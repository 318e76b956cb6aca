/* test_stream.c — the stream surface of the C ABI (pm_stream_*, pm_event_*, pm_processor_*),
 * through the real library against the fake Polymarket server's WebSocket market channel
 * (Tests/fakepolymarket, ws.py: ws://127.0.0.1:PORT/s/<session>/ws/market, scripted through
 * POST /_control/sessions/<id>/ws, /ws/send and /ws/drop).
 *
 * Needs PM_FAKE_URL = the server's root URL ("http://127.0.0.1:PORT"), served by a Python that has
 * the `websockets` package (the project venv); run.sh starts it and sets the variable. Each test
 * scripts its own session through the control API, spoken here with libcurl directly.
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_stream.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread -lcurl
 * Covers: options and defaults; connect (refused, rejected, retried) and subscribe; the pull API
 * (timeouts, every event kind the feed sends, array frames, the brief's legacy price_change as a
 * price update, local books best first); the callback API (own delivery thread, never concurrent,
 * userdata_free exactly once after the last callback, no pull while a callback is set, close from
 * inside the callback refused without deadlock); reconnect on PONG loss with the local book
 * invalid until the next snapshot; bad frames skipped with the connection kept; close waking a
 * blocked consumer; threads and descriptors back at baseline after 20 stream lifecycles; the
 * processor's stream size (no back-fill) and G3 back-fill over a pm_fetcher; bad arguments.
 * PMTEST_TIME_SCALE (default 1) stretches the deadlines (valgrind). Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "process_counts.h"
#include "string_builder.h"

/* ---- ids (the wire fixtures' ids, Tests/fixtures/ws) ------------------------------------------ */
#define TOK1 "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define TOK2 "52114319501245915516055106046884209969926127482827954674443846427813813222426"
#define TOK3 "21742633143463906290569050155826241533067272736897614950488156847949938836455"
#define COND "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"
#define WINNER "11111111111111111111111111111111111111111111111111111111111111111111111111111"
#define WALLET "0x56687bf447db6ffa42ffe2204a05edaa20f55839"
#define TX1 "0x3c7e5e4ac2b8b1e0ab1b7a2d6ffdc1a0d6f0f1c8b5d3e0a9e8f7c6b5a4938271"

static int not_null_dummy;
#define SENTINEL(type) ((type *)(void *)&not_null_dummy)

static double g_time_scale = 1.0;

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

/* A deadline `seconds` from now, stretched by PMTEST_TIME_SCALE. */
static double deadline_in(double seconds) { return mono_s() + seconds * g_time_scale; }

/* ---- market-channel events, as the feed sends them (docs/wire/market-channel.md) --------- */

/* last_trade_price; size NULL = the feed sent none (normal: G3). */
static void ev_ltp(struct sb *b, const char *tok, const char *price, const char *size) {
    sb_sep(b);
    sb_printf(b, "{\"event_type\":\"last_trade_price\",\"market\":\"%s\",\"asset_id\":\"%s\",\"price\":\"%s\"", COND,
              tok, price);
    if (size) sb_printf(b, ",\"size\":\"%s\"", size);
    sb_printf(b, ",\"side\":\"BUY\",\"fee_rate_bps\":\"0\",\"timestamp\":\"1767225600789\"}");
}

/* price_change (level deltas): BUY 0.51 -> 300 and SELL 0.6 -> 0 (removes the level) on tok. */
static void ev_price_change(struct sb *b, const char *tok) {
    sb_sep(b);
    sb_printf(b,
              "{\"event_type\":\"price_change\",\"market\":\"%s\",\"timestamp\":\"1767225600456\",\"price_changes\":["
              "{\"asset_id\":\"%s\",\"price\":\"0.51\",\"size\":\"300\",\"side\":\"BUY\","
              "\"hash\":\"56621a121a47ed9333273e21c83b660cff37ae50\",\"best_bid\":\"0.51\",\"best_ask\":\"0.55\"},"
              "{\"asset_id\":\"%s\",\"price\":\"0.6\",\"size\":\"0\",\"side\":\"SELL\","
              "\"hash\":\"1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e\",\"best_bid\":\"0.51\",\"best_ask\":\"0.55\"}]}",
              COND, tok, tok);
}

/* The brief's legacy shape: {"type":"price_change","asset_id":…,"price":…} — a trade price;
 * with_ts adds a "timestamp" (the brief's shape has none). */
static void ev_legacy(struct sb *b, const char *tok, const char *price, int with_ts) {
    sb_sep(b);
    sb_printf(b, "{\"type\":\"price_change\",\"asset_id\":\"%s\",\"price\":\"%s\"%s}", tok, price,
              with_ts ? ",\"timestamp\":\"1767225600999\"" : "");
}

static void ev_tick(struct sb *b, const char *tok) {
    sb_sep(b);
    sb_printf(b,
              "{\"event_type\":\"tick_size_change\",\"market\":\"%s\",\"asset_id\":\"%s\",\"old_tick_size\":\"0.01\","
              "\"new_tick_size\":\"0.001\",\"timestamp\":\"1767225601000\"}",
              COND, tok);
}

static void ev_bba(struct sb *b, const char *tok) {
    sb_sep(b);
    sb_printf(b,
              "{\"event_type\":\"best_bid_ask\",\"market\":\"%s\",\"asset_id\":\"%s\",\"best_bid\":\"0.51\","
              "\"best_ask\":\"0.52\",\"spread\":\"0.01\",\"timestamp\":\"1767225601100\"}",
              COND, tok);
}

static void ev_new_market(struct sb *b) {
    sb_sep(b);
    sb_printf(b,
              "{\"event_type\":\"new_market\",\"id\":\"612345\",\"question\":\"Will Y happen?\",\"market\":\"%s\","
              "\"slug\":\"will-y-happen\",\"assets_ids\":[\"%s\",\"%s\"],\"outcomes\":[\"Yes\",\"No\"],"
              "\"timestamp\":\"1767225602000\",\"condition_id\":\"%s\",\"active\":true}",
              COND, TOK1, TOK2, COND);
}

static void ev_resolved(struct sb *b) {
    sb_sep(b);
    sb_printf(b,
              "{\"event_type\":\"market_resolved\",\"id\":\"612345\",\"market\":\"%s\",\"assets_ids\":[\"%s\",\"%s\"],"
              "\"winning_asset_id\":\"%s\",\"winning_outcome\":\"Yes\",\"timestamp\":\"1767225603000\"}",
              COND, WINNER, TOK2, WINNER);
}

static void ev_unknown(struct sb *b, const char *tok) {
    sb_sep(b);
    sb_printf(b,
              "{\"event_type\":\"some_future_event\",\"market\":\"%s\",\"asset_id\":\"%s\",\"timestamp\":\"1767225604000\","
              "\"payload\":{\"nested\":[1,2,{\"x\":null}]}}",
              COND, tok);
}

/* A session's OrderBookSummary, wire order (bids ascending, asks descending: best LAST). */
static void book_state(struct sb *b, const char *tok, const char *bids, const char *asks) {
    sb_sep(b);
    sb_printf(b,
              "\"%s\":{\"market\":\"%s\",\"asset_id\":\"%s\",\"timestamp\":\"1767225600123\","
              "\"hash\":\"3cd4d61e042c81560c9037ece0c61f3b1a8fbbdd\",\"bids\":%s,\"asks\":%s,"
              "\"tick_size\":\"0.01\",\"min_order_size\":\"5\",\"neg_risk\":false,\"last_trade_price\":\"0.51\"}",
              tok, COND, tok, bids, asks);
}

#define BIDS1 "[{\"price\":\"0.40\",\"size\":\"10\"},{\"price\":\"0.45\",\"size\":\"20\"},{\"price\":\".50\",\"size\":\"5\"}]"
#define ASKS1 "[{\"price\":\"0.60\",\"size\":\"3\"},{\"price\":\"0.58\",\"size\":\"4\"},{\"price\":\"0.55\",\"size\":\"2\"}]"
#define BIDS2 "[{\"price\":\"0.30\",\"size\":\"1\"}]"
#define ASKS2 "[{\"price\":\"0.70\",\"size\":\"1\"}]"

/* ============================================================================================ */
/* The fake server's control API, over libcurl                                                  */
/* ============================================================================================ */

#include "fake_control.h"

/* Creates session "<prefix>-<name>" into sid; `state` (may be NULL) is its /state body. */
static void new_session(const char *name, const char *state, char *sid, size_t cap) {
    char body[256], path[256];
    snprintf(sid, cap, "%s-%s", g_prefix, name);
    snprintf(body, sizeof body, "{\"id\":\"%s\"}", sid);
    CTL_OK("POST", "/_control/sessions", body);
    if (state) {
        snprintf(path, sizeof path, "/_control/sessions/%s/state", sid);
        CTL_OK("POST", path, state);
    }
}

/* POST /_control/sessions/<sid>/<what> with body; must answer 200. */
static void session_post(const char *sid, const char *what, const char *body) {
    char path[256];
    snprintf(path, sizeof path, "/_control/sessions/%s/%s", sid, what);
    CTL_OK("POST", path, body);
}

static void session_post_delete_faults(const char *sid) {
    char path[256];
    snprintf(path, sizeof path, "/_control/sessions/%s/faults", sid);
    CTL_OK("DELETE", path, NULL);
}

/* Sends frames (a JSON array of frame specs) on every open connection of the session; returns
 * how many connections got them. */
static long ws_send(const char *sid, const char *frames) {
    char path[256];
    struct sb body = {NULL, 0, 0};
    long n;
    snprintf(path, sizeof path, "/_control/sessions/%s/ws/send", sid);
    sb_printf(&body, "{\"frames\":%s}", frames);
    n = ctl_number("POST", path, body.p, "sent_to");
    sb_free(&body);
    return n;
}

/* Total WebSocket connections the session has accepted. */
static long ws_connections(const char *sid) {
    char path[256];
    snprintf(path, sizeof path, "/_control/sessions/%s/ws", sid);
    return ctl_number("GET", path, NULL, "connections");
}

/* Number of logged API requests of the session to api_path (e.g. "/data/trades"); -1 on error. */
static long count_requests(const char *sid, const char *api_path) {
    char path[512], *body = NULL;
    const char *p;
    long n = 0;
    snprintf(path, sizeof path, "/_control/sessions/%s/requests?path=%s", sid, api_path);
    if (ctl("GET", path, NULL, &body) != 200) {
        free(body);
        return -1;
    }
    for (p = body; (p = strstr(p, "\"seq\"")) != NULL; p += 5) n++;
    free(body);
    return n;
}

/* ============================================================================================ */
/* Streams and events                                                                           */
/* ============================================================================================ */

static void ws_url(const char *sid, char *url, size_t cap) {
    /* g_base is http://127.0.0.1:PORT: the channel shares the port */
    snprintf(url, cap, "ws://%s/s/%s/ws/market", g_base + strlen("http://"), sid);
}

/* A stream on the session's channel; opts (may be NULL) supplies the other options. */
static pm_stream *stream_for(const char *sid, const pm_stream_options *opts) {
    char url[512];
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    if (opts) o = *opts;
    ws_url(sid, url, sizeof url);
    o.url = url;
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    CHECK(stream != NULL);
    return stream;
}

static void subscribe1(pm_stream *stream, const char *token) {
    const char *ids[1];
    ids[0] = token;
    CHECK_STATUS(pm_stream_subscribe(stream, ids, 1), PM_OK);
}

/* The next event within `seconds` (scaled), or NULL. */
static pm_event *next_event(pm_stream *stream, double seconds) {
    double end = deadline_in(seconds);
    for (;;) {
        pm_event *ev = NULL;
        double left = end - mono_s();
        pm_status st;
        if (left <= 0) return NULL;
        st = pm_stream_next(stream, (int32_t)(left * 1000) + 1, &ev);
        if (st != PM_OK) {
            fprintf(stderr, "     pm_stream_next: %s: %s\n", pm_status_str(st), pm_last_error());
            return NULL;
        }
        if (ev) return ev;
    }
}

/* Pulls until an event of `type` (for `token` when not NULL) arrives within `seconds`; the others
 * are freed (and counted in *skipped when not NULL). Returns it, or NULL. */
static pm_event *pull_until(pm_stream *stream, pm_event_type type, const char *token, double seconds, int *skipped) {
    double end = deadline_in(seconds);
    for (;;) {
        pm_event *ev;
        double left = end - mono_s();
        if (left <= 0) break;
        ev = next_event(stream, left / g_time_scale);
        if (ev == NULL) break;
        if (pm_event_get_type(ev) == type && (token == NULL || strcmp(pm_event_token_id(ev), token) == 0)) return ev;
        if (skipped) (*skipped)++;
        pm_event_free(ev);
    }
    fprintf(stderr, "     no event of type %d%s%s in time\n", (int)type, token ? " for " : "", token ? token : "");
    return NULL;
}

/* ============================================================================================ */
/* Arguments, options, NULLs                                                                    */
/* ============================================================================================ */

static void test_free_null_and_null_accessors(void) {
    pm_stream_free(NULL);
    pm_event_free(NULL);
    pm_processor_free(NULL);
    CHECK(1); /* survived */

    CHECK(pm_stream_is_connected(NULL) == false);
    CHECK_I64(pm_stream_stat_value(NULL, PM_STREAM_STAT_FRAMES), 0);
    CHECK_I64(pm_stream_stat_value(NULL, PM_STREAM_STAT_RECONNECTS), 0);
    CHECK_I64(pm_processor_stat_value(NULL, PM_PROCESSOR_STAT_TOTAL), 0);

    CHECK_I64(pm_event_get_type(NULL), 0);
    CHECK_STR(pm_event_type_name(NULL), "");
    CHECK_STR(pm_event_token_id(NULL), "");
    CHECK_STR(pm_event_condition_id(NULL), "");
    CHECK_I64(pm_event_timestamp_ms(NULL), 0);
    CHECK(pm_event_is_price_update(NULL) == false);
    CHECK_STR(pm_event_price(NULL), "");
    CHECK_STR(pm_event_trade_size(NULL), "");
    CHECK_STR(pm_event_side(NULL), "");
    CHECK_STR(pm_event_best_bid(NULL), "");
    CHECK_STR(pm_event_best_ask(NULL), "");
    CHECK(pm_event_book(NULL) == NULL);
    CHECK_I64(pm_event_change_count(NULL), 0);
    CHECK_STR(pm_event_change_token_id(NULL, 0), "");
    CHECK_STR(pm_event_change_price(NULL, 0), "");
    CHECK_STR(pm_event_change_size(NULL, 0), "");
    CHECK_STR(pm_event_detail(NULL), "");
}

static void test_options(void) {
    pm_stream_options o, def = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = SENTINEL(pm_stream);

    memset(&o, 0xAB, sizeof o);
    CHECK_STATUS(pm_stream_options_init(&o, PM_STREAM_OPTIONS_VERSION), PM_OK);
    CHECK_I64(o.version, PM_STREAM_OPTIONS_VERSION);
    CHECK(o.url == NULL);
    CHECK_I64(o.ping_interval_ms, 10000);
    CHECK_I64(o.pong_timeout_ms, 30000);
    CHECK_I64(o.asset_silence_timeout_ms, 120000);
    CHECK_I64(o.queue_capacity, 10000);
    CHECK_I64(o.max_message_bytes, 8388608);
    CHECK(o.verify_tls == true);
    CHECK_I64(o.queue_max_bytes, 67108864);
    CHECK_I64(def.queue_max_bytes, o.queue_max_bytes);
    {
        /* A program built against the version-1 header passes the smaller struct: init writes only
         * its bytes, and pm_stream_new reads only them (the byte bound keeps its default). */
        unsigned char raw[sizeof(pm_stream_options) + 16];
        size_t v1_size = offsetof(pm_stream_options, queue_max_bytes), i;
        int untouched = 1;
        memset(raw, 0xCD, sizeof raw);
        CHECK_STATUS(pm_stream_options_init((pm_stream_options *)(void *)raw, 1), PM_OK);
        for (i = v1_size; i < sizeof raw; i++) untouched &= raw[i] == 0xCD;
        CHECK(untouched);
        CHECK_I64(((pm_stream_options *)(void *)raw)->version, 1);
        CHECK_I64(((pm_stream_options *)(void *)raw)->queue_capacity, 10000);
        ((pm_stream_options *)(void *)raw)->url = "ws://127.0.0.1:1/ws/market";
        stream = NULL;
        CHECK_STATUS(pm_stream_new((pm_stream_options *)(void *)raw, &stream), PM_OK); /* 0xCD.. not read */
        pm_stream_free(stream);
    }
    /* the INIT macro and the function agree */
    CHECK_I64(def.ping_interval_ms, o.ping_interval_ms);
    CHECK_I64(def.pong_timeout_ms, o.pong_timeout_ms);
    CHECK_I64(def.asset_silence_timeout_ms, o.asset_silence_timeout_ms);
    CHECK_I64(def.queue_capacity, o.queue_capacity);
    CHECK_I64(def.max_message_bytes, o.max_message_bytes);
    CHECK(def.verify_tls == o.verify_tls && def.url == NULL);
    CHECK_FAILS(pm_stream_options_init(NULL, PM_STREAM_OPTIONS_VERSION), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_options_init(&o, 0), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_options_init(&o, 999), PM_E_INVALID_ARG);

    /* NULL options: production defaults; nothing connects before pm_stream_connect */
    CHECK_STATUS(pm_stream_new(NULL, &stream), PM_OK);
    CHECK(stream != NULL);
    CHECK(pm_stream_is_connected(stream) == false);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_FRAMES), 0);
    CHECK_I64(pm_stream_stat_value(stream, (pm_stream_stat)99), 0);
    pm_stream_free(stream);
    CHECK_FAILS(pm_stream_new(NULL, NULL), PM_E_INVALID_ARG);
    {
        /* the defaults explicitly, with a ws:// URL */
        pm_stream_options ok = PM_STREAM_OPTIONS_INIT;
        ok.url = "ws://127.0.0.1:1/ws/market";
        stream = NULL;
        CHECK_STATUS(pm_stream_new(&ok, &stream), PM_OK);
        pm_stream_free(stream);
    }

#define BAD_OPTS(mutation, expected)                                   \
    do {                                                               \
        pm_stream_options b_ = PM_STREAM_OPTIONS_INIT;                 \
        mutation;                                                      \
        stream = SENTINEL(pm_stream);                                  \
        CHECK_FAILS(pm_stream_new(&b_, &stream), expected);            \
        CHECK(stream == NULL);                                         \
    } while (0)
    BAD_OPTS(b_.version = 0, PM_E_INVALID_ARG);
    BAD_OPTS(b_.url = "http://127.0.0.1:1/ws/market", PM_E_INVALID_ARG);
    BAD_OPTS(b_.url = "not a url", PM_E_INVALID_ARG);
    BAD_OPTS(b_.url = "ws://\xff\xfe/", PM_E_INVALID_UTF8);
    BAD_OPTS(b_.ping_interval_ms = 0, PM_E_INVALID_ARG);
    BAD_OPTS(b_.pong_timeout_ms = -1, PM_E_INVALID_ARG);
    BAD_OPTS(b_.asset_silence_timeout_ms = -1, PM_E_INVALID_ARG);
    BAD_OPTS(b_.queue_capacity = 0, PM_E_INVALID_ARG);
    BAD_OPTS(b_.queue_capacity = 1000001, PM_E_INVALID_ARG);     /* the byte bound decides above 1M */
    BAD_OPTS(b_.queue_max_bytes = 0, PM_E_INVALID_ARG);
    BAD_OPTS(b_.queue_max_bytes = 1000, PM_E_INVALID_ARG);       /* below 64 KiB */
    BAD_OPTS(b_.max_message_bytes = 0, PM_E_INVALID_ARG);
#undef BAD_OPTS
    {
        /* 0 turns the silence watchdog off: allowed */
        pm_stream_options ok = PM_STREAM_OPTIONS_INIT;
        ok.url = "ws://127.0.0.1:1/ws/market";
        ok.asset_silence_timeout_ms = 0;
        stream = NULL;
        CHECK_STATUS(pm_stream_new(&ok, &stream), PM_OK);
        pm_stream_free(stream);
    }
}

static void noop_cb(const pm_event *event, void *userdata) {
    (void)event;
    (void)userdata;
}

static void test_bad_arguments(void) {
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    pm_event *ev = SENTINEL(pm_event);
    pm_book *book = SENTINEL(pm_book);
    pm_processor *processor = SENTINEL(pm_processor);
    char *reason = SENTINEL(char);
    bool valid = true, passed = true;
    pm_size_source source = PM_SIZE_STREAM;
    char *size = SENTINEL(char);
    const char *good[2], *with_null[2], *bad_utf8[1];

    o.url = "ws://127.0.0.1:1/ws/market"; /* never connected here */
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    good[0] = TOK1;
    good[1] = TOK2;
    with_null[0] = TOK1;
    with_null[1] = NULL;
    bad_utf8[0] = "\xc3\x28";

    /* NULL stream */
    CHECK_FAILS(pm_stream_connect(NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_subscribe(NULL, good, 2), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_unsubscribe(NULL, good, 2), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_next(NULL, 0, &ev), PM_E_INVALID_ARG);
    CHECK(ev == NULL);
    CHECK_FAILS(pm_stream_set_callback(NULL, noop_cb, NULL, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_close(NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_book(NULL, TOK1, &book, &valid, &reason), PM_E_INVALID_ARG);
    CHECK(book == NULL);
    CHECK(valid == false);
    CHECK(reason == NULL);

    /* NULL / bad inputs on a real stream */
    CHECK_FAILS(pm_stream_subscribe(stream, NULL, 1), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_subscribe(stream, with_null, 2), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_subscribe(stream, bad_utf8, 1), PM_E_INVALID_UTF8);
    CHECK_FAILS(pm_stream_unsubscribe(stream, NULL, 1), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_unsubscribe(stream, bad_utf8, 1), PM_E_INVALID_UTF8);
    CHECK_FAILS(pm_stream_next(stream, 0, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_set_callback(stream, NULL, NULL, NULL), PM_E_INVALID_ARG);
    book = SENTINEL(pm_book);
    CHECK_FAILS(pm_stream_book(stream, NULL, &book, &valid, &reason), PM_E_INVALID_ARG);
    CHECK(book == NULL);
    CHECK_FAILS(pm_stream_book(stream, "\xff", &book, &valid, &reason), PM_E_INVALID_UTF8);
    CHECK_FAILS(pm_stream_book(stream, TOK1, NULL, &valid, &reason), PM_E_INVALID_ARG);

    /* subscribing before connect is fine (it goes out with the first connection) */
    CHECK_STATUS(pm_stream_subscribe(stream, good, 2), PM_OK);
    CHECK_STATUS(pm_stream_unsubscribe(stream, good + 1, 1), PM_OK);
    /* pull before connect: nothing yet */
    ev = SENTINEL(pm_event);
    CHECK_STATUS(pm_stream_next(stream, 0, &ev), PM_OK);
    CHECK(ev == NULL);
    /* no book yet: PM_OK, NULL, not valid; out_valid and out_reason may be NULL */
    book = SENTINEL(pm_book);
    valid = true;
    reason = SENTINEL(char);
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, &reason), PM_OK);
    CHECK(book == NULL);
    CHECK(valid == false);
    CHECK(reason == NULL);
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, NULL, NULL), PM_OK);

    /* processor */
    CHECK_FAILS(pm_processor_new(NULL, NULL, NULL), PM_E_INVALID_ARG);
    processor = SENTINEL(pm_processor);
    CHECK_FAILS(pm_processor_new(NULL, "abc", &processor), PM_E_PARSE);
    CHECK(processor == NULL);
    processor = SENTINEL(pm_processor);
    CHECK_FAILS(pm_processor_new(NULL, "-5", &processor), PM_E_PARSE);
    CHECK(processor == NULL);
    CHECK_FAILS(pm_processor_new(NULL, "99999999999999999999", &processor), PM_E_RANGE);
    CHECK_FAILS(pm_processor_new(NULL, "\xff", &processor), PM_E_INVALID_UTF8);
    CHECK_STATUS(pm_processor_new(NULL, "0", &processor), PM_OK);
    CHECK_FAILS(pm_processor_process(NULL, NULL, &passed, &source, &size), PM_E_INVALID_ARG);
    CHECK(passed == false);
    CHECK(source == PM_SIZE_NONE);
    CHECK(size == NULL);
    CHECK_FAILS(pm_processor_process(processor, NULL, &passed, &source, &size), PM_E_INVALID_ARG);
    CHECK_I64(pm_processor_stat_value(processor, PM_PROCESSOR_STAT_TOTAL), 0);
    CHECK_I64(pm_processor_stat_value(processor, (pm_processor_stat)99), 0);
    pm_processor_free(processor);

    pm_stream_free(stream); /* never connected: frees cleanly */
}

/* ============================================================================================ */
/* Connect                                                                                      */
/* ============================================================================================ */

static int closed_port(void) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int port = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void test_connect(void) {
    char sid[96], url[256];
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    double t0;

    /* nothing listening: PM_E_NETWORK, quickly */
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws/market", closed_port());
    o.url = url;
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    t0 = mono_s();
    CHECK_FAILS(pm_stream_connect(stream), PM_E_NETWORK);
    CHECK(mono_s() - t0 < 5.0 * g_time_scale);
    CHECK(pm_stream_is_connected(stream) == false);
    pm_stream_free(stream);

    /* the handshake refused (HTTP 503), then accepted: a failed connect may be retried */
    new_session("connect", NULL, sid, sizeof sid);
    session_post(sid, "ws", "{\"scripts\":[{\"reject_status\":503},{}]}");
    stream = stream_for(sid, NULL);
    CHECK_FAILS(pm_stream_connect(stream), PM_E_NETWORK);
    CHECK(pm_stream_is_connected(stream) == false);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    CHECK(pm_stream_is_connected(stream) == true);
    CHECK_I64(ws_connections(sid), 2);
    /* header: PM_E_MISUSE when already connected */
    CHECK(pm_stream_connect(stream) == PM_E_MISUSE);
    CHECK_I64(ws_connections(sid), 2); /* ... and it does not open a second socket */
    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    CHECK(pm_stream_is_connected(stream) == false);
    pm_stream_free(stream);
}

/* ============================================================================================ */
/* Pull API: every event kind                                                                   */
/* ============================================================================================ */

static void check_book_levels_tok1(const pm_book *book) {
    /* wire order was worst first; pmingest hands levels out best first */
    CHECK_STR(pm_book_token_id(book), TOK1);
    CHECK_STR(pm_book_condition_id(book), COND);
    CHECK_I64(pm_book_level_count(book, PM_SIDE_BID), 3);
    CHECK_I64(pm_book_level_count(book, PM_SIDE_ASK), 3);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 0), "0.5");
    CHECK_STR(pm_book_level_size(book, PM_SIDE_BID, 0), "5");
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 2), "0.4");
    CHECK_STR(pm_book_level_price(book, PM_SIDE_ASK, 0), "0.55");
    CHECK_I64(pm_book_level_price_micros(book, PM_SIDE_ASK, 0), 550000);
    CHECK_STR(pm_book_level_size(book, PM_SIDE_ASK, 0), "2");
    CHECK_STR(pm_book_level_price(book, PM_SIDE_ASK, 2), "0.6");
}

static void test_pull_events(void) {
    char sid[96];
    struct sb state = {NULL, 0, 0}, frames = {NULL, 0, 0}, ev = {NULL, 0, 0}, script = {NULL, 0, 0};
    pm_stream *stream;
    pm_event *e, *kept_book = NULL;
    pm_book *book = NULL;
    bool valid = false;
    char *reason = NULL;
    const char *ids[3];
    double t0;
    int64_t skipped0;

    sb_printf(&state, "{\"books\":{");
    book_state(&state, TOK1, BIDS1, ASKS1);
    book_state(&state, TOK2, BIDS2, ASKS2);
    sb_printf(&state, "}}");
    new_session("events", state.p, sid, sizeof sid);

    /* on subscribe: the initial dump (one array frame, both books), then one frame of each kind */
    sb_printf(&frames, "[");
#define ADD_FRAME(builder)                        \
    do {                                          \
        ev.len = 0;                               \
        builder;                                  \
        sb_sep(&frames);                          \
        sb_printf(&frames, "{\"json\":%s}", ev.p); \
    } while (0)
    ADD_FRAME(ev_price_change(&ev, TOK1));
    ADD_FRAME(ev_ltp(&ev, TOK1, "0.52", "75"));
    ADD_FRAME(ev_ltp(&ev, TOK2, "0.48", NULL));
    ADD_FRAME(ev_legacy(&ev, TOK1, "0.55", 0));
    ADD_FRAME(ev_legacy(&ev, TOK1, "0.56", 1));
    ADD_FRAME(ev_tick(&ev, TOK1));
    ADD_FRAME(ev_bba(&ev, TOK1));
    ADD_FRAME(ev_new_market(&ev));
    ADD_FRAME(ev_resolved(&ev));
    ADD_FRAME(ev_unknown(&ev, TOK1));
    /* a mixed array frame: a trade and a level delta for an asset without a snapshot */
    ADD_FRAME((sb_printf(&ev, "["), ev_ltp(&ev, TOK1, "0.53", "10"), ev_price_change(&ev, TOK3), sb_printf(&ev, "]")));
#undef ADD_FRAME
    sb_printf(&frames, "]");
    sb_printf(&script, "{\"on_subscribe\":%s}", frames.p);
    session_post(sid, "ws", script.p);

    stream = stream_for(sid, NULL);
    ids[0] = TOK1;
    ids[1] = TOK2;
    ids[2] = TOK3;
    CHECK_STATUS(pm_stream_subscribe(stream, ids, 3), PM_OK);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    CHECK(pm_stream_is_connected(stream));

    /* 1-2: the initial dump, one array frame -> two BOOK events in subscription order */
    e = next_event(stream, 5);
    CHECK(e != NULL);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_BOOK);
    CHECK_STR(pm_event_type_name(e), "book");
    CHECK_STR(pm_event_token_id(e), TOK1);
    CHECK_STR(pm_event_condition_id(e), COND);
    CHECK_I64(pm_event_timestamp_ms(e), 1767225600123LL);
    CHECK(pm_event_is_price_update(e) == false);
    CHECK_STR(pm_event_price(e), "");
    CHECK(pm_event_book(e) != NULL);
    if (pm_event_book(e)) check_book_levels_tok1(pm_event_book(e));
    CHECK_I64(pm_event_change_count(e), 0);
    kept_book = e; /* kept past pm_stream_free: the caller owns it */

    /* the local book: valid after the snapshot */
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, &reason), PM_OK);
    CHECK(book != NULL);
    CHECK(valid == true);
    CHECK(reason == NULL);
    if (book) check_book_levels_tok1(book);
    pm_book_free(book);
    pm_string_free(reason);

    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_BOOK);
    CHECK_STR(pm_event_token_id(e), TOK2);
    CHECK_STR(pm_book_level_price(pm_event_book(e), PM_SIDE_BID, 0), "0.3");
    pm_event_free(e);

    /* 3: price_change = level deltas, NOT a trade */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_PRICE_CHANGE);
    CHECK_STR(pm_event_type_name(e), "price_change");
    CHECK(pm_event_is_price_update(e) == false);
    CHECK_STR(pm_event_price(e), "");
    CHECK_STR(pm_event_token_id(e), TOK1); /* one asset in the deltas */
    CHECK_STR(pm_event_condition_id(e), COND);
    CHECK_I64(pm_event_timestamp_ms(e), 1767225600456LL);
    CHECK_I64(pm_event_change_count(e), 2);
    CHECK_STR(pm_event_change_token_id(e, 0), TOK1);
    CHECK_I64(pm_event_change_side(e, 0), PM_SIDE_BID);
    CHECK_STR(pm_event_change_price(e, 0), "0.51");
    CHECK_STR(pm_event_change_size(e, 0), "300");
    CHECK_I64(pm_event_change_side(e, 1), PM_SIDE_ASK);
    CHECK_STR(pm_event_change_price(e, 1), "0.6");
    CHECK_STR(pm_event_change_size(e, 1), "0");
    CHECK_STR(pm_event_change_token_id(e, 2), ""); /* out of range */
    CHECK_STR(pm_event_change_price(e, (size_t)-1), "");
    CHECK(pm_event_book(e) == NULL);
    pm_event_free(e);
    /* ... applied to the local book: a new best bid, the 0.6 ask removed */
    book = NULL;
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, NULL), PM_OK);
    CHECK(valid == true);
    CHECK_I64(pm_book_level_count(book, PM_SIDE_BID), 4);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 0), "0.51");
    CHECK_STR(pm_book_level_size(book, PM_SIDE_BID, 0), "300");
    CHECK_I64(pm_book_level_count(book, PM_SIDE_ASK), 2);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_ASK, 0), "0.55");
    CHECK_STR(pm_book_level_price(book, PM_SIDE_ASK, 1), "0.58");
    pm_book_free(book);

    /* 4: last_trade_price with a size: a price update */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_LAST_TRADE_PRICE);
    CHECK_STR(pm_event_type_name(e), "last_trade_price");
    CHECK(pm_event_is_price_update(e) == true);
    CHECK_STR(pm_event_token_id(e), TOK1);
    CHECK_STR(pm_event_price(e), "0.52");
    CHECK_STR(pm_event_trade_size(e), "75");
    CHECK_STR(pm_event_side(e), "BUY");
    CHECK_I64(pm_event_timestamp_ms(e), 1767225600789LL);
    CHECK_I64(pm_event_change_count(e), 0);
    pm_event_free(e);

    /* 5: last_trade_price without a size: still a price update, size "" (G3) */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_LAST_TRADE_PRICE);
    CHECK(pm_event_is_price_update(e) == true);
    CHECK_STR(pm_event_token_id(e), TOK2);
    CHECK_STR(pm_event_price(e), "0.48");
    CHECK_STR(pm_event_trade_size(e), "");
    pm_event_free(e);

    /* 6: the brief's legacy {"type":"price_change","asset_id","price"}: a price update */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_LEGACY_PRICE_CHANGE);
    CHECK_STR(pm_event_type_name(e), "price_change");
    CHECK(pm_event_is_price_update(e) == true);
    CHECK_STR(pm_event_token_id(e), TOK1);
    CHECK_STR(pm_event_price(e), "0.55");
    CHECK_STR(pm_event_trade_size(e), "");
    /* none on the wire: stamped with the receive time (the header says so), so it is recent */
    {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
        CHECK(pm_event_timestamp_ms(e) > now_ms - 60000 && pm_event_timestamp_ms(e) <= now_ms);
    }
    CHECK_I64(pm_event_change_count(e), 0);
    pm_event_free(e);
    /* ... and the same with a timestamp */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_LEGACY_PRICE_CHANGE);
    CHECK(pm_event_is_price_update(e) == true);
    CHECK_STR(pm_event_price(e), "0.56");
    CHECK_I64(pm_event_timestamp_ms(e), 1767225600999LL);
    pm_event_free(e);

    /* 7: tick_size_change: the new tick in pm_event_price */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_TICK_SIZE_CHANGE);
    CHECK_STR(pm_event_type_name(e), "tick_size_change");
    CHECK(pm_event_is_price_update(e) == false);
    CHECK_STR(pm_event_token_id(e), TOK1);
    CHECK_STR(pm_event_price(e), "0.001");
    CHECK_I64(pm_event_timestamp_ms(e), 1767225601000LL);
    pm_event_free(e);

    /* 8: best_bid_ask */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_BEST_BID_ASK);
    CHECK_STR(pm_event_type_name(e), "best_bid_ask");
    CHECK(pm_event_is_price_update(e) == false);
    CHECK_STR(pm_event_best_bid(e), "0.51");
    CHECK_STR(pm_event_best_ask(e), "0.52");
    CHECK_STR(pm_event_price(e), "");
    pm_event_free(e);

    /* 9: new_market: the question in pm_event_detail */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_NEW_MARKET);
    CHECK_STR(pm_event_type_name(e), "new_market");
    CHECK_STR(pm_event_detail(e), "Will Y happen?");
    CHECK_STR(pm_event_condition_id(e), COND);
    CHECK_STR(pm_event_token_id(e), "");
    CHECK(pm_event_is_price_update(e) == false);
    pm_event_free(e);

    /* 10: market_resolved: the winning asset in pm_event_detail (the unknown type is skipped) */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_MARKET_RESOLVED);
    CHECK_STR(pm_event_type_name(e), "market_resolved");
    CHECK_STR(pm_event_detail(e), WINNER);
    CHECK_I64(pm_event_timestamp_ms(e), 1767225603000LL);
    pm_event_free(e);

    /* 11-12: one array frame, two events */
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_LAST_TRADE_PRICE);
    CHECK_STR(pm_event_price(e), "0.53");
    CHECK_STR(pm_event_trade_size(e), "10");
    pm_event_free(e);
    e = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(e), PM_EVENT_PRICE_CHANGE);
    CHECK_STR(pm_event_change_token_id(e, 0), TOK3);
    pm_event_free(e);
    /* a delta for an asset that has no snapshot: a book exists but is invalid, with a reason */
    book = NULL;
    valid = true;
    reason = NULL;
    CHECK_STATUS(pm_stream_book(stream, TOK3, &book, &valid, &reason), PM_OK);
    CHECK(valid == false);
    CHECK(reason != NULL && reason[0] != '\0');
    pm_book_free(book);
    pm_string_free(reason);

    /* nothing more: PM_OK with NULL after the timeout, not before it */
    e = SENTINEL(pm_event);
    t0 = mono_s();
    CHECK_STATUS(pm_stream_next(stream, 150, &e), PM_OK);
    CHECK(e == NULL);
    CHECK(mono_s() - t0 >= 0.12);
    CHECK(mono_s() - t0 < 2.0 * g_time_scale);
    e = SENTINEL(pm_event);
    CHECK_STATUS(pm_stream_next(stream, 0, &e), PM_OK);
    CHECK(e == NULL);

    CHECK(pm_stream_stat_value(stream, PM_STREAM_STAT_EVENTS) >= 13);
    CHECK(pm_stream_stat_value(stream, PM_STREAM_STAT_FRAMES) >= 11);
    skipped0 = pm_stream_stat_value(stream, PM_STREAM_STAT_SKIPPED);
    CHECK(skipped0 >= 1); /* the unknown event type */
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_RECONNECTS), 0);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_DROPPED), 0);

    /* unsubscribe on the open socket; later frames for the asset are not sent by the server */
    ids[0] = TOK2;
    CHECK_STATUS(pm_stream_unsubscribe(stream, ids, 1), PM_OK);

    pm_stream_free(stream);
    /* an event outlives its stream */
    CHECK_STR(pm_event_token_id(kept_book), TOK1);
    CHECK_STR(pm_book_level_price(pm_event_book(kept_book), PM_SIDE_BID, 0), "0.5");
    pm_event_free(kept_book);

    sb_free(&state);
    sb_free(&frames);
    sb_free(&ev);
    sb_free(&script);
}

/* ============================================================================================ */
/* Callback API                                                                                 */
/* ============================================================================================ */

struct cb_state {
    pm_stream *stream;
    pthread_t caller;
    pthread_mutex_t inside;   /* held while a callback runs: trylock failing = concurrent call */
    pthread_mutex_t lock;     /* guards the fields below */
    int calls;
    int concurrent;
    int on_caller_thread;
    int other_thread;         /* a callback ran on a thread other than the first callback's */
    int have_cb_thread;
    pthread_t cb_thread;
    int first_type;
    int bad_event;
    int close_attempted;
    pm_status close_status;
    char close_msg[256];
    int frees;
    int calls_at_free;
    int after_free;           /* callbacks after userdata_free */
    int free_on_cb_thread;
    int trades;
};

static void cb_record(const pm_event *event, void *userdata) {
    struct cb_state *s = userdata;
    int busy = pthread_mutex_trylock(&s->inside) != 0;
    int attempt_close = 0;
    pthread_mutex_lock(&s->lock);
    if (busy) s->concurrent++;
    if (s->frees) s->after_free++;
    if (pthread_equal(pthread_self(), s->caller)) s->on_caller_thread++;
    if (!s->have_cb_thread) {
        s->cb_thread = pthread_self();
        s->have_cb_thread = 1;
    } else if (!pthread_equal(s->cb_thread, pthread_self())) {
        s->other_thread++;
    }
    if (s->calls == 0) s->first_type = (int)pm_event_get_type(event);
    if (event == NULL || pm_event_type_name(event)[0] == '\0') s->bad_event++;
    if (pm_event_get_type(event) == PM_EVENT_LAST_TRADE_PRICE) {
        s->trades++;
        if (strcmp(pm_event_price(event), "0.52") != 0 || !pm_event_is_price_update(event)) s->bad_event++;
    }
    s->calls++;
    if (s->calls == 3 && !s->close_attempted) {
        s->close_attempted = 1;
        attempt_close = 1;
    }
    pthread_mutex_unlock(&s->lock);
    if (attempt_close) {
        /* refused from inside the callback: PM_E_MISUSE, and no deadlock */
        pm_status st = pm_stream_close(s->stream);
        const char *msg = pm_last_error();
        pthread_mutex_lock(&s->lock);
        s->close_status = st;
        snprintf(s->close_msg, sizeof s->close_msg, "%s", msg ? msg : "");
        pthread_mutex_unlock(&s->lock);
    }
    sleep_ms(2); /* widen the window in which a concurrent call would show */
    if (!busy) pthread_mutex_unlock(&s->inside);
}

static void cb_free(void *userdata) {
    struct cb_state *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->frees++;
    s->calls_at_free = s->calls;
    s->free_on_cb_thread = s->have_cb_thread ? pthread_equal(s->cb_thread, pthread_self()) != 0 : -1;
    pthread_mutex_unlock(&s->lock);
}

static int cb_calls(struct cb_state *s) {
    int n;
    pthread_mutex_lock(&s->lock);
    n = s->calls;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static void cb_init(struct cb_state *s) {
    memset(s, 0, sizeof *s);
    s->caller = pthread_self();
    s->first_type = -1;
    s->close_status = PM_OK;
    pthread_mutex_init(&s->inside, NULL);
    pthread_mutex_init(&s->lock, NULL);
}

static void cb_destroy(struct cb_state *s) {
    pthread_mutex_destroy(&s->inside);
    pthread_mutex_destroy(&s->lock);
}

static void test_callback(void) {
    char sid[96];
    struct sb state = {NULL, 0, 0}, script = {NULL, 0, 0};
    struct cb_state s;
    pm_stream *stream;
    pm_event *ev = SENTINEL(pm_event);
    double end;
    int calls_after_close;

    sb_printf(&state, "{\"books\":{");
    book_state(&state, TOK1, BIDS1, ASKS1);
    sb_printf(&state, "}}");
    new_session("callback", state.p, sid, sizeof sid);
    /* a trade every 20 ms after the snapshot */
    sb_printf(&script, "{\"periodic\":[{\"every_ms\":20,\"frames\":[{\"json\":");
    ev_ltp(&script, TOK1, "0.52", "75");
    sb_printf(&script, "}]}]}");
    session_post(sid, "ws", script.p);

    cb_init(&s);
    stream = stream_for(sid, NULL);
    s.stream = stream;
    CHECK_STATUS(pm_stream_set_callback(stream, cb_record, &s, cb_free), PM_OK);
    /* once per stream */
    CHECK_FAILS(pm_stream_set_callback(stream, cb_record, &s, cb_free), PM_E_MISUSE);
    /* no pulling while a callback is set */
    CHECK_FAILS(pm_stream_next(stream, 0, &ev), PM_E_MISUSE);
    CHECK(ev == NULL);
    subscribe1(stream, TOK1);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);

    end = deadline_in(5);
    while (cb_calls(&s) < 20 && mono_s() < end) sleep_ms(10);
    CHECK(cb_calls(&s) >= 20);
    CHECK_FAILS(pm_stream_next(stream, 100, &ev), PM_E_MISUSE);

    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    pthread_mutex_lock(&s.lock);
    calls_after_close = s.calls;
    CHECK_I64(s.frees, 1);                    /* userdata_free ran exactly once, before close returned */
    CHECK_I64(s.calls_at_free, s.calls);      /* ... after the last callback */
    CHECK_I64(s.after_free, 0);
    CHECK_I64(s.free_on_cb_thread, 1);        /* ... on the delivery thread */
    CHECK_I64(s.on_caller_thread, 0);         /* never on the caller's thread */
    CHECK(s.have_cb_thread && !pthread_equal(s.cb_thread, s.caller));
    CHECK_I64(s.other_thread, 0);             /* one delivery thread */
    CHECK_I64(s.concurrent, 0);               /* never concurrently with itself */
    CHECK_I64(s.first_type, PM_EVENT_BOOK);   /* the snapshot first */
    CHECK_I64(s.bad_event, 0);
    CHECK(s.trades >= 10);
    CHECK(s.close_attempted);
    CHECK_I64(s.close_status, PM_E_MISUSE);   /* close from inside the callback is refused */
    CHECK(s.close_msg[0] != '\0');
    pthread_mutex_unlock(&s.lock);
    CHECK(calls_after_close > 3);             /* the refused close did not stop or wedge delivery */

    sleep_ms(100);
    CHECK_I64(cb_calls(&s), calls_after_close); /* nothing after close */
    CHECK_STATUS(pm_stream_close(stream), PM_OK); /* idempotent */
    CHECK_FAILS(pm_stream_set_callback(stream, cb_record, &s, cb_free), PM_E_MISUSE); /* closed */
    pm_stream_free(stream);
    CHECK_I64(s.frees, 1);
    cb_destroy(&s);

    /* a callback set on a stream that never connects: free alone ends delivery, userdata freed once */
    cb_init(&s);
    stream = stream_for(sid, NULL);
    s.stream = stream;
    CHECK_STATUS(pm_stream_set_callback(stream, cb_record, &s, cb_free), PM_OK);
    pm_stream_free(stream);
    CHECK_I64(s.frees, 1);
    CHECK_I64(s.calls, 0);
    cb_destroy(&s);

    /* userdata_free may be NULL */
    stream = stream_for(sid, NULL);
    CHECK_STATUS(pm_stream_set_callback(stream, noop_cb, NULL, NULL), PM_OK);
    subscribe1(stream, TOK1);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    sleep_ms(50);
    pm_stream_free(stream);

    sb_free(&state);
    sb_free(&script);
}

/* ============================================================================================ */
/* Reconnect, local books                                                                       */
/* ============================================================================================ */

static void test_reconnect(void) {
    char sid[96];
    struct sb state = {NULL, 0, 0}, script = {NULL, 0, 0}, keepalive = {NULL, 0, 0}, frame = {NULL, 0, 0};
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream;
    pm_event *e;
    pm_book *book = NULL;
    bool valid = false;
    char *reason = NULL;
    double t0;

    sb_printf(&state, "{\"books\":{");
    book_state(&state, TOK1, BIDS1, ASKS1);
    sb_printf(&state, "}}");
    new_session("reconnect", state.p, sid, sizeof sid);
    /* first connection: no PONG; the second one answers. Both keep the asset busy (best_bid_ask
     * every 100 ms) so that only the PONG loss can trip. */
    sb_printf(&keepalive, "\"periodic\":[{\"every_ms\":100,\"frames\":[{\"json\":");
    ev_bba(&keepalive, TOK1);
    sb_printf(&keepalive, "}]}]");
    sb_printf(&script, "{\"scripts\":[{\"pong\":false,%s},{%s}]}", keepalive.p, keepalive.p);
    session_post(sid, "ws", script.p);

    o.ping_interval_ms = 200;
    o.pong_timeout_ms = 600;
    o.asset_silence_timeout_ms = 800;
    stream = stream_for(sid, &o);
    subscribe1(stream, TOK1);
    t0 = mono_s();
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);

    e = pull_until(stream, PM_EVENT_BOOK, TOK1, 5, NULL);
    CHECK(e != NULL);
    pm_event_free(e);
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, &reason), PM_OK);
    CHECK(book != NULL && valid == true && reason == NULL);
    pm_book_free(book);
    pm_string_free(reason);

    /* PONGs stop: the connection is declared dead, replaced, and the consumer is told */
    e = pull_until(stream, PM_EVENT_RECONNECTED, NULL, 8, NULL);
    CHECK(e != NULL);
    CHECK(mono_s() - t0 >= 0.5); /* not before the PONG timeout */
    CHECK_STR(pm_event_type_name(e), "reconnected");
    CHECK(pm_event_detail(e)[0] != '\0');
    CHECK(contains(pm_event_detail(e), "PONG"));
    CHECK(pm_event_is_price_update(e) == false);
    CHECK_STR(pm_event_token_id(e), "");
    CHECK(pm_stream_stat_value(stream, PM_STREAM_STAT_RECONNECTS) >= 1);
    pm_event_free(e);

    /* continuity lost: the local book is distrusted until the next snapshot */
    book = NULL;
    valid = true;
    reason = NULL;
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, &reason), PM_OK);
    CHECK(book != NULL);
    CHECK(valid == false);
    CHECK(reason != NULL && reason[0] != '\0');
    pm_book_free(book);
    pm_string_free(reason);

    /* the resubscription brings a fresh snapshot: valid again */
    e = pull_until(stream, PM_EVENT_BOOK, TOK1, 5, NULL);
    CHECK(e != NULL);
    pm_event_free(e);
    book = NULL;
    valid = false;
    reason = SENTINEL(char);
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, &reason), PM_OK);
    CHECK(book != NULL && valid == true);
    CHECK(reason == NULL);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 0), "0.5");
    pm_book_free(book);

    /* data flows on the new connection */
    CHECK(pm_stream_is_connected(stream));
    sb_printf(&frame, "[{\"json\":");
    ev_ltp(&frame, TOK1, "0.77", "5");
    sb_printf(&frame, "}]");
    CHECK_I64(ws_send(sid, frame.p), 1);
    e = pull_until(stream, PM_EVENT_LAST_TRADE_PRICE, TOK1, 5, NULL);
    CHECK(e != NULL);
    CHECK_STR(pm_event_price(e), "0.77");
    pm_event_free(e);
    /* the new connection answers PINGs */
    {
        double end = deadline_in(3);
        while (pm_stream_stat_value(stream, PM_STREAM_STAT_PONGS) < 1 && mono_s() < end) sleep_ms(20);
    }
    CHECK(pm_stream_stat_value(stream, PM_STREAM_STAT_PONGS) >= 1);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_RECONNECTS), 1);
    CHECK_I64(ws_connections(sid), 2);

    pm_stream_free(stream);
    sb_free(&state);
    sb_free(&script);
    sb_free(&keepalive);
    sb_free(&frame);
}

/* ============================================================================================ */
/* Bad frames                                                                                   */
/* ============================================================================================ */

static void test_garbage_frames(void) {
    char sid[96];
    struct sb state = {NULL, 0, 0}, frames = {NULL, 0, 0};
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream;
    pm_event *e;
    int64_t skipped0, skipped1;
    int others = 0;

    sb_printf(&state, "{\"books\":{");
    book_state(&state, TOK1, BIDS1, ASKS1);
    sb_printf(&state, "}}");
    new_session("garbage", state.p, sid, sizeof sid);
    o.max_message_bytes = 4096;
    stream = stream_for(sid, &o);
    subscribe1(stream, TOK1);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    e = pull_until(stream, PM_EVENT_BOOK, TOK1, 5, NULL);
    CHECK(e != NULL);
    pm_event_free(e);
    skipped0 = pm_stream_stat_value(stream, PM_STREAM_STAT_SKIPPED);

    sb_printf(&frames, "[{\"text\":\"this is not json\"},"
                       "{\"text\":\"{\\\"event_type\\\":\\\"last_trade_\"},"  /* truncated JSON */
                       "{\"text_hex\":\"7b2261223a22fffe227d\"},"            /* invalid UTF-8 */
                       "{\"oversize\":20000},"                               /* > max_message_bytes */
                       "{\"binary_hex\":\"00ff10\"},"                        /* binary */
                       "{\"json\":");
    ev_unknown(&frames, TOK1);
    /* a valid trade split into 16-byte fragments, then a last valid trade as a marker */
    sb_printf(&frames, "},{\"fragment\":16,\"json\":");
    ev_ltp(&frames, TOK1, "0.61", "5");
    sb_printf(&frames, "},{\"json\":");
    ev_ltp(&frames, TOK1, "0.62", "5");
    sb_printf(&frames, "}]");
    CHECK_I64(ws_send(sid, frames.p), 1);

    e = pull_until(stream, PM_EVENT_LAST_TRADE_PRICE, TOK1, 5, &others);
    CHECK(e != NULL);
    CHECK_STR(pm_event_price(e), "0.61"); /* the reassembled fragments */
    pm_event_free(e);
    e = pull_until(stream, PM_EVENT_LAST_TRADE_PRICE, TOK1, 5, &others);
    CHECK(e != NULL);
    CHECK_STR(pm_event_price(e), "0.62");
    pm_event_free(e);
    CHECK_I64(others, 0); /* nothing came out of the garbage */

    skipped1 = pm_stream_stat_value(stream, PM_STREAM_STAT_SKIPPED);
    CHECK(skipped1 - skipped0 >= 6);
    if (skipped1 - skipped0 < 6) fprintf(stderr, "     skipped grew by %lld, expected >= 6\n", (long long)(skipped1 - skipped0));
    /* the connection survived every one of them */
    CHECK(pm_stream_is_connected(stream));
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_RECONNECTS), 0);
    CHECK_I64(ws_connections(sid), 1);
    e = SENTINEL(pm_event);
    CHECK_STATUS(pm_stream_next(stream, 0, &e), PM_OK);
    CHECK(e == NULL); /* no reconnected event either */

    pm_stream_free(stream);
    sb_free(&state);
    sb_free(&frames);
}

/* ============================================================================================ */
/* Local books: only subscribed tokens, size-0 levels, ids                                       */
/* ============================================================================================ */

/* Pulls (applying events to the local books) until the last_trade_price marker at `price`. */
static void pull_to_marker(pm_stream *stream, const char *price) {
    pm_event *e = pull_until(stream, PM_EVENT_LAST_TRADE_PRICE, TOK1, 5, NULL);
    CHECK(e != NULL);
    CHECK_STR(pm_event_price(e), price);
    pm_event_free(e);
}

static void test_local_books_trust(void) {
    char sid[96];
    struct sb state = {NULL, 0, 0}, frames = {NULL, 0, 0};
    pm_stream *stream;
    pm_event *e;
    pm_book *book = NULL;
    bool valid = false;
    char *reason = NULL;
    const char *ids[1];
    int64_t skipped0;

    sb_printf(&state, "{\"books\":{");
    book_state(&state, TOK1, BIDS1, ASKS1);
    sb_printf(&state, "}}");
    new_session("localtrust", state.p, sid, sizeof sid);
    session_post(sid, "ws", "{\"only_subscribed\":false}"); /* the fake sends other assets' events too */
    stream = stream_for(sid, NULL);

    /* token ids are 1-78 digits */
    ids[0] = "..";
    CHECK_FAILS(pm_stream_subscribe(stream, ids, 1), PM_E_INVALID_ARG);
    ids[0] = "tok1";
    CHECK_FAILS(pm_stream_subscribe(stream, ids, 1), PM_E_INVALID_ARG);

    subscribe1(stream, TOK1);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    e = pull_until(stream, PM_EVENT_BOOK, TOK1, 5, NULL);
    CHECK(e != NULL);
    pm_event_free(e);

    /* Another asset's snapshot and deltas neither create nor change a local book. */
    sb_printf(&frames, "[{\"json\":{\"event_type\":\"book\",\"asset_id\":\"" TOK2 "\",\"market\":\"" COND "\","
                       "\"timestamp\":\"1767225600200\",\"bids\":[{\"price\":\"0.9\",\"size\":\"5\"}],"
                       "\"asks\":[{\"price\":\"0.95\",\"size\":\"5\"}]}},"
                       "{\"json\":{\"event_type\":\"price_change\",\"market\":\"" COND "\",\"timestamp\":\"1767225600300\","
                       "\"price_changes\":[{\"asset_id\":\"" TOK2 "\",\"price\":\"0.91\",\"size\":\"5\",\"side\":\"BUY\"},"
                       "{\"asset_id\":\"" TOK1 "\",\"price\":\"0.52\",\"size\":\"7\",\"side\":\"BUY\"}]}},{\"json\":");
    ev_ltp(&frames, TOK1, "0.71", "1");
    sb_printf(&frames, "}]");
    CHECK_I64(ws_send(sid, frames.p), 1);
    pull_to_marker(stream, "0.71");
    book = SENTINEL(pm_book);
    CHECK_STATUS(pm_stream_book(stream, TOK2, &book, &valid, NULL), PM_OK);
    CHECK(book == NULL);
    book = NULL;
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, NULL), PM_OK);
    CHECK(valid == true);
    CHECK_STR(pm_book_token_id(book), TOK1);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 0), "0.52"); /* its own delta, not TOK2's 0.91 */
    pm_book_free(book);

    /* A snapshot with size-0 levels: they are not levels, so the book is not crossed. */
    frames.len = 0;
    sb_printf(&frames, "[{\"json\":{\"event_type\":\"book\",\"asset_id\":\"" TOK1 "\",\"market\":\"" COND "\","
                       "\"timestamp\":\"1767225600400\",\"bids\":[{\"price\":\"0.05\",\"size\":\"10\"},{\"price\":\"0.95\",\"size\":\"0\"}],"
                       "\"asks\":[{\"price\":\"0.99\",\"size\":\"1\"},{\"price\":\"0.06\",\"size\":\"0\"}]}},{\"json\":");
    ev_ltp(&frames, TOK1, "0.72", "1");
    sb_printf(&frames, "}]");
    CHECK_I64(ws_send(sid, frames.p), 1);
    e = pull_until(stream, PM_EVENT_BOOK, TOK1, 5, NULL);
    CHECK(e != NULL);
    CHECK_I64(pm_book_level_count(pm_event_book(e), PM_SIDE_BID), 1);
    CHECK_STR(pm_book_level_price(pm_event_book(e), PM_SIDE_BID, 0), "0.05");
    pm_event_free(e);
    pull_to_marker(stream, "0.72");
    book = NULL;
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, NULL), PM_OK);
    CHECK(valid == true);
    CHECK_I64(pm_book_level_count(book, PM_SIDE_BID), 1);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 0), "0.05");
    CHECK_I64(pm_book_level_count(book, PM_SIDE_ASK), 1);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_ASK, 0), "0.99");
    pm_book_free(book);

    /* Events naming a non-digit asset or holding \u0000 in an id are skipped, counted. */
    skipped0 = pm_stream_stat_value(stream, PM_STREAM_STAT_SKIPPED);
    frames.len = 0;
    sb_printf(&frames, "[{\"json\":{\"event_type\":\"last_trade_price\",\"asset_id\":\"x1\",\"price\":\"0.5\",\"timestamp\":\"1\"}},"
                       "{\"text\":\"{\\\"event_type\\\":\\\"last_trade_price\\\",\\\"asset_id\\\":\\\"" TOK1 "\\\","
                       "\\\"market\\\":\\\"0x\\\\u0000c\\\",\\\"price\\\":\\\"0.5\\\",\\\"timestamp\\\":\\\"1\\\"}\"},{\"json\":");
    ev_ltp(&frames, TOK1, "0.73", "1");
    sb_printf(&frames, "}]");
    CHECK_I64(ws_send(sid, frames.p), 1);
    pull_to_marker(stream, "0.73"); /* the first last_trade_price for TOK1 to arrive is the marker */
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_SKIPPED) - skipped0, 2);

    /* Unsubscribed: its deltas stop, so the book is reported invalid. */
    ids[0] = TOK1;
    CHECK_STATUS(pm_stream_unsubscribe(stream, ids, 1), PM_OK);
    book = NULL;
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, &reason), PM_OK);
    CHECK(book != NULL);
    CHECK(valid == false);
    CHECK(contains(reason, "not subscribed"));
    pm_book_free(book);
    pm_string_free(reason);

    pm_stream_free(stream);
    sb_free(&state);
    sb_free(&frames);
}

/* ============================================================================================ */
/* Queue overflow                                                                               */
/* ============================================================================================ */

static void test_overflow(void) {
    char sid[96];
    struct sb state = {NULL, 0, 0}, frames = {NULL, 0, 0};
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream;
    pm_event *e;
    pm_book *book = NULL;
    bool valid = true;
    char *reason = NULL;
    int i, pulled = 0, trades = 0;
    double end;

    sb_printf(&state, "{\"books\":{");
    book_state(&state, TOK1, BIDS1, ASKS1);
    sb_printf(&state, "}}");
    new_session("overflow", state.p, sid, sizeof sid);
    o.queue_capacity = 4;
    stream = stream_for(sid, &o);
    subscribe1(stream, TOK1);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    e = pull_until(stream, PM_EVENT_BOOK, TOK1, 5, NULL);
    CHECK(e != NULL);
    pm_event_free(e);

    /* 20 trades while nobody pulls: the oldest are dropped, counted, and books distrusted */
    sb_printf(&frames, "[");
    for (i = 0; i < 20; i++) {
        char price[16];
        sb_printf(&frames, "%s{\"json\":", i ? "," : "");
        snprintf(price, sizeof price, "0.%02d", 10 + i);
        ev_ltp(&frames, TOK1, price, "5");
        sb_printf(&frames, "}");
    }
    sb_printf(&frames, "]");
    CHECK_I64(ws_send(sid, frames.p), 1);
    end = deadline_in(3);
    while (pm_stream_stat_value(stream, PM_STREAM_STAT_DROPPED) < 16 && mono_s() < end) sleep_ms(20);
    CHECK(pm_stream_stat_value(stream, PM_STREAM_STAT_DROPPED) >= 16);
    while ((e = next_event(stream, 0.3)) != NULL) {
        pulled++;
        if (pm_event_get_type(e) == PM_EVENT_LAST_TRADE_PRICE) {
            trades++;
            if (trades == 1) CHECK(strcmp(pm_event_price(e), "0.1") != 0); /* the oldest went first */
        }
        pm_event_free(e);
    }
    CHECK(pulled >= 1 && pulled <= 5);
    CHECK_STATUS(pm_stream_book(stream, TOK1, &book, &valid, &reason), PM_OK);
    CHECK(book != NULL);
    CHECK(valid == false);
    CHECK(reason != NULL && reason[0] != '\0');
    pm_book_free(book);
    pm_string_free(reason);
    CHECK(pm_stream_is_connected(stream));

    pm_stream_free(stream);
    sb_free(&state);
    sb_free(&frames);
}

/* Book snapshots pile up behind a consumer that does not read: the byte bound, not the count,
 * decides what is held, the oldest go first, and the queue's bytes never pass the bound. */
static void test_overflow_by_bytes(void) {
    char sid[96];
    struct sb frames = {NULL, 0, 0};
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream;
    pm_event *e;
    int i, pulled = 0, books = 0, markers = 0;
    int64_t dropped, peak;
    double end;

    new_session("overflow-bytes", "{}", sid, sizeof sid);
    o.queue_capacity = 100000;
    o.queue_max_bytes = 65536;
    stream = stream_for(sid, &o);
    subscribe1(stream, TOK1);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_QUEUED_BYTES), 0);

    sb_printf(&frames, "[");
    for (i = 0; i < 400; i++) {
        sb_printf(&frames,
                  "%s{\"json\":{\"event_type\":\"book\",\"market\":\"%s\",\"asset_id\":\"%s\",\"timestamp\":\"%lld\","
                  "\"hash\":\"3cd4d61e042c81560c9037ece0c61f3b1a8fbbdd\",\"bids\":%s,\"asks\":%s}}",
                  i ? "," : "", COND, TOK1, 1767225600000LL + i, BIDS1, ASKS1);
    }
    sb_printf(&frames, "]");
    CHECK_I64(ws_send(sid, frames.p), 1);
    end = deadline_in(5);
    while (pm_stream_stat_value(stream, PM_STREAM_STAT_EVENTS) < 400 && mono_s() < end) sleep_ms(20);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_EVENTS), 400);
    dropped = pm_stream_stat_value(stream, PM_STREAM_STAT_DROPPED);
    peak = pm_stream_stat_value(stream, PM_STREAM_STAT_QUEUED_BYTES_PEAK);
    CHECK(dropped > 0 && dropped < 400);
    CHECK(peak > 0 && peak <= 65536);
    CHECK(pm_stream_stat_value(stream, PM_STREAM_STAT_QUEUED_BYTES) <= 65536);
    while ((e = next_event(stream, 0.3)) != NULL) {
        pulled++;
        if (pm_event_get_type(e) == PM_EVENT_RECONNECTED) markers++;
        if (pm_event_get_type(e) == PM_EVENT_BOOK) {
            books++;
            if (books == 1) CHECK_I64(pm_event_timestamp_ms(e), 1767225600000LL + dropped); /* oldest went first */
        }
        pm_event_free(e);
    }
    CHECK_I64(markers, 1);
    CHECK_I64(books, 400 - dropped);
    CHECK_I64(pulled, books + 1);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_QUEUED_BYTES), 0);
    CHECK(pm_stream_is_connected(stream));
    pm_stream_free(stream);
    sb_free(&frames);
}

/* ============================================================================================ */
/* Close: wakes a blocked consumer, idempotent; lifecycles leave nothing behind                 */
/* ============================================================================================ */

struct blocked {
    pm_stream *stream;
    pm_status status;
    pm_event *event;
    double returned_at;
};

static void *blocked_main(void *arg) {
    struct blocked *b = arg;
    b->event = SENTINEL(pm_event);
    b->status = pm_stream_next(b->stream, 10000, &b->event);
    b->returned_at = mono_s();
    return NULL;
}

static void test_close_wakes_consumer(void) {
    char sid[96];
    pm_stream *stream;
    pthread_t th;
    struct blocked b;
    pm_event *ev = SENTINEL(pm_event);
    double closed_at;
    const char *ids[1];

    new_session("close", NULL, sid, sizeof sid);
    session_post(sid, "ws", "{\"dump\":false}");
    stream = stream_for(sid, NULL);
    subscribe1(stream, TOK1);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);

    memset(&b, 0, sizeof b);
    b.stream = stream;
    CHECK(pthread_create(&th, NULL, blocked_main, &b) == 0);
    sleep_ms(200); /* let it block */
    closed_at = mono_s();
    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    pthread_join(th, NULL);
    CHECK_I64(b.status, PM_E_CANCELLED);
    CHECK(b.event == NULL);
    CHECK(b.returned_at - closed_at < 1.0 * g_time_scale); /* at once, not after 10 s */
    if (b.returned_at - closed_at >= 1.0 * g_time_scale)
        fprintf(stderr, "     the blocked consumer returned %.3f s after close\n", b.returned_at - closed_at);
    CHECK(pm_stream_is_connected(stream) == false);

    /* idempotent; everything after close refuses */
    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    CHECK_FAILS(pm_stream_next(stream, 0, &ev), PM_E_CANCELLED);
    CHECK(ev == NULL);
    CHECK_FAILS(pm_stream_next(stream, 1000, &ev), PM_E_CANCELLED);
    CHECK_FAILS(pm_stream_set_callback(stream, noop_cb, NULL, NULL), PM_E_MISUSE);
    ids[0] = TOK2;
    {
        pm_status st = pm_stream_subscribe(stream, ids, 1);
        CHECK(st != PM_OK);
        CHECK(st == PM_E_MISUSE);
        st = pm_stream_connect(stream);
        CHECK(st != PM_OK);
        CHECK(st == PM_E_MISUSE);
    }
    pm_stream_free(stream);
}

/* One create/subscribe/connect/first-event/close/free cycle. */
static void lifecycle(const char *sid) {
    pm_stream *stream = stream_for(sid, NULL);
    pm_event *e;
    subscribe1(stream, TOK1);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    e = next_event(stream, 5);
    CHECK(e != NULL && pm_event_get_type(e) == PM_EVENT_BOOK);
    pm_event_free(e);
    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    pm_stream_free(stream);
}

static void test_lifecycles_leave_nothing(void) {
    char sid[96];
    struct sb state = {NULL, 0, 0};
    int threads0, fds0, threads1, fds1, i;
    double end;

    sb_printf(&state, "{\"books\":{");
    book_state(&state, TOK1, BIDS1, ASKS1);
    sb_printf(&state, "}}");
    new_session("lifecycle", state.p, sid, sizeof sid);
    lifecycle(sid); /* warm-up: one-time library state (TLS tables, thread keys) */
    sleep_ms(50);
    threads0 = thread_count();
    fds0 = fd_count();
    for (i = 0; i < 20; i++) lifecycle(sid);
    /* close joins every thread and closes every socket before it returns; allow a moment for the
     * kernel to reap the last exited thread */
    end = deadline_in(1);
    do {
        threads1 = thread_count();
        fds1 = fd_count();
        if (threads1 <= threads0 && fds1 <= fds0) break;
        sleep_ms(20);
    } while (mono_s() < end);
    CHECK(threads0 > 0 && fds0 > 0);
    CHECK_I64(threads1, threads0);
    CHECK_I64(fds1, fds0);
    CHECK_I64(ws_connections(sid), 21);
    sb_free(&state);
}

/* ============================================================================================ */
/* EventProcessor: stream sizes and G3 back-fill                                                */
/* ============================================================================================ */

static pm_client *client_for(const char *sid) {
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
    o.total_timeout_ms = 5000;
    o.max_attempts = 1;
    o.rate_limit = false;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    return client;
}

static void test_processor(void) {
    char sid[96];
    struct sb state = {NULL, 0, 0}, script = {NULL, 0, 0};
    pm_stream *stream;
    pm_event *book_ev, *sized, *sizeless, *small, *legacy, *brief;
    pm_processor *plain = NULL, *filled = NULL, *strict = NULL;
    pm_client *client;
    pm_fetcher *fetcher = NULL;
    bool passed;
    pm_size_source source;
    char *size;
    long long now = (long long)time(NULL);

    /* the Data API has one fresh trade at 0.52 (size 120) and an old one at 0.52 (size 9999) */
    sb_printf(&state, "{\"books\":{");
    book_state(&state, TOK1, BIDS1, ASKS1);
    sb_printf(&state, "},\"market_by_token\":{\"%s\":\"%s\"},\"trades\":[", TOK1, COND);
    sb_printf(&state,
              "{\"proxyWallet\":\"%s\",\"side\":\"BUY\",\"asset\":\"%s\",\"conditionId\":\"%s\",\"size\":120.0,"
              "\"price\":0.52,\"timestamp\":%lld,\"title\":\"Test market\",\"outcome\":\"Yes\",\"outcomeIndex\":0,"
              "\"transactionHash\":\"%s\"},",
              WALLET, TOK1, COND, now - 5, TX1);
    sb_printf(&state,
              "{\"proxyWallet\":\"%s\",\"side\":\"BUY\",\"asset\":\"%s\",\"conditionId\":\"%s\",\"size\":9999,"
              "\"price\":0.52,\"timestamp\":%lld,\"title\":\"Test market\",\"outcome\":\"Yes\",\"outcomeIndex\":0,"
              "\"transactionHash\":\"0x11%062d\"}]}",
              WALLET, TOK1, COND, now - 30 * 86400, 0);
    new_session("processor", state.p, sid, sizeof sid);
    sb_printf(&script, "{\"on_subscribe\":[{\"json\":");
    ev_ltp(&script, TOK1, "0.52", "75");
    sb_printf(&script, "},{\"json\":");
    ev_ltp(&script, TOK1, "0.52", NULL);
    sb_printf(&script, "},{\"json\":");
    ev_ltp(&script, TOK1, "0.52", "10");
    sb_printf(&script, "},{\"json\":");
    ev_legacy(&script, TOK1, "0.52", 1);
    sb_printf(&script, "},{\"json\":");
    ev_legacy(&script, TOK1, "0.52", 0);
    sb_printf(&script, "}]}");
    session_post(sid, "ws", script.p);

    stream = stream_for(sid, NULL);
    subscribe1(stream, TOK1);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    book_ev = next_event(stream, 5);
    sized = next_event(stream, 5);
    sizeless = next_event(stream, 5);
    small = next_event(stream, 5);
    legacy = next_event(stream, 5);
    brief = next_event(stream, 5);
    CHECK_I64(pm_event_get_type(book_ev), PM_EVENT_BOOK);
    CHECK_STR(pm_event_trade_size(sized), "75");
    CHECK_STR(pm_event_trade_size(sizeless), "");
    CHECK_STR(pm_event_trade_size(small), "10");
    CHECK_I64(pm_event_get_type(legacy), PM_EVENT_LEGACY_PRICE_CHANGE);
    CHECK_I64(pm_event_get_type(brief), PM_EVENT_LEGACY_PRICE_CHANGE);
    pm_stream_free(stream); /* the events are ours */

    /* Recording: only prints with a side and a size become trade rows, written in batches. */
    {
        pm_store *store = NULL;
        pm_recorder *rec = NULL, *bad = SENTINEL(pm_recorder);
        int64_t count = -1;
        CHECK_STATUS(pm_store_open(":memory:", NULL, &store), PM_OK);
        CHECK_STATUS(pm_recorder_new(store, 2, 60000, &rec), PM_OK);
        CHECK_STATUS(pm_recorder_record(rec, book_ev), PM_OK);  /* not a trade: ignored */
        CHECK_STATUS(pm_recorder_record(rec, sized), PM_OK);
        CHECK_STATUS(pm_recorder_record(rec, sizeless), PM_OK); /* no size: skipped, not invented */
        CHECK_STATUS(pm_store_count_trades(store, NULL, &count), PM_OK);
        CHECK_I64(count, 0);                                    /* still buffered */
        CHECK_STATUS(pm_recorder_record(rec, small), PM_OK);    /* second trade: the batch is written */
        CHECK_STATUS(pm_store_count_trades(store, NULL, &count), PM_OK);
        CHECK_I64(count, 2);
        CHECK_I64(pm_recorder_recorded(rec), 2);
        CHECK_I64(pm_recorder_skipped(rec), 1);
        CHECK_STATUS(pm_recorder_flush(rec), PM_OK);
        CHECK_FAILS(pm_recorder_record(rec, NULL), PM_E_INVALID_ARG);
        CHECK_FAILS(pm_recorder_record(NULL, sized), PM_E_INVALID_ARG);
        CHECK_FAILS(pm_recorder_new(NULL, 0, 0, &bad), PM_E_INVALID_ARG);
        CHECK(bad == NULL);
        CHECK_FAILS(pm_recorder_new(store, -1, 0, &bad), PM_E_INVALID_ARG);
        CHECK_I64(pm_recorder_recorded(NULL), 0);
        CHECK_I64(pm_recorder_skipped(NULL), 0);
        pm_store_free(store);   /* the recorder keeps the store open */
        CHECK_STATUS(pm_recorder_record(rec, small), PM_OK);
        pm_recorder_free(rec);  /* flushes */
        pm_recorder_free(NULL);
    }

#define PROCESS(proc, event, want_status)                                                   \
    do {                                                                                    \
        passed = true;                                                                      \
        source = (pm_size_source)-1;                                                        \
        size = SENTINEL(char);                                                              \
        CHECK_STATUS(pm_processor_process((proc), (event), &passed, &source, &size), want_status); \
    } while (0)

    /* no fetcher: no back-fill; the stream's size decides */
    CHECK_STATUS(pm_processor_new(NULL, NULL, &plain), PM_OK);
    PROCESS(plain, sized, PM_OK);
    CHECK(passed == true);
    CHECK_I64(source, PM_SIZE_STREAM);
    CHECK_STR(size, "75");
    pm_string_free(size);
    PROCESS(plain, sizeless, PM_OK);
    CHECK(passed == false);
    CHECK_I64(source, PM_SIZE_NONE);
    CHECK(size == NULL);
    PROCESS(plain, small, PM_OK); /* 10 < 50 */
    CHECK(passed == false);
    CHECK_I64(source, PM_SIZE_STREAM);
    CHECK_STR(size, "10");
    pm_string_free(size);
    PROCESS(plain, book_ev, PM_OK); /* not a price update */
    CHECK(passed == false);
    CHECK_I64(source, PM_SIZE_NONE);
    CHECK(size == NULL);
    /* out pointers may be NULL */
    CHECK_STATUS(pm_processor_process(plain, sized, NULL, NULL, NULL), PM_OK);
    CHECK_I64(pm_processor_stat_value(plain, PM_PROCESSOR_STAT_TOTAL), 4);
    CHECK_I64(pm_processor_stat_value(plain, PM_PROCESSOR_STAT_STREAM_SIZED), 3);
    CHECK_I64(pm_processor_stat_value(plain, PM_PROCESSOR_STAT_G3_BACKFILLED), 0);
    CHECK_I64(pm_processor_stat_value(plain, PM_PROCESSOR_STAT_SIZE_UNKNOWN), 1);
    CHECK_I64(pm_processor_stat_value(plain, PM_PROCESSOR_STAT_FILTERED), 2);
    CHECK_I64(pm_processor_stat_value(plain, PM_PROCESSOR_STAT_PASSED), 2);
    CHECK_I64(pm_processor_stat_value(plain, PM_PROCESSOR_STAT_ERRORS), 0);

    /* min_size 100: the stream's 75 no longer passes */
    CHECK_STATUS(pm_processor_new(NULL, "100", &strict), PM_OK);
    PROCESS(strict, sized, PM_OK);
    CHECK(passed == false);
    CHECK_I64(source, PM_SIZE_STREAM);
    pm_string_free(size);
    pm_processor_free(strict);

    /* a fetcher over the same fake session: sizes the feed left out are back-filled (G3) from the
     * freshest trade near the price, never from the 30-day-old one */
    client = client_for(sid);
    CHECK_STATUS(pm_fetcher_new(client, 300, &fetcher), PM_OK);
    CHECK_STATUS(pm_processor_new(fetcher, NULL, &filled), PM_OK);
    pm_fetcher_free(fetcher); /* the processor keeps its own reference */
    pm_client_free(client);
    PROCESS(filled, sizeless, PM_OK);
    CHECK(passed == true);
    CHECK_I64(source, PM_SIZE_BACKFILL);
    CHECK_STR(size, "120");
    pm_string_free(size);
    CHECK(count_requests(sid, "/data/trades") >= 1);
    PROCESS(filled, legacy, PM_OK); /* the legacy price update is back-filled too */
    CHECK(passed == true);
    CHECK_I64(source, PM_SIZE_BACKFILL);
    CHECK_STR(size, "120");
    pm_string_free(size);
    {
        long before = count_requests(sid, "/data/trades");
        PROCESS(filled, sized, PM_OK); /* the stream had the size: no REST call */
        CHECK(passed == true);
        CHECK_I64(source, PM_SIZE_STREAM);
        CHECK_STR(size, "75");
        pm_string_free(size);
        CHECK_I64(count_requests(sid, "/data/trades"), before);
    }
    /* a failing back-fill does not fail the call: the update does not pass (fail closed) */
    session_post(sid, "faults", "{\"rules\":[{\"path\":\"/data/trades\",\"status\":500}]}");
    PROCESS(filled, sizeless, PM_OK);
    CHECK(passed == false);
    CHECK_I64(source, PM_SIZE_NONE);
    CHECK(size == NULL);
    CHECK_I64(pm_processor_stat_value(filled, PM_PROCESSOR_STAT_TOTAL), 4);
    CHECK_I64(pm_processor_stat_value(filled, PM_PROCESSOR_STAT_G3_BACKFILLED), 2);
    CHECK_I64(pm_processor_stat_value(filled, PM_PROCESSOR_STAT_STREAM_SIZED), 1);
    CHECK_I64(pm_processor_stat_value(filled, PM_PROCESSOR_STAT_PASSED), 3);
    CHECK_I64(pm_processor_stat_value(filled, PM_PROCESSOR_STAT_FILTERED), 1);
    CHECK_I64(pm_processor_stat_value(filled, PM_PROCESSOR_STAT_ERRORS), 1);
    pm_processor_free(filled);

    /* the brief's legacy shape (no timestamp) is a price update too: back-filled like the others */
    session_post_delete_faults(sid);
    client = client_for(sid);
    CHECK_STATUS(pm_fetcher_new(client, 300, &fetcher), PM_OK);
    CHECK_STATUS(pm_processor_new(fetcher, NULL, &filled), PM_OK);
    PROCESS(filled, brief, PM_OK);
    CHECK(passed == true && source == PM_SIZE_BACKFILL && size != NULL && strcmp(size, "120") == 0);
    pm_string_free(size);
    pm_processor_free(filled);
    pm_fetcher_free(fetcher);
    pm_client_free(client);
    pm_processor_free(plain);
#undef PROCESS

    pm_event_free(book_ev);
    pm_event_free(sized);
    pm_event_free(sizeless);
    pm_event_free(small);
    pm_event_free(legacy);
    pm_event_free(brief);
    sb_free(&state);
    sb_free(&script);
}

/* ============================================================================================ */

int main(void) {
    const char *scale = getenv("PMTEST_TIME_SCALE");
    double t0 = mono_s();

    if (fake_connect("test_stream", "cstream") != 0) return pmt_summary();
    if (scale && atof(scale) > 0) g_time_scale = atof(scale);

    test_free_null_and_null_accessors();
    test_options();
    test_bad_arguments();
    test_connect();
    test_pull_events();
    test_callback();
    test_reconnect();
    test_garbage_frames();
    test_local_books_trust();
    test_overflow();
    test_overflow_by_bytes();
    test_close_wakes_consumer();
    test_processor();
    test_lifecycles_leave_nothing();

    curl_global_cleanup();
    fprintf(stderr, "test_stream: %.2f s\n", mono_s() - t0);
    return pmt_summary();
}
