/* test_stream_pause.c — the overflow policy (pm_stream_options version 4: overflow_policy,
 * max_paused_ms) and the batch pull (pm_stream_next_batch) through the C ABI, against the fake
 * Polymarket server's strict WebSocket channel (server.py --strict-ws, started by run.sh: PM_FAKE_URL).
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_stream_pause.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread -lcurl
 * Covers: version-4 defaults and bad values; a version-3 caller's smaller struct (only its bytes
 * written); pm_stream_next_batch's arguments; PM_OVERFLOW_PAUSE with a 20,000-frame burst into a
 * 500-event queue and a consumer 2 s late, pulled in batches and through a callback: every event,
 * in order, no gap marker, nothing dropped, the socket paused; a socket paused past max_paused_ms
 * reconnected with a gap marker. PMTEST_TIME_SCALE stretches the deadlines. Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "string_builder.h"
#include "fake_control.h"

#define TOK1 "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define COND "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"
#define BURST 20000
#define BASE_TS 1767225600000LL

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

static double deadline_in(double seconds) { return mono_s() + seconds * g_time_scale; }

/* Session "<prefix>-<name>" with no initial dump and a flood of `count` distinct trades of TOK1
 * (timestamps BASE_TS + i), pumped as soon as the client subscribes. */
static void flood_session(const char *name, int count, char *sid, size_t cap) {
    char body[256], path[256];
    struct sb flood = {NULL, 0, 0};
    int i;
    snprintf(sid, cap, "%s-%s", g_prefix, name);
    snprintf(body, sizeof body, "{\"id\":\"%s\"}", sid);
    CTL_OK("POST", "/_control/sessions", body);
    snprintf(path, sizeof path, "/_control/sessions/%s/ws", sid);
    CTL_OK("POST", path, "{\"dump\":false}");
    sb_printf(&flood, "{\"count\":%d,\"frames\":[", count);
    for (i = 0; i < count; i++) {
        sb_printf(&flood,
                  "%s{\"json\":{\"event_type\":\"last_trade_price\",\"market\":\"%s\",\"asset_id\":\"%s\","
                  "\"price\":\"0.5\",\"size\":\"1\",\"side\":\"BUY\",\"fee_rate_bps\":\"0\",\"timestamp\":\"%lld\"}}",
                  i ? "," : "", COND, TOK1, BASE_TS + i);
    }
    sb_printf(&flood, "]}");
    snprintf(path, sizeof path, "/_control/sessions/%s/ws/flood", sid);
    CTL_OK("POST", path, flood.p);
    sb_free(&flood);
}

static pm_stream *pause_stream(const char *sid, int32_t capacity, int32_t max_paused_ms) {
    char url[512];
    const char *ids[1] = {TOK1};
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    snprintf(url, sizeof url, "ws://%s/s/%s/ws/market", g_base + strlen("http://"), sid);
    o.url = url;
    o.ping_interval_ms = 200;
    o.pong_timeout_ms = 1000; /* shorter than the consumer's delay: the pause must suspend it */
    o.asset_silence_timeout_ms = 0;
    o.queue_capacity = capacity;
    o.overflow_policy = PM_OVERFLOW_PAUSE;
    o.max_paused_ms = max_paused_ms;
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    if (stream == NULL) return NULL;
    CHECK_STATUS(pm_stream_subscribe(stream, ids, 1), PM_OK);
    return stream;
}

