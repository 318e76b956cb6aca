#include "pmingest.h"
#include "pmingest_internal.h"

unsigned pmingest_header_version_number(void) { return PM_VERSION_NUMBER; }
const char *pmingest_header_version_string(void) { return PM_VERSION_STRING; }
