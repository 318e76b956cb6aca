/* stream_c_abi.c — pmingest's stream through the C ABI, against stream_push_server.
 *
 *   stream_c_abi <port> <frames> <ids-file> pull|batch|callback tput|latency|rss [stamps-file]
 *
 * One pm_stream (defaults but for the pool: max_assets_per_connection 500, so the 500 assets share
 * one socket as in the raw client), the ids subscribed, then: pull = pm_stream_next in a loop that
 * only frees; batch = pm_stream_next_batch (256) that only frees; callback = a callback that only
 * counts. tput: events/s from the first event in hand to the last ("msg_per_s
 * stream_e2e_<mode>_c_abi"), and the events dropped ("dropped ..."); latency: the time each event
 * is in the caller's hands against the server's send stamps ("latency_us stream_<mode>_c_abi");
 * rss: VmRSS after 10 % and after all frames ("rss_kb stream_<mode>_c_abi"). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>

#include "pmingest.h"
#include "stream_bench_common.h"

static uint64_t g_frames;
static int g_mode; /* 0 tput, 1 latency, 2 rss */
static int64_t g_first, g_last, *g_recv;
static long g_rss_first;
static atomic_ullong g_seen;

static void on_event(const pm_event *e) {
    int64_t t = sb_now_ns();
    uint64_t seen;
    if (pm_event_get_type(e) == PM_EVENT_RECONNECTED) return; /* a gap marker: counted as dropped */
    seen = atomic_fetch_add(&g_seen, 1);
    if (seen == 0) g_first = t;
    g_last = t;
    if (g_mode == 1) {
        long long seq = pm_event_timestamp_ms(e) - STREAM_BASE_MS;
        if (seq >= 0 && (uint64_t)seq < g_frames) g_recv[seq] = t;
    }
    if (g_mode == 2 && seen + 1 == g_frames / 10) g_rss_first = sb_rss_kb();
}

static void callback(const pm_event *e, void *userdata) {
    (void)userdata;
    on_event(e);
}

int main(int argc, char **argv) {
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *s = NULL;
    char url[128], name[64];
    size_t n_ids;
    char **ids;
    const char *how;
    int64_t idle_since;
    if (argc < 6) return 2;
    g_frames = strtoull(argv[2], NULL, 10);
    ids = sb_read_ids(argv[3], &n_ids);
    how = argv[4];
    g_mode = !strcmp(argv[5], "latency") ? 1 : !strcmp(argv[5], "rss") ? 2 : 0;
    if (g_mode == 1) g_recv = calloc(g_frames, sizeof *g_recv);
    snprintf(url, sizeof url, "ws://127.0.0.1:%s/ws/market", argv[1]);
    o.url = url;
    o.max_assets_per_connection = 500;
    o.subscription_chunk_size = 500;
    if (pm_stream_new(&o, &s) != PM_OK || pm_stream_subscribe(s, (const char *const *)ids, n_ids) != PM_OK) {
        fprintf(stderr, "stream_c_abi: %s\n", pm_last_error());
        return 1;
    }
    if (!strcmp(how, "callback") && pm_stream_set_callback(s, callback, NULL, NULL) != PM_OK) return 1;
    if (pm_stream_connect(s) != PM_OK) {
        fprintf(stderr, "stream_c_abi: connect: %s\n", pm_last_error());
        return 1;
    }
    idle_since = sb_now_ns();
    while (atomic_load(&g_seen) + (uint64_t)pm_stream_stat_value(s, PM_STREAM_STAT_DROPPED) < g_frames) {
        uint64_t before = atomic_load(&g_seen);
        if (!strcmp(how, "pull")) {
            pm_event *e = NULL;
            if (pm_stream_next(s, 100, &e) != PM_OK) break;
            if (e) {
                on_event(e);
                pm_event_free(e);
            }
        } else if (!strcmp(how, "batch")) {
            pm_event *batch[256];
            size_t n = 0, i;
            if (pm_stream_next_batch(s, 100, batch, 256, &n) != PM_OK) break;
            for (i = 0; i < n; i++) {
                on_event(batch[i]);
                pm_event_free(batch[i]);
            }
        } else {
            usleep(1000);
        }
        if (atomic_load(&g_seen) != before) idle_since = sb_now_ns();
        else if (sb_now_ns() - idle_since > 3000000000LL) break; /* stalled */
    }
    snprintf(name, sizeof name, "stream_%s%s_c_abi", g_mode == 0 ? "e2e_" : "", how);
    if (g_mode == 0) {
        uint64_t seen = atomic_load(&g_seen);
        printf("msg_per_s %s %.0f\n", name, (double)(seen - 1) * 1e9 / (double)(g_last - g_first));
        printf("dropped %s %lld\n", name, (long long)pm_stream_stat_value(s, PM_STREAM_STAT_DROPPED));
    } else if (g_mode == 1) {
        sb_latency_report(name, argv[6], g_recv, g_frames);
    } else {
        printf("rss_kb %s %ld %ld\n", name, g_rss_first, sb_rss_kb());
    }
    fflush(stdout);
    pm_stream_free(s);
    return 0;
}
