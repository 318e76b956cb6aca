// pmingest.hpp — header-only C++17 RAII wrappers over the C ABI of libpmingest (pmingest.h).
//
// Installed next to pmingest.h by `make install`; versioned with it (PMINGEST_HPP_VERSION_*
// below must equal the PM_VERSION_* of the pmingest.h it includes, checked at compile time).
// Every handle is move-only and frees itself with the matching pm_*_free(); every failing call
// throws pm::Error (status + pm_last_error(), read right after the failing call, before any
// other pm_* call can overwrite it). Prices and sizes stay exact decimal strings ("0.95", "120"):
// nothing here goes through double.
//
//   CMake:      find_package(pmingest 0.1 REQUIRED)  target_link_libraries(app PRIVATE pmingest::pmingest)
//   pkg-config: g++ -std=c++17 app.cpp $(pkg-config --cflags --libs pmingest) -Wl,-rpath,<prefix>/lib
//
// Threads: as in the C API. Client, Fetcher, Processor and Store may be used from many threads;
// Stream::next() from one consumer thread at a time; Stream::close() from any thread.
#ifndef PMINGEST_HPP
#define PMINGEST_HPP

#include <pmingest.h>

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "pmingest.hpp needs C++17 or later (-std=c++17)"
#endif

#define PMINGEST_HPP_VERSION_MAJOR 0
#define PMINGEST_HPP_VERSION_MINOR 1
#define PMINGEST_HPP_VERSION_PATCH 0
#define PMINGEST_HPP_VERSION_STRING "0.1.0"
#define PMINGEST_HPP_VERSION_NUMBER \
    (PMINGEST_HPP_VERSION_MAJOR * 10000 + PMINGEST_HPP_VERSION_MINOR * 100 + PMINGEST_HPP_VERSION_PATCH)
// One release: a pmingest.hpp from one version over a pmingest.h from another is refused here.
static_assert(PMINGEST_HPP_VERSION_NUMBER == PM_VERSION_NUMBER,
              "pmingest.hpp and pmingest.h come from different pmingest releases");

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pm {

/** A failed pm_* call: what() is "<call>: <status name>: <pm_last_error()>". */
class Error : public std::runtime_error {
public:
    // Reads pm_last_error() at once: construct it directly after the failing call.
    Error(const char *call, pm_status status)
        : std::runtime_error(std::string(call) + ": " + pm_status_str(status) + ": " + pm_last_error()),
          status_(status) {}
    pm_status status() const noexcept { return status_; }

private:
    pm_status status_;
};

namespace detail {

inline void check(pm_status status, const char *call) {
    if (status != PM_OK) throw Error(call, status);
}

// unique_ptr deleter calling a pm_*_free (all accept NULL and cannot fail).
template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T *p) const noexcept { Free(p); }
};
template <class T, auto Free>
using Handle = std::unique_ptr<T, Deleter<Free>>;

using OwnedString = Handle<char, pm_string_free>;

// Takes ownership of a string returned through `char **out`; NULL -> nullopt.
inline std::optional<std::string> take(char *s) {
    OwnedString owned(s);
    if (!owned) return std::nullopt;
    return std::string(owned.get());
}

inline const char *env_or_null(const char *name) {
    const char *value = std::getenv(name);
    return value != nullptr && value[0] != '\0' ? value : nullptr; // NULL = the library's default
}

} // namespace detail

// ---- REST ------------------------------------------------------------------------------------

/** pm_client: REST over libcurl (own HTTP thread, retries, rate limits). */
class Client {
public:
    explicit Client(const pm_client_options &opts) {
        pm_client *c = nullptr;
        detail::check(pm_client_new(&opts, &c), "pm_client_new");
        h_.reset(c);
    }
    /** Defaults, with base URLs from PMINGEST_GAMMA_URL / _CLOB_URL / _DATA_URL (production if unset). */
    static Client from_env() {
        pm_client_options opts = PM_CLIENT_OPTIONS_INIT;
        opts.gamma_url = detail::env_or_null("PMINGEST_GAMMA_URL");
        opts.clob_url = detail::env_or_null("PMINGEST_CLOB_URL");
        opts.data_url = detail::env_or_null("PMINGEST_DATA_URL");
        return Client(opts);
    }
    /** Cancels calls in progress (they throw pm::Error with PM_E_CANCELLED). Any thread. */
    void cancel() { detail::check(pm_client_cancel(get()), "pm_client_cancel"); }
    pm_client *get() const noexcept { return h_.get(); }

private:
    detail::Handle<pm_client, pm_client_free> h_;
};

