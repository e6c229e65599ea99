"""Is a figure stated for a group the question names only one member of?

"起诉盗窃、诈骗、毒品犯罪等多发性犯罪412人" gives no count of 毒品犯罪: the 412 are everyone in the
list the 等 closes. A question naming one member, and not the group, is not answered by the
group's figure; the honest reply is that the documents do not give it. Reports often state only
such combined figures, and a reader taking them for the member's answers with confidence what
the report never says.

Not judged: a figure said to hold for each member ("…等指标均增长10%以上", the cues are data),
a question naming the group or two members ("盗窃诈骗犯罪一共多少人"), and a group listed
after its figure ("其他优抚对象3,200人（烈士遗属、…）"), whose bracket a reader sees as an aside.
The patterns are data (``resources/question.toml``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.terms import get_tokenizer
from rag.clause_fit import figures
from rag.question import QuestionSpec, question_rules, without_places


@lru_cache(maxsize=1)
def _group_list() -> re.Pattern[str]:
    return re.compile(question_rules().group_list_pattern)


def _members(items: str) -> list[str]:
    """The members of a 、 list (split at the joiners too)."""
    joiners = "|".join(re.escape(j) for j in question_rules().group_joiners)
    return [p for item in items.split("、") for p in re.split(joiners, item) if p]


def _names(question: str, member: str, first: bool) -> bool:
    """The question names ``member``: all of it, or every word of it; the first member may
    carry the verb or scope leading into the list ("起诉盗窃"), so any end of it counts."""
    if first:
        return any(member[i:] in question for i in range(len(member) - 1))
    words = [w for w in get_tokenizer().words(member) if len(w) >= 2]
    return member in question or (bool(words) and all(w in question for w in words))


def group_figure(spec: QuestionSpec, clause: str) -> bool:
    """``clause`` states its figure for a 等 group of which the question names one member."""
    rules = question_rules()
    if "等" in spec.text:
        return False  # the question asks about a group itself
    question = without_places(spec.text, spec.regions)
    for m in _group_list().finditer(clause):
        after = clause[m.end() :]
        if not figures(m.group("group") + after) or any(c in after for c in rules.each_member_cues):
            continue
        members = _members(m.group("items"))
        named = [x for i, x in enumerate(members) if _names(question, x, i == 0)]
        # the group's own name, in the words no member shares ("多发性" of 多发性犯罪)
        group_words = [
            w
            for w in get_tokenizer().words(m.group("group"))
            if len(w) >= 2 and not any(w in x for x in members)
        ]
        if len(named) == 1 and not any(w in spec.text for w in group_words):
            return True
    return False


__all__ = ["group_figure"]
