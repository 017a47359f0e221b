"""One folding of names for comparing and searching them, whatever the keyboard typed.

Lower case (``casefold``: ß → ss), without accents, ligatures spelled out (Œ → oe, Æ → ae) and
the letters with a stroke reduced to their base (ø → o, ł → l, đ → d): "ŒUVRARD" and "oeuvrard",
"Lefèvre" and "LEFEVRE" fold the same. Spaces, hyphens and apostrophes are kept as they are:
each caller decides what separates words.
"""

from __future__ import annotations

import functools
import unicodedata

_SPELLED_OUT = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ħ": "h",
        "ı": "i",
    }
)


def fold(text: str) -> str:
    if text.isascii():
        return text.lower()  # nothing to decompose or spell out: the common case, ten times faster
    return _fold_unicode(text)


@functools.lru_cache(maxsize=65536)
def _fold_unicode(text: str) -> str:
    """Cached: a practice's names repeat (a list of 20,000 has a few thousand distinct ones)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED_OUT))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
