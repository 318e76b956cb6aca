/* The stream benchmarks' market-channel corpus, deterministic and random-access.
 *
 * Frame i depends on i alone (a splitmix64 stream seeded from i), so a push server, a decoder bench
 * and a baseline can each generate the same frames, in any order, without sharing a file:
 *   - 70 % price_change (current schema, 1-3 entries, each with asset_id, price, size, side, hash,
 *     best_bid, best_ask; event_type last, as the live server sends it),
 *   - 20 % last_trade_price (every optional field present),
 *   - 10 % book, 20 bids + 20 asks, tick_size, min_order_size, neg_risk;
 *   - 500 assets (77-digit ids, 250 markets of two tokens), decimal strings, ms timestamp strings.
 *
 * API (header-only, C99):
 *   size_t sc_frame(uint64_t i, char *buf, size_t cap);   frame i into buf; returns its length
 *                                                          (always < SC_FRAME_MAX; 0 if cap is smaller)
 *   const char *sc_asset_id(unsigned a);                   asset a (0..SC_ASSETS-1), NUL-terminated
 *   enum sc_kind sc_frame_kind(uint64_t i);                what frame i is, without building it
 * A frame never contains '\n', so `stream_corpus N > file` (stream_corpus.c) writes one per line.
 */
#ifndef PMINGEST_BENCH_STREAM_CORPUS_H
#define PMINGEST_BENCH_STREAM_CORPUS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SC_ASSETS 500
#define SC_FRAME_MAX 4096
#define SC_DEFAULT_FRAMES 200000

enum sc_kind { SC_PRICE_CHANGE = 0, SC_LAST_TRADE = 1, SC_BOOK = 2 };

static inline uint64_t sc_mix(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline unsigned sc_below(uint64_t *state, unsigned n) { return (unsigned)(sc_mix(state) % n); }

/* 77 decimal digits, first one non-zero. */
static inline const char *sc_asset_id(unsigned a) {
    static char ids[SC_ASSETS][78];
    static int ready = 0;
    if (!ready) {
        for (unsigned k = 0; k < SC_ASSETS; k++) {
            uint64_t s = 0xA55E7000ull + k;
            ids[k][0] = (char)('1' + sc_below(&s, 9));
            for (int d = 1; d < 77; d++) ids[k][d] = (char)('0' + sc_below(&s, 10));
            ids[k][77] = 0;
        }
        ready = 1;
    }
    return ids[a % SC_ASSETS];
}

/* "0x" + 64 hex digits: the condition id of the market of asset a (assets 2m and 2m+1). */
static inline void sc_condition_id(unsigned a, char out[67]) {
    uint64_t s = 0xC0DD1710ull + a / 2;
    out[0] = '0'; out[1] = 'x';
    for (int d = 0; d < 64; d++) out[2 + d] = "0123456789abcdef"[sc_below(&s, 16)];
    out[66] = 0;
}

static inline void sc_hex(uint64_t *s, char *out, int digits) {
    for (int d = 0; d < digits; d++) out[d] = "0123456789abcdef"[sc_below(s, 16)];
    out[digits] = 0;
}

/* A price "0.NN" or "0.NNN" (ticks 0.01 / 0.001), never 0 or 1. */
static inline void sc_price(uint64_t *s, char out[8]) {
    if (sc_below(s, 4) == 0) snprintf(out, 8, "0.%03u", 1 + sc_below(s, 998));
    else snprintf(out, 8, "0.%02u", 1 + sc_below(s, 98));
}

/* A size: an integer, two decimals or six (on-chain precision); "0" now and then (level removed). */
static inline void sc_size(uint64_t *s, char out[24], int allow_zero) {
    unsigned form = sc_below(s, 10);
    if (allow_zero && form == 0) { snprintf(out, 24, "0"); return; }
    unsigned whole = 1 + sc_below(s, 250000);
    if (form < 5) snprintf(out, 24, "%u", whole);
    else if (form < 9) snprintf(out, 24, "%u.%02u", whole, sc_below(s, 100));
    else snprintf(out, 24, "%u.%06u", whole, sc_below(s, 1000000));
}

static inline enum sc_kind sc_frame_kind(uint64_t i) {
    uint64_t s = i * 0x100000001B3ull + 0x5EED;
    unsigned roll = sc_below(&s, 100);
    return roll < 70 ? SC_PRICE_CHANGE : roll < 90 ? SC_LAST_TRADE : SC_BOOK;
}

#define SC_PUT(...) do {                                                     \
        int w_ = snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__);     \
        if (w_ < 0 || (size_t)w_ >= cap - n) return 0;                       \
        n += (size_t)w_;                                                     \
    } while (0)