/** pm_fetcher: recent trades behind the G1 age check, and the G3 size back-fill. */
class Fetcher {
public:
    explicit Fetcher(const Client &client, std::int64_t max_age_seconds = 300) {
        pm_fetcher *f = nullptr;
        detail::check(pm_fetcher_new(client.get(), max_age_seconds, &f), "pm_fetcher_new");
        h_.reset(f); // holds its own reference to the client
    }
    /** G3: size of the newest fresh trade near `price` (tolerance "0.01", 60 s); nullopt if none. */
    std::optional<std::string> trade_size_at_price(const std::string &token_id, const std::string &price) {
        char *size = nullptr;
        pm_status st = pm_fetcher_fetch_trade_size_at_price(get(), token_id.c_str(), price.c_str(), nullptr, -1, &size);
        detail::OwnedString owner(size);
        detail::check(st, "pm_fetcher_fetch_trade_size_at_price");
        return detail::take(owner.release());
    }
    pm_fetcher *get() const noexcept { return h_.get(); }

private:
    detail::Handle<pm_fetcher, pm_fetcher_free> h_;
};

/** Result of verify_orderbook_price (G5). */
struct OrderbookCheck {
    bool valid = false;
    std::optional<std::string> best_bid; // canonical decimal; nullopt when the book has no bid
    std::string reason;                  // names both prices
};

/**
 * G5: the price against the live book's best bid, right before an order. Fails closed: a missing,
 * empty or crossed book gives valid == false (not an exception). max_deviation nullopt = "0.10".
 */
inline OrderbookCheck verify_orderbook_price(const Client &client, const std::string &token_id,
                                             const std::string &expected_price,
                                             const std::optional<std::string> &max_deviation = std::nullopt) {
    bool valid = false;
    char *best_bid = nullptr, *reason = nullptr;
    pm_status st = pm_verify_orderbook_price(client.get(), token_id.c_str(), expected_price.c_str(),
                                             max_deviation ? max_deviation->c_str() : nullptr, &valid, &best_bid,
                                             &reason);
    detail::OwnedString bid_owner(best_bid), reason_owner(reason); // freed even if check() throws
    detail::check(st, "pm_verify_orderbook_price");
    OrderbookCheck out;
    out.valid = valid;
    out.best_bid = detail::take(bid_owner.release());
    out.reason = detail::take(reason_owner.release()).value_or("");
    return out;
}

// ---- Storage ---------------------------------------------------------------------------------

/** One token's metadata, copied out of the store. */
struct TokenMeta {
    std::string token_id, condition_id, question, outcome, tick_size, min_order_size;
    bool active = false, closed = false;
};

/** pm_store: SQLite (":memory:" for a private in-memory database). Thread-safe. */
class Store {
public:
    explicit Store(const std::string &path) {
        pm_store *s = nullptr;
        detail::check(pm_store_open(path.c_str(), nullptr, &s), "pm_store_open");
        h_.reset(s);
    }
    std::vector<TokenMeta> token_metas() {
        pm_token_metas *raw = nullptr;
        detail::check(pm_store_list_token_metas(get(), &raw), "pm_store_list_token_metas");
        detail::Handle<pm_token_metas, pm_token_metas_free> list(raw);
        std::vector<TokenMeta> out;
        for (std::size_t i = 0, n = pm_token_metas_count(raw); i < n; ++i) {
            const pm_token_meta *m = pm_token_metas_at(raw, i);
            TokenMeta t;
            t.token_id = pm_token_meta_token_id(m);
            t.condition_id = pm_token_meta_condition_id(m);
            t.question = pm_token_meta_question(m);
            t.outcome = pm_token_meta_outcome(m);
            t.tick_size = pm_token_meta_tick_size(m);
            t.min_order_size = pm_token_meta_min_order_size(m);
            t.active = pm_token_meta_active(m);
            t.closed = pm_token_meta_closed(m);
            out.push_back(std::move(t));
        }
        return out;
    }
    pm_store *get() const noexcept { return h_.get(); }

private:
    detail::Handle<pm_store, pm_store_free> h_;
};

struct SyncReport {
    std::size_t markets = 0, inserted = 0, updated = 0, unchanged = 0;
};

/** Every active market from Gamma -> one token-metadata row per outcome token in `store`. */
inline SyncReport metadata_sync(const Client &client, Store &store) {
    SyncReport r;
    detail::check(pm_metadata_sync(client.get(), store.get(), &r.markets, &r.inserted, &r.updated, &r.unchanged),
                  "pm_metadata_sync");
    return r;
}

// ---- Stream ----------------------------------------------------------------------------------

/**
 * One stream event (owns its pm_event). The string_views are borrowed from the event: valid while
 * this Event lives — copy into std::string to keep them (beware `stream.next(...)->price()` on a
 * temporary).
 */
