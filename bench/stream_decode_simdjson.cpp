// Baseline for the stream decode figure: simdjson on-demand over the same corpus, decoding every field
// pmingest's MarketChannelParser decodes into typed structs: fixed-point micro-unit prices and sizes
// (parsed from the decimal strings' digits), int64 timestamps, side enums, ids and hashes as
// string_views borrowed from the frame. Prints `msg_per_s simdjson_ondemand <n>` (best of runs) and a
// `checksum` line on stderr that must equal the Swift decoder's.
//   stream_decode_simdjson <corpus-file> [runs]
#include <simdjson.h>
#include <ctime>
#include <cstdio>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace simdjson;

// The thread's CPU time: the machine is shared, and a decode is pure CPU work, so CPU time keeps
// other processes' load out of the figure (the Swift side measures the same way).
static double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct Change { std::string_view asset, hash; int64_t price, size, bid, ask; bool buy; };
struct Level { int64_t price, size; };
struct Event {
    int kind;  // 0 price_change, 1 last_trade_price, 2 book, 3 other
    std::string_view asset, market, hash, fee, tx;
    int64_t ts = 0, price = 0, size = 0, tick = 0, min_size = 0;
    bool buy = false, neg_risk = false;
    std::vector<Change> changes;
    std::vector<Level> bids, asks;
};

// "0.95", "300", "12.5" -> micro-units; -1 when not a decimal of at most six fraction digits.
static inline int64_t micros(std::string_view s) {
    if (s.empty()) return -1;
    int64_t integer = 0, fraction = 0;
    size_t i = 0, n = s.size();
    int digits = 0;
    for (; i < n && s[i] != '.'; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9 || integer > 922337203684LL) return -1;
        integer = integer * 10 + d;
        digits++;
    }
    int fd = 0;
    if (i < n) {
        for (i++; i < n; i++) {
            unsigned d = (unsigned char)s[i] - '0';
            if (d > 9 || ++fd > 6) return -1;
            fraction = fraction * 10 + d;
        }
    }
    if (digits + fd == 0) return -1;
    for (; fd < 6; fd++) fraction *= 10;
    return integer * 1000000 + fraction;
}

static inline int64_t opt_micros(std::string_view s) { return s.empty() ? 0 : micros(s); }

static inline int64_t integer(std::string_view s) {
    int64_t v = 0;
    if (s.empty() || s.size() > 18) return -1;
    for (char c : s) { unsigned d = (unsigned char)c - '0'; if (d > 9) return -1; v = v * 10 + d; }
    return v;
}

static bool levels(ondemand::array arr, std::vector<Level> &out) {
    for (auto row : arr) {
        ondemand::object o;
        if (row.get_object().get(o)) return false;
        Level l{-1, -1};
        for (auto field : o) {
            std::string_view key, val;
            if (field.unescaped_key().get(key)) return false;
            if (key == "price") { if (field.value().get_string().get(val)) return false; l.price = micros(val); }
            else if (key == "size") { if (field.value().get_string().get(val)) return false; l.size = micros(val); }
        }
        if (l.price < 0 || l.size < 0) return false;
        out.push_back(l);
    }
    return true;
}