static void test_options_v4(void) {
    pm_stream_options o, def = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    unsigned char raw[sizeof(pm_stream_options) + 16];
    size_t v3_size = offsetof(pm_stream_options, overflow_policy), i;

    CHECK_I64(PM_STREAM_OPTIONS_VERSION, 4);
    memset(&o, 0xAB, sizeof o);
    CHECK_STATUS(pm_stream_options_init(&o, 4), PM_OK);
    CHECK_I64(o.overflow_policy, PM_OVERFLOW_DROP_OLDEST);
    CHECK_I64(o.max_paused_ms, 60000);
    CHECK_I64(def.overflow_policy, PM_OVERFLOW_DROP_OLDEST);
    CHECK_I64(def.max_paused_ms, 60000);

    /* A version-3 caller's struct ends before overflow_policy: nothing past it is written. */
    memset(raw, 0xCD, sizeof raw);
    CHECK_STATUS(pm_stream_options_init((pm_stream_options *)(void *)raw, 3), PM_OK);
    for (i = v3_size; i < sizeof raw; i++) {
        if (raw[i] != 0xCD) break;
    }
    CHECK_I64((long long)i, (long long)sizeof raw);
    CHECK_I64(((pm_stream_options *)(void *)raw)->subscription_chunk_size, 100);
    ((pm_stream_options *)(void *)raw)->url = "ws://127.0.0.1:1/ws/market";
    CHECK_STATUS(pm_stream_new((pm_stream_options *)(void *)raw, &stream), PM_OK); /* 0xCD.. not read */
    pm_stream_free(stream);
    stream = NULL;

    o = def;
    o.overflow_policy = 7;
    CHECK_FAILS(pm_stream_new(&o, &stream), PM_E_INVALID_ARG);
    CHECK(stream == NULL);
    o = def;
    o.max_paused_ms = -1;
    CHECK_FAILS(pm_stream_new(&o, &stream), PM_E_INVALID_ARG);
    o = def;
    o.overflow_policy = PM_OVERFLOW_PAUSE;
    o.max_paused_ms = 0; /* no limit */
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_PAUSES), 0);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_PAUSE_TIMEOUTS), 0);
    pm_stream_free(stream);
}

static void ignore_event(const pm_event *event, void *userdata) {
    (void)event;
    (void)userdata;
}

static void test_batch_arguments(void) {
    pm_stream *stream = NULL;
    pm_event *out[4] = {NULL, NULL, NULL, NULL};
    size_t n = 99;
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    o.url = "ws://127.0.0.1:1/ws/market";
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    CHECK_FAILS(pm_stream_next_batch(NULL, 0, out, 4, &n), PM_E_INVALID_ARG);
    CHECK_I64((long long)n, 0);
    CHECK_FAILS(pm_stream_next_batch(stream, 0, out, 4, NULL), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_next_batch(stream, 0, NULL, 4, &n), PM_E_INVALID_ARG);
    CHECK_FAILS(pm_stream_next_batch(stream, 0, out, 0, &n), PM_E_INVALID_ARG);
    n = 99;
    CHECK_STATUS(pm_stream_next_batch(stream, 0, out, 4, &n), PM_OK); /* nothing yet */
    CHECK_I64((long long)n, 0);
    CHECK(out[0] == NULL);
    CHECK_STATUS(pm_stream_next_batch(stream, 20, out, 4, &n), PM_OK);
    CHECK_I64((long long)n, 0);
    CHECK_STATUS(pm_stream_set_callback(stream, ignore_event, NULL, NULL), PM_OK);
    CHECK_FAILS(pm_stream_next_batch(stream, 0, out, 4, &n), PM_E_MISUSE);
    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    pm_stream_free(stream);

    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    CHECK_FAILS(pm_stream_next_batch(stream, 0, out, 4, &n), PM_E_CANCELLED);
    pm_stream_free(stream);
}

/* What a consumer saw: trades in order (by timestamp), anything else. */
struct tally {
    long long trades, out_of_order, others;
    long long next_ts;
};

static void tally_event(struct tally *t, const pm_event *e) {
    if (pm_event_get_type(e) == PM_EVENT_LAST_TRADE_PRICE) {
        if (pm_event_timestamp_ms(e) != t->next_ts) t->out_of_order++;
        t->next_ts = pm_event_timestamp_ms(e) + 1;
        t->trades++;
    } else {
        t->others++;
    }
}

static void test_pause_burst_pull(void) {
    char sid[96];
    pm_stream *stream;
    pm_event *batch[256];
    struct tally t = {0, 0, 0, BASE_TS};
    long long frames_paused;
    double end;

    flood_session("pause-pull", BURST, sid, sizeof sid);
    stream = pause_stream(sid, 500, 60000);
    if (stream == NULL) return;
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    end = deadline_in(5);
    while (pm_stream_stat_value(stream, PM_STREAM_STAT_PAUSES) < 1 && mono_s() < end) sleep_ms(10);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_PAUSES), 1);
    frames_paused = pm_stream_stat_value(stream, PM_STREAM_STAT_FRAMES);
    sleep_ms(2000); /* the consumer starts 2 s late */
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_FRAMES), frames_paused); /* not read while paused */
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_PAUSES), 1);
    end = deadline_in(60);
    while (t.trades < BURST && mono_s() < end) {
        size_t n = 0, i;
        if (pm_stream_next_batch(stream, 200, batch, 256, &n) != PM_OK) break;
        for (i = 0; i < n; i++) {
            tally_event(&t, batch[i]);
            pm_event_free(batch[i]);
        }
    }
    CHECK_I64(t.trades, BURST);
    CHECK_I64(t.out_of_order, 0);
    CHECK_I64(t.others, 0); /* no gap marker, no reconnect */
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_DROPPED), 0);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_RECONNECTS), 0);
    CHECK(pm_stream_is_connected(stream));
    pm_stream_free(stream);
}

