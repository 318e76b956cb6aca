/* test_stream_pool.c — the pool, its options (pm_stream_options version 3) and its health through the
 * C ABI (pm_stream_health, pm_health_*, pm_event_reconnect_token_*), against the fake Polymarket
 * server's strict WebSocket channel (server.py --strict-ws, started by run.sh: PM_FAKE_URL).
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_stream_pool.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread -lcurl
 * Covers: version-3 defaults and bad values; version-1/2 callers' smaller structs (only their bytes
 * read and written); 1,200 assets over 6 sockets with a book each, every frame within the server's
 * rules (no violation logged); one socket's reconnect naming exactly its 200 assets; health (socket
 * states, asset ages and continuity, counts, queue depth) and its NULL/out-of-range accessors.
 * PMTEST_TIME_SCALE (default 1) stretches the deadlines. Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "string_builder.h"
#include "fake_control.h"

#define COND "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"
#define N_ASSETS 1200

static double g_time_scale = 1.0;
static char g_ids[N_ASSETS][24];

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

static void make_ids(void) {
    int i;
    for (i = 0; i < N_ASSETS; i++) snprintf(g_ids[i], sizeof g_ids[i], "%d", 80000000 + i);
}

/* Session "<prefix>-<name>" with a one-level book for each of the first n ids. */
static void new_session_books(const char *name, int n, char *sid, size_t cap) {
    char body[256], path[256];
    struct sb state = {NULL, 0, 0};
    int i;
    snprintf(sid, cap, "%s-%s", g_prefix, name);
    snprintf(body, sizeof body, "{\"id\":\"%s\",\"preset\":\"empty\"}", sid);
    CTL_OK("POST", "/_control/sessions", body);
    sb_printf(&state, "{\"books\":{");
    for (i = 0; i < n; i++) {
        sb_printf(&state, "%s\"%s\":{\"market\":\"" COND "\",\"asset_id\":\"%s\",\"timestamp\":\"1767225600123\","
                          "\"hash\":\"00\",\"bids\":[{\"price\":\"0.40\",\"size\":\"10\"}],"
                          "\"asks\":[{\"price\":\"0.60\",\"size\":\"10\"}]}", i ? "," : "", g_ids[i], g_ids[i]);
    }
    sb_printf(&state, "}}");
    snprintf(path, sizeof path, "/_control/sessions/%s/state", sid);
    CTL_OK("POST", path, state.p);
    sb_free(&state);
}

static void session_ws_script(const char *sid, const char *script) {
    char path[256];
    snprintf(path, sizeof path, "/_control/sessions/%s/ws", sid);
    CTL_OK("POST", path, script);
}

/* How many strict-wire violations the session logged; -1 on error. */
static long violations(const char *sid) {
    char path[512], *body = NULL;
    const char *p;
    long n = 0;
    snprintf(path, sizeof path, "/_control/sessions/%s/requests?path=/ws/market", sid);
    if (ctl("GET", path, NULL, &body) != 200) {
        free(body);
        return -1;
    }
    for (p = body; (p = strstr(p, "\"ws\": \"violation\"")) != NULL; p += 5) n++;
    for (p = body; (p = strstr(p, "\"ws\":\"violation\"")) != NULL; p += 5) n++;
    free(body);
    return n;
}

static pm_stream *pool_stream(const char *sid, int stagger_ms) {
    char url[512];
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    snprintf(url, sizeof url, "ws://%s/s/%s/ws/market", g_base + strlen("http://"), sid);
    o.url = url;
    o.ping_interval_ms = 1000;
    o.pong_timeout_ms = 10000;
    o.asset_silence_timeout_ms = 0;
    o.queue_capacity = 100000;
    o.connect_stagger_ms = stagger_ms;
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    return stream;
}

static int open_sockets(pm_stream *stream) {
    pm_health *h = NULL;
    size_t i, n;
    int open = 0;
    if (pm_stream_health(stream, &h) != PM_OK) return -1;
    n = pm_health_socket_count(h);
    for (i = 0; i < n; i++) open += pm_health_socket_state(h, i) == PM_SOCKET_OPEN;
    pm_health_free(h);
    return open;
}

/* ============================================================================================ */

