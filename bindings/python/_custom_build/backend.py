"""In-tree PEP 517 backend: setuptools' build_meta, plus two things it cannot say declaratively.

1. A wheel carries the library or says why not. ``pip install ./bindings/python`` (a wheel
   built from this folder) decides, in this order:

   * ``pmingest/libpmingest.so*`` is already here (``make wheel`` stages a copy so): bundled.
   * ``PMINGEST_LIBRARY`` is set at build time: a pure-Python wheel (``py3-none-any``) that
     loads that library at run time (set the same variable when importing).
   * this folder sits in the pmingest repository (``../../Package.swift``): with ``swift`` and
     ``make`` on PATH it runs ``make lib`` there (the self-contained release library, incremental)
     and bundles ``dist/lib/libpmingest.so.0``; without Swift it bundles that file if it was
     built before.
   * otherwise the build fails with a message that says exactly what to run.

   A bundled library is copied next to the package only for the build and removed afterwards
   (unless it was there before). Editable installs (``pip install -e``) are not affected: they
   find the library through ``PMINGEST_LIBRARY`` or the system, as the README says.

2. A wheel that carries libpmingest.so is tagged for this platform (``py3-none-linux_x86_64``)
   instead of ``py3-none-any``. Why this and not the alternatives (same approach as
   wasmtime-py's ci/_custom_build/backend.py):

   * setuptools has no declarative "this pure-Python package ships a native library" switch;
     with only package data it tags the wheel ``any``, and pip would install it on macOS or aarch64.
   * A setup.py ``Distribution.has_ext_modules() -> True`` override tags it ``cp311-cp311-...``:
     wrong, the binding is ctypes only and runs on every Python 3 (the C library has no Python ABI).
   * ``--plat-name`` given to bdist_wheel keeps the ``py3-none`` part and only changes the
     platform. It is passed as the ``--build-option`` config setting, which setuptools'
     build_meta has turned into bdist_wheel arguments since 64, up to the current release.

   ``linux_<machine>`` is not a tag package indexes accept: the library links the system's
   libcurl, libwebsockets and libsqlite3. ``make wheel`` (scripts/build-wheel.sh) then runs
   ``auditwheel repair``, which copies those libraries into the wheel and retags it
   ``manylinux_2_34_x86_64`` (the glibc symbol versions the library uses allow no older policy).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any, Dict, Iterator, Optional
from contextlib import contextmanager

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F401,F403  (every other hook unchanged)


ENV_LIBRARY = "PMINGEST_LIBRARY"
BUNDLED = Path("pmingest") / "libpmingest.so"

NO_LIBRARY = """pmingest: no libpmingest.so to put in this wheel, and none to build here.

The Python package is a binding of the libpmingest shared library (a Swift core). Either:
  * build the self-contained library in the pmingest repository, then install again:
        make lib                       # writes dist/lib/libpmingest.so.0 (needs a Swift 6 toolchain and
                                       # libcurl4-openssl-dev libwebsockets-dev libsqlite3-dev libssl-dev)
        pip install ./bindings/python  # bundles it
  * or build the complete wheel:  make wheel && pip install dist/wheel/pmingest-*.whl
  * or install the pure-Python binding and point it at a library you have:
        PMINGEST_LIBRARY=/path/to/libpmingest.so.0 pip install ./bindings/python
    (and set PMINGEST_LIBRARY when importing too).
"""


def _bundles_library() -> bool:
    # PEP 517 runs hooks with the source tree as the working directory.
    return any(Path("pmingest").glob("libpmingest.so*"))


def _repository() -> Optional[Path]:
    root = Path.cwd().resolve().parent.parent
    return root if (root / "Package.swift").is_file() and (root / "Makefile").is_file() else None


def _library_to_bundle() -> Optional[Path]:
    """The repository's library, built now when Swift is here; None when there is nothing to bundle."""
    root = _repository()
    if root is None:
        return None
    if shutil.which("swift") and shutil.which("make"):
        print(f"pmingest: building the self-contained library (make -C {root} lib)", file=sys.stderr)
        done = subprocess.run(["make", "-C", str(root), "--no-print-directory", "lib"],
                              stdout=sys.stderr, stderr=sys.stderr)
        if done.returncode != 0:
            raise SystemExit(f"pmingest: `make -C {root} lib` failed (exit {done.returncode}); see above.\n"
                             + NO_LIBRARY)
    built = root / "dist" / "lib" / "libpmingest.so.0"
    return built if built.is_file() else None


@contextmanager
def _library_in_place() -> Iterator[bool]:
    """Yields whether the wheel bundles a library, staging one next to the package if needed."""
    if _bundles_library():
        yield True
        return
    if os.environ.get(ENV_LIBRARY):
        yield False
        return
    library = _library_to_bundle()
    if library is None:
        raise SystemExit(NO_LIBRARY)
    shutil.copyfile(library, BUNDLED)
    try:
        yield True
    finally:
        BUNDLED.unlink()


def _platform_tag() -> str:
    # "linux-x86_64" -> "linux_x86_64", the form wheel file names use.
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[Dict[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    settings = dict(config_settings or {})
    # setuptools copies package data into build/lib and wheels what is there: a library left by
    # an earlier bundled build would ride along in a pure wheel. Start from a clean build folder.
    shutil.rmtree("build", ignore_errors=True)
    with _library_in_place() as bundled:
        if bundled:
            extra = settings.get("--build-option", [])
            extra = [extra] if isinstance(extra, str) else list(extra)
            settings["--build-option"] = extra + ["--plat-name", _platform_tag()]
        return _orig.build_wheel(wheel_directory, settings, metadata_directory)
