/*
 * rest_curl_easy.c — baseline: raw libcurl, ONE easy handle reused for every request (so one
 * keep-alive connection), GET /book + the minimal best-bid parse of rest_common.h.
 *
 *   rest_curl_easy <base-url> <requests> [runs=3]
 *
 * Prints `req_per_s curl_easy_seq <best of runs>`. One untimed warm-up request opens the connection.
 */
#include "rest_common.h"

#include <curl/curl.h>

typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

static size_t on_body(char *data, size_t size, size_t count, void *context) {
    buffer *b = context;
    size_t n = size * count;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2;
        char *d = realloc(b->data, cap);
        if (!d) return 0;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    return n;
}

static int one_request(CURL *easy, buffer *b) {
    b->len = 0;
    CURLcode rc = curl_easy_perform(easy);
    if (rc != CURLE_OK) {
        fprintf(stderr, "curl_easy_perform: %s\n", curl_easy_strerror(rc));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) { fprintf(stderr, "HTTP %ld\n", status); return -1; }
    if (bench_best_bid(b->data, b->len) != BENCH_BEST_BID) { fprintf(stderr, "wrong best bid\n"); return -1; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s <base-url> <requests> [runs]\n", argv[0]); return 2; }
    long n = bench_arg_long(argc, argv, 2, 10000), runs = bench_arg_long(argc, argv, 3, 3);
    char url[512];
    snprintf(url, sizeof url, "%s/book?token_id=%s", argv[1], BENCH_TOKEN_ID);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *easy = curl_easy_init();
    buffer b = {0};
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &b);
    if (one_request(easy, &b) != 0) return 1;

    double best = 0;
    for (long r = 0; r < runs; r++) {
        double t0 = bench_now();
        for (long i = 0; i < n; i++)
            if (one_request(easy, &b) != 0) return 1;
        double rate = (double)n / (bench_now() - t0);
        fprintf(stderr, "curl_easy_seq run %ld: %.0f req/s\n", r + 1, rate);
        if (rate > best) best = rate;
    }
    bench_report("curl_easy_seq", best);
    curl_easy_cleanup(easy);
    free(b.data);
    curl_global_cleanup();
    return 0;
}
