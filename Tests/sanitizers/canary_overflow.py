"""canary_overflow.py — a deliberate heap-buffer-overflow on a library-owned string, run by
scripts/sanitize.sh (py-asan) with the ASan runtime LD_PRELOADed: ASan must report it, proof that
the runtime is live in the python process and sees the library's allocations. Never a test."""

import ctypes
import os

lib = ctypes.CDLL(os.environ["PMINGEST_LIBRARY"])
text = ctypes.c_void_p()
if lib.pm_decimal_format(ctypes.c_int64(950000), ctypes.byref(text)) != 0:
    raise SystemExit("pm_decimal_format failed")
ctypes.memset(text, 0, 64)  # "0.95" is 5 bytes with its NUL: ASan's memset interceptor must stop here
print("canary: the overflow went unreported")
