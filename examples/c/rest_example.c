/* rest_example.c — the pmingest REST client from C, as a trading engine would use it.
 *
 * The story: a price feed says token T just printed at price P, and the strategy wants to act.
 * Before any order, pmingest's guards run:
 *   G1  only trades that passed an age check are "recent" (a 60-day-old print is not a signal);
 *   G3  the size of the recent trade at that price (price feeds carry no size);
 *   G5  P is verified against the live order book's best bid (the highest bid, whatever order
 *       the API sent the levels in); an unusable book refuses the order (fails closed).
 *
 * Usage:  rest_example [token_id [price]]
 *   token_id  default: the first outcome token of the first active market (against production
 *             that lists every active market first, which takes a few seconds: pass a token)
 *   price     the price the strategy wants to trade at; default: the newest fresh trade's price
 * Environment:
 *   PMINGEST_GAMMA_URL, PMINGEST_CLOB_URL, PMINGEST_DATA_URL  base URLs (default: production;
 *             e.g. http://127.0.0.1:PORT/gamma for the test server)
 *   PMINGEST_MAX_AGE_S  G1 max trade age in seconds (default 300)
 * Exit status: 0 the would-be order passed every check; 3 refused (nothing fresh to act on, or
 * G5 said no); 1 a pmingest call failed; 2 bad usage.
 *
 * Build:  cc -std=c99 rest_example.c $(pkg-config --cflags --libs pmingest) -o rest_example
 */
#include <pmingest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv) {
    pm_client_options opts = PM_CLIENT_OPTIONS_INIT; /* always start from the INIT macro */
    pm_client *client = NULL;
    pm_fetcher *fetcher = NULL;
    pm_markets *markets = NULL;
    pm_trades *trades = NULL;
    char token[128] = "", price[32] = "";
    char *size = NULL, *best_bid = NULL, *reason = NULL;
    bool valid = false;
    size_t i, dropped = 0;
    long max_age = 300;
    int rc = 1;
    pm_status st;

    if (argc > 3) {
        fprintf(stderr, "usage: %s [token_id [price]]\n", argv[0]);
        return 2;
    }
    if (pm_abi_version() != PM_ABI_VERSION) { /* the loaded library matches this header */
        fprintf(stderr, "libpmingest ABI %u, header %d\n", pm_abi_version(), PM_ABI_VERSION);
        return 1;
    }
    if (getenv("PMINGEST_MAX_AGE_S")) max_age = strtol(getenv("PMINGEST_MAX_AGE_S"), NULL, 10);

    /* 1. One client for the whole program: it owns an HTTP thread, retries 5xx/429 and paces
     *    requests by Polymarket's rate limits. It is thread-safe; share it. */
    opts.gamma_url = env_or_null("PMINGEST_GAMMA_URL");
    opts.clob_url = env_or_null("PMINGEST_CLOB_URL");
    opts.data_url = env_or_null("PMINGEST_DATA_URL");
    opts.total_timeout_ms = 10000; /* per attempt */
    if ((st = pm_client_new(&opts, &client)) != PM_OK) return failed("pm_client_new", st);

    /* 2. Which token. Strings borrowed from a list (pm_market_token_id) die with the list: copy. */
    if (argc > 1) {
        snprintf(token, sizeof token, "%s", argv[1]);
    } else {
        if ((st = pm_client_fetch_active_markets(client, &markets)) != PM_OK) {
            rc = failed("pm_client_fetch_active_markets", st);
            goto done;
        }
        printf("%zu active markets\n", pm_markets_count(markets));
        if (pm_markets_count(markets) == 0 || pm_market_token_count(pm_markets_at(markets, 0)) == 0) {
            fprintf(stderr, "no active market with a token\n");
            goto done;
        }
        printf("market: %s\n", pm_market_question(pm_markets_at(markets, 0)));
        snprintf(token, sizeof token, "%s", pm_market_token_id(pm_markets_at(markets, 0), 0));
        pm_markets_free(markets);
        markets = NULL;
    }
    printf("token: %s\n", token);

    /* 3. G1: recent trades that passed the age check. The fetcher keeps the client alive. */
    if ((st = pm_fetcher_new(client, max_age, &fetcher)) != PM_OK) {
        rc = failed("pm_fetcher_new", st);
        goto done;
    }
    st = pm_fetcher_fetch_recent_trades(fetcher, token, -1 /* the fetcher's max age */, &trades, &dropped);
    if (st != PM_OK) {
        rc = failed("pm_fetcher_fetch_recent_trades", st);
        goto done;
    }
    printf("G1: %zu trades in the last %ld s (%zu older ones refused)\n", pm_trades_count(trades), max_age, dropped);
    for (i = 0; i < pm_trades_count(trades) && i < 5; i++) {
        const pm_trade *t = pm_trades_at(trades, i); /* newest first */
        printf("    %s %s @ %s  (t=%lld ms)\n", pm_trade_side(t), pm_trade_size(t), pm_trade_price(t),
               (long long)pm_trade_timestamp_ms(t));
    }

    /* The price to act on: given, or the newest fresh print. Prices stay decimal strings. */
    if (argc > 2) {
        snprintf(price, sizeof price, "%s", argv[2]);
    } else if (pm_trades_count(trades) > 0) {
        snprintf(price, sizeof price, "%s", pm_trade_price(pm_trades_at(trades, 0)));
    } else {
        printf("REFUSED: no fresh trade to act on, and no price given\n");
        rc = 3;
        goto done;
    }

    /* 4. G3: the size traded near that price recently (NULL when there is none: not an error). */
    st = pm_fetcher_fetch_trade_size_at_price(fetcher, token, price, NULL /* +-0.01 */, max_age, &size);
    if (st != PM_OK) {
        rc = failed("pm_fetcher_fetch_trade_size_at_price", st);
        goto done;
    }
    printf("G3: size traded near %s in the last %ld s: %s\n", price, max_age, size ? size : "(none)");

    /* 5. G5: verify the price against the live book right before the order. PM_OK with
     *    valid == false is the normal "do not trade" answer (also for a missing, empty or crossed
     *    book); only bad arguments or cancellation give an error status. */
    st = pm_verify_orderbook_price(client, token, price, NULL /* max deviation 0.10 */, &valid, &best_bid, &reason);
    if (st != PM_OK) {
        rc = failed("pm_verify_orderbook_price", st);
        goto done;
    }
    printf("G5: best bid %s: %s\n", best_bid ? best_bid : "(none)", reason);
    if (valid) {
        printf("ALLOWED: the order at %s may go out\n", price);
        rc = 0;
    } else {
        printf("REFUSED: no order at %s\n", price);
        rc = 3;
    }

done:
    /* Every *_free accepts NULL; owned strings go back through pm_string_free, never free(). */
    pm_string_free(size);
    pm_string_free(best_bid);
    pm_string_free(reason);
    pm_trades_free(trades);
    pm_markets_free(markets);
    pm_fetcher_free(fetcher);
    pm_client_free(client);
    return rc;
}
