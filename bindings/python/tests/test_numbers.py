"""Exact decimals: parse_decimal / format_decimal and the binding's own conversions."""

from __future__ import annotations

import random
from decimal import Decimal, localcontext

import pytest

import pmingest
from pmingest import _convert


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.95", "0.95"),
        (".48", "0.48"),
        ("1218691.83", "1218691.83"),
        ("0", "0"),
        ("5", "5"),
        ("0.000001", "0.000001"),
        ("1250.500000", "1250.5"),
        ("9223372036854.775807", "9223372036854.775807"),  # INT64_MAX micro-units
    ],
)
def test_parse_decimal_is_exact(text, expected):
    value = pmingest.parse_decimal(text)
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)
    assert str(value) == expected  # canonical digits, no exponent, no float detour


@pytest.mark.parametrize(
    "text, error",
    [
        ("0.1234567", pmingest.PmParseError),  # more than 6 fraction digits: never rounded
        ("0.30000000000000004", pmingest.PmParseError),
        ("-1", pmingest.PmParseError),
        ("1e5", pmingest.PmParseError),
        (" 1", pmingest.PmParseError),
        ("", pmingest.PmParseError),
        ("NaN", pmingest.PmParseError),
        ("9223372036854.775808", pmingest.PmRangeError),
    ],
)
def test_parse_decimal_rejects(text, error):
    with pytest.raises(error):
        pmingest.parse_decimal(text)


def test_parse_decimal_wants_str():
    with pytest.raises(TypeError):
        pmingest.parse_decimal(0.95)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pmingest.parse_decimal(b"0.95")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("0.950"), "0.95"),
        (Decimal("1250.50"), "1250.5"),
        (Decimal("0"), "0"),
        (Decimal("-0"), "0"),
        (Decimal("0E-12"), "0"),
        (Decimal("-0.01"), "-0.01"),
        (Decimal("1E+2"), "100"),
        (Decimal("1218691.83"), "1218691.83"),
        (Decimal("0.1000000000"), "0.1"),  # trailing zeros are not precision
        (5, "5"),
    ],
)
def test_format_decimal(value, expected):
    assert pmingest.format_decimal(value) == expected


def test_format_decimal_rejects():
    with pytest.raises(pmingest.PmInvalidArgument, match="fraction digits"):
        pmingest.format_decimal(Decimal("0.30000000000000004"))
    for special in ("NaN", "Infinity", "-Infinity", "sNaN"):
        with pytest.raises(pmingest.PmInvalidArgument):
            pmingest.format_decimal(Decimal(special))
    with pytest.raises(pmingest.PmRangeError):
        pmingest.format_decimal(Decimal("9223372036854.775808"))
    with pytest.raises(TypeError):
        pmingest.format_decimal(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pmingest.format_decimal(True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pmingest.format_decimal("0.1")  # type: ignore[arg-type]


def test_round_trip_through_the_library_is_exact():
    rng = random.Random(20250101)
    samples = [0, 1, 10, 999_999, 1_000_000, 2**63 - 1] + [rng.randrange(2**63) for _ in range(300)]
    for micros in samples:
        value = _convert.micros_to_decimal(micros)
        text = pmingest.format_decimal(value)
        assert text == str(value)
        assert pmingest.parse_decimal(text) == value
        assert _convert.decimal_to_micros(value) == micros


def test_exactness_does_not_depend_on_the_decimal_context():
    with localcontext() as context:
        context.prec = 3  # a careless caller's context must not round wire values
        assert pmingest.parse_decimal("1218691.83") == Decimal("1218691.83")
        assert pmingest.format_decimal(Decimal("1218691.83")) == "1218691.83"
        assert _convert.decimal_text(Decimal("1218691.830000"), "price") == "1218691.83"


def test_decimal_text_never_uses_exponents():
    assert _convert.decimal_text(Decimal("1E+3"), "price") == "1000"
    assert _convert.decimal_text(Decimal("5E-6"), "price") == "0.000005"
    assert _convert.decimal_text(Decimal("0.95"), "price") == "0.95"
    assert _convert.decimal_text("0.95", "price") == "0.95"  # str: validated by the library
    assert _convert.decimal_text(7, "price") == "7"
    with pytest.raises(TypeError, match="float"):
        _convert.decimal_text(0.95, "price")
