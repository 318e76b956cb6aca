// main.cpp — the pmingest stream from C++, as a trading engine uses it (pull-based).
//
// Sync market metadata into an in-memory store, subscribe to the market channel of every active
// token (or PMINGEST_TOKENS), pull events for a few seconds, and for every trade print:
//   G3  give it a size (the feed often sends none: the processor back-fills it over REST from a
//       fresh trade near that price), then filter: size >= 50;
//   G5  right before a would-be order, check the price against the live book's best bid.
//
// Environment:
//   PMINGEST_GAMMA_URL, PMINGEST_CLOB_URL, PMINGEST_DATA_URL, PMINGEST_WS_URL  (default: production)
//   PMINGEST_TOKENS            comma-separated token ids (default: the synced active markets' tokens)
//   PMINGEST_EXAMPLE_SECONDS   how long to listen (default 5)
// Exit status: 0 done, 1 a pmingest call failed.
//
// Build against an installed pmingest (`make install PREFIX=<prefix>` puts pmingest.hpp beside
// pmingest.h; pmingest.pc carries no rpath, so add one or set LD_LIBRARY_PATH):
//   g++ -std=c++17 -Wall -Wextra -Werror -pedantic main.cpp $(pkg-config --cflags --libs pmingest)
//       -Wl,-rpath,<prefix>/lib -o pmingest-example-cpp
// or with CMake: find_package(pmingest REQUIRED) and target_link_libraries(... pmingest::pmingest).
#include <pmingest.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> tokens_from_env() {
    std::vector<std::string> out;
    const char *env = std::getenv("PMINGEST_TOKENS");
    if (env == nullptr) return out;
    std::stringstream in(env);
    for (std::string t; std::getline(in, t, ',');)
        if (!t.empty()) out.push_back(t);
    return out;
}

std::chrono::seconds listen_time() {
    const char *env = std::getenv("PMINGEST_EXAMPLE_SECONDS");
    long s = env != nullptr ? std::strtol(env, nullptr, 10) : 0;
    return std::chrono::seconds(s > 0 ? s : 5);
}

std::string brief(std::string_view token) { // token ids are up to 78 digits
    return std::string(token.substr(0, 12)) + "...";
}

int run() {
    if (pm_abi_version() != PM_ABI_VERSION) { // the loaded library matches this header
        std::cerr << "libpmingest ABI " << pm_abi_version() << ", header " << PM_ABI_VERSION << "\n";
        return 1;
    }

    // 1. REST: one client; a fetcher (G1 age check, 300 s); a processor back-filling through it (G3).
    pm::Client client = pm::Client::from_env();
    pm::Fetcher fetcher(client, 300);
    pm::Processor processor(fetcher, "50");

    // 2. Which tokens: PMINGEST_TOKENS, else every active token of the synced markets.
    std::vector<std::string> tokens = tokens_from_env();
    if (tokens.empty()) {
        pm::Store store(":memory:");
        pm::SyncReport sync = pm::metadata_sync(client, store);
        for (const pm::TokenMeta &t : store.token_metas())
            if (t.active && !t.closed) tokens.push_back(t.token_id);
        std::cout << "synced " << sync.markets << " markets, " << tokens.size() << " active tokens\n";
    }
    if (tokens.empty()) {
        std::cout << "no tokens to stream\n";
        return 0;
    }

    // 3. The stream: PING/PONG, reconnects and resubscription are the library's job.
    pm::Stream stream = pm::Stream::from_env();
    stream.subscribe(tokens); // before connect: the initial subscription carries the book dump
    stream.connect();
    std::cout << "subscribed to " << tokens.size() << " tokens" << std::endl;

    // 4. Pull events until the deadline.
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + listen_time();
    int updates = 0, orders = 0;
    for (auto now = clock::now(); now < deadline; now = clock::now()) {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        std::optional<pm::Event> event = stream.next(std::min(wait, std::chrono::milliseconds(250)));
        if (!event) continue;

        switch (event->type()) {
        case PM_EVENT_BOOK: // full snapshot; levels are best first
            std::cout << "book      " << brief(event->token_id())
                      << "  best bid " << pm_book_level_price(event->book(), PM_SIDE_BID, 0)
                      << "  best ask " << pm_book_level_price(event->book(), PM_SIDE_ASK, 0) << "\n";
            continue;
        case PM_EVENT_RECONNECTED: // continuity lost: distrust local books until the next snapshot
            std::cout << "reconnected: " << event->detail() << "\n";
            continue;
        default:
            break;
        }
        // Only trade prints are price updates (price_change events are book deltas, not trades).
        if (!event->is_price_update()) continue;
        ++updates;

        // Copy what outlives the event (the string_views are borrowed from it).
        const std::string token(event->token_id()), price(event->price());

        // G3: the stream's size when it sent one, else a REST back-fill; then the >= 50 filter.
        pm::Processed p = processor.process(*event);
        std::cout << "trade     " << brief(token) << "  price " << price << "  size " << p.size.value_or("unknown")
                  << " (" << pm::to_string(p.source) << ")  >= 50: " << (p.passed ? "yes" : "no — filtered") << "\n";
        if (!p.passed) continue;

        // G5: right before the order, the price against the live book (max deviation 0.10).
        pm::OrderbookCheck check = pm::verify_orderbook_price(client, token, price);
        if (check.valid) {
            ++orders;
            std::cout << "          G5 ok (best bid " << check.best_bid.value_or("-") << "): would place the order at "
                      << price << "\n";
        } else {
            std::cout << "          G5 REJECTED: " << check.reason << "\n";
        }
    }

    stream.close();
    std::cout << updates << " price updates, " << orders << " would-be orders; stream: "
              << stream.stat(PM_STREAM_STAT_FRAMES) << " frames, " << stream.stat(PM_STREAM_STAT_RECONNECTS)
              << " reconnects; processor: " << processor.stat(PM_PROCESSOR_STAT_G3_BACKFILLED) << " back-filled (G3), "
              << processor.stat(PM_PROCESSOR_STAT_PASSED) << " passed, " << processor.stat(PM_PROCESSOR_STAT_FILTERED)
              << " filtered" << std::endl;
    return 0;
}

} // namespace

int main() {
    try {
        return run();
    } catch (const pm::Error &e) { // status name + pm_last_error()
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
