"""What the CLI does when its reader leaves (`qa ask … | head -1`): stop writing and end quietly, like `cat`.

Its own module so that both the plain writers (`qa.cli.output`) and the Rich console
(`qa.cli.printable_console`) can use it without importing each other.
"""

from __future__ import annotations

import os
import sys


def stop_writing_stdout() -> None:
    """Point stdout at the null device, as Python's docs advise on EPIPE, so the flush at exit cannot fail."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a test's or an embedding program's buffer
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)
