"""qa/cli/output.py: any string is printed as typed, never as control or Rich markup; JSON keeps it."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout

from hypothesis import given
from hypothesis import strategies as st

from qa.cli.batch import BatchLineError
from qa.cli.output import console, echo, echo_line, json_text, styled
from qa.printable import printable, printable_line

RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MARKUP_AND_ESCAPES = st.text(alphabet=st.sampled_from("[]/:bold red smile \x1b\x07\x9b\x7f\t\n\r;0\\")) | st.text()
"""Rich markup tags, emoji codes and escape sequences are built from these; plus any text at all."""


@given(MARKUP_AND_ESCAPES)
def test_the_console_prints_any_string_as_typed(text):
    out = console()
    with out.capture() as captured:
        out.print(text.replace("\t", " "), soft_wrap=True, end="")
        out.print(styled(text.replace("\t", " "), "bold"), soft_wrap=True, end="")
    shown = printable(text.replace("\t", " "))
    assert captured.get() == shown + shown
    assert RAW_CONTROL.search(captured.get()) is None


@given(st.text(), st.text())
def test_json_text_escapes_every_control_and_parses_back_to_the_original(error, question):
    document = json_text(BatchLineError(line=1, error=error, question=question).model_dump_json())
    assert RAW_CONTROL.search(document) is None
    assert json.loads(document) == {"line": 1, "error": error, "question": question}


@given(MARKUP_AND_ESCAPES)
def test_echo_and_echo_line_print_any_string_as_typed(text):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        echo(text)
        echo_line(text, err=True)
        echo(text, err=True)
    assert out.getvalue() == printable(text) + "\n"
    line, rest = err.getvalue().split("\n", 1)
    assert line == printable_line(text)
    assert rest == printable(text) + "\n"
    assert RAW_CONTROL.search(out.getvalue() + err.getvalue()) is None
