#include <openssl/sha.h>
/* OpenSSL's one-shot SHA-256: hardware-accelerated (SHA-NI / ARMv8) where the CPU has it.
 * libcrypto is already loaded by libcurl and libwebsockets, so this adds no new dependency. */
