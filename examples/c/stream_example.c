/* stream_example.c — the pmingest market stream from C, as a trading engine would use it.
 *
 * The story: subscribe to a token's market channel and react to every trade print. A print is
 * a price update; before acting on it the engine needs
 *   G3  its size: the feed often sends none, so the processor back-fills it over REST from a
 *       fresh trade near that price (pm_processor_process), then the size filter (>= 50) decides;
 *   G5  the price checked against the live order book's best bid right before any order
 *       (pm_verify_orderbook_price: fails closed on a missing, empty or crossed book).
 * Events arrive on the library's own delivery thread through a callback; main() just waits.
 *
 * Usage:  stream_example <token_id> [max_updates [timeout_s]]
 *   max_updates  stop after this many price updates (default 5)
 *   timeout_s    stop after this many seconds anyway (default 30)
 * Environment:
 *   PMINGEST_WS_URL     the market channel (default wss://ws-subscriptions-clob.polymarket.com/ws/market)
 *   PMINGEST_GAMMA_URL, PMINGEST_CLOB_URL, PMINGEST_DATA_URL  REST base URLs (default: production)
 * Exit status: 0 max_updates price updates handled; 3 the timeout came first; 1 a pmingest call
 * failed; 2 bad usage.
 *
 * Build:  cc -std=c99 stream_example.c $(pkg-config --cflags --libs pmingest) -lpthread -o stream_example
 */
#define _POSIX_C_SOURCE 200809L
#include <pmingest.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every pm_* call returns a pm_status; on failure pm_last_error() says why (valid until the next
 * pm_* call on this thread, so print it right away). */
static int failed(const char *what, pm_status status) {
    fprintf(stderr, "%s failed: %s: %s\n", what, pm_status_str(status), pm_last_error());
    return 1;
}

static const char *env_or_null(const char *name) {
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : NULL; /* NULL = the library's default */
}

/* What the callback needs, handed over as its userdata. The callback runs on the stream's
 * delivery thread, never concurrently with itself; `lock` guards what main() reads too. */
struct engine {
    pm_client *client;        /* REST: G5 */
    pm_processor *processor;  /* G3 back-fill + size filter */
    pm_stream *stream;        /* its local books */
    int max_updates;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int updates;              /* price updates handled */
    int orders;               /* would-be orders that passed every check */
};

/* The event callback. `event` is borrowed: copy what you keep beyond this call. Do not close or
 * free the stream from here (pm_stream_close would return PM_E_MISUSE). The back-fill and the G5
 * check block this thread on REST; events queue up meanwhile (a busy engine hands price updates
 * to worker threads instead, pm_processor_process is safe from many threads at once). */
static void on_event(const pm_event *event, void *userdata) {
    struct engine *e = userdata;
    const char *token = pm_event_token_id(event);
    bool passed = false, valid = false, local_valid = false;
    pm_size_source source = PM_SIZE_NONE;
    char *size = NULL, *best_bid = NULL, *reason = NULL, *local_reason = NULL;
    pm_book *local = NULL;
    pm_status st;
    int done;

    switch (pm_event_get_type(event)) {
    case PM_EVENT_BOOK:
        printf("book      %.12s...  best bid %s  best ask %s\n", token,
               pm_book_level_price(pm_event_book(event), PM_SIDE_BID, 0), /* levels are best first */
               pm_book_level_price(pm_event_book(event), PM_SIDE_ASK, 0));
        return;
    case PM_EVENT_RECONNECTED: /* continuity lost: local books are distrusted until the next snapshot */
        printf("reconnected: %s\n", pm_event_detail(event));
        return;
    default:
        break;
    }
    /* Only trade prints are price updates (price_change events are order-book deltas, not trades). */
    if (!pm_event_is_price_update(event)) return;

    /* G3: the stream's own size when it sent one, else a REST back-fill; then the >= 50 filter. */
    st = pm_processor_process(e->processor, event, &passed, &source, &size);
    if (st != PM_OK) {
        failed("pm_processor_process", st);
    } else {
        printf("trade     %.12s...  price %s  size %s (%s)  >= 50: %s\n", token, pm_event_price(event),
               size ? size : "unknown",
               source == PM_SIZE_STREAM ? "from the stream" : source == PM_SIZE_BACKFILL ? "G3 back-filled over REST" : "none found",
               passed ? "yes" : "no");
    }

    if (passed) {
        /* The stream's local book is free to read (no I/O), but only trust it while it is valid. */
        if (pm_stream_book(e->stream, token, &local, &local_valid, &local_reason) == PM_OK && local != NULL)
            printf("          local book: best bid %s%s%s\n", pm_book_level_price(local, PM_SIDE_BID, 0),
                   local_valid ? "" : ", NOT valid: ", local_valid ? "" : local_reason);
        /* G5: right before the order, the price against the live book (max deviation 0.10). */
        st = pm_verify_orderbook_price(e->client, token, pm_event_price(event), NULL, &valid, &best_bid, &reason);
        if (st != PM_OK) {
            failed("pm_verify_orderbook_price", st);
        } else if (valid) {
            printf("          G5 ok (best bid %s): would place the order at %s\n", best_bid ? best_bid : "-",
                   pm_event_price(event));
        } else {
            printf("          G5 REFUSED: %s\n", reason ? reason : "no usable book");
        }
    }

    /* Owned results go back through their own free functions (all accept NULL). */
    pm_string_free(size);
    pm_string_free(best_bid);
    pm_string_free(reason);
    pm_string_free(local_reason);
    pm_book_free(local);
    fflush(stdout);

    pthread_mutex_lock(&e->lock);
    e->updates++;
    if (passed && valid) e->orders++;
    done = e->updates >= e->max_updates;
    pthread_mutex_unlock(&e->lock);
    if (done) pthread_cond_signal(&e->changed);
}

