"""engine.quantity parses and prints resource quantities as apimachinery's resource.Quantity does."""
from fractions import Fraction

import pytest

from engine import quantity


@pytest.mark.parametrize("text,value", [
    ("100m", Fraction(1, 10)), ("1Gi", 2 ** 30), ("1.5", Fraction(3, 2)), ("2e3", 2000), ("1E3", 1000),
    ("0", 0), (".5", Fraction(1, 2)), ("1.", 1), ("+1", 1), ("-1.5", Fraction(-3, 2)), ("1k", 1000),
    ("128Mi", 128 * 2 ** 20), ("1e-3", Fraction(1, 1000)), (2, 2), (0.25, Fraction(1, 4)),
])
def test_parse_gives_exact_values(text, value):
    assert quantity.parse_quantity(text) == value


def test_values_finer_than_a_nanounit_round_up():
    assert quantity.parse_quantity("0.0000000001") == Fraction(1, 10 ** 9)


@pytest.mark.parametrize("text,canonical", [
    ("0.5", "500m"), ("1000m", "1"), ("1.5", "1500m"), ("1.5Gi", "1536Mi"), ("0.5Mi", "512Ki"), ("1024", "1024"),
    ("20000", "20k"), ("1000k", "1M"), ("2e3", "2e3"), ("2.5e2", "250"), ("1E3", "1e3"), ("0.1Gi", "107374182400m"),
    ("100m", "100m"), ("1Gi", "1Gi"), (1, "1"), ("0", "0"),
])
def test_canonical_form_matches_what_the_apiserver_stores(text, canonical):
    assert quantity.canonical_quantity(text) == canonical


@pytest.mark.parametrize("bad,message", [
    ("", quantity.FORMAT_ERROR), ("abc", quantity.FORMAT_ERROR), ("1x", quantity.FORMAT_ERROR), ("1.2.3", quantity.FORMAT_ERROR),
    ("1Gb", quantity.FORMAT_ERROR), ("1Ki2", quantity.SUFFIX_ERROR), ("--1", quantity.SUFFIX_ERROR),
])
def test_bad_quantities_carry_the_upstream_message(bad, message):
    with pytest.raises(quantity.QuantityError) as e:
        quantity.parse_quantity(bad)
    assert str(e.value) == message
    assert not quantity.is_valid_quantity(bad)


def test_format_error_quotes_the_regular_expression():
    assert quantity.FORMAT_ERROR == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def test_milli_and_integer_values_round_up_for_scheduling():
    assert quantity.milli_value("100m") == 100
    assert quantity.milli_value("1.5") == 1500
    assert quantity.milli_value("1n") == 1
    assert quantity.int_value("1Gi") == 2 ** 30
    assert quantity.int_value("1500m") == 2


def test_round_up_to_milli_like_resource_list_defaulting():
    assert quantity.round_up_milli("0.0001") == "1m"
    assert quantity.round_up_milli("1.0005") == "1001m"


def test_format_quantity_prints_values_in_a_chosen_format():
    assert quantity.format_quantity(Fraction(3, 2)) == "1500m"
    assert quantity.format_quantity(3 * 2 ** 30, quantity.BINARY_SI) == "3Gi"
    assert quantity.format_quantity(1000, quantity.BINARY_SI) == "1k"        # below 1024: decimal
    assert quantity.format_quantity(0) == "0"
