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
    """The question names the act, whole ("追回") or by its first character and a particle
    ("退了", "追回来" → 追回, "收回了")."""
    return act in question or any(act[0] + tail in question for tail in ("了", "回", "还"))


def remedy_fit(spec: QuestionSpec, text: str) -> float:
    """Prefer the clause whose remedy act the question asks; avoid one whose remedy it does not."""
    if spec.answer_type != "figure":
        return 0.0
    acts = [a for a in question_rules().remedy_acts if a in text]
    if not acts:
        return 0.0
    if any(asks_remedy(spec.text, a) for a in acts):
        return REMEDY_BONUS
    return -REMEDY_PENALTY


__all__ = ["asks_remedy", "remedy_fit"]
