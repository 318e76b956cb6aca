/* rest_common.h — shared by the REST benchmark clients: clock, argument parsing, the minimal
 * best-bid parse of the C baselines, and the output line `req_per_s <name> <value>`. */
#ifndef PMINGEST_BENCH_REST_COMMON_H
#define PMINGEST_BENCH_REST_COMMON_H

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The token every client asks for (a real-looking 77-digit CLOB token id). */
#define BENCH_TOKEN_ID "21742633143463906290569050155826241533067272736897614950488156847949938836455"
/* The best bid of book_server's book, for a sanity check of every parse. */
#define BENCH_BEST_BID 0.48
#define BENCH_BEST_BID_MICROS 480000

static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline long bench_arg_long(int argc, char **argv, int index, long fallback) {
    if (argc <= index) return fallback;
    char *end = NULL;
    long v = strtol(argv[index], &end, 10);
    if (!end || *end || v <= 0) {
        fprintf(stderr, "bad argument %d: \"%s\" (want a positive integer)\n", index, argv[index]);
        exit(2);
    }
    return v;
}

/* The baselines' parse: the highest "price" inside the "bids" array, with strtod. Only a baseline:
 * no JSON validation at all. Returns -1 when there is no bids array. */
static inline double bench_best_bid(const char *body, size_t len) {
    const char *end = body + len;
    const char *p = memmem(body, len, "\"bids\":[", 8);
    if (!p) return -1;
    p += 8;
    const char *close = memchr(p, ']', (size_t)(end - p));
    if (!close) return -1;
    double best = -1;
    for (;;) {
        const char *q = memmem(p, (size_t)(close - p), "\"price\":\"", 9);
        if (!q) break;
        q += 9;
        double v = strtod(q, NULL);
        if (v > best) best = v;
        p = q;
    }
    return best;
}

static inline void bench_report(const char *name, double per_s) {
    printf("req_per_s %s %.0f\n", name, per_s);
    fflush(stdout);
}

#endif
