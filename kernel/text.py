"""Characters nobody types on purpose: control characters (NUL, ESC, BEL…) and invisible format
characters (zero-width spaces, bidirectional overrides, the BOM).

They break things quietly: OpenCC's C library stops reading at a NUL (everything after it was lost
before the classifier saw it); an ESC sequence or a CR/LF in a staff reply or a citizen message
rewrites what a log reader or a terminal shows; a right-to-left override makes a case number read
differently on the desk than it is stored. Input is cleaned where it enters (the channels) and in the
normaliser; log lines escape what is left.
"""

from __future__ import annotations

import unicodedata

_KEPT_WHITESPACE = frozenset("\n\t")


def is_invisible(ch: str) -> bool:
    """A control (Cc) or format (Cf) character, other than newline and tab."""
    return ch not in _KEPT_WHITESPACE and unicodedata.category(ch) in ("Cc", "Cf")


def strip_invisible(text: str) -> str:
    """`text` without control and format characters (CR is dropped, newline and tab kept)."""
    return "".join(ch for ch in text if not is_invisible(ch))


def escape_controls(text: str) -> str:
    """One log line: newlines and other control characters shown as escapes, never acted on."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t" or not is_invisible(ch):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)