static void test_options_v3(void) {
    pm_stream_options o, def = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    unsigned char raw[sizeof(pm_stream_options) + 16];
    size_t v2_size = offsetof(pm_stream_options, max_assets_per_connection), i;
    int untouched = 1;

    CHECK(PM_STREAM_OPTIONS_VERSION >= 3); /* version 4 (the overflow policy): test_stream_pause.c */
    memset(&o, 0xAB, sizeof o);
    CHECK_STATUS(pm_stream_options_init(&o, 3), PM_OK);
    CHECK_I64(o.max_assets_per_connection, 200);
    CHECK_I64(o.connect_stagger_ms, 250);
    CHECK_I64(o.subscription_chunk_size, 100);
    CHECK_I64(def.max_assets_per_connection, 200);
    CHECK_I64(def.connect_stagger_ms, 250);
    CHECK_I64(def.subscription_chunk_size, 100);
    CHECK_I64(def.queue_max_bytes, o.queue_max_bytes);

    /* A version-2 caller: init writes only its bytes; new reads only them (pool fields default). */
    memset(raw, 0xCD, sizeof raw);
    CHECK_STATUS(pm_stream_options_init((pm_stream_options *)(void *)raw, 2), PM_OK);
    for (i = v2_size; i < sizeof raw; i++) untouched &= raw[i] == 0xCD;
    CHECK(untouched);
    CHECK_I64(((pm_stream_options *)(void *)raw)->version, 2);
    CHECK_I64(((pm_stream_options *)(void *)raw)->queue_max_bytes, 67108864);
    ((pm_stream_options *)(void *)raw)->url = "ws://127.0.0.1:1/ws/market";
    CHECK_STATUS(pm_stream_new((pm_stream_options *)(void *)raw, &stream), PM_OK); /* 0xCD.. not read */
    pm_stream_free(stream);
    /* And a version-1 one still works. */
    memset(raw, 0xCD, sizeof raw);
    CHECK_STATUS(pm_stream_options_init((pm_stream_options *)(void *)raw, 1), PM_OK);
    ((pm_stream_options *)(void *)raw)->url = "ws://127.0.0.1:1/ws/market";
    stream = NULL;
    CHECK_STATUS(pm_stream_new((pm_stream_options *)(void *)raw, &stream), PM_OK);
    pm_stream_free(stream);
    CHECK_FAILS(pm_stream_options_init(&o, PM_STREAM_OPTIONS_VERSION + 1), PM_E_INVALID_ARG);

#define BAD_OPTS(mutation)                                             \
    do {                                                               \
        pm_stream_options b_ = PM_STREAM_OPTIONS_INIT;                 \
        b_.url = "ws://127.0.0.1:1/ws/market";                         \
        mutation;                                                      \
        stream = NULL;                                                 \
        CHECK_FAILS(pm_stream_new(&b_, &stream), PM_E_INVALID_ARG);    \
        CHECK(stream == NULL);                                         \
    } while (0)
    BAD_OPTS(b_.max_assets_per_connection = 0);
    BAD_OPTS(b_.max_assets_per_connection = 501);
    BAD_OPTS(b_.connect_stagger_ms = -1);
    BAD_OPTS(b_.connect_stagger_ms = 60001);
    BAD_OPTS(b_.subscription_chunk_size = 0);
    BAD_OPTS(b_.subscription_chunk_size = 501);
#undef BAD_OPTS
}

