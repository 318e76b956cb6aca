/* stream_push_corpus.h — the deterministic market-channel corpus of the stream benchmarks
 * (run_stream.sh): `n` frames as the real feed sends them, the same bytes on every run.
 *
 * Mix (by frame): 70 % price_change with 1-3 level changes, 20 % last_trade_price, 10 % book
 * snapshots of 20 bids + 20 asks; 500 assets with 77-digit ids; prices and sizes decimal strings.
 * Frame i carries "timestamp":"<STREAM_CORPUS_BASE_MS + i>", so a client can tell which frame an
 * event came from (the latency figures match send and receive times by it).
 * Used by stream_push_server.c only: clients see the corpus on the wire. */
#ifndef PM_BENCH_STREAM_PUSH_CORPUS_H
#define PM_BENCH_STREAM_PUSH_CORPUS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_CORPUS_ASSETS 500
#define STREAM_CORPUS_BASE_MS 1767225600000LL

struct corpus_rng { uint64_t s; };

static uint32_t corpus_next(struct corpus_rng *r) {
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(r->s >> 33);
}

/* Asset k's 77-digit id (first digit 1-9) and the 66-hex-char condition id of its market. */
static void corpus_asset(int k, char id[78], char cond[67]) {
    struct corpus_rng r = {0x9E3779B97F4A7C15ULL ^ (uint64_t)(k + 1) * 0x100000001B3ULL};
    int i;
    id[0] = (char)('1' + corpus_next(&r) % 9);
    for (i = 1; i < 77; i++) id[i] = (char)('0' + corpus_next(&r) % 10);
    id[77] = '\0';
    cond[0] = '0';
    cond[1] = 'x';
    for (i = 2; i < 66; i++) cond[i] = "0123456789abcdef"[corpus_next(&r) % 16];
    cond[66] = '\0';
}

struct corpus_buf { char *p; size_t len, cap; };

static void corpus_put(struct corpus_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void corpus_put(struct corpus_buf *b, const char *fmt, ...) {
    va_list ap;
    int n;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) break;
        b->cap = b->cap * 2 + (size_t)n + 64;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL) abort();
    }
    b->len += (size_t)n;
}

/* Writes frame `i` (0-based) of the corpus into b (reset first). */
static void corpus_frame(struct corpus_buf *b, uint64_t i, struct corpus_rng *r) {
    char id[78], cond[67];
    int kind = (int)(corpus_next(r) % 10), asset = (int)(corpus_next(r) % STREAM_CORPUS_ASSETS), j;
    long long ts = STREAM_CORPUS_BASE_MS + (long long)i;
    b->len = 0;
    corpus_asset(asset, id, cond);
    if (kind < 7) {
        int changes = 1 + (int)(corpus_next(r) % 3);
        corpus_put(b, "{\"event_type\":\"price_change\",\"market\":\"%s\",\"price_changes\":[", cond);
        for (j = 0; j < changes; j++) {
            unsigned p = 1 + corpus_next(r) % 98, size = corpus_next(r) % 50000;
            corpus_put(b,
                       "%s{\"asset_id\":\"%s\",\"price\":\"0.%02u\",\"size\":\"%u.%02u\",\"side\":\"%s\","
                       "\"hash\":\"%08x%08x%08x%08x%08x\",\"best_bid\":\"0.%02u\",\"best_ask\":\"0.%02u\"}",
                       j ? "," : "", id, p, size / 100, size % 100, corpus_next(r) % 2 ? "BUY" : "SELL",
                       corpus_next(r), corpus_next(r), corpus_next(r), corpus_next(r), corpus_next(r),
                       p > 1 ? p - 1 : 1, p < 99 ? p + 1 : 99);
        }
        corpus_put(b, "],\"timestamp\":\"%lld\"}", ts);
    } else if (kind < 9) {
        unsigned p = 1 + corpus_next(r) % 98, size = 1 + corpus_next(r) % 100000;
        corpus_put(b,
                   "{\"event_type\":\"last_trade_price\",\"market\":\"%s\",\"asset_id\":\"%s\",\"price\":\"0.%02u\","
                   "\"size\":\"%u.%02u\",\"side\":\"%s\",\"fee_rate_bps\":\"0\",\"timestamp\":\"%lld\","
                   "\"transaction_hash\":\"0x%08x%08x%08x%08x%08x%08x%08x%08x\"}",
                   cond, id, p, size / 100, size % 100, corpus_next(r) % 2 ? "BUY" : "SELL", ts,
                   corpus_next(r), corpus_next(r), corpus_next(r), corpus_next(r), corpus_next(r), corpus_next(r),
                   corpus_next(r), corpus_next(r));
    } else {
        corpus_put(b, "{\"event_type\":\"book\",\"market\":\"%s\",\"asset_id\":\"%s\",\"timestamp\":\"%lld\","
                      "\"hash\":\"%08x%08x%08x%08x%08x\",\"bids\":[",
                   cond, id, ts, corpus_next(r), corpus_next(r), corpus_next(r), corpus_next(r), corpus_next(r));
        for (j = 0; j < 20; j++) /* wire order: bids ascending (best last) */
            corpus_put(b, "%s{\"price\":\"0.%02d\",\"size\":\"%u.%02u\"}", j ? "," : "", 10 + 2 * j,
                       corpus_next(r) % 10000, corpus_next(r) % 100);
        corpus_put(b, "],\"asks\":[");
        for (j = 0; j < 20; j++) /* asks descending (best last) */
            corpus_put(b, "%s{\"price\":\"0.%02d\",\"size\":\"%u.%02u\"}", j ? "," : "", 98 - j,
                       corpus_next(r) % 10000, corpus_next(r) % 100);
        corpus_put(b, "],\"tick_size\":\"0.01\",\"min_order_size\":\"5\",\"neg_risk\":false,"
                      "\"last_trade_price\":\"0.50\"}");
    }
}

#endif
