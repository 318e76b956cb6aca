/* test_calls.c — how one call ends, through the C ABI against the fake Polymarket server:
 * the call deadline (pm_client_options version 3 deadline_ms: a hung server ends the call near
 * the deadline with PM_E_TIMEOUT naming it; version 1/2 structs keep working), PM_E_NO_BOOK for
 * /book's 404 (not retried; pm_verify_orderbook_price fails closed on it), and resolution events
 * delivered exactly once whether the socket or the Gamma poll saw them first
 * (pm_stream_set_resolution_poll).
 * Needs PM_FAKE_URL (run.sh sets it). PMTEST_TIME_SCALE (default 1) stretches the timing bounds.
 * Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_control.h"

/* The basic preset's market A (Tests/fakepolymarket/README.md §4). */
#define A_COND "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"
#define A_YES "144025376118479892262749490880200562967355458335621099086839387638815271716888"
#define A_NO "112278289787275788450760739773662884649160898737205504916059379809203140215082"
#define NO_BOOK_TOKEN "52114319501245915516055106046884209969926127482827954674443846427813813222426"

/* Market A closed and settled on Yes, as Gamma shows it. */
#define RESOLVED_A_STATE                                                                                     \
    "{\"markets\":[{\"id\":\"501\",\"conditionId\":\"" A_COND "\",\"question\":\"Will A happen?\",\"slug\":\"a\","    \
    "\"active\":true,\"closed\":true,\"archived\":false,\"outcomes\":\"[\\\"Yes\\\", \\\"No\\\"]\","             \
    "\"outcomePrices\":\"[\\\"1\\\", \\\"0\\\"]\",\"clobTokenIds\":\"[\\\"" A_YES "\\\", \\\"" A_NO "\\\"]\"}]}"
/* The socket's market_resolved frame for it (a frame spec of the fake's ws/send). */
#define RESOLVED_A_FRAME                                                                                     \
    "{\"frames\":[{\"json\":{\"event_type\":\"market_resolved\",\"id\":\"501\",\"market\":\"" A_COND "\","          \
    "\"assets_ids\":[\"" A_YES "\",\"" A_NO "\"],\"winning_asset_id\":\"" A_YES "\",\"winning_outcome\":\"Yes\","      \
    "\"timestamp\":\"1767225600789\"}}]}"

static int not_null_dummy;
#define SENTINEL(type) ((type *)(void *)&not_null_dummy)

static double g_time_scale = 1.0;

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

/* A client on the session; deadline_ms < 0 keeps the default. */
static pm_client *client_for(const char *sid, int32_t deadline_ms, int32_t total_ms, int32_t attempts) {
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
    o.total_timeout_ms = total_ms;
    o.max_attempts = attempts;
    o.rate_limit = false;
    if (deadline_ms >= 0) o.deadline_ms = deadline_ms;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    CHECK(client != NULL);
    return client;
}

/* ============================================================================================ */
/* deadline_ms                                                                                  */
/* ============================================================================================ */

