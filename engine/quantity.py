"""Resource quantities ("100m", "1Gi", "1.5", "2e3") as the apiserver parses and prints them.

Mirrors k8s.io/apimachinery pkg/api/resource/quantity.go:

* `parse_quantity(s)` gives the exact value as a `Fraction` (values finer than 1n are rounded
  up, away from zero, as ParseQuantity does). Invalid text raises `QuantityError` carrying the
  upstream message.
* `format_quantity(value, fmt)` prints the canonical form (Quantity.String): the largest SI
  suffix that keeps an integer mantissa ("1500m", "2k"), binary suffixes for BinarySI values that
  are whole multiples of 1024 ("1536Mi"), `e<n>` for DecimalExponent.
* `canonical_quantity(s)` = parse then print in the input's own format: what `kubectl get -o yaml`
  shows after the apiserver stored the value ("0.5" -> "500m", "1.5Gi" -> "1536Mi").
* `milli_value` / `int_value` round up like Quantity.MilliValue / Quantity.Value (the scheduler
  compares requests in millicores and bytes).
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

# The regular expression quoted in the upstream decode error (ErrFormatWrong).
QUANTITY_REGEX = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
FORMAT_ERROR = "quantities must match the regular expression '" + QUANTITY_REGEX + "'"
SUFFIX_ERROR = "unable to parse quantity's suffix"
NUMERIC_ERROR = "unable to parse quantity's numeric"

_DEC_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BIN_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DEC_BY_EXP = {v: k for k, v in _DEC_SUFFIXES.items()}
_BIN_BY_EXP = {v // 10: k for k, v in _BIN_SUFFIXES.items()}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")
_NANO = Fraction(1, 10 ** 9)


class QuantityError(ValueError):
    """A quantity string the apiserver would refuse to decode."""


def _split(s: str) -> tuple[bool, str, str, str]:
    """parseQuantityString: sign, integer digits, fraction digits, suffix."""
    pos, end = 0, len(s)
    positive = True
    if pos < end and s[0] in "+-":
        positive = s[0] == "+"
        pos += 1
    start = pos
    while pos < end and s[pos] in _DIGITS:
        pos += 1
    num = s[start:pos]
    denom = ""
    if pos < end and s[pos] == ".":
        pos += 1
        start = pos
        while pos < end and s[pos] in _DIGITS:
            pos += 1
        denom = s[start:pos]
    suffix_start = pos
    while pos < end and s[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and s[pos] in "+-":
        pos += 1
    while pos < end and s[pos] in _DIGITS:
        pos += 1
    if pos != end:
        raise QuantityError(FORMAT_ERROR)
    return positive, num, denom, s[suffix_start:end]


def _interpret(suffix: str) -> tuple[int, int, str]:
    """(base, exponent, format) of a suffix, as quantitySuffixer.interpret."""
    if suffix in _DEC_SUFFIXES:
        return 10, _DEC_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BIN_SUFFIXES:
        return 2, _BIN_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        try:
            exponent = int(suffix[1:]) if len(suffix) <= 21 else None   # strconv.ParseInt(…, 64)
        except ValueError:
            exponent = None
        if exponent is not None and -2 ** 63 <= exponent < 2 ** 63:
            return 10, exponent, DECIMAL_EXPONENT
    raise QuantityError(SUFFIX_ERROR)


# Exact arithmetic costs time in the number of digits: "1e1000000" would build a million-digit
# integer (minutes of CPU for a 170-byte Pod). Upstream keeps such values as a scaled decimal
# without expanding them; no resource anywhere means anything near these bounds, so values
# beyond them are refused instead, in time bounded by the length of the text.
MAX_DIGITS = 100            # digits in the number part ("123.456" has 6)
MAX_MAGNITUDE = 300         # |decimal exponent| of the value (int64 is ~1e19; 1e-9 is the finest)


def _check_bounds(num: str, denom: str, exponent: int) -> None:
    if len(num) + len(denom) > MAX_DIGITS:
        raise QuantityError(NUMERIC_ERROR)
    if abs(exponent) > MAX_MAGNITUDE:
        raise QuantityError(NUMERIC_ERROR)


@functools.lru_cache(maxsize=4096)
def _parse(s: str) -> tuple[Fraction, str]:
    if s == "":
        raise QuantityError(FORMAT_ERROR)
    if s == "0":
        return Fraction(0), DECIMAL_SI
    positive, num, denom, suffix = _split(s)
    base, exponent, fmt = _interpret(suffix)
    _check_bounds(num, denom, exponent)
    digits = (num or "0") + denom
    mantissa = Fraction(int(digits), 10 ** len(denom)) if digits else Fraction(0)
    value = mantissa * (Fraction(10) ** exponent if base == 10 else Fraction(2) ** exponent)
    if value and (value / _NANO).denominator != 1:
        value = Fraction(math.ceil(value / _NANO)) * _NANO     # RoundUp to nano
    if fmt == BINARY_SI and 0 < value < 1:
        fmt = DECIMAL_SI
    return (value if positive else -value), fmt


def parse_quantity(s) -> Fraction:
    """Exact value of a quantity string (ints and floats from JSON numbers are accepted)."""
    return _parse(_as_text(s))[0]


def quantity_format(s) -> str:
    """The Format ("DecimalSI", "BinarySI", "DecimalExponent") the string was written in."""
    return _parse(_as_text(s))[1]


def _as_text(s) -> str:
    if isinstance(s, bool):
        raise QuantityError(FORMAT_ERROR)
    if isinstance(s, int):
        return str(s)
    if isinstance(s, float):
        return repr(s) if not s.is_integer() else str(int(s))
    if isinstance(s, Fraction):
        return format_quantity(s)
    if not isinstance(s, str):
        raise QuantityError(FORMAT_ERROR)
    return s


def _remove_factors(value: int, base: int) -> tuple[int, int]:
    times = 0
    while value and value % base == 0:
        value //= base
        times += 1
    return value, times


def format_quantity(value, fmt: str = DECIMAL_SI) -> str:
    """Canonical text of a value (Quantity.String / CanonicalizeBytes)."""
    value = Fraction(value)
    if value == 0:
        return "0"
    if fmt == BINARY_SI:
        if -1024 < value < 1024 or value.denominator != 1:
            fmt = DECIMAL_SI
        else:
            amount, exp = _remove_factors(abs(value.numerator), 1024)
            exp = min(exp, 6)
            amount = abs(value.numerator) // (1024 ** exp)
            sign = "-" if value < 0 else ""
            return f"{sign}{amount}{_BIN_BY_EXP.get(exp, '')}"
    # Decimal: integer mantissa times 10**exp, exp a multiple of 3 (rounded towards -inf).
    sign = "-" if value < 0 else ""
    value = abs(value)
    exp = 0
    while value.denominator != 1:
        value *= 10
        exp -= 1
    mantissa, times = _remove_factors(value.numerator, 10)
    exp += times
    shift = exp % 3
    mantissa *= 10 ** shift
    exp -= shift
    if fmt == DECIMAL_EXPONENT:
        return f"{sign}{mantissa}" + (f"e{exp}" if exp else "")
    if exp > 18:     # beyond "E": keep an exact integer mantissa with the largest suffix
        mantissa *= 10 ** (exp - 18)
        exp = 18
    if exp < -9:
        exp = -9     # cannot happen after nano rounding; kept for safety
    return f"{sign}{mantissa}{_DEC_BY_EXP[exp]}"


@functools.lru_cache(maxsize=4096)
def _canonical(s: str) -> str:
    value, fmt = _parse(s)
    return format_quantity(value, fmt)


def canonical_quantity(s) -> str:
    """Parse and print back in the canonical form of the input's own format."""
    return _canonical(_as_text(s))


