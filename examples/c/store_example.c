/* store_example.c — store a few Polymarket trades and token metadata with libpmingest, read them
 * back, print them.
 *
 *   cc store_example.c $(pkg-config --cflags --libs pmingest) -o store_example
 *   ./store_example [database-path]      (default: a fresh temp directory, removed at the end)
 *
 * Shows the conventions of the C ABI: every fallible call returns pm_status and the detail is in
 * pm_last_error(); handles come back through `**out` and are freed with their own pm_*_free();
 * strings returned by accessors are borrowed from the list they came from; prices and sizes are
 * exact decimal strings (or int64 micro-units), never doubles. */
#define _POSIX_C_SOURCE 200809L
#include <pmingest.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOKEN_YES "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define TOKEN_NO "52114319501245915516055106046884209969926127482827954674443846427813813222426"
#define CONDITION "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"

/* Prints the failure and returns 1 when status is not PM_OK. Read pm_last_error() right after
 * the failing call: it is only valid until the next pm_* call on this thread. */
static int failed(pm_status status, const char *what) {
    if (status == PM_OK) return 0;
    fprintf(stderr, "%s: %s (%s)\n", what, pm_status_str(status), pm_last_error());
    return 1;
}

static pm_trade_input trade(const char *token, const char *outcome, const char *side,
                            const char *price, const char *size, int64_t timestamp_ms,
                            const char *tx) {
    pm_trade_input t = PM_TRADE_INPUT_INIT;
    t.token_id = token;
    t.condition_id = CONDITION;
    t.side = side;
    t.price = price;
    t.size = size;
    t.timestamp_ms = timestamp_ms;
    t.transaction_hash = tx;
    t.proxy_wallet = "0x56687bf447db6ffa42ffe2204a05edaa20f55839";
    t.outcome = outcome;
    return t;
}

static int store_and_print(pm_store *store) {
    pm_trade_input trades[4];
    pm_token_meta_input yes = PM_TOKEN_META_INPUT_INIT, no;
    size_t inserted = 0, i;
    pm_trades *list = NULL;
    pm_token_metas *metas = NULL;
    pm_watermark *mark = NULL;
    int64_t count = 0;
    pm_change change;

    /* Trades: one call, one transaction. The last one repeats the first: same trade, one row. */
    trades[0] = trade(TOKEN_YES, "Yes", "BUY", "0.95", "84.17", 1732500000000LL,
                      "0x3c7e5e4ac2b8b1e0ab1b7a2d6ffdc1a0d6f0f1c8b5d3e0a9e8f7c6b5a4938271");
    trades[1] = trade(TOKEN_YES, "Yes", "SELL", "0.951", "1250.5", 1732500060000LL,
                      "0x8d1f0c2e3b4a59687766554433221100ffeeddccbbaa99887766554433221100");
    trades[2] = trade(TOKEN_NO, "No", "BUY", ".05", "20", 1732500120000LL,
                      "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    trades[3] = trades[0];
    if (failed(pm_store_upsert_trades(store, trades, 4, &inserted), "pm_store_upsert_trades")) return 1;
    printf("stored %zu new trades\n", inserted);

    /* Token metadata: one record per outcome token. */
    yes.token_id = TOKEN_YES;
    yes.condition_id = CONDITION;
    yes.question = "Will the Fed cut rates in December?";
    yes.outcome = "Yes";
    yes.outcome_index = 0;
    yes.tick_size = "0.001";
    yes.min_order_size = "5";
    yes.active = true;
    yes.end_date_ms = 1765929600000LL;
    yes.market_slug = "fed-cut-december";
    no = yes;
    no.token_id = TOKEN_NO;
    no.outcome = "No";
    no.outcome_index = 1;
    if (failed(pm_store_upsert_token_meta(store, &yes, &change), "pm_store_upsert_token_meta")) return 1;
    if (failed(pm_store_upsert_token_meta(store, &no, NULL), "pm_store_upsert_token_meta")) return 1;
    printf("token metadata: %s\n", change == PM_CHANGE_INSERTED ? "inserted" : "already there");

    /* Remember how far this condition has been processed. */
    if (failed(pm_store_update_watermark(store, CONDITION, 1732500120000LL, &mark), "pm_store_update_watermark")) return 1;
    printf("watermark %s: last trade at %" PRId64 " ms\n", pm_watermark_condition_id(mark),
           pm_watermark_last_trade_ms(mark));
    pm_watermark_free(mark);

    /* Read back. */
    if (failed(pm_store_count_trades(store, NULL, &count), "pm_store_count_trades")) return 1;
    printf("%" PRId64 " trades in the database\n", count);

    if (failed(pm_store_query_trades(store, TOKEN_YES, 0, INT64_MAX, 0, &list), "pm_store_query_trades")) return 1;
    printf("trades of the Yes token, oldest first:\n");
    for (i = 0; i < pm_trades_count(list); i++) {
        const pm_trade *t = pm_trades_at(list, i);
        printf("  %" PRId64 "  %-4s %8s x %-8s (price %" PRId64 " micro-units)  id %.16s...\n",
               pm_trade_timestamp_ms(t), pm_trade_side(t), pm_trade_price(t), pm_trade_size(t),
               pm_trade_price_micros(t), pm_trade_id(t));
    }
    pm_trades_free(list); /* the strings printed above were borrowed from `list` */

    if (failed(pm_store_list_token_metas(store, &metas), "pm_store_list_token_metas")) return 1;
    printf("tokens:\n");
    for (i = 0; i < pm_token_metas_count(metas); i++) {
        const pm_token_meta *m = pm_token_metas_at(metas, i);
        printf("  [%d] %-3s tick %-5s min %-3s %s  \"%s\"\n", (int)pm_token_meta_outcome_index(m),
               pm_token_meta_outcome(m), pm_token_meta_tick_size(m), pm_token_meta_min_order_size(m),
               pm_token_meta_active(m) ? "active" : "inactive", pm_token_meta_question(m));
    }
    pm_token_metas_free(metas);
    return 0;
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/pmingest-example.XXXXXX";
    char path[256];
    pm_store *store = NULL;
    int rc;

    if (pm_abi_version() != PM_ABI_VERSION) {
        fprintf(stderr, "libpmingest ABI %u, this program was built for %d\n", pm_abi_version(), PM_ABI_VERSION);
        return 1;
    }
    printf("libpmingest %s\n", pm_version_string());

    if (argc > 1) {
        snprintf(path, sizeof path, "%s", argv[1]);
    } else {
        if (mkdtemp(dir) == NULL) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(path, sizeof path, "%s/trades.db", dir);
    }
    if (failed(pm_store_open(path, NULL, &store), "pm_store_open")) return 1;
    printf("database %s\n", path);
    rc = store_and_print(store);
    pm_store_free(store);

    if (argc <= 1) { /* remove the temp database (WAL mode leaves -wal/-shm files while open) */
        const char *suffix[] = {"", "-wal", "-shm"};
        size_t i;
        for (i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s/trades.db%s", dir, suffix[i]);
            unlink(path);
        }
        rmdir(dir);
    }
    return rc;
}
