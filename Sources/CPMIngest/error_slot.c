/* The thread-local last-error slot behind pm_last_error() and pm_last_error_http_status(), and
 * pm_string_free().
 * In C because a thread-local with a growable buffer is one line here and awkward in Swift. */
#include "pmingest.h"
#include "pmingest_internal.h"
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

/* The message lives in a per-thread heap buffer, freed by a pthread key destructor when the
 * thread exits, and grown to fit: messages are never truncated. */
static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

static void make_slot_key(void) { (void)pthread_key_create(&slot_key, free); }

void pmingest_set_last_error(const char *message) {
    (void)pthread_once(&slot_once, make_slot_key);
    char *old = pthread_getspecific(slot_key);
    if (message == NULL || message[0] == '\0') {
        if (old) old[0] = '\0';
        return;
    }
    size_t length = strlen(message);
    char *fresh = realloc(old, length + 1);
    if (fresh == NULL) return; /* keep the old message rather than lose the slot */
    memcpy(fresh, message, length + 1);
    (void)pthread_setspecific(slot_key, fresh);
}

const char *pm_last_error(void) {
    (void)pthread_once(&slot_once, make_slot_key);
    const char *message = pthread_getspecific(slot_key);
    return message ? message : "";
}

/* The HTTP status of the same failure: a plain int per thread (no allocation, nothing to free). */
static _Thread_local int last_http_status;

void pmingest_set_last_error_http_status(int status) { last_http_status = status; }

int pm_last_error_http_status(void) { return last_http_status; }

void pm_string_free(char *string) { free(string); }

char *pmingest_strndup(const char *bytes, size_t length) {
    char *copy = malloc(length + 1);
    if (copy == NULL) return NULL;
    if (length) memcpy(copy, bytes, length);
    copy[length] = '\0';
    return copy;
}