static inline size_t sc_frame(uint64_t i, char *buf, size_t cap) {
    uint64_t s = i * 0x100000001B3ull + 0x5EED;
    unsigned roll = sc_below(&s, 100);
    size_t n = 0;
    if (cap == 0) return 0;
    uint64_t ts = 1767225600000ull + i * 3;
    unsigned asset = sc_below(&s, SC_ASSETS);
    char cond[67], price[8], size[24], hash[67];
    sc_condition_id(asset, cond);
    if (roll < 70) {
        unsigned entries = 1 + sc_below(&s, 3);
        SC_PUT("{\"market\":\"%s\",\"price_changes\":[", cond);
        for (unsigned e = 0; e < entries; e++) {
            unsigned a = (asset & ~1u) | ((asset + e) & 1u);   /* both tokens of the market */
            char bid[8], ask[8];
            sc_price(&s, price);
            sc_size(&s, size, 1);
            sc_price(&s, bid);
            sc_price(&s, ask);
            sc_hex(&s, hash, 40);
            SC_PUT("%s{\"asset_id\":\"%s\",\"price\":\"%s\",\"size\":\"%s\",\"side\":\"%s\",\"hash\":\"%s\","
                   "\"best_bid\":\"%s\",\"best_ask\":\"%s\"}",
                   e ? "," : "", sc_asset_id(a), price, size, sc_below(&s, 2) ? "BUY" : "SELL", hash,
                   sc_below(&s, 20) ? bid : "", ask);
        }
        SC_PUT("],\"timestamp\":\"%llu\",\"event_type\":\"price_change\"}", (unsigned long long)ts);
    } else if (roll < 90) {
        sc_price(&s, price);
        sc_size(&s, size, 0);
        sc_hex(&s, hash, 64);
        SC_PUT("{\"asset_id\":\"%s\",\"event_type\":\"last_trade_price\",\"fee_rate_bps\":\"0\",\"market\":\"%s\","
               "\"price\":\"%s\",\"side\":\"%s\",\"size\":\"%s\",\"timestamp\":\"%llu\",\"transaction_hash\":\"0x%s\"}",
               sc_asset_id(asset), cond, price, sc_below(&s, 2) ? "BUY" : "SELL", size, (unsigned long long)ts, hash);
    } else {
        sc_hex(&s, hash, 40);
        SC_PUT("{\"market\":\"%s\",\"asset_id\":\"%s\",\"timestamp\":\"%llu\",\"hash\":\"0x%s\",\"bids\":[",
               cond, sc_asset_id(asset), (unsigned long long)ts, hash);
        for (int side = 0; side < 2; side++) {
            if (side) SC_PUT("],\"asks\":[");
            for (int k = 0; k < 20; k++) {
                /* bids ascending 0.01..0.20, asks descending 0.99..0.80 (worst first, as the server) */
                unsigned cents = side ? 99 - (unsigned)k : 1 + (unsigned)k;
                sc_size(&s, size, 0);
                SC_PUT("%s{\"price\":\"0.%02u\",\"size\":\"%s\"}", k ? "," : "", cents, size);
            }
        }
        SC_PUT("],\"tick_size\":\"0.01\",\"min_order_size\":\"5\",\"neg_risk\":false,\"event_type\":\"book\"}");
    }
    if (n >= SC_FRAME_MAX) return 0;
    return n;
}

#undef SC_PUT

#endif
