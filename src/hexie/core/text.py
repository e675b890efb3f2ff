"""Text as the services store it, cleaned the same way in every app."""

import unicodedata


def clean_text(value, *, multiline: bool = True) -> str:
    """Text as stored: line breaks normalised, control and format characters (NUL, escape
    sequences, bidi overrides, zero-width marks) removed, outer blanks stripped. A single-line
    field also loses its line breaks and tabs."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    kept = (ch for ch in text
            if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    return "".join(kept).strip()
