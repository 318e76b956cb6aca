/* Names the calling thread (visible in top -H, gdb, and the task comm files in /proc). In C because
 * glibc declares pthread_setname_np only under _GNU_SOURCE, which Swift's Glibc module lacks. */
#define _GNU_SOURCE
#include <pthread.h>
#include "pmingest_internal.h"

int pmingest_thread_setname_self(const char *name) { return pthread_setname_np(pthread_self(), name); }
