"""Article text shown exactly as written: markup stays text and control characters become visible."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def literal(text: str) -> str:
    """`text` with control characters (ESC of an ANSI sequence, bells...) as their Unicode pictures.

    Rich `Text` never parses markup, but a raw ESC would still reach the terminal and be obeyed;
    shown as `␛[31m` it is visible and harmless. Newlines and tabs are kept.
    """
    return _CONTROL.sub(lambda match: "\u2421" if match.group() == "\x7f" else chr(0x2400 + ord(match.group())), text)