static void test_options_v3(void) {
    pm_client_options o, def = PM_CLIENT_OPTIONS_INIT;
    pm_client *client = SENTINEL(pm_client);
    CHECK_I64(PM_CLIENT_OPTIONS_VERSION, 3);
    CHECK_I64(def.deadline_ms, 20000);
    memset(&o, 0xAB, sizeof o);
    CHECK_STATUS(pm_client_options_init(&o, 3), PM_OK);
    CHECK_I64(o.version, 3);
    CHECK_I64(o.deadline_ms, 20000);
    CHECK_I64(o.listing_timeout_ms, 300000);
    {
        /* A version 2 caller's struct ends before deadline_ms: init writes only its fields, and
         * pm_client_new ignores whatever lies after them. */
        union {
            pm_client_options full;
            unsigned char bytes[sizeof(pm_client_options)];
        } v2;
        size_t v2_size = offsetof(pm_client_options, deadline_ms), i;
        int untouched = 1;
        memset(&v2, 0xAB, sizeof v2);
        CHECK_STATUS(pm_client_options_init(&v2.full, 2), PM_OK);
        CHECK_I64(v2.full.version, 2);
        CHECK_I64(v2.full.listing_timeout_ms, 300000);
        for (i = v2_size; i < sizeof v2; i++) untouched &= v2.bytes[i] == 0xAB;
        CHECK(untouched);
        client = NULL;
        CHECK_STATUS(pm_client_new(&v2.full, &client), PM_OK); /* 0xABABABAB would be a negative deadline */
        CHECK(client != NULL);
        pm_client_free(client);
    }
    {
        pm_client_options bad = PM_CLIENT_OPTIONS_INIT;
        bad.deadline_ms = -1;
        client = SENTINEL(pm_client);
        CHECK_FAILS(pm_client_new(&bad, &client), PM_E_INVALID_ARG);
        CHECK(client == NULL);
        CHECK(contains(pm_last_error(), "deadline_ms"));
    }
    {
        pm_client_options none = PM_CLIENT_OPTIONS_INIT;
        none.deadline_ms = 0; /* no deadline */
        client = NULL;
        CHECK_STATUS(pm_client_new(&none, &client), PM_OK);
        pm_client_free(client);
    }
}

/* 4 attempts x 5 s would hold the call 20 s; the 1.5 s deadline ends it at 1.5 s. */
static void test_hung_server_ends_at_the_deadline(void) {
    char sid[96];
    pm_client *client;
    pm_book *book = SENTINEL(pm_book);
    double t0, elapsed;
    fake_session("hang", "basic", sid, sizeof sid);
    fake_session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"hang\":true}]}");
    client = client_for(sid, 1500, 5000, 4);
    t0 = mono_s();
    CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, &book), PM_E_TIMEOUT);
    elapsed = mono_s() - t0;
    CHECK(book == NULL);
    CHECK(contains(pm_last_error(), "deadline of 1500 ms"));
    CHECK(contains(pm_last_error(), "1 attempt made"));
    CHECK(contains(pm_last_error(), "timed out"));
    CHECK(elapsed >= 1.3 && elapsed < (1.5 + 5.0) * g_time_scale);
    if (!(elapsed >= 1.3 && elapsed < (1.5 + 5.0) * g_time_scale)) fprintf(stderr, "     took %.3f s\n", elapsed);
    pm_client_free(client);
}

/* G5 fails closed at the deadline; G3's back-fill ends at it too. */
static void test_guards_honour_the_deadline(void) {
    char sid[96], map[512];
    pm_client *client;
    pm_fetcher *fetcher = NULL;
    bool valid = true;
    char *reason = NULL, *best = NULL, *size = SENTINEL(char);
    double t0, elapsed;
    fake_session("guards", "basic", sid, sizeof sid);
    snprintf(map, sizeof map, "{\"market_by_token\":{\"%s\":\"%s\"}}", A_YES, A_COND);
    fake_session_post(sid, "state", map);
    fake_session_post(sid, "faults", "{\"rules\":[{\"path\":\"/clob/book\",\"hang\":true},"
                                "{\"path\":\"/data/trades\",\"hang\":true}]}");
    client = client_for(sid, 1200, 5000, 4);

    t0 = mono_s();
    CHECK_STATUS(pm_verify_orderbook_price(client, A_YES, "0.5", NULL, &valid, &best, &reason), PM_OK);
    elapsed = mono_s() - t0;
    CHECK(!valid && best == NULL);
    CHECK(contains(reason, "deadline of 1200 ms"));
    CHECK(elapsed >= 1.0 && elapsed < (1.2 + 5.0) * g_time_scale);
    pm_string_free(reason);

    CHECK_STATUS(pm_fetcher_new(client, 300, &fetcher), PM_OK);
    t0 = mono_s();
    CHECK_FAILS(pm_fetcher_fetch_trade_size_at_price(fetcher, A_YES, "0.5", NULL, -1, &size), PM_E_TIMEOUT);
    elapsed = mono_s() - t0;
    CHECK(size == NULL);
    CHECK(contains(pm_last_error(), "deadline of 1200 ms"));
    CHECK(contains(pm_last_error(), "/data/trades"));
    CHECK(elapsed >= 1.0 && elapsed < (1.2 + 5.0) * g_time_scale);
    pm_fetcher_free(fetcher);
    pm_client_free(client);
}