struct slow_consumer {
    pthread_mutex_t lock;
    struct tally t;
    int first;
};

static void slow_callback(const pm_event *event, void *userdata) {
    struct slow_consumer *c = userdata;
    if (c->first) {
        c->first = 0;
        sleep_ms(2000); /* a consumer 2 s late: the queue fills, the socket pauses */
    }
    pthread_mutex_lock(&c->lock);
    tally_event(&c->t, event);
    pthread_mutex_unlock(&c->lock);
}

static void test_pause_burst_callback(void) {
    char sid[96];
    pm_stream *stream;
    struct slow_consumer c;
    long long trades = 0;
    double end;

    memset(&c, 0, sizeof c);
    pthread_mutex_init(&c.lock, NULL);
    c.t.next_ts = BASE_TS;
    c.first = 1;
    flood_session("pause-callback", BURST, sid, sizeof sid);
    stream = pause_stream(sid, 500, 60000);
    if (stream == NULL) return;
    CHECK_STATUS(pm_stream_set_callback(stream, slow_callback, &c, NULL), PM_OK);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    end = deadline_in(60);
    while (trades < BURST && mono_s() < end) {
        sleep_ms(20);
        pthread_mutex_lock(&c.lock);
        trades = c.t.trades;
        pthread_mutex_unlock(&c.lock);
    }
    CHECK_STATUS(pm_stream_close(stream), PM_OK);
    CHECK_I64(c.t.trades, BURST);
    CHECK_I64(c.t.out_of_order, 0);
    CHECK_I64(c.t.others, 0);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_DROPPED), 0);
    CHECK(pm_stream_stat_value(stream, PM_STREAM_STAT_PAUSES) >= 1);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_RECONNECTS), 0);
    pm_stream_free(stream);
    pthread_mutex_destroy(&c.lock);
}

static void test_paused_too_long(void) {
    char sid[96];
    pm_stream *stream;
    pm_event *batch[64];
    int saw_gap = 0;
    double end;

    flood_session("pause-timeout", 2000, sid, sizeof sid);
    stream = pause_stream(sid, 50, 300);
    if (stream == NULL) return;
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    end = deadline_in(10);
    while (pm_stream_stat_value(stream, PM_STREAM_STAT_RECONNECTS) < 1 && mono_s() < end) sleep_ms(20);
    CHECK(pm_stream_stat_value(stream, PM_STREAM_STAT_PAUSE_TIMEOUTS) >= 1);
    CHECK(pm_stream_stat_value(stream, PM_STREAM_STAT_RECONNECTS) >= 1);
    end = deadline_in(5);
    while (!saw_gap && mono_s() < end) {
        size_t n = 0, i;
        if (pm_stream_next_batch(stream, 100, batch, 64, &n) != PM_OK) break;
        for (i = 0; i < n; i++) {
            if (pm_event_get_type(batch[i]) == PM_EVENT_RECONNECTED && strstr(pm_event_detail(batch[i]), "paused"))
                saw_gap = 1;
            pm_event_free(batch[i]);
        }
    }
    CHECK(saw_gap);
    CHECK_I64(pm_stream_stat_value(stream, PM_STREAM_STAT_DROPPED), 0);
    pm_stream_free(stream);
}

int main(void) {
    const char *scale = getenv("PMTEST_TIME_SCALE");
    double t0 = mono_s();

    if (fake_connect("test_stream_pause", "cpause") != 0) return pmt_summary();
    if (scale && atof(scale) > 0) g_time_scale = atof(scale);

    test_options_v4();
    test_batch_arguments();
    test_pause_burst_pull();
    test_pause_burst_callback();
    test_paused_too_long();

    curl_global_cleanup();
    fprintf(stderr, "test_stream_pause: %.2f s\n", mono_s() - t0);
    return pmt_summary();
}
