"""The private ctypes layer against the contract in include/pmingest.h."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from ctypes import (
    POINTER,
    c_bool,
    c_char_p,
    c_int,
    c_int32,
    c_int64,
    c_size_t,
    c_uint,
    c_uint32,
    c_void_p,
)
from types import SimpleNamespace

import pytest

import pmingest
from pmingest import _ffi, errors

from conftest import HEADER, PYTHON_ROOT, TOKEN

# ---------------------------------------------------------------------------------------------
# A small parser of the header's declarations, and the C -> ctypes type table of the binding.
# ---------------------------------------------------------------------------------------------

_SCALARS = {
    "unsigned": c_uint,
    "int": c_int,
    "bool": c_bool,
    "size_t": c_size_t,
    "int32_t": c_int32,
    "uint32_t": c_uint32,
    "int64_t": c_int64,
    "pm_status": c_int,  # enums cross as int
    "pm_change": c_int,
    "pm_side": c_int,
    "pm_event_type": c_int,
    "pm_stream_stat": c_int,
    "pm_size_source": c_int,
    "pm_processor_stat": c_int,
    "pm_log_level": c_int,
    "pm_socket_state": c_int,
    "pm_continuity": c_int,
}
_OPAQUE = {
    "pm_store": _ffi.Store,
    "pm_trade": _ffi.Trade,
    "pm_trades": _ffi.Trades,
    "pm_price_points": _ffi.PricePoints,
    "pm_token_prices": _ffi.TokenPrices,
    "pm_token_meta": _ffi.TokenMeta,
    "pm_token_metas": _ffi.TokenMetas,
    "pm_watermark": _ffi.Watermark,
    "pm_client": _ffi.Client,
    "pm_markets": _ffi.Markets,
    "pm_market": _ffi.Market,
    "pm_gamma_events": _ffi.GammaEvents,
    "pm_gamma_event": _ffi.GammaEvent,
    "pm_book": _ffi.Book,
    "pm_books": _ffi.Books,
    "pm_fetcher": _ffi.Fetcher,
    "pm_stream": _ffi.Stream,
    "pm_event": _ffi.Event,
    "pm_processor": _ffi.Processor,
    "pm_recorder": _ffi.Recorder,
    "pm_health": _ffi.Health,
}
# Function-pointer types: the typedef'd callback, and inline parameters spelled without names.
_CALLBACKS = {
    "pm_event_cb": _ffi.pm_event_cb,
    "pm_log_cb": _ffi.pm_log_cb,
    "pm_backfill_progress_cb": _ffi.pm_backfill_progress_cb,
    "pm_metadata_sync_progress_cb": _ffi.pm_metadata_sync_progress_cb,
    "void (*)(void *)": _ffi.pm_userdata_free_cb,
}
_STRUCTS = {
    "pm_store_options": _ffi.StoreOptions,
    "pm_trade_input": _ffi.TradeInput,
    "pm_price_point_input": _ffi.PricePointInput,
    "pm_token_meta_input": _ffi.TokenMetaInput,
    "pm_client_options": _ffi.ClientOptions,
    "pm_stream_options": _ffi.StreamOptions,
}


def _strip_comments(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", " ", source, flags=re.S)
    return re.sub(r"//[^\n]*", " ", source)


def _ctype(c_type: str):
    """The ctypes type the binding must use for a C type spelled in the header."""
    if c_type in _CALLBACKS:
        return _CALLBACKS[c_type]
    const = re.search(r"\bconst\b", c_type) is not None
    depth = c_type.count("*")
    base = re.sub(r"\bconst\b|\*", " ", c_type).split()
    assert len(base) == 1, f"cannot parse C type {c_type!r}"
    name = base[0]
    if name == "void" and depth == 0:
        return None
    if name == "void" and depth == 1:
        return c_void_p  # userdata
    if name == "char":
        if depth == 1:
            # Borrowed strings are copied by c_char_p; an owned `char *` must stay a raw pointer
            # so it can be handed back to pm_string_free.
            return c_char_p if const else c_void_p
        if depth == 2:
            if const:
                return POINTER(c_char_p)  # `const char *const *`: an input array of strings
            return POINTER(c_void_p)  # `char **out`: owned string, read then pm_string_free
    if name in _SCALARS:
        result = _SCALARS[name]
    elif name in _OPAQUE and depth >= 1:
        result, depth = POINTER(_OPAQUE[name]), depth - 1
    elif name in _STRUCTS and depth >= 1:
        result, depth = _STRUCTS[name], depth
    else:
        raise AssertionError(f"no ctypes mapping for C type {c_type!r}: extend the test's table")
    for _ in range(depth):
        result = POINTER(result)
    return result


def _split_top_level(params: str):
    """Splits a parameter list on the commas outside parentheses (function-pointer params)."""
    parts, depth, current = [], 0, []
    for char in params:
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += (char == "(") - (char == ")")
        current.append(char)
    parts.append("".join(current))
    return parts


def _param_type(param: str) -> str:
    """A named parameter's type: `const char *name` -> "const char *"; an inline function
    pointer `void (*name)(void *arg)` -> "void (*)(void *)"."""
    param = " ".join(param.split())
    pointer = re.fullmatch(r"(.*?)\(\s*\*\s*\w+\s*\)\s*\((.*)\)", param)
    if pointer:
        returns, inner = pointer.group(1).strip(), pointer.group(2).strip()
        inner_types = [] if inner in ("", "void") else [_param_type(p) for p in _split_top_level(inner)]
        return f"{returns} (*)({', '.join(inner_types)})"
    # every parameter in the header is named: drop the name, keep type and stars
    return re.sub(r"\s*\b\w+$", "", param)


def _header_functions():
    """[(name, return C type, [parameter C types])] for every PM_EXTERN function."""
    source = _strip_comments(HEADER.read_text())
    functions = []
    for match in re.finditer(r"PM_EXTERN\s+([^;(]*?)\b(pm_\w+)\s*\((.*?)\)\s*;", source, re.S):
        returns, name, params = match.group(1).strip(), match.group(2), match.group(3).strip()
        types = []
        if params and params != "void":
            types = [_param_type(param) for param in _split_top_level(params)]
        functions.append((name, returns, types))
    return functions


def _header_structs():
    """{struct name: [(field, C type)]} for every transparent typedef struct."""
    source = _strip_comments(HEADER.read_text())
    structs = {}
    for match in re.finditer(r"typedef struct (pm_\w+)\s*\{(.*?)\}\s*\1\s*;", source, re.S):
        fields = []
        for declaration in match.group(2).split(";"):
            declaration = " ".join(declaration.split())
            if not declaration:
                continue
            field = re.match(r"(.*?)(\w+)$", declaration)
            assert field, declaration
            fields.append((field.group(2), field.group(1).strip()))
        structs[match.group(1)] = fields
    return structs


HEADER_FUNCTIONS = _header_functions()


def test_header_parser_sees_the_whole_header():
    names = [name for name, _, _ in HEADER_FUNCTIONS]
    assert len(names) == len(set(names))
    # every declaration starts a line with PM_EXTERN (the macro's own #ifndef/#define do not)
    assert len(names) == len(re.findall(r"^PM_EXTERN\b", HEADER.read_text(), re.M))
    # spot checks of the parse itself:
    parsed = {name: (returns, params) for name, returns, params in HEADER_FUNCTIONS}
    assert parsed["pm_store_open"] == (
        "pm_status",
        ["const char *", "const pm_store_options *", "pm_store **"],
    )
    assert parsed["pm_version_number"] == ("unsigned", [])
    assert parsed["pm_decimal_format"] == ("pm_status", ["int64_t", "char **"])
    assert parsed["pm_client_fetch_orderbooks"] == (
        "pm_status",
        ["pm_client *", "const char *const *", "size_t", "pm_books **"],
    )
    assert parsed["pm_stream_set_callback"] == (
        "pm_status",
        ["pm_stream *", "pm_event_cb", "void *", "void (*)(void *)"],
    )
    assert parsed["pm_event_book"] == ("const pm_book *", ["const pm_event *"])


def test_callback_types_mirror_the_header():
    """typedef void (*pm_event_cb)(const pm_event *event, void *userdata); and the userdata_free
    parameter of pm_stream_set_callback. (The binding never registers a callback: pull model.)"""
    source = _strip_comments(HEADER.read_text())
    typedef = re.search(r"typedef\s+void\s*\(\s*\*\s*pm_event_cb\s*\)\s*\(([^)]*)\)\s*;", source)
    assert typedef, "pm_event_cb typedef not found"
    params = [_param_type(param) for param in _split_top_level(typedef.group(1))]
    assert params == ["const pm_event *", "void *"]
    assert _ffi.pm_event_cb._restype_ is None
    assert _ffi.pm_event_cb._argtypes_ == tuple(_ctype(param) for param in params)
    assert _ffi.pm_userdata_free_cb._restype_ is None
    assert _ffi.pm_userdata_free_cb._argtypes_ == (c_void_p,)


def test_every_header_function_has_argtypes_and_restype():
    missing = [name for name, _, _ in HEADER_FUNCTIONS if name not in _ffi.declared]
    assert not missing, f"declared in pmingest.h but not bound in _ffi.py: {missing}"
    extra = sorted(set(_ffi.declared) - {name for name, _, _ in HEADER_FUNCTIONS})
    assert not extra, f"bound in _ffi.py but not declared in pmingest.h: {extra}"

    wrong = []
    for name, returns, params in HEADER_FUNCTIONS:
        func = _ffi.declared[name]
        assert getattr(_ffi, name) is func
        expected_args = tuple(_ctype(param) for param in params)
        if func.argtypes is None or tuple(func.argtypes) != expected_args:
            wrong.append(f"{name} argtypes {func.argtypes} != {expected_args} (from {params})")
        if func.restype is not _ctype(returns):
            wrong.append(f"{name} restype {func.restype} != {_ctype(returns)} (from {returns!r})")
    assert not wrong, "types differ from pmingest.h:\n" + "\n".join(wrong)


def test_every_status_function_has_errcheck():
    status_functions = [name for name, returns, _ in HEADER_FUNCTIONS if returns == "pm_status"]
    assert len(status_functions) >= 10
    unchecked = [
        name for name in status_functions if _ffi.declared[name].errcheck is not _ffi._check
    ]
    assert not unchecked, f"pm_status functions without errcheck: {unchecked}"


def test_input_structs_mirror_the_header_field_by_field():
    structs = _header_structs()
    assert set(structs) == set(_STRUCTS), "a transparent struct in the header has no mirror"
    for c_name, fields in structs.items():
        mirror = _STRUCTS[c_name]
        expected = [(field, _ctype(c_type)) for field, c_type in fields]
        actual = [(field, ctype) for field, ctype in mirror._fields_]
        assert actual == expected, f"{mirror.__name__} differs from struct {c_name}"


def test_struct_layout_matches_the_c_compiler(tmp_path):
    """sizeof/offsetof of every mirrored struct, as a C compiler lays out pmingest.h."""
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        pytest.skip("no C compiler to compare struct layouts with")
    lines = []
    for c_name, mirror in _STRUCTS.items():
        lines.append(f'printf("{c_name} sizeof %zu\\n", sizeof({c_name}));')
        for field, _ in mirror._fields_:
            lines.append(f'printf("{c_name} {field} %zu\\n", offsetof({c_name}, {field}));')
    program = tmp_path / "layout.c"
    program.write_text(
        '#include <stddef.h>\n#include <stdio.h>\n#include "pmingest.h"\n'
        "int main(void) {\n" + "\n".join(lines) + "\nreturn 0;\n}\n"
    )
    binary = tmp_path / "layout"
    subprocess.run(
        [compiler, "-std=c99", "-I", str(HEADER.parent), str(program), "-o", str(binary)],
        check=True,
        capture_output=True,
    )
    output = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout
    c_layout = {tuple(line.split()[:2]): int(line.split()[2]) for line in output.splitlines()}
    py_layout = {}
    for c_name, mirror in _STRUCTS.items():
        py_layout[(c_name, "sizeof")] = ctypes.sizeof(mirror)
        for field, _ in mirror._fields_:
            py_layout[(c_name, field)] = getattr(mirror, field).offset
    assert py_layout == c_layout


def test_options_init_fills_header_defaults():
    options = _ffi.StoreOptions()
    _ffi.pm_store_options_init(ctypes.byref(options), _ffi.PM_STORE_OPTIONS_VERSION)
    assert (options.version, options.busy_timeout_ms) == (1, 5000)
    with pytest.raises(pmingest.PmInvalidArgument):
        _ffi.pm_store_options_init(ctypes.byref(options), 999)
    client = _ffi.ClientOptions()
    _ffi.pm_client_options_init(ctypes.byref(client), _ffi.PM_CLIENT_OPTIONS_VERSION)
    assert (
        client.version,
        client.gamma_url,
        client.clob_url,
        client.data_url,
        client.connect_timeout_ms,
        client.total_timeout_ms,
        client.max_attempts,
        client.max_response_bytes,
        client.verify_tls,
        client.rate_limit,
        client.listing_max_pages,
        client.listing_timeout_ms,
        client.deadline_ms,
    ) == (3, None, None, None, 5000, 15000, 4, 16 * 1024 * 1024, True, True, 1000, 300_000, 20_000)
    with pytest.raises(pmingest.PmInvalidArgument):
        _ffi.pm_client_options_init(ctypes.byref(client), 999)
    stream = _ffi.StreamOptions()
    _ffi.pm_stream_options_init(ctypes.byref(stream), _ffi.PM_STREAM_OPTIONS_VERSION)
    assert (
        stream.version,
        stream.url,
        stream.ping_interval_ms,
        stream.pong_timeout_ms,
        stream.asset_silence_timeout_ms,
        stream.queue_capacity,
        stream.max_message_bytes,
        stream.verify_tls,
        stream.queue_max_bytes,
        stream.max_assets_per_connection,
        stream.connect_stagger_ms,
        stream.subscription_chunk_size,
        stream.overflow_policy,
        stream.max_paused_ms,
    ) == (4, None, 10000, 30000, 120000, 10000, 8 * 1024 * 1024, True, 64 * 1024 * 1024, 200, 250, 100,
          _ffi.PM_OVERFLOW_DROP_OLDEST, 60000)
    with pytest.raises(pmingest.PmInvalidArgument):
        _ffi.pm_stream_options_init(ctypes.byref(stream), 999)


# ---------------------------------------------------------------------------------------------
# Loading and the ABI check
# ---------------------------------------------------------------------------------------------


def test_loaded_the_library_named_by_the_environment():
    assert os.environ.get("PMINGEST_LIBRARY"), "tests must load the library via PMINGEST_LIBRARY"
    assert _ffi.library_path == os.environ["PMINGEST_LIBRARY"]


def test_abi_mismatch_is_refused(monkeypatch):
    monkeypatch.setattr(_ffi, "EXPECTED_ABI_VERSION", 7)
    with pytest.raises(ImportError, match="rebuild libpmingest"):
        _ffi._check_abi(_ffi.lib)
    monkeypatch.undo()
    with pytest.raises(ImportError, match="rebuild libpmingest.*ABI version 1"):
        _ffi._check_abi(SimpleNamespace(pm_abi_version=lambda: 1))
    _ffi._check_abi(_ffi.lib)  # the real library passes


def _run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        cwd=str(PYTHON_ROOT),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_import_refuses_a_library_with_another_abi():
    code = f"""
        import ctypes, sys
        sys.path.insert(0, {str(PYTHON_ROOT)!r})
        real = ctypes.CDLL
        def fake_cdll(path, *args, **kwargs):
            library = real(path, *args, **kwargs)
            library.pm_abi_version = lambda: 1   # a library from a future ABI
            return library
        ctypes.CDLL = fake_cdll
        try:
            import pmingest
        except ImportError as error:
            print("refused:", error)
        else:
            sys.exit("imported a library with the wrong ABI")
    """
    result = _run_python(code, dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert "refused: rebuild libpmingest" in result.stdout


def test_missing_library_names_the_path_tried():
    env = dict(os.environ, PMINGEST_LIBRARY="/nonexistent-dir/libpmingest.so")
    result = _run_python(
        f"import sys; sys.path.insert(0, {str(PYTHON_ROOT)!r}); import pmingest", env
    )
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "/nonexistent-dir/libpmingest.so" in result.stderr


def test_without_override_every_candidate_is_named():
    if ctypes.util.find_library("pmingest"):
        pytest.skip("libpmingest is installed system-wide here")
    package_lib = PYTHON_ROOT / "pmingest" / "libpmingest.so"
    if package_lib.exists():
        pytest.skip("a library was copied next to the package")
    env = {key: value for key, value in os.environ.items() if key != "PMINGEST_LIBRARY"}
    result = _run_python(
        f"import sys; sys.path.insert(0, {str(PYTHON_ROOT)!r}); import pmingest", env
    )
    assert result.returncode != 0
    assert str(package_lib) in result.stderr
    assert "find_library('pmingest')" in result.stderr


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_errcheck_raises_the_mapped_error_with_name_and_message():
    with pytest.raises(pmingest.PmParseError) as caught:
        _ffi.pm_decimal_parse(b"abc", ctypes.byref(c_int64()))
    error = caught.value
    assert error.status == 6
    assert error.status_name == _ffi.pm_status_str(6).decode()
    assert error.message  # pm_last_error() detail
    assert error.status_name in str(error) and error.message in str(error)


def test_null_handles_are_errors_not_crashes():
    with pytest.raises(pmingest.PmInvalidArgument):
        _ffi.pm_store_count_trades(None, None, ctypes.byref(c_int64()))
    with pytest.raises(pmingest.PmInvalidArgument):
        _ffi.pm_store_open(b":memory:", None, None)
    assert _ffi.pm_trades_count(None) == 0
    assert _ffi.pm_trade_id(None) == b""
    _ffi.pm_store_free(None)
    _ffi.pm_string_free(None)


def test_handle_types_are_checked():
    with pytest.raises(ctypes.ArgumentError):
        _ffi.pm_trades_count(_ffi.StoreP())
    with pytest.raises(ctypes.ArgumentError):
        _ffi.pm_store_count_trades("not a handle", None, ctypes.byref(c_int64()))


def test_invalid_utf8_bytes_through_the_raw_layer(db, trades):
    with pytest.raises(pmingest.PmInvalidUTF8) as caught:
        _ffi.pm_decimal_parse(b"\xff0.5", ctypes.byref(c_int64()))
    assert isinstance(caught.value, pmingest.PmInvalidArgument)
    with db._use() as store:
        with pytest.raises(pmingest.PmInvalidUTF8):
            _ffi.pm_store_count_trades(store, b"\xff\xfe", ctypes.byref(c_int64()))
        with pytest.raises(pmingest.PmInvalidUTF8):
            _ffi.pm_store_get_token_meta(store, b"\xc3\x28", ctypes.byref(_ffi.TokenMetaP()))
        item = _ffi.TradeInput(
            version=1, token_id=b"12\xff", side=b"BUY", price=b"0.5", size=b"1", timestamp_ms=1
        )
        with pytest.raises(pmingest.PmInvalidUTF8):
            _ffi.pm_store_upsert_trade(store, ctypes.byref(item), None)
    assert trades.count() == 0


def test_status_names():
    assert _ffi.pm_status_str(0)
    assert _ffi.pm_status_str(123456) == b"unknown status"
    assert _ffi.error(123456, "x").__class__ is pmingest.PmError


def test_last_error_is_per_thread():
    seen = {}

    def fail(tag: str) -> None:
        for _ in range(200):
            try:
                _ffi.pm_decimal_parse(tag.encode(), ctypes.byref(c_int64()))
            except pmingest.PmParseError as error:
                if tag not in error.message:
                    seen[tag] = error.message
                    return

    threads = [threading.Thread(target=fail, args=(f"bad{i}x",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {}, f"a thread saw another thread's error message: {seen}"


def test_exception_hierarchy_and_mapping():
    expected = {
        1: pmingest.PmInvalidArgument,
        2: pmingest.PmInvalidUTF8,
        3: pmingest.PmNetworkError,
        4: pmingest.PmTimeoutError,
        5: pmingest.PmHTTPError,
        6: pmingest.PmParseError,
        7: pmingest.PmRangeError,
        8: pmingest.PmTooLargeError,
        9: pmingest.PmStaleDataError,
        10: pmingest.PmBookInvalid,
        11: pmingest.PmStorageError,
        12: pmingest.PmDatabaseBusy,
        13: pmingest.PmDatabaseCorrupt,
        14: pmingest.PmCannotOpenDatabase,
        15: pmingest.PmMisuse,
        16: pmingest.PmCancelled,
        17: pmingest.PmInternalError,
        18: pmingest.PmNoOrderBook,
    }
    for status, cls in expected.items():
        assert errors.exception_class(status) is cls
        assert issubclass(cls, pmingest.PmError)
        error = _ffi.error(status, "detail")
        assert type(error) is cls and error.status == status
        assert error.status_name == _ffi.pm_status_str(status).decode()
    assert errors.exception_class(0) is pmingest.PmError
    assert errors.exception_class(99) is pmingest.PmError
    assert issubclass(pmingest.PmInvalidUTF8, pmingest.PmInvalidArgument)
    assert issubclass(pmingest.PmNoOrderBook, pmingest.PmBookInvalid)
    for cls in (pmingest.PmDatabaseBusy, pmingest.PmDatabaseCorrupt, pmingest.PmCannotOpenDatabase):
        assert issubclass(cls, pmingest.PmStorageError)
    unknown = _ffi.error(99, "from the future")
    assert type(unknown) is pmingest.PmError and unknown.status == 99


def test_errors_pickle_with_their_status():
    error = _ffi.error(12, "database is locked")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is pmingest.PmDatabaseBusy
    assert (copy.status, copy.status_name, copy.message) == (12, error.status_name, error.message)
    assert str(copy) == str(error)


def test_owned_string_is_read_and_freed():
    out = c_void_p()
    _ffi.pm_decimal_format(1_250_500_000, ctypes.byref(out))
    assert out.value
    assert _ffi.take_string(out) == "1250.5"
    assert out.value is None  # freed and cleared: cannot be freed twice


def test_version():
    assert pmingest.__version__ == pmingest.version() == _ffi.pm_version_string().decode()
    major, minor, patch = (int(part) for part in pmingest.__version__.split(".")[:3])
    assert _ffi.pm_version_number() == major * 10000 + minor * 100 + patch
    assert _ffi.pm_abi_version() == _ffi.EXPECTED_ABI_VERSION
    assert TOKEN.isdigit()  # token ids are text of digits, never ints
