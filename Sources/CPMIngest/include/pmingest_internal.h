/* Internal helpers of libpmingest's C boundary. Not installed, not exported (the version script
 * exports pm_* only; these are named pmingest_*). */
#ifndef PMINGEST_INTERNAL_H
#define PMINGEST_INTERNAL_H
#include <stddef.h>

/** Replaces the calling thread's last-error message (copied; NULL clears it). */
void pmingest_set_last_error(const char *message);
/** Replaces the calling thread's last-error HTTP status (0: the failure had none). */
void pmingest_set_last_error_http_status(int status);
/** Copies `length` bytes into a new NUL-terminated malloc'd string; NULL on allocation failure. */
char *pmingest_strndup(const char *bytes, size_t length);

/** Names the calling thread (at most 15 characters). */
int pmingest_thread_setname_self(const char *name);

/* The header's version macros, evaluated in C so the header stays the single source of truth. */
unsigned pmingest_header_version_number(void);
const char *pmingest_header_version_string(void);

#endif