static void test_health_null_and_range(void) {
    pm_health *h = (pm_health *)(void *)&g_time_scale;
    pm_stream *stream = NULL;
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    const char *ids[2] = {"1001", "1002"};

    CHECK_FAILS(pm_stream_health(NULL, &h), PM_E_INVALID_ARG);
    CHECK(h == NULL);
    pm_health_free(NULL);
    CHECK_I64(pm_health_reconnects(NULL), 0);
    CHECK_I64(pm_health_gaps(NULL), 0);
    CHECK_I64(pm_health_queue_depth(NULL), 0);
    CHECK_I64(pm_health_queued_bytes(NULL), 0);
    CHECK_I64((int64_t)pm_health_socket_count(NULL), 0);
    CHECK_I64(pm_health_socket_id(NULL, 0), -1);
    CHECK(pm_health_socket_state(NULL, 0) == PM_SOCKET_CLOSED);
    CHECK_STR(pm_health_socket_last_loss(NULL, 0), "");
    CHECK_I64((int64_t)pm_health_asset_count(NULL), 0);
    CHECK_STR(pm_health_asset_token_id(NULL, 0), "");
    CHECK_I64(pm_health_asset_last_event_age_ms(NULL, 0), -1);
    CHECK_I64(pm_health_asset_socket(NULL, 0), -1);
    CHECK(pm_health_asset_continuity(NULL, 0) == PM_CONTINUITY_AWAITING_SNAPSHOT);
    CHECK_I64((int64_t)pm_event_reconnect_token_count(NULL), 0);
    CHECK_STR(pm_event_reconnect_token_id(NULL, 0), "");

    o.url = "ws://127.0.0.1:1/ws/market";
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    CHECK_FAILS(pm_stream_health(stream, NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_stream_subscribe(stream, ids, 2), PM_OK);
    CHECK_STATUS(pm_stream_health(stream, &h), PM_OK);
    CHECK_I64((int64_t)pm_health_socket_count(h), 1);
    CHECK_I64(pm_health_socket_id(h, 0), 0);
    CHECK(pm_health_socket_state(h, 0) == PM_SOCKET_IDLE);
    CHECK_I64((int64_t)pm_health_socket_asset_count(h, 0), 2);
    CHECK_I64(pm_health_socket_reconnects(h, 0), 0);
    CHECK_STR(pm_health_socket_last_loss(h, 0), "");
    CHECK_I64(pm_health_socket_id(h, 1), -1);
    CHECK_I64((int64_t)pm_health_socket_asset_count(h, 1), 0);
    CHECK_I64((int64_t)pm_health_asset_count(h), 2);
    CHECK_STR(pm_health_asset_token_id(h, 1), "1002");
    CHECK_I64(pm_health_asset_socket(h, 1), 0);
    CHECK_I64(pm_health_asset_last_event_age_ms(h, 0), -1);
    CHECK(pm_health_asset_continuity(h, 0) == PM_CONTINUITY_AWAITING_SNAPSHOT);
    CHECK_STR(pm_health_asset_token_id(h, 2), "");
    CHECK_STR(pm_health_asset_token_id(h, (size_t)-1), "");
    pm_health_free(h);
    pm_stream_free(stream);
}

static void test_pool_of_1200(void) {
    char sid[128];
    pm_stream *stream;
    pm_health *h = NULL;
    const char *ids[N_ASSETS];
    static unsigned char seen[N_ASSETS];
    int i, books = 0, dupes = 0, gaps = 0, live = 0;
    size_t k;
    double end;

    for (i = 0; i < N_ASSETS; i++) ids[i] = g_ids[i];
    memset(seen, 0, sizeof seen);
    new_session_books("pool", N_ASSETS, sid, sizeof sid);
    stream = pool_stream(sid, 40);
    CHECK_STATUS(pm_stream_subscribe(stream, ids, N_ASSETS), PM_OK);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    end = mono_s() + 30 * g_time_scale;
    while (books < N_ASSETS && mono_s() < end) {
        pm_event *e = NULL;
        if (pm_stream_next(stream, 500, &e) != PM_OK) break;
        if (e == NULL) continue;
        if (pm_event_get_type(e) == PM_EVENT_BOOK) {
            int index = atoi(pm_event_token_id(e)) - 80000000;
            if (index >= 0 && index < N_ASSETS) {
                if (seen[index]) dupes++;
                seen[index] = 1;
                books++;
            }
        } else if (pm_event_get_type(e) == PM_EVENT_RECONNECTED) {
            gaps++;
        }
        pm_event_free(e);
    }
    CHECK_I64(books, N_ASSETS);
    CHECK_I64(dupes, 0);
    CHECK_I64(gaps, 0);
    CHECK_I64(violations(sid), 0);
    CHECK_STATUS(pm_stream_health(stream, &h), PM_OK);
    CHECK_I64((int64_t)pm_health_socket_count(h), 6);
    for (k = 0; k < pm_health_socket_count(h); k++) {
        CHECK(pm_health_socket_state(h, k) == PM_SOCKET_OPEN);
        CHECK_I64((int64_t)pm_health_socket_asset_count(h, k), 200);
    }
    CHECK_I64((int64_t)pm_health_asset_count(h), N_ASSETS);
    for (k = 0; k < pm_health_asset_count(h); k++) {
        live += pm_health_asset_continuity(h, k) == PM_CONTINUITY_LIVE && pm_health_asset_last_event_age_ms(h, k) >= 0;
    }
    CHECK_I64(live, N_ASSETS);
    CHECK_I64(pm_health_asset_socket(h, 450), 2);
    CHECK_I64(pm_health_reconnects(h), 0);
    CHECK_I64(pm_health_gaps(h), 0);
    CHECK_I64(pm_health_queue_depth(h), 0);
    pm_health_free(h);
    pm_stream_free(stream);
}

static void test_one_socket_reconnects(void) {
    char sid[128];
    pm_stream *stream;
    pm_health *h = NULL;
    const char *ids[450];
    pm_event *gap = NULL;
    int i, in_order = 1;
    double end;

    for (i = 0; i < 450; i++) ids[i] = g_ids[i];
    new_session_books("one", 450, sid, sizeof sid);
    /* socket 1 (assets 200-399) is dropped 1.5 s after its handshake, whichever order the sockets
     * shook hands in: the drop applies only to the connection holding asset 250 */
    {
        char script[700];
        const char *drop = "{\"drop_after_ms\":1500,\"drop_only_if_subscribed\":\"%s\"}";
        char one[200];
        snprintf(one, sizeof one, drop, g_ids[250]);
        snprintf(script, sizeof script, "{\"scripts\":[%s,%s,%s,{}]}", one, one, one);
        session_ws_script(sid, script);
    }
    stream = pool_stream(sid, 40);
    CHECK_STATUS(pm_stream_subscribe(stream, ids, 450), PM_OK);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    end = mono_s() + 15 * g_time_scale;
    while (gap == NULL && mono_s() < end) {
        pm_event *e = NULL;
        if (pm_stream_next(stream, 500, &e) != PM_OK) break;
        if (e == NULL) continue;
        if (pm_event_get_type(e) == PM_EVENT_RECONNECTED) gap = e; else pm_event_free(e);
    }
    CHECK(gap != NULL);
    if (gap != NULL) {
        CHECK_I64((int64_t)pm_event_reconnect_token_count(gap), 200);
        for (i = 0; i < 200; i++) in_order &= strcmp(pm_event_reconnect_token_id(gap, (size_t)i), g_ids[200 + i]) == 0;
        CHECK(in_order);
        CHECK_STR(pm_event_reconnect_token_id(gap, 200), "");
        CHECK(strlen(pm_event_detail(gap)) > 0);
        pm_event_free(gap);
    }
    end = mono_s() + 10 * g_time_scale;
    while (open_sockets(stream) != 3 && mono_s() < end) sleep_ms(20);
    CHECK_STATUS(pm_stream_health(stream, &h), PM_OK);
    CHECK_I64(pm_health_reconnects(h), 1);
    CHECK_I64(pm_health_gaps(h), 1);
    CHECK_I64(pm_health_socket_reconnects(h, 0), 0);
    CHECK_I64(pm_health_socket_reconnects(h, 1), 1);
    CHECK_I64(pm_health_socket_reconnects(h, 2), 0);
    CHECK(strlen(pm_health_socket_last_loss(h, 1)) > 0);
    CHECK(pm_health_queue_depth(h) >= 0);
    pm_health_free(h);
    CHECK_I64(violations(sid), 0);
    pm_stream_free(stream);
}

/* The strict server enforces what the client avoids: frames limited to 50 assets on this session,
 * the client's 100-asset chunk closes the socket (1008), and the violation counter sees it. */
static void test_strict_server_closes_large_frames(void) {
    char sid[128];
    pm_stream *stream;
    pm_event *e;
    const char *ids[100];
    int i;

    for (i = 0; i < 100; i++) ids[i] = g_ids[i];
    new_session_books("strict", 0, sid, sizeof sid);
    session_ws_script(sid, "{\"scripts\":[{\"dump\":false,\"max_assets_per_frame\":50},{\"dump\":false}]}");
    stream = pool_stream(sid, 40);
    CHECK_STATUS(pm_stream_subscribe(stream, ids, 100), PM_OK);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    e = NULL;
    CHECK_STATUS(pm_stream_next(stream, (int32_t)(10000 * g_time_scale), &e), PM_OK);
    CHECK(e != NULL && pm_event_get_type(e) == PM_EVENT_RECONNECTED);
    if (e) {
        CHECK(strstr(pm_event_detail(e), "1008") != NULL);
        CHECK_I64((int64_t)pm_event_reconnect_token_count(e), 100);
    }
    pm_event_free(e);
    CHECK_I64(violations(sid), 1);
    pm_stream_free(stream);
}

int main(void) {
    const char *scale = getenv("PMTEST_TIME_SCALE");
    double t0 = mono_s();

    if (fake_connect("test_stream_pool", "cpool") != 0) return pmt_summary();
    if (scale && atof(scale) > 0) g_time_scale = atof(scale);
    make_ids();

    test_options_v3();
    test_health_null_and_range();
    test_pool_of_1200();
    test_one_socket_reconnects();
    test_strict_server_closes_large_frames();

    curl_global_cleanup();
    fprintf(stderr, "test_stream_pool: %.2f s\n", mono_s() - t0);
    return pmt_summary();
}
