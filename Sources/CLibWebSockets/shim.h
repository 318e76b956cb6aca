#include <libwebsockets.h>
/* LWS_PRE is a macro over a struct size: Swift cannot import it. */
static inline size_t pm_lws_pre(void) { return LWS_PRE; }