/* ============================================================================================ */
/* PM_E_NO_BOOK                                                                                 */
/* ============================================================================================ */

static void test_no_book(void) {
    char sid[96];
    pm_client *client;
    pm_book *book = SENTINEL(pm_book);
    bool valid = true;
    char *reason = NULL;
    CHECK_I64(PM_E_NO_BOOK, 18);
    CHECK_STR(pm_status_str(PM_E_NO_BOOK), "no order book");

    fake_session("nobook", "basic", sid, sizeof sid);
    fake_session_post(sid, "state", "{\"books\":{}}");
    client = client_for(sid, -1, 5000, 4);
    CHECK_FAILS(pm_client_fetch_orderbook(client, NO_BOOK_TOKEN, &book), PM_E_NO_BOOK);
    CHECK(book == NULL);
    CHECK(contains(pm_last_error(), "no order book: market resolved or unknown (token " NO_BOOK_TOKEN ")"));
    CHECK_I64(fake_request_count(sid, "/clob/book"), 1); /* not retried */

    CHECK_STATUS(pm_verify_orderbook_price(client, NO_BOOK_TOKEN, "0.5", NULL, &valid, NULL, &reason), PM_OK);
    CHECK(!valid);
    CHECK(contains(reason, "no order book: market resolved or unknown"));
    pm_string_free(reason);
    pm_client_free(client);
}

/* ============================================================================================ */
/* pm_stream_set_resolution_poll                                                                */
/* ============================================================================================ */

static pm_stream *stream_for(const char *sid) {
    char url[512];
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    const char *ids[1] = {A_YES};
    snprintf(url, sizeof url, "ws://%s/s/%s/ws/market", g_base + strlen("http://"), sid);
    o.url = url;
    o.ping_interval_ms = 200;
    o.asset_silence_timeout_ms = 0;
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    CHECK_STATUS(pm_stream_subscribe(stream, ids, 1), PM_OK);
    return stream;
}

/* Pulls for `seconds`, or until a MARKET_RESOLVED arrives when `stop_at_first`; returns how
 * many MARKET_RESOLVED came, the first one's condition and detail copied out. */
static int pull_resolutions(pm_stream *stream, double seconds, int stop_at_first, char *condition, char *detail) {
    double end = mono_s() + seconds * g_time_scale;
    int n = 0;
    while (mono_s() < end) {
        pm_event *ev = NULL;
        if (pm_stream_next(stream, 50, &ev) != PM_OK) break;
        if (ev == NULL) continue;
        if (pm_event_get_type(ev) == PM_EVENT_MARKET_RESOLVED) {
            if (n == 0 && condition) snprintf(condition, 80, "%s", pm_event_condition_id(ev));
            if (n == 0 && detail) snprintf(detail, 90, "%s", pm_event_detail(ev));
            n++;
        }
        pm_event_free(ev);
        if (n > 0 && stop_at_first) break;
    }
    return n;
}