static bool decode(ondemand::parser &parser, const char *data, size_t len, size_t capacity, Event &ev) {
    ondemand::document doc;
    if (parser.iterate(data, len, capacity).get(doc)) return false;
    ondemand::object obj;
    if (doc.get_object().get(obj)) return false;
    ev.kind = 3;
    ev.asset = ev.market = ev.hash = ev.fee = ev.tx = std::string_view();
    ev.ts = ev.price = ev.size = ev.tick = ev.min_size = 0;
    ev.buy = ev.neg_risk = false;
    ev.changes.clear(); ev.bids.clear(); ev.asks.clear();   // capacity kept: no allocation per frame
    std::string_view v;
    for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return false;
        auto value = field.value();
        if (key == "event_type") {
            if (value.get_string().get(v)) return false;
            ev.kind = v == "price_change" ? 0 : v == "last_trade_price" ? 1 : v == "book" ? 2 : 3;
        } else if (key == "price_changes") {
            ondemand::array arr;
            if (value.get_array().get(arr)) return false;
            for (auto entry : arr) {
                ondemand::object e;
                if (entry.get_object().get(e)) return false;
                Change c{};
                for (auto f : e) {
                    std::string_view k;
                    if (f.unescaped_key().get(k) || f.value().get_string().get(v)) return false;
                    if (k == "asset_id") c.asset = v;
                    else if (k == "price") c.price = micros(v);
                    else if (k == "size") c.size = micros(v);
                    else if (k == "side") c.buy = v == "BUY";
                    else if (k == "hash") c.hash = v;
                    else if (k == "best_bid") c.bid = opt_micros(v);
                    else if (k == "best_ask") c.ask = opt_micros(v);
                }
                if (c.price < 0 || c.size < 0) return false;
                ev.changes.push_back(c);
            }
        } else if (key == "bids" || key == "asks") {
            ondemand::array arr;
            if (value.get_array().get(arr)) return false;
            if (!levels(arr, key == "bids" ? ev.bids : ev.asks)) return false;
        } else if (key == "neg_risk") {
            if (value.get_bool().get(ev.neg_risk)) return false;
        } else {
            if (value.get_string().get(v)) return false;
            if (key == "asset_id") ev.asset = v;
            else if (key == "market") ev.market = v;
            else if (key == "timestamp") ev.ts = integer(v);
            else if (key == "hash") ev.hash = v;
            else if (key == "price") ev.price = micros(v);
            else if (key == "size") ev.size = opt_micros(v);
            else if (key == "side") ev.buy = v == "BUY";
            else if (key == "fee_rate_bps") ev.fee = v;
            else if (key == "transaction_hash") ev.tx = v;
            else if (key == "tick_size") ev.tick = micros(v);
            else if (key == "min_order_size") ev.min_size = micros(v);
        }
    }
    return ev.ts >= 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <corpus> [runs]\n", argv[0]); return 2; }
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    std::string all;
    char chunk[1 << 16];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) all.append(chunk, got);
    fclose(f);
    all.append(SIMDJSON_PADDING, ' ');
    std::vector<std::pair<size_t, size_t>> frames;
    for (size_t start = 0, k; (k = all.find('\n', start)) != std::string::npos && start < all.size() - SIMDJSON_PADDING; start = k + 1)
        frames.push_back({start, k - start});
    ondemand::parser parser;
    Event ev;
    double best = 0;
    uint64_t checksum = 0, events = 0;
    for (int run = 0; run < runs; run++) {
        checksum = 0; events = 0;
        double t0 = cpu_seconds();
        for (auto [start, len] : frames) {
            if (!decode(parser, all.data() + start, len, all.size() - start, ev)) continue;
            events++;
            checksum += (uint64_t)ev.ts + (uint64_t)ev.price + (uint64_t)ev.size;
            for (auto &c : ev.changes) checksum += (uint64_t)c.price + (uint64_t)c.size + (uint64_t)c.bid + (uint64_t)c.ask + c.asset.size() + c.hash.size();
            for (auto &l : ev.bids) checksum += (uint64_t)l.price + (uint64_t)l.size;
            for (auto &l : ev.asks) checksum += (uint64_t)l.price + (uint64_t)l.size;
            checksum += ev.asset.size() + ev.market.size();
        }
        double s = cpu_seconds() - t0;
        if (frames.size() / s > best) best = frames.size() / s;
    }
    printf("msg_per_s simdjson_ondemand %.0f\n", best);
    fflush(stdout);
    fprintf(stderr, "checksum simdjson_ondemand events %llu sum %llu\n", (unsigned long long)events, (unsigned long long)checksum);
    return 0;
}
