/*
 * rest_curl_multi.c — baseline: raw libcurl multi, `concurrency` (default 32) easy handles in
 * flight at once on one thread (curl_multi_poll), each re-added as soon as it finishes until
 * `requests` are done; each response gets the minimal best-bid parse of rest_common.h.
 * Connections are cached by the multi handle and reused (no per-host cap: up to one per handle).
 *
 *   rest_curl_multi <base-url> <requests> [runs=3] [concurrency=32]
 *
 * Prints `req_per_s curl_multi_<concurrency> <best of runs>`. A first untimed round opens the
 * connections.
 */
#include "rest_common.h"

#include <curl/curl.h>

typedef struct slot {
    CURL *easy;
    char *data;
    size_t len, cap;
} slot;

static size_t on_body(char *data, size_t size, size_t count, void *context) {
    slot *s = context;
    size_t n = size * count;
    if (s->len + n > s->cap) {
        size_t cap = (s->len + n) * 2;
        char *d = realloc(s->data, cap);
        if (!d) return 0;
        s->data = d;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, n);
    s->len += n;
    return n;
}

/* Runs `total` requests with up to `conc` in flight; returns 0 or -1. */
static int run(CURLM *multi, slot *slots, long conc, long total) {
    long started = 0, done = 0;
    for (long i = 0; i < conc && started < total; i++, started++) {
        slots[i].len = 0;
        curl_multi_add_handle(multi, slots[i].easy);
    }
    while (done < total) {
        int running = 0;
        if (curl_multi_perform(multi, &running) != CURLM_OK) return -1;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *easy = msg->easy_handle;
            CURLcode rc = msg->data.result;
            slot *s = NULL;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&s);
            curl_multi_remove_handle(multi, easy);
            if (rc != CURLE_OK) { fprintf(stderr, "transfer: %s\n", curl_easy_strerror(rc)); return -1; }
            long status = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            if (status != 200) { fprintf(stderr, "HTTP %ld\n", status); return -1; }
            if (bench_best_bid(s->data, s->len) != BENCH_BEST_BID) { fprintf(stderr, "wrong best bid\n"); return -1; }
            done++;
            if (started < total) {
                started++;
                s->len = 0;
                curl_multi_add_handle(multi, easy);
            }
        }
        if (done < total && curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK) return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s <base-url> <requests> [runs] [concurrency]\n", argv[0]); return 2; }
    long n = bench_arg_long(argc, argv, 2, 10000), runs = bench_arg_long(argc, argv, 3, 3);
    long conc = bench_arg_long(argc, argv, 4, 32);
    char url[512];
    snprintf(url, sizeof url, "%s/book?token_id=%s", argv[1], BENCH_TOKEN_ID);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, conc);
    slot *slots = calloc((size_t)conc, sizeof *slots);
    for (long i = 0; i < conc; i++) {
        CURL *e = curl_easy_init();
        slots[i].easy = e;
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &slots[i]);
        curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)&slots[i]);
    }
    if (run(multi, slots, conc, conc) != 0) return 1;  /* warm-up: open the connections */

    double best = 0;
    char name[64];
    snprintf(name, sizeof name, "curl_multi_%ld", conc);
    for (long r = 0; r < runs; r++) {
        double t0 = bench_now();
        if (run(multi, slots, conc, n) != 0) return 1;
        double rate = (double)n / (bench_now() - t0);
        fprintf(stderr, "%s run %ld: %.0f req/s\n", name, r + 1, rate);
        if (rate > best) best = rate;
    }
    bench_report(name, best);
    for (long i = 0; i < conc; i++) {
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].data);
    }
    free(slots);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}
