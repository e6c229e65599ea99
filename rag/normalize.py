"""Length-preserving text normalisation shared by ingest, retrieval and evaluation.

Chinese government reports mix full-width and half-width forms freely (``７.５％`` next to
``7.5%``, ``１－６月`` next to ``1-6月``). Matching, deduplication and BM25 must treat those as the
same text, but citations point at exact character offsets in the source. Every function here
therefore maps the input *character by character*: the output always has the same length as the
input, so an offset into the normalised string is also an offset into the original.
"""

from __future__ import annotations

__all__ = ["normalize_for_search", "normalize_width"]


def _build_width_table() -> dict[int, str]:
    """Map each full-width form to its single-character half-width counterpart."""
    table: dict[int, str] = {0x3000: " "}  # ideographic space
    # U+FF01..U+FF5E are the full-width forms of ASCII U+0021..U+007E (digits, letters, ％, ．…).
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0)
    # Full-width currency and sign forms; each has a one-character half-width equivalent.
    table.update(
        {
            0xFFE0: "\u00a2",  # ￠ -> ¢
            0xFFE1: "\u00a3",  # ￡ -> £
            0xFFE2: "\u00ac",  # ￢ -> ¬
            0xFFE3: "\u00af",  # ￣ -> ¯
            0xFFE4: "\u00a6",  # ￤ -> ¦
            0xFFE5: "\u00a5",  # ￥ -> ¥
            0xFFE6: "\u20a9",  # ￦ -> ₩
        }
    )
    return table


_WIDTH_TABLE = _build_width_table()


def normalize_width(text: str) -> str:
    """Fold full-width ASCII, ``％`` and the ideographic space to their half-width forms.

    The result has exactly ``len(text)`` characters, so offsets computed on it are valid in
    ``text`` too; that is what lets retrieval match ``7.5%`` against ``７.５％`` and still cite the
    original characters.
    """
    return text.translate(_WIDTH_TABLE)


def normalize_for_search(text: str) -> str:
    """Width-fold and lowercase ``text`` without changing its length.

    ``str.lower`` can expand a few characters (``"İ".lower()`` has two code points); such
    characters are left as they are so that offsets stay aligned.
    """
    folded = normalize_width(text)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        # lower() never shrinks a character, so equal lengths mean a one-to-one mapping.
        return lowered
    out = []
    for ch in folded:
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)
