/* test_header.c — pmingest.h compiles as strict C99 and every declared function links.
 *
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include Tests/c/test_header.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread
 * The table takes the address of every function in the header (header_functions.inc, kept honest
 * by check_header_coverage.sh), so a declaration without an exported implementation is a link
 * error, not a runtime surprise. */
#include "pmingest.h" /* first: the header must be self-contained */
#include "pmingest.h" /* and idempotent */

#include "pmtest.h"

/* void (*)(void) is the generic function pointer type: casting to it is valid C and exempt from
 * -Wcast-function-type. Object pointers (void *) would not be valid ISO C for functions. */
typedef void (*pm_any_fn)(void);

struct fn_entry {
    const char *name;
    pm_any_fn address;
};

#define PM_FN(name) { #name, (pm_any_fn)name },
static const struct fn_entry functions[] = {
#include "header_functions.inc"
};
#undef PM_FN

/* The initializer macros and option structs must be usable as written in the header. */
static const pm_store_options default_options = PM_STORE_OPTIONS_INIT;
static const pm_trade_input empty_trade = PM_TRADE_INPUT_INIT;
static const pm_token_meta_input empty_meta = PM_TOKEN_META_INPUT_INIT;
static const pm_client_options default_client = PM_CLIENT_OPTIONS_INIT;

#if !PM_VERSION_CHECK(0, 0, 1)
#error "PM_VERSION_CHECK(0, 0, 1) must hold for 0.1.0"
#endif
#if PM_VERSION_CHECK(99, 0, 0)
#error "PM_VERSION_CHECK(99, 0, 0) must not hold"
#endif

int main(void) {
    size_t n = sizeof functions / sizeof functions[0];
    size_t i;
    for (i = 0; i < n; i++) {
        if (functions[i].address == NULL) fprintf(stderr, "NULL address: %s\n", functions[i].name);
        CHECK(functions[i].address != NULL);
    }
    CHECK(n > 0);
    printf("header functions linked: %lu\n", (unsigned long)n);

    CHECK_I64(default_options.version, PM_STORE_OPTIONS_VERSION);
    CHECK_I64(default_options.busy_timeout_ms, 5000);
    CHECK_I64(empty_trade.version, PM_TRADE_INPUT_VERSION);
    CHECK(empty_trade.token_id == NULL && empty_trade.timestamp_ms == 0);
    CHECK_I64(empty_meta.version, PM_TOKEN_META_INPUT_VERSION);
    CHECK_I64(empty_meta.outcome_index, -1);
    CHECK(!empty_meta.neg_risk && !empty_meta.active && !empty_meta.closed);
    CHECK_I64(default_client.version, PM_CLIENT_OPTIONS_VERSION);
    CHECK_I64(PM_VERSION_NUMBER, PM_VERSION_MAJOR * 10000 + PM_VERSION_MINOR * 100 + PM_VERSION_PATCH);
    CHECK_I64(PM_DECIMAL_SCALE, 1000000);
    CHECK_I64(PM_OK, 0);
    CHECK_I64(PM_E_INTERNAL, 17);
    CHECK_I64(PM_E_NO_BOOK, 18);

    /* One real call through the table's library, to be sure it is loadable, not only linkable. */
    CHECK_I64(pm_abi_version(), PM_ABI_VERSION);
    return pmt_summary();
}
