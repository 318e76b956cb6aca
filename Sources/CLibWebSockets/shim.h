#include <libwebsockets.h>
/* LWS_PRE is a macro over a struct size: Swift cannot import it. */
static inline size_t pm_lws_pre(void) { return LWS_PRE; }
/* The WebSocket service thread's name ("pmingest-ws" in top -H, gdb, /proc/<pid>/task/<tid>/comm).
   glibc declares pthread_setname_np only under _GNU_SOURCE, which Swift's Glibc module does not
   define; an identical redeclaration is valid C. (Named apart from CCurl's pm_thread_setname so a
   file importing both modules sees no ambiguity.) */
#include <pthread.h>
static inline int pm_lws_thread_setname(pthread_t thread, const char *name) {
    extern int pthread_setname_np(pthread_t, const char *);
    return pthread_setname_np(thread, name);
}