/* The socket says it first, the poll sees it too: one event. */
static void test_socket_and_poll_deliver_once(void) {
    char sid[96], path[256], condition[80] = "", detail[90] = "";
    pm_client *client;
    pm_stream *stream;
    fake_session("resolved-both", "basic", sid, sizeof sid);
    fake_session_post(sid, "state", RESOLVED_A_STATE);
    client = client_for(sid, -1, 5000, 1);
    stream = stream_for(sid);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    CHECK(fake_await_subscribed(sid, 1, 10.0 * g_time_scale)); /* before pushing to subscribers */
    snprintf(path, sizeof path, "/_control/sessions/%s/ws/send", sid);
    CHECK_I64(ctl_number("POST", path, RESOLVED_A_FRAME, "sent_to"), 1);
    CHECK_I64(pull_resolutions(stream, 5.0, 1, condition, detail), 1);
    CHECK_STR(condition, A_COND);
    CHECK_STR(detail, A_YES);

    CHECK_STATUS(pm_stream_set_resolution_poll(stream, client, 200), PM_OK);
    CHECK_I64(pull_resolutions(stream, 1.0, 0, NULL, NULL), 0);
    CHECK(fake_request_count(sid, "/clob/markets-by-token/%2A") >= 1); /* the poll ran */
    CHECK_I64(ctl_number("POST", path, RESOLVED_A_FRAME, "sent_to"), 1); /* the socket repeats it */
    CHECK_I64(pull_resolutions(stream, 0.6, 0, NULL, NULL), 0);
    pm_stream_free(stream);
    pm_client_free(client);
}

/* The socket never says it: the poll delivers it, the client freed before the stream. */
static void test_poll_delivers_what_the_socket_missed(void) {
    char sid[96], condition[80] = "", detail[90] = "";
    pm_client *client;
    pm_stream *stream;
    fake_session("resolved-poll", "basic", sid, sizeof sid);
    client = client_for(sid, -1, 5000, 1);
    stream = stream_for(sid);
    CHECK_STATUS(pm_stream_set_resolution_poll(stream, client, 200), PM_OK); /* before connect */
    pm_client_free(client); /* the stream keeps its own reference */
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    CHECK_I64(pull_resolutions(stream, 0.5, 0, NULL, NULL), 0); /* still open */
    fake_session_post(sid, "state", RESOLVED_A_STATE);
    CHECK_I64(pull_resolutions(stream, 5.0, 1, condition, detail), 1);
    CHECK_STR(condition, A_COND);
    CHECK_STR(detail, A_YES);
    CHECK_I64(pull_resolutions(stream, 0.6, 0, NULL, NULL), 0);
    CHECK_STATUS(pm_stream_set_resolution_poll(stream, NULL, 0), PM_OK); /* off */
    pm_stream_free(stream);
}

static void test_resolution_poll_arguments(void) {
    char sid[96];
    pm_client *client;
    pm_stream *stream;
    fake_session("resolved-args", "basic", sid, sizeof sid);
    client = client_for(sid, -1, 5000, 1);
    stream = stream_for(sid);
    CHECK_FAILS(pm_stream_set_resolution_poll(NULL, client, 200), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_set_resolution_poll(stream, NULL, 200), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_set_resolution_poll(stream, client, 99), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_set_resolution_poll(stream, client, -1), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_stream_set_resolution_poll(stream, client, 60000), PM_OK);
    CHECK_STATUS(pm_stream_set_resolution_poll(stream, client, 1000), PM_OK); /* replaces */
    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    CHECK_FAILS(pm_stream_set_resolution_poll(stream, client, 1000), PM_E_MISUSE);
    pm_stream_free(stream);
    pm_client_free(client);
}

int main(void) {
    const char *scale = getenv("PMTEST_TIME_SCALE");
    if (fake_connect("test_calls", "ccalls") != 0) return pmt_summary();
    if (scale && atof(scale) > 0) g_time_scale = atof(scale);

    test_options_v3();
    test_hung_server_ends_at_the_deadline();
    test_guards_honour_the_deadline();
    test_no_book();
    test_socket_and_poll_deliver_once();
    test_poll_delivers_what_the_socket_missed();
    test_resolution_poll_arguments();

    curl_global_cleanup();
    return pmt_summary();
}
