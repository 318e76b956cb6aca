/* pmtest.h — the tiny assertion kit of the pmingest C ABI tests (C99, header only).
 *
 * Every CHECK counts one pass or one failure; a failure prints file:line, the expression and,
 * for the typed variants, both values (for statuses also pm_last_error()). A test program ends
 * with `return pmt_summary();`, which prints the line CI reads, exactly
 *     <N> passed, <M> failed
 * and returns 1 if anything failed. The counters are not thread-safe: worker threads record
 * their own results and the main thread CHECKs them after pthread_join. */
#ifndef PMTEST_H
#define PMTEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pmt_passed;
static int pmt_failed;

static inline void pmt_record(int ok, const char *file, int line, const char *expr) {
    if (ok) {
        pmt_passed++;
    } else {
        pmt_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
    }
}

static inline int pmt_summary(void) {
    fflush(stderr);
    printf("%d passed, %d failed\n", pmt_passed, pmt_failed);
    fflush(stdout);
    return pmt_failed ? 1 : 0;
}

#define CHECK(cond) pmt_record((cond) ? 1 : 0, __FILE__, __LINE__, #cond)

/* A check the current implementation is known to fail (reported, not yet fixed). When it holds it
 * counts as a pass; when it does not, it prints "KNOWN ISSUE" and is not counted, unless the
 * environment has PMTEST_STRICT=1, which makes it an ordinary failure. Turn it into CHECK once
 * the implementation is fixed. */
static inline void pmt_known(int ok, const char *file, int line, const char *expr, const char *why) {
    const char *strict = getenv("PMTEST_STRICT");
    if (ok || (strict && strcmp(strict, "1") == 0)) {
        pmt_record(ok, file, line, expr);
        if (!ok) fprintf(stderr, "     (known issue: %s)\n", why);
        return;
    }
    printf("KNOWN ISSUE (not counted; PMTEST_STRICT=1 counts it) %s:%d: %s: %s\n", file, line, expr, why);
}
#define CHECK_KNOWN(cond, why) pmt_known((cond) ? 1 : 0, __FILE__, __LINE__, #cond, why)

#define CHECK_I64(actual, expected)                                                             \
    do {                                                                                        \
        long long pmt_a_ = (long long)(actual), pmt_e_ = (long long)(expected);                 \
        pmt_record(pmt_a_ == pmt_e_, __FILE__, __LINE__, #actual " == " #expected);             \
        if (pmt_a_ != pmt_e_) fprintf(stderr, "     got %lld, expected %lld\n", pmt_a_, pmt_e_); \
    } while (0)

#define CHECK_STR(actual, expected)                                                     \
    do {                                                                                \
        const char *pmt_a_ = (actual), *pmt_e_ = (expected);                            \
        int pmt_ok_ = pmt_a_ != NULL && pmt_e_ != NULL && strcmp(pmt_a_, pmt_e_) == 0;  \
        pmt_record(pmt_ok_, __FILE__, __LINE__, #actual " == \"" #expected "\"");       \
        if (!pmt_ok_)                                                                   \
            fprintf(stderr, "     got %s%s%s, expected \"%s\"\n", pmt_a_ ? "\"" : "",   \
                    pmt_a_ ? pmt_a_ : "NULL", pmt_a_ ? "\"" : "", pmt_e_ ? pmt_e_ : "NULL"); \
    } while (0)

/* Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static inline int pmt_is_utf8(const char *text) {
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        unsigned c = *s, n, cp, i;
        if (c < 0x80) { s++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return 0;
        for (i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

/* Only for test programs that include pmingest.h. The message is copied right after the call,
 * before any other pm_* call (it is only valid until the next one on this thread). */
#ifdef PMINGEST_H
static char pmt_last_msg[1024];

static inline void pmt_status(pm_status got, pm_status want, int need_msg, const char *file,
                              int line, const char *expr) {
    const char *msg = pm_last_error();
    snprintf(pmt_last_msg, sizeof pmt_last_msg, "%s", msg ? msg : "(NULL)");
    pmt_record(got == want, file, line, expr);
    if (got != want)
        fprintf(stderr, "     got %d (%s), expected %d (%s); last error: \"%s\"\n", (int)got,
                pm_status_str(got), (int)want, pm_status_str(want), pmt_last_msg);
    if (need_msg) {
        pmt_record(msg != NULL && msg[0] != '\0', file, line, "pm_last_error() set after failure");
        /* "Messages are UTF-8", even when the bad input was not */
        pmt_record(msg != NULL && pmt_is_utf8(msg), file, line, "pm_last_error() is valid UTF-8");
    }
}

#define CHECK_STATUS(call, expected) \
    pmt_status((call), (expected), 0, __FILE__, __LINE__, #call " -> " #expected)
/* A failing call must also leave a message for this thread (copied into pmt_last_msg). */
#define CHECK_FAILS(call, expected) \
    pmt_status((call), (expected), 1, __FILE__, __LINE__, #call " -> " #expected)
#endif

#endif /* PMTEST_H */
