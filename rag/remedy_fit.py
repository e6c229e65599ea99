"""A problem's figure or its remedy's: audit and inspection reports state both in one place.

"养老服务补贴重复发放…318.7万元" is the problem; "已追回…补贴291.4万元" and "督促…退还违规
收费2908.5万元" are what was done about it, and share every word of the problem but the act.
A question that asks the remedy names its act, often colloquially ("退了多少", "追回来多少");
one that names none asks the problem. The acts are data (``remedy_acts`` in
``resources/question.toml``).
"""

from __future__ import annotations

from rag.question import QuestionSpec, question_rules

#: the reader's preference for a clause of the asked remedy, and against an unasked one
REMEDY_BONUS = 0.1
REMEDY_PENALTY = 0.15


def asks_remedy(question: str, act: str) -> bool:
    """The question names the act, as reports write it ("追回") or as people say it ("退了"
    for 退还, ``remedy_spoken``)."""
    spoken = question_rules().remedy_spoken
    return act in question or any(w in question for w, a in spoken.items() if a == act)


def remedy_fit(spec: QuestionSpec, text: str) -> float:
    """Prefer the clause of the remedy the question asks ("已整改问题金额1.87亿元" for "整改了多少
    钱") over the problem's; avoid a remedy it does not ask ("已追回…291.4万元" for the problem)."""
    if spec.answer_type != "figure":
        return 0.0
    acts = question_rules().remedy_acts
    asked = [a for a in acts if asks_remedy(spec.text, a)]
    found = [a for a in acts if a in text]
    if asked:
        return REMEDY_BONUS if set(asked) & set(found) else -REMEDY_PENALTY
    return -REMEDY_PENALTY if found else 0.0


__all__ = ["asks_remedy", "remedy_fit"]
