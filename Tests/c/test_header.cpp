// test_header.cpp — pmingest.h compiles as C++11 (g++ -std=c++11 -Wall -Wextra -Werror -pedantic)
// and its declarations have C linkage: taking the address of every function links against the
// C symbols of libpmingest.so (a missing extern "C" would look for mangled names and fail).
#include "pmingest.h"
#include "pmingest.h"

#include "pmtest.h"

#include <cstddef>
#include <type_traits>

typedef void (*pm_any_fn)(void);

struct fn_entry {
    const char *name;
    pm_any_fn address;
};

#define PM_FN(name) {#name, reinterpret_cast<pm_any_fn>(&name)},
static const fn_entry functions[] = {
#include "header_functions.inc"
};
#undef PM_FN

static_assert(std::is_standard_layout<pm_trade_input>::value, "pm_trade_input is a C struct");
static_assert(std::is_standard_layout<pm_token_meta_input>::value, "pm_token_meta_input is a C struct");
static_assert(std::is_standard_layout<pm_store_options>::value, "pm_store_options is a C struct");
static_assert(std::is_standard_layout<pm_client_options>::value, "pm_client_options is a C struct");
static_assert(sizeof(pm_status) == sizeof(int), "pm_status is int-sized");
static_assert(PM_VERSION_CHECK(0, 0, 1), "0.1.0 >= 0.0.1");

int main() {
    const std::size_t n = sizeof functions / sizeof functions[0];
    for (std::size_t i = 0; i < n; i++) {
        if (functions[i].address == nullptr) fprintf(stderr, "NULL address: %s\n", functions[i].name);
        CHECK(functions[i].address != nullptr);
    }
    printf("header functions linked (C++): %lu\n", static_cast<unsigned long>(n));

    pm_store_options options = PM_STORE_OPTIONS_INIT;
    pm_trade_input trade = PM_TRADE_INPUT_INIT;
    pm_token_meta_input meta = PM_TOKEN_META_INPUT_INIT;
    pm_client_options client = PM_CLIENT_OPTIONS_INIT;
    CHECK_I64(options.version, PM_STORE_OPTIONS_VERSION);
    CHECK_I64(trade.version, PM_TRADE_INPUT_VERSION);
    CHECK_I64(meta.outcome_index, -1);
    CHECK_I64(client.version, PM_CLIENT_OPTIONS_VERSION);
    CHECK_I64(pm_abi_version(), PM_ABI_VERSION);
    CHECK_STATUS(pm_store_options_init(&options, PM_STORE_OPTIONS_VERSION), PM_OK);
    return pmt_summary();
}