# The three below are pure functions of the text and run for every pod (defaulting, the
# scheduler): cached per text, as _parse is. (Errors are raised, never cached.)

def round_up_milli(s) -> str:
    """SetDefaults_ResourceList: round up to milli precision, then canonicalize."""
    return _round_up_milli(_as_text(s))


@functools.lru_cache(maxsize=4096)
def _round_up_milli(s: str) -> str:
    value, fmt = _parse(s)
    milli = value * 1000
    if milli.denominator != 1:
        value = Fraction(math.ceil(milli) if value > 0 else math.floor(milli), 1000)
    return format_quantity(value, fmt)


def milli_value(s) -> int:
    """Quantity.MilliValue: value in thousandths, rounded up."""
    return _milli_value(_as_text(s))


@functools.lru_cache(maxsize=4096)
def _milli_value(s: str) -> int:
    return math.ceil(_parse(s)[0] * 1000)


def int_value(s) -> int:
    """Quantity.Value: integer value, rounded up (bytes for memory)."""
    return _int_value(_as_text(s))


@functools.lru_cache(maxsize=4096)
def _int_value(s: str) -> int:
    return math.ceil(_parse(s)[0])


def is_valid_quantity(s) -> bool:
    try:
        parse_quantity(s)
        return True
    except QuantityError:
        return False
