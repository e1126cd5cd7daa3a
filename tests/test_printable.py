"""Untrusted text is shown, never obeyed: every control character but newline and tab becomes visible."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qa.printable import printable, printable_line


def test_control_characters_become_visible_and_text_is_otherwise_kept():
    assert printable("a\x1b[31mb\x07c\x7f\nd\te [b]") == "a\u241b[31mb\u2407c\u2421\nd\te [b]"


def test_c1_controls_such_as_the_8_bit_csi_are_replaced():
    assert printable("x\x9b2Jy\x9d0;title\x9c") == "x\ufffd2Jy\ufffd0;title\ufffd"


def test_osc_sequences_lose_their_escape_and_bell():
    hostile = "\x1b]0;pwned\x07 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ \x1b]52;c;ZXZpbA==\x07"
    assert not set(printable(hostile)) & {"\x1b", "\x07"}


def test_bytes_of_a_name_that_is_not_utf8_never_reach_the_terminal_raw():
    name = b"caf\xe9\x9b2J.txt".decode("utf-8", "surrogateescape")
    assert printable_line(name) == "caf\ufffd\ufffd2J.txt"
    assert printable_line(name).encode("utf-8", "surrogateescape") == "caf\ufffd\ufffd2J.txt".encode()


def test_a_single_line_value_shows_its_newlines_tabs_and_carriage_returns():
    assert printable_line("file\nname\r\tx") == "file\u240aname\u240d\u2409x"


@given(st.text(st.characters(exclude_categories=())))  # lone surrogates included
def test_no_control_character_survives(text):
    shown = printable(text)
    assert not [c for c in shown if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    assert not [c for c in shown if 0xD800 <= ord(c) <= 0xDFFF]
    assert "\n" not in printable_line(text) and "\t" not in printable_line(text)