class Event {
public:
    explicit Event(pm_event *e) noexcept : h_(e) {}
    pm_event_type type() const noexcept { return pm_event_get_type(get()); }
    std::string_view type_name() const noexcept { return pm_event_type_name(get()); }
    std::string_view token_id() const noexcept { return pm_event_token_id(get()); }
    std::string_view condition_id() const noexcept { return pm_event_condition_id(get()); }
    std::int64_t timestamp_ms() const noexcept { return pm_event_timestamp_ms(get()); }
    /** A trade print (last_trade_price or legacy price_change): token, price, time. No size (G3). */
    bool is_price_update() const noexcept { return pm_event_is_price_update(get()); }
    std::string_view price() const noexcept { return pm_event_price(get()); }
    /** The feed's own trade size, "" when it sent none (normal: G3). */
    std::string_view trade_size() const noexcept { return pm_event_trade_size(get()); }
    std::string_view side() const noexcept { return pm_event_side(get()); }
    std::string_view best_bid() const noexcept { return pm_event_best_bid(get()); }
    std::string_view best_ask() const noexcept { return pm_event_best_ask(get()); }
    std::string_view detail() const noexcept { return pm_event_detail(get()); }
    /** BOOK snapshot, borrowed from the event; nullptr for other kinds. Levels best first. */
    const pm_book *book() const noexcept { return pm_event_book(get()); }
    const pm_event *get() const noexcept { return h_.get(); }

private:
    detail::Handle<pm_event, pm_event_free> h_;
};

/** pm_stream: the market channel (PING/PONG, reconnects, resubscription inside the library). Pull-based. */
class Stream {
public:
    explicit Stream(const pm_stream_options &opts) {
        pm_stream *s = nullptr;
        detail::check(pm_stream_new(&opts, &s), "pm_stream_new");
        h_.reset(s);
    }
    /** Defaults, with the URL from PMINGEST_WS_URL (production if unset). */
    static Stream from_env() {
        pm_stream_options opts = PM_STREAM_OPTIONS_INIT;
        opts.url = detail::env_or_null("PMINGEST_WS_URL");
        return Stream(opts);
    }
    void subscribe(const std::vector<std::string> &token_ids) {
        std::vector<const char *> ids;
        ids.reserve(token_ids.size());
        for (const auto &t : token_ids) ids.push_back(t.c_str());
        detail::check(pm_stream_subscribe(get(), ids.data(), ids.size()), "pm_stream_subscribe");
    }
    /** Blocks until the socket is open. */
    void connect() { detail::check(pm_stream_connect(get()), "pm_stream_connect"); }
    /**
     * The next event, or nullopt when none arrived within `timeout`. Throws pm::Error with
     * PM_E_CANCELLED once the stream is closed (close() from another thread wakes a blocked call).
     */
    std::optional<Event> next(std::chrono::milliseconds timeout) {
        auto ms = std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, INT32_MAX);
        pm_event *e = nullptr;
        detail::check(pm_stream_next(get(), static_cast<std::int32_t>(ms), &e), "pm_stream_next");
        if (e == nullptr) return std::nullopt;
        return Event(e);
    }
    /** Idempotent; any thread. */
    void close() { detail::check(pm_stream_close(get()), "pm_stream_close"); }
    bool is_connected() const noexcept { return pm_stream_is_connected(get()); }
    std::int64_t stat(pm_stream_stat s) const noexcept { return pm_stream_stat_value(get(), s); }
    pm_stream *get() const noexcept { return h_.get(); }

private:
    detail::Handle<pm_stream, pm_stream_free> h_; // pm_stream_free closes first
};

// ---- Processor (G3 + size filter) ------------------------------------------------------------

struct Processed {
    bool passed = false;                   // size known and >= min_size
    pm_size_source source = PM_SIZE_NONE;  // stream, REST back-fill (G3), or none
    std::optional<std::string> size;       // exact decimal; nullopt when unknown
};

/** pm_processor: sizes price updates (stream size, else G3 back-fill) and filters by min_size. */
class Processor {
public:
    explicit Processor(const Fetcher &fetcher, const std::string &min_size = "50") {
        pm_processor *p = nullptr;
        detail::check(pm_processor_new(fetcher.get(), min_size.c_str(), &p), "pm_processor_new");
        h_.reset(p); // holds its own reference to the fetcher
    }
    /** Blocks for the REST back-fill. Non-price-update events give passed == false. */
    Processed process(const Event &event) {
        Processed r;
        char *size = nullptr;
        pm_status st = pm_processor_process(get(), event.get(), &r.passed, &r.source, &size);
        detail::OwnedString owner(size);
        detail::check(st, "pm_processor_process");
        r.size = detail::take(owner.release());
        return r;
    }
    std::int64_t stat(pm_processor_stat s) const noexcept { return pm_processor_stat_value(get(), s); }
    pm_processor *get() const noexcept { return h_.get(); }

private:
    detail::Handle<pm_processor, pm_processor_free> h_;
};

inline const char *to_string(pm_size_source s) noexcept {
    switch (s) {
    case PM_SIZE_STREAM: return "from the stream";
    case PM_SIZE_BACKFILL: return "G3 back-filled over REST";
    default: return "none found";
    }
}

} // namespace pm

#endif // PMINGEST_HPP
