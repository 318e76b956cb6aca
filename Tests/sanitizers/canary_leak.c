/* canary_leak.c — a deliberate leak of a library-owned string. scripts/sanitize.sh builds and runs
 * it beside the C tests and requires the checker (LeakSanitizer, valgrind) to REPORT it: proof
 * that the stage's wiring (shared sanitizer runtime, leak checking, error exit code) can fail,
 * so its "0 findings" means something. Never part of the test suites. */
#include "pmingest.h"
#include <stdio.h>

int main(void) {
    char *text = NULL;
    if (pm_decimal_format(950000, &text) != PM_OK || text == NULL) return 2;
    printf("canary: %s (leaked on purpose)\n", text);
    text = NULL; /* the only pointer is gone: a definite leak */
    return 0;
}
