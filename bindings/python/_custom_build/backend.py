"""In-tree PEP 517 backend: setuptools' build_meta, but a wheel that carries libpmingest.so is
tagged for this platform (``py3-none-linux_x86_64``) instead of ``py3-none-any``.

Why this and not the alternatives (same approach as wasmtime-py's ci/_custom_build/backend.py):

* setuptools has no declarative "this pure-Python package ships a native library" switch; with
  only package data it tags the wheel ``any``, and pip would install it on macOS or aarch64.
* A setup.py ``Distribution.has_ext_modules() -> True`` override tags it ``cp311-cp311-...``:
  wrong, the binding is ctypes only and runs on every Python 3 (the C library has no Python ABI).
* ``--plat-name`` given to bdist_wheel keeps the ``py3-none`` part and only changes the platform.
  It is passed as the ``--build-option`` config setting, which setuptools' build_meta has turned
  into bdist_wheel arguments since 64 (the floor in pyproject.toml), up to the current release.

The tag is ``linux_<machine>``, not manylinux: the library links the system's libcurl,
libwebsockets and libsqlite3, which the manylinux policies do not allow, so it is only for the
distribution it was built on (fine for a private index or a wheelhouse; PyPI refuses it).

Without a bundled library (``pip install ./bindings/python`` for development, the library found
via PMINGEST_LIBRARY or the system) the wheel stays ``py3-none-any``: the tag describes contents.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path
from typing import Any, Dict, Optional

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F401,F403  (every other hook unchanged)


def _bundles_library() -> bool:
    # PEP 517 runs hooks with the source tree as the working directory.
    return any(Path("pmingest").glob("libpmingest.so*"))


def _platform_tag() -> str:
    # "linux-x86_64" -> "linux_x86_64", the form wheel file names use.
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[Dict[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    settings = dict(config_settings or {})
    if _bundles_library():
        extra = settings.get("--build-option", [])
        extra = [extra] if isinstance(extra, str) else list(extra)
        settings["--build-option"] = extra + ["--plat-name", _platform_tag()]
    return _orig.build_wheel(wheel_directory, settings, metadata_directory)