/* Called once on the delivery thread after the last callback (from pm_stream_close/free). */
static void on_done(void *userdata) {
    (void)userdata;
    printf("delivery finished\n");
}

int main(int argc, char **argv) {
    pm_client_options copts = PM_CLIENT_OPTIONS_INIT; /* always start from the INIT macros */
    pm_stream_options sopts = PM_STREAM_OPTIONS_INIT;
    struct engine e;
    pm_fetcher *fetcher = NULL;
    const char *token;
    struct timespec until;
    long timeout_s = 30;
    int rc = 1, handled, orders;
    pm_status st;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s <token_id> [max_updates [timeout_s]]\n", argv[0]);
        return 2;
    }
    if (pm_abi_version() != PM_ABI_VERSION) { /* the loaded library matches this header */
        fprintf(stderr, "libpmingest ABI %u, header %d\n", pm_abi_version(), PM_ABI_VERSION);
        return 1;
    }
    memset(&e, 0, sizeof e);
    token = argv[1];
    e.max_updates = argc > 2 ? atoi(argv[2]) : 5;
    if (argc > 3) timeout_s = atol(argv[3]);
    if (e.max_updates <= 0 || timeout_s <= 0) {
        fprintf(stderr, "max_updates and timeout_s must be > 0\n");
        return 2;
    }
    pthread_mutex_init(&e.lock, NULL);
    pthread_cond_init(&e.changed, NULL);

    /* 1. REST: one client (its own HTTP thread, retries, rate limits), a fetcher for recent
     *    trades, and a processor that back-fills sizes through it (G3) and filters >= 50. */
    copts.gamma_url = env_or_null("PMINGEST_GAMMA_URL");
    copts.clob_url = env_or_null("PMINGEST_CLOB_URL");
    copts.data_url = env_or_null("PMINGEST_DATA_URL");
    if ((st = pm_client_new(&copts, &e.client)) != PM_OK) return failed("pm_client_new", st);
    if ((st = pm_fetcher_new(e.client, 300, &fetcher)) != PM_OK) {
        rc = failed("pm_fetcher_new", st);
        goto done;
    }
    if ((st = pm_processor_new(fetcher, "50", &e.processor)) != PM_OK) {
        rc = failed("pm_processor_new", st);
        goto done;
    }

    /* 2. The stream: PING/PONG, reconnects and resubscription are the library's job. */
    sopts.url = env_or_null("PMINGEST_WS_URL");
    if ((st = pm_stream_new(&sopts, &e.stream)) != PM_OK) {
        rc = failed("pm_stream_new", st);
        goto done;
    }
    /* Set the callback before connecting so that no event is missed (the initial book snapshot
     * comes right after the subscription). */
    if ((st = pm_stream_set_callback(e.stream, on_event, &e, on_done)) != PM_OK) {
        rc = failed("pm_stream_set_callback", st);
        goto done;
    }
    if ((st = pm_stream_subscribe(e.stream, &token, 1)) != PM_OK) {
        rc = failed("pm_stream_subscribe", st);
        goto done;
    }
    if ((st = pm_stream_connect(e.stream)) != PM_OK) {
        rc = failed("pm_stream_connect", st);
        goto done;
    }
    printf("subscribed to %s\n", token);

    /* 3. Wait for max_updates price updates or the timeout. */
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_s;
    pthread_mutex_lock(&e.lock);
    while (e.updates < e.max_updates)
        if (pthread_cond_timedwait(&e.changed, &e.lock, &until) == ETIMEDOUT) break;
    pthread_mutex_unlock(&e.lock);

    /* 4. Close: stops the socket and the delivery thread (the callback has returned for good and
     *    on_done has run once this returns), then read the results without the race. */
    pm_stream_close(e.stream);
    handled = e.updates;
    orders = e.orders;
    printf("%d price updates, %d would-be orders; stream: %lld frames, %lld reconnects, %lld skipped; "
           "processor: %lld back-filled (G3), %lld passed, %lld filtered\n",
           handled, orders, (long long)pm_stream_stat_value(e.stream, PM_STREAM_STAT_FRAMES),
           (long long)pm_stream_stat_value(e.stream, PM_STREAM_STAT_RECONNECTS),
           (long long)pm_stream_stat_value(e.stream, PM_STREAM_STAT_SKIPPED),
           (long long)pm_processor_stat_value(e.processor, PM_PROCESSOR_STAT_G3_BACKFILLED),
           (long long)pm_processor_stat_value(e.processor, PM_PROCESSOR_STAT_PASSED),
           (long long)pm_processor_stat_value(e.processor, PM_PROCESSOR_STAT_FILTERED));
    rc = handled >= e.max_updates ? 0 : 3;

done:
    pm_stream_free(e.stream); /* closes first if needed; NULL is a no-op */
    pm_processor_free(e.processor);
    pm_fetcher_free(fetcher);
    pm_client_free(e.client);
    pthread_cond_destroy(&e.changed);
    pthread_mutex_destroy(&e.lock);
    return rc;
}
