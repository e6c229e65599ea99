"""A list question that counts what it asks for ("四大主导产业是什么", "哪三项攻坚行动").

Reports name such a list twice: once with its items ("聚焦集成电路、新能源、新材料、高端装备四大
主导产业", "发展四大产业：航空物流、高端制造、航空服务、数字经济") and often again by its count
alone ("聚焦四大主导产业开展招商"). Only the first answers, so a clause that lists as many items
as the question counts, right before the count or right after it and its noun, is preferred.
The count words are data (``list_count_pattern`` in ``resources/question.toml``).
"""

from __future__ import annotations

import re

from rag.question import QuestionSpec, counted_list

#: how far after the count word its noun may be ("四大主导产业"), when the question words it so
NOUN_REACH = 8
_ITEMS_AFTER = re.compile(r"[:：]|即|包括|分别是|为")


def lists_the_count(spec: QuestionSpec, clause: str) -> bool:
    """``clause`` names the asked count and noun with exactly that many items separated by 、
    before them ("A、B、C、D四大主导产业") or after them ("四大产业：A、B、C、D")."""
    asked = counted_list(spec.text) if spec.answer_type == "list" else None
    if asked is None:
        return False
    word, n = asked
    noun = _counted_noun(spec.text, word)
    for m in re.finditer(re.escape(word), clause):
        reach = clause[m.end() : m.end() + NOUN_REACH + len(noun)]
        if noun and (noun not in reach or word + reach[: reach.find(noun)] not in spec.text):
            continue  # "四大战略性支柱产业" is not the 四大产业 asked
        before = re.split(r"[，,；;：:]", clause[: m.start()])[-1]
        rest = clause[m.end() + reach.find(noun) + len(noun) :] if noun else clause[m.end() :]
        after = rest[lead.end() :] if (lead := _ITEMS_AFTER.match(rest)) else ""
        after = re.split(r"[，,；;。]", after)[0]
        if n in (_count_items(before), _count_items(after)):
            return True
    return False


def _counted_noun(question: str, word: str) -> str:
    """The last two characters of what the question counts ("主导产业" → 产业)."""
    m = re.match(r"[\u4e00-\u9fff]+", question[question.find(word) + len(word) :])
    noun = m.group(0) if m else ""
    noun = re.split(r"是|有|包括|分别|都|指", noun)[0]
    return noun[-2:]


def _count_items(text: str) -> int:
    return len([i for i in text.split("、") if i.strip()]) if "、" in text else 0


__all__ = ["lists_the_count"]
