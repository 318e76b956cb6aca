/*
 * rest_c_abi.c — pmingest through its C ABI: pm_client_fetch_orderbook + the best-bid accessor
 * (pm_book_level_price_micros(book, PM_SIDE_BID, 0)) + pm_book_free, against book_server.
 *
 *   rest_c_abi seq        <base-url> <requests> [runs=3]
 *   rest_c_abi conc       <base-url> <requests> [runs=3] [threads=32]
 *   rest_c_abi sustained  <base-url> <requests>
 *
 * seq:  one thread, sequential calls        -> `req_per_s rest_seq_c_abi <best of runs>`
 * conc: `threads` pthreads sharing ONE pm_client, `requests` split between them, started
 *       together at a barrier               -> `req_per_s rest_<threads>conc_c_abi <best of runs>`
 *
 * The client paces GET /book by Polymarket's documented limit (1500 requests per sliding 10 s
 * window, HTTPConfig.polymarketRateLimits["clob.book"]) whatever the base URL, and pm_client_options
 * has no way to turn that off. The first 1500 requests of a client are granted at once, so seq and
 * conc use a FRESH client per run (created and warmed up with one request outside the timing) and
 * refuse more than 1499 timed requests: what they measure is the per-request cost of the library,
 * with the limiter consulted but never waiting.
 * sustained: one fresh client, `requests` (default 1650) sequential calls, ALL timed: the 1500 of
 *       the burst at full speed, then the limiter holds the next call until the window's first
 *       grant is 10 s old. Any count above 1500 therefore takes > 10 s; in the long run a client
 *       gets 150 requests/s       -> `req_per_s rest_seq_c_abi_sustained <value>`
 */
#include "rest_common.h"

#include <pthread.h>
#include <pmingest.h>

#define LIMITER_BURST 1500

static const char *base_url;
static long failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static pm_client *new_client(void) {
    pm_client_options opts = PM_CLIENT_OPTIONS_INIT;
    opts.clob_url = base_url;
    pm_client *client = NULL;
    if (pm_client_new(&opts, &client) != PM_OK) {
        fprintf(stderr, "pm_client_new: %s\n", pm_last_error());
        exit(1);
    }
    return client;
}

static int fetch_one(pm_client *client) {
    pm_book *book = NULL;
    pm_status st = pm_client_fetch_orderbook(client, BENCH_TOKEN_ID, &book);
    if (st != PM_OK) {
        pthread_mutex_lock(&fail_lock);
        if (failures++ < 5) fprintf(stderr, "pm_client_fetch_orderbook: %s: %s\n", pm_status_str(st), pm_last_error());
        pthread_mutex_unlock(&fail_lock);
        return -1;
    }
    int64_t best = pm_book_level_price_micros(book, PM_SIDE_BID, 0);
    pm_book_free(book);
    if (best != BENCH_BEST_BID_MICROS) {
        fprintf(stderr, "wrong best bid %lld\n", (long long)best);
        return -1;
    }
    return 0;
}

typedef struct worker {
    pthread_t thread;
    pm_client *client;
    pthread_barrier_t *start;
    long count;
    int rc;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    pthread_barrier_wait(w->start);
    for (long i = 0; i < w->count; i++)
        if (fetch_one(w->client) != 0) { w->rc = -1; break; }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s seq|conc|sustained <base-url> <requests> [runs] [threads]\n", argv[0]);
        return 2;
    }
    if (pm_abi_version() != PM_ABI_VERSION) { fprintf(stderr, "ABI mismatch\n"); return 1; }
    const char *mode = argv[1];
    base_url = argv[2];
    long n = bench_arg_long(argc, argv, 3, 1000);

    if (strcmp(mode, "sustained") == 0) {
        pm_client *client = new_client();
        double t0 = bench_now(), t_burst = 0;
        for (long i = 0; i < n; i++) {
            if (fetch_one(client) != 0) return 1;
            if (i + 1 == LIMITER_BURST) t_burst = bench_now() - t0;
        }
        double elapsed = bench_now() - t0;
        double rate = (double)n / elapsed;
        fprintf(stderr, "rest_seq_c_abi_sustained: %ld requests from a fresh client in %.2f s (the first %d in %.2f s): "
                "%.0f req/s\n", n, elapsed, LIMITER_BURST, t_burst, rate);
        bench_report("rest_seq_c_abi_sustained", rate);
        pm_client_free(client);
        return 0;
    }

    long runs = bench_arg_long(argc, argv, 4, 3);
    long threads = bench_arg_long(argc, argv, 5, 32);
    int conc = strcmp(mode, "conc") == 0;
    if (!conc && strcmp(mode, "seq") != 0) { fprintf(stderr, "unknown mode %s\n", mode); return 2; }
    if (n + (conc ? threads : 1) > LIMITER_BURST) {
        fprintf(stderr, "rest_c_abi: at most %ld timed requests per client (the rate limiter's burst), got %ld\n",
                LIMITER_BURST - (conc ? threads : 1), n);
        return 2;
    }
    char name[64];
    if (conc) snprintf(name, sizeof name, "rest_%ldconc_c_abi", threads);
    else snprintf(name, sizeof name, "rest_seq_c_abi");

    double best = 0;
    for (long r = 0; r < runs; r++) {
        pm_client *client = new_client();
        double rate;
        if (!conc) {
            if (fetch_one(client) != 0) return 1;  /* warm-up: the connection, the HTTP thread */
            double t0 = bench_now();
            for (long i = 0; i < n; i++)
                if (fetch_one(client) != 0) return 1;
            rate = (double)n / (bench_now() - t0);
        } else {
            /* warm-up: `threads` requests at once, so the pool and connections exist */
            worker *ws = calloc((size_t)threads, sizeof *ws);
            pthread_barrier_t start;
            pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
            for (long t = 0; t < threads; t++) {
                ws[t] = (worker){.client = client, .start = &start, .count = 1};
                pthread_create(&ws[t].thread, NULL, work, &ws[t]);
            }
            pthread_barrier_wait(&start);
            for (long t = 0; t < threads; t++) pthread_join(ws[t].thread, NULL);
            for (long t = 0; t < threads; t++) if (ws[t].rc) return 1;

            for (long t = 0; t < threads; t++) {
                ws[t] = (worker){.client = client, .start = &start, .count = n / threads + (t < n % threads)};
                pthread_create(&ws[t].thread, NULL, work, &ws[t]);
            }
            pthread_barrier_wait(&start);
            double t0 = bench_now();
            for (long t = 0; t < threads; t++) pthread_join(ws[t].thread, NULL);
            rate = (double)n / (bench_now() - t0);
            for (long t = 0; t < threads; t++) if (ws[t].rc) return 1;
            pthread_barrier_destroy(&start);
            free(ws);
        }
        pm_client_free(client);
        fprintf(stderr, "%s run %ld: %.0f req/s (%ld requests, fresh client)\n", name, r + 1, rate, n);
        if (rate > best) best = rate;
    }
    bench_report(name, best);
    return 0;
}
