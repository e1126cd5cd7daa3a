"""Text from files, flags and questions made safe to show: control characters become visible, never obeyed.

Untrusted text (an article, a title, a file name, an `--outlet` value) may hold ESC sequences that
retitle a window, clear the screen, plant an OSC 52 clipboard write or an OSC 8 link. Every printer
(the CLI's human output and reports, the chat's widgets, exports and clipboard) passes text through
`printable` first; `--json` keeps the original text, since JSON escapes it.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""C0 controls but tab and newline, DEL, the C1 controls (U+0080-U+009F: 8-bit CSI, OSC, ...), and lone
surrogates: a file name or argument that is not UTF-8 carries its bytes as U+DC80-U+DCFF, which a
`surrogateescape` stream writes back raw, so byte 0x9B would reach the terminal as an 8-bit CSI."""
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_REPLACEMENT = "\ufffd"
"""C1 controls and lone surrogates have no Unicode pictures; they show as the replacement character."""


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL, ␍ for CR, ...
    return "\u2421" if code == 0x7F else _REPLACEMENT


def printable(text: str) -> str:
    """`text` with control characters shown as their Unicode pictures (`␛[31m`); newlines and tabs kept."""
    return _CONTROL.sub(_picture, text)


def printable_line(text: str) -> str:
    """`printable`, with newlines and tabs shown too: for values that must stay on one line (names, paths)."""
    return _CONTROL_OR_NEWLINE.sub(_picture, text)
