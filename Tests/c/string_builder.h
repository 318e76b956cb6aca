/* string_builder.h — a growable string for the C tests and the soak, which build fake-server
 * scripts and JSON bodies longer than C99's 4095-character literals. Include after <stdio.h>,
 * <stdlib.h>, <stdarg.h>. Running out of memory ends the program: a silently truncated script
 * would test something else than it says. */
#ifndef PMINGEST_TESTS_STRING_BUILDER_H
#define PMINGEST_TESTS_STRING_BUILDER_H

struct sb {
    char *p;
    size_t len, cap;
};

static inline void sb_printf(struct sb *b, const char *fmt, ...) {
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *grown = realloc(b->p, cap);
        if (grown == NULL) {
            fprintf(stderr, "string_builder: out of memory growing to %zu bytes\n", cap);
            exit(2);
        }
        b->p = grown;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static inline void sb_free(struct sb *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* "," when the buffer ends a previous JSON value ('}' or ']'): list building. */
static inline void sb_sep(struct sb *b) {
    if (b->len > 0 && (b->p[b->len - 1] == '}' || b->p[b->len - 1] == ']')) sb_printf(b, ",");
}

#endif
