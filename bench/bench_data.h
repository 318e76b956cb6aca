/* bench_data.h — the synthetic trades shared by the storage benchmarks (C99, header only).
 *
 * Row i is a deterministic function of i, identical in sqlite_raw.c, c_abi.c and
 * python_executemany.py (which re-implements it: keep them in step). 50 tokens and markets,
 * alternating sides, prices 0.01..0.99, unique transaction hashes, increasing timestamps.
 * Everything is generated before timing starts. */
#ifndef PM_BENCH_DATA_H
#define PM_BENCH_DATA_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime, mkdtemp */
#endif

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct bench_row {
    char id[65];               /* only the raw baseline stores it; the library derives its own */
    char token_id[80];
    char condition_id[67];
    const char *side;
    int64_t price_micros;
    int64_t size_micros;
    char price[32];            /* canonical decimal strings of the two above */
    char size[32];
    int64_t timestamp_ms;
    char transaction_hash[67];
    char proxy_wallet[43];
    const char *outcome;
} bench_row;

static inline uint64_t bench_mix(uint64_t x) { /* splitmix64 finaliser */
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static inline void bench_hex(char *out, uint64_t seed, int nhex) { /* nhex lowercase hex digits */
    static const char digits[] = "0123456789abcdef";
    int i;
    uint64_t x = 0;
    for (i = 0; i < nhex; i++) {
        if (i % 16 == 0) x = bench_mix(seed + (uint64_t)i);
        out[i] = digits[x & 15];
        x >>= 4;
    }
    out[nhex] = '\0';
}

/* micro-units -> canonical decimal ("0.95", "12.5", "3") */
static inline void bench_decimal(char *out, size_t cap, int64_t micros) {
    int64_t whole = micros / 1000000, frac = micros % 1000000;
    char f[8];
    int n;
    if (frac == 0) {
        snprintf(out, cap, "%" PRId64, whole);
        return;
    }
    snprintf(f, sizeof f, "%06" PRId64, frac);
    for (n = 6; n > 0 && f[n - 1] == '0'; n--) f[n - 1] = '\0';
    snprintf(out, cap, "%" PRId64 ".%s", whole, f);
}

static inline void bench_make_row(bench_row *r, size_t i) {
    uint64_t k = (uint64_t)i;
    unsigned market = (unsigned)(i % 50);
    bench_hex(r->id, 0x1D00000000ull + k * 16, 64);
    /* 77-digit token ids, like Polymarket's */
    snprintf(r->token_id, sizeof r->token_id,
             "71321045679252212594626385532706912750332728571942532289631379312455583%06u", 100000u + market);
    r->condition_id[0] = '0';
    r->condition_id[1] = 'x';
    bench_hex(r->condition_id + 2, 0xC0000000ull + market * 16, 64);
    r->side = (i % 2) ? "SELL" : "BUY";
    r->price_micros = 10000 + (int64_t)((k * 7919) % 980000);
    r->size_micros = 1000000 + (int64_t)((k * 104729) % 5000000000ull);
    bench_decimal(r->price, sizeof r->price, r->price_micros);
    bench_decimal(r->size, sizeof r->size, r->size_micros);
    r->timestamp_ms = 1700000000000LL + (int64_t)i * 37;
    r->transaction_hash[0] = '0';
    r->transaction_hash[1] = 'x';
    bench_hex(r->transaction_hash + 2, 0x7A00000000ull + k * 16, 64);
    r->proxy_wallet[0] = '0';
    r->proxy_wallet[1] = 'x';
    bench_hex(r->proxy_wallet + 2, 0xA11E700000ull + (k % 1000) * 16, 40);
    r->outcome = (i % 2) ? "No" : "Yes";
}

static inline bench_row *bench_make_rows(size_t n) {
    bench_row *rows = malloc(n * sizeof *rows);
    size_t i;
    if (!rows) {
        fprintf(stderr, "out of memory for %lu rows\n", (unsigned long)n);
        exit(2);
    }
    for (i = 0; i < n; i++) bench_make_row(&rows[i], i);
    return rows;
}

static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* argv: [rows] [runs]; defaults 100000 rows, best of 5 */
static inline void bench_args(int argc, char **argv, size_t *rows, int *runs) {
    *rows = 100000;
    *runs = 5;
    if (argc > 1) *rows = (size_t)strtoul(argv[1], NULL, 10);
    if (argc > 2) *runs = atoi(argv[2]);
    if (*rows == 0 || *runs <= 0) {
        fprintf(stderr, "usage: %s [rows>0] [runs>0]\n", argv[0]);
        exit(2);
    }
}

#endif
