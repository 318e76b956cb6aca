/*
 * rest_rss.c — is the resident set flat over many requests? Sequential GET /book + best bid,
 * VmRSS (from /proc/self/status) sampled after the warm-up and then every `every` requests.
 *
 *   rest_rss c_abi <base-url> [requests=100000] [every=10000]   ONE pm_client for the whole loop
 *   rest_rss curl  <base-url> [requests=100000] [every=10000]   raw libcurl, one easy handle (baseline)
 *
 * Prints `rss_kb <name> <first> <last> <max> <drift>` (KB), names rest_rss_c_abi / curl_easy_rss,
 * where first = the sample after the first `every` requests (allocator arenas, thread pools and
 * connection caches have grown by then), last = after the final request, max = over every sample
 * (the warm-up one included), drift = last - first. All samples go to stderr.
 *
 * The rate limiter: pm_client paces GET /book at 1500 per sliding 10 s (150/s once the burst is
 * spent) whatever the base URL, and pm_client_options cannot turn that off, so 100k requests would
 * take 11 minutes. In c_abi mode this program therefore runs CLOCK_MONOTONIC 100x fast for the
 * whole process: it defines clock_gettime() itself (the executable's definition wins over libc's
 * for every library, libpmingest and libcurl included). The limiter then allows 150,000
 * requests/s and never waits; everything else in the request path is unchanged. Timeouts are set
 * to the maximum so the faster clock cannot expire them. The loop fails if the rate drops to the
 * limiter's, i.e. if the warp did not take.
 */
#include "rest_common.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <stdint.h>
#include <pmingest.h>

#define CLOCK_WARP 100

/* ---- CLOCK_MONOTONIC warp (c_abi mode only) ---------------------------------------------------- */
typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
static clock_gettime_fn real_clock_gettime;
static int warp_on;
static int64_t warp_origin_ns;

static int64_t ts_ns(const struct timespec *ts) { return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec; }

int clock_gettime(clockid_t id, struct timespec *ts) {
    if (!real_clock_gettime) real_clock_gettime = (clock_gettime_fn)(uintptr_t)dlsym(RTLD_NEXT, "clock_gettime");
    int rc = real_clock_gettime(id, ts);
    if (rc == 0 && warp_on && id == CLOCK_MONOTONIC) {
        int64_t t = warp_origin_ns + (ts_ns(ts) - warp_origin_ns) * CLOCK_WARP;
        ts->tv_sec = t / 1000000000;
        ts->tv_nsec = t % 1000000000;
    }
    return rc;
}

static double real_now(void) {
    struct timespec ts;
    if (!real_clock_gettime) real_clock_gettime = (clock_gettime_fn)(uintptr_t)dlsym(RTLD_NEXT, "clock_gettime");
    real_clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts_ns(&ts) / 1e9;
}

/* ---- RSS ---------------------------------------------------------------------------------------- */
static long vm_rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) { kb = strtol(line + 6, NULL, 10); break; }
    fclose(f);
    return kb;
}

/* ---- the two request loops ---------------------------------------------------------------------- */
static pm_client *client;
static CURL *easy;
static char *body;
static size_t body_len, body_cap;

static size_t on_body(char *data, size_t size, size_t count, void *context) {
    (void)context;
    size_t n = size * count;
    if (body_len + n > body_cap) {
        size_t cap = (body_len + n) * 2;
        char *d = realloc(body, cap);
        if (!d) return 0;
        body = d;
        body_cap = cap;
    }
    memcpy(body + body_len, data, n);
    body_len += n;
    return n;
}

static int request_c_abi(void) {
    pm_book *book = NULL;
    pm_status st = pm_client_fetch_orderbook(client, BENCH_TOKEN_ID, &book);
    if (st != PM_OK) { fprintf(stderr, "fetch: %s: %s\n", pm_status_str(st), pm_last_error()); return -1; }
    int64_t best = pm_book_level_price_micros(book, PM_SIDE_BID, 0);
    pm_book_free(book);
    return best == BENCH_BEST_BID_MICROS ? 0 : -1;
}

static int request_curl(void) {
    body_len = 0;
    CURLcode rc = curl_easy_perform(easy);
    if (rc != CURLE_OK) { fprintf(stderr, "curl: %s\n", curl_easy_strerror(rc)); return -1; }
    return bench_best_bid(body, body_len) == BENCH_BEST_BID ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s c_abi|curl <base-url> [requests] [every]\n", argv[0]); return 2; }
    int use_c_abi = strcmp(argv[1], "c_abi") == 0;
    if (!use_c_abi && strcmp(argv[1], "curl") != 0) { fprintf(stderr, "unknown mode %s\n", argv[1]); return 2; }
    long n = bench_arg_long(argc, argv, 3, 100000), every = bench_arg_long(argc, argv, 4, 10000);
    const char *name = use_c_abi ? "rest_rss_c_abi" : "curl_easy_rss";
    int (*request)(void) = use_c_abi ? request_c_abi : request_curl;

    if (use_c_abi) {
        struct timespec ts;
        real_now();
        real_clock_gettime(CLOCK_MONOTONIC, &ts);
        warp_origin_ns = ts_ns(&ts);
        warp_on = 1;
        pm_client_options opts = PM_CLIENT_OPTIONS_INIT;
        opts.clob_url = argv[2];
        opts.connect_timeout_ms = INT32_MAX;
        opts.total_timeout_ms = INT32_MAX;
        opts.deadline_ms = 0;   /* no call deadline either: the warped clock runs it out in the limiter's waits */
        if (pm_client_new(&opts, &client) != PM_OK) { fprintf(stderr, "pm_client_new: %s\n", pm_last_error()); return 1; }
    } else {
        char url[512];
        snprintf(url, sizeof url, "%s/book?token_id=%s", argv[2], BENCH_TOKEN_ID);
        curl_global_init(CURL_GLOBAL_DEFAULT);
        easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    }

    if (request() != 0) return 1;  /* warm-up */
    long first = -1, last = -1, max = vm_rss_kb();
    fprintf(stderr, "%s: after warm-up: VmRSS %ld KB\n", name, max);
    double t0 = real_now();
    for (long i = 1; i <= n; i++) {
        if (request() != 0) { fprintf(stderr, "%s: request %ld failed\n", name, i); return 1; }
        if (i == 2000 && use_c_abi && 2000 / (real_now() - t0) < 1000) {
            fprintf(stderr, "%s: %.0f req/s: the rate limiter is pacing (clock warp ineffective)\n", name,
                    2000 / (real_now() - t0));
            return 1;
        }
        if (i % every == 0 || i == n) {
            long kb = vm_rss_kb();
            if (first < 0) first = kb;
            last = kb;
            if (kb > max) max = kb;
            fprintf(stderr, "%s: after %ld requests: VmRSS %ld KB (%.0f req/s so far)\n", name, i, kb,
                    (double)i / (real_now() - t0));
        }
    }
    printf("rss_kb %s %ld %ld %ld %ld\n", name, first, last, max, last - first);
    fflush(stdout);
    if (use_c_abi) pm_client_free(client);
    else {
        curl_easy_cleanup(easy);
        curl_global_cleanup();
    }
    free(body);
    return 0;
}
