/* stream_lws_raw.c — the baseline: a raw libwebsockets receive-only client of stream_push_server.
 *
 *   stream_lws_raw <port> <frames> tput|latency|rss [stamps-file]
 *
 * Connects, sends one subscription frame, then only receives: each message is reassembled into
 * one buffer (as any real client must: a frame may come in pieces) and counted. tput: frames/s
 * from the first message to the last ("msg_per_s lws_raw_receive"); latency: the receive callback's
 * time of each message against the server's send stamps ("latency_us lws_raw_callback");
 * rss: VmRSS after 10 % and after all frames ("rss_kb lws_raw"). */
#define _GNU_SOURCE
#include <libwebsockets.h>

#include "stream_bench_common.h"

static uint64_t g_frames, g_seen;
static int g_done, g_mode; /* 0 tput, 1 latency, 2 rss */
static int64_t g_first, g_last, *g_recv;
static long g_rss_first;
static char *g_msg;
static size_t g_len, g_cap;

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    (void)user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
        static const char sub[] = "{\"assets_ids\":[],\"type\":\"market\",\"initial_dump\":true}";
        unsigned char buf[LWS_PRE + sizeof sub];
        memcpy(buf + LWS_PRE, sub, sizeof sub - 1);
        if (lws_write(wsi, buf + LWS_PRE, sizeof sub - 1, LWS_WRITE_TEXT) < 0) return -1;
        break;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (lws_is_first_fragment(wsi)) g_len = 0;
        if (g_len + len > g_cap) {
            g_cap = (g_len + len) * 2;
            g_msg = realloc(g_msg, g_cap);
        }
        memcpy(g_msg + g_len, in, len);
        g_len += len;
        if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0) break;
        {
            int64_t t = sb_now_ns();
            if (g_seen == 0) g_first = t;
            g_last = t;
            if (g_mode == 1) {
                long long seq = sb_seq_of(g_msg, g_len);
                if (seq >= 0 && (uint64_t)seq < g_frames) g_recv[seq] = t;
            }
            g_seen++;
            if (g_mode == 2 && g_seen == g_frames / 10) g_rss_first = sb_rss_kb();
            if (g_seen >= g_frames) {
                g_done = 1;
                return -1;
            }
        }
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    case LWS_CALLBACK_CLIENT_CLOSED:
        g_done = 1;
        break;
    default:
        break;
    }
    return 0;
}

int main(int argc, char **argv) {
    struct lws_protocols protocols[] = {{"bench", callback, 0, 65536, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}};
    struct lws_context_creation_info info;
    struct lws_client_connect_info ci;
    struct lws_context *ctx;
    if (argc < 4) return 2;
    g_frames = strtoull(argv[2], NULL, 10);
    g_mode = !strcmp(argv[3], "latency") ? 1 : !strcmp(argv[3], "rss") ? 2 : 0;
    if (g_mode == 1) g_recv = calloc(g_frames, sizeof *g_recv);
    lws_set_log_level(LLL_ERR, NULL);
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    ctx = lws_create_context(&info);
    memset(&ci, 0, sizeof ci);
    ci.context = ctx;
    ci.address = "127.0.0.1";
    ci.port = atoi(argv[1]);
    ci.path = "/ws/market";
    ci.host = "127.0.0.1";
    ci.origin = NULL;
    ci.protocol = NULL;
    ci.local_protocol_name = "bench";
    ci.ietf_version_or_minus_one = -1;
    if (!lws_client_connect_via_info(&ci)) return 1;
    while (!g_done) lws_service(ctx, 0);
    lws_context_destroy(ctx);
    if (g_seen < g_frames) fprintf(stderr, "lws_raw: %llu of %llu frames\n", (unsigned long long)g_seen,
                                   (unsigned long long)g_frames);
    if (g_mode == 0)
        printf("msg_per_s lws_raw_receive %.0f\n", (double)(g_seen - 1) * 1e9 / (double)(g_last - g_first));
    else if (g_mode == 1)
        sb_latency_report("lws_raw_callback", argv[4], g_recv, g_frames);
    else
        printf("rss_kb lws_raw %ld %ld\n", g_rss_first, sb_rss_kb());
    return 0;
}
