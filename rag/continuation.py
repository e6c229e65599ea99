"""A list cut at its chunk's end continues in the next chunk of the same document.

Chunks end where the token budget ends, which is often inside a long target list
("…居民消费价格涨幅2%左右；" and the next chunk goes on "居民收入增长…；粮食产量…500亿斤以上。").
The clause reader sees only the retrieved chunks, so its list answer stopped at the cut. When the
answer runs to the end of its chunk and that chunk does not end a sentence, the rest of the
sentence is read from the document's next chunk and cited as its own passage, so both parts stay
verifiable quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core.records import ChunkMeta, Passage
from core.text import fold_figures
from rag.context import ContextItem
from rag.question import QuestionSpec
from rag.reader import Reading

#: a chunk ending with one of these ends its sentence: nothing is cut
_ENDS = ("。", "！", "？", "!", "?", "”", "」")
_MARKER = re.compile(r"\[(\d+)\]。?$")
#: longest piece of the previous chunk looked for at the start of the next (the overlap)
_OVERLAP_MAX = 120
_OVERLAP_MIN = 4

NextChunk = Callable[[ChunkMeta], Passage | None]


def _is_cut(answer_body: str, text: str) -> bool:
    """The answer runs to the end of ``text`` and ``text`` stops inside a sentence."""
    tail = fold_figures(text).rstrip()  # the reader quotes figures folded ("6％" → 6%)
    if not tail or tail.endswith(_ENDS):
        return False
    body = fold_figures(answer_body).rstrip("；;，,、 ")
    return bool(body) and tail.rstrip("；;，,、 ").endswith(body[-20:])


def _new_part(previous: str, following: str) -> str:
    """``following`` without what it repeats of the end of ``previous`` (chunks overlap)."""
    prev = previous.rstrip()
    for size in range(min(_OVERLAP_MAX, len(prev)), _OVERLAP_MIN - 1, -1):
        at = following.find(prev[-size:], 0, size + 40)
        if at >= 0:
            return following[at + size :]
    return following


def _sentence_rest(text: str) -> str:
    """``text`` up to the end of its first sentence (no terminator: nothing to add)."""
    m = re.search(r"[。！？!?]", text)
    return text[: m.start()].strip() if m else ""


def continue_cut_list(reading: Reading, spec: QuestionSpec, next_chunk: NextChunk) -> Reading:
    """``reading`` with its cut list completed from the next chunk, or unchanged."""
    if spec.answer_type != "list" or reading.refused or reading.best is None:
        return reading
    marker = _MARKER.search(reading.answer)
    if marker is None or int(marker.group(1)) != reading.best.n:
        return reading
    item = reading.context[reading.best.n - 1]
    body = reading.answer[: marker.start()]
    if not _is_cut(body, item.text):
        return reading
    following = next_chunk(item.meta)
    if following is None:
        return reading
    rest = _sentence_rest(_new_part(item.text, following.text)).strip("；;，,、 ")
    if not rest:
        return reading
    context = [*reading.context, ContextItem(following.id, following.text, following.text,
                                             following.meta)]  # fmt: skip
    # two sentences: each quote is verified against its own passage
    answer = f"{body.rstrip('；;，,、 ')}[{reading.best.n}]。{rest}[{len(context)}]。"
    return Reading(answer, reading.answerability, reading.reason, reading.best, context)


__all__ = ["NextChunk", "continue_cut_list"]
