"""Ticket numbers: prefix + three digits, parsed back from what a clerk types."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from queue_server.domain.numbering import format_number, parse_number


@pytest.mark.parametrize("seq,expected", [(1, "A001"), (12, "A012"), (999, "A999"), (1000, "A1000")])
def test_format(seq, expected):
    assert format_number("A", seq) == expected


@pytest.mark.parametrize("seq", [0, -1])
def test_sequences_start_at_one(seq):
    with pytest.raises(ValueError):
        format_number("A", seq)


@pytest.mark.parametrize(
    "text,expected",
    [("A012", ("A", 12)), (" b007 ", ("B", 7)), ("Z999", ("Z", 999)), ("C1000", ("C", 1000))],
)
def test_parse(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "A", "A12", "12", "AB012", "A01234", "A-012", "Ａ012", "A012X"])
def test_parse_refuses_what_is_not_a_number(text):
    assert parse_number(text) is None


@settings(max_examples=200, deadline=None)
@given(prefix=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), seq=st.integers(1, 9999))
def test_round_trip(prefix, seq):
    number = format_number(prefix, seq)
    assert parse_number(number) == (prefix, seq)
    assert parse_number(number.lower()) == (prefix, seq)


@settings(max_examples=100, deadline=None)
@given(a=st.integers(1, 9999), b=st.integers(1, 9999))
def test_different_sequences_give_different_numbers(a, b):
    assert (format_number("A", a) == format_number("A", b)) == (a == b)
