"""Departments a question names ("住建局", "市公安局"): the answer must be about that one.

A department's work report, an audit report or a table of 承办单位 states each department's
figure beside the total and beside the other departments'. A question naming one department
is answered by what names it, not by the total or a neighbour's row, and by nothing when the
passages list departments but never this one.

Chinese shortens a department's name by keeping some of its characters in order (住建局 =
住房和城乡建设局, 卫健局 = 卫生健康局, 文旅局 = 文化和旅游局, 人社局 = 人力资源和社会保障局),
so a name is matched as a subsequence of the words before an ending, not as a string.
"""

from __future__ import annotations

import re

from rag.question import QuestionSpec, question_rules

#: preference of a clause naming the asked department (a row "县住房和城乡建设局，整改率：69.6%"
#: over the total "整改率83.7%" of the same table)
ORGAN_BONUS = 0.1


def _split(organ: str) -> tuple[str, str]:
    """``住建局`` → (住建, 局)."""
    ending = next((e for e in question_rules().organ_endings if organ.endswith(e)), "")
    return organ[: len(organ) - len(ending)], ending


def _in_order(short: str, window: str) -> bool:
    """``short``'s characters appear in ``window`` in order."""
    pos = 0
    for ch in short:
        pos = window.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def names_organ(organ: str, text: str) -> bool:
    """``text`` names ``organ``, in full or by the abbreviation the question used."""
    short, ending = _split(organ)
    if not short or not ending:
        return organ in text
    if short + ending in text:
        return True
    reach = min(question_rules().organ_max_chars + 2, 5 * len(short))
    for m in re.finditer(re.escape(ending), text):
        if _in_order(short, text[max(0, m.start() - reach) : m.start()]):
            return True
    return False


def names_other_organ(organ: str, text: str) -> bool:
    """``text`` names a department of ``organ``'s kind (another 局) and not ``organ``."""
    _, ending = _split(organ)
    if not ending or names_organ(organ, text):
        return False
    return re.search(rf"[\u4e00-\u9fff]{{2}}{re.escape(ending)}", text) is not None


def other_organ(spec: QuestionSpec, text: str) -> bool:
    """The clause is about another department than every one the question names."""
    return bool(spec.organs) and all(names_other_organ(o, text) for o in spec.organs)


def names_asked_organ(spec: QuestionSpec, text: str) -> bool:
    """The clause names a department the question asks about."""
    return any(names_organ(o, text) for o in spec.organs)


def organ_bonus(spec: QuestionSpec, text: str, passage: str) -> float:
    """:data:`ORGAN_BONUS` for a clause naming the asked department in a passage that names
    others too (a table of departments): there the department picks its own row. Where it is
    the only one (its own report: "县审计局对9个项目开展审计"), naming it picks nothing."""
    if not names_asked_organ(spec, text):
        return 0.0
    rules = question_rules()
    endings = "|".join(map(re.escape, rules.organ_endings))
    name = rf"[\u4e00-\u9fff]{{2,{rules.organ_max_chars}}}?(?:{endings})"
    others = any(
        not names_organ(o, m.group(0))
        for o in spec.organs
        for m in re.finditer(name, passage)
        if m.group(0).endswith(_split(o)[1])
    )
    return ORGAN_BONUS if others else 0.0


__all__ = [
    "ORGAN_BONUS",
    "names_asked_organ",
    "names_organ",
    "names_other_organ",
    "organ_bonus",
    "other_organ",
]
