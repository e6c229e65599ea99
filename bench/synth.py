"""Synthetic corpus with known answers, for the scale benchmark.

Every synthetic report is a copy of one sample report passed through a per-copy transform
``T``: the place is renamed (紫金县 → 青溪县, its short form too), years move by a few years,
numbers are rescaled (decimals keep their precision; dates, ordinals and small counts stay) and
some common verbs are swapped for synonyms. ``T`` is a pure string function, so applying it to a
gold question, its evidence and its answers keeps them consistent with the copy: every generated
question has a known answer and a known evidence span, and copies never share a paragraph
(real reports of different counties do not either, and identical paragraphs would be folded into
one by ingest's deduplication).

Copy ``c`` depends only on ``(seed, c)``, so the 1x corpus is contained in the 10x and 100x ones
and the same questions can be asked at every scale.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Question types that have evidence and need no conversation history.
QUESTION_TYPES = ("numeric", "entity", "list", "reasoning")
# Synonym pairs swapped as a whole per copy (never metric names: questions must keep meaning).
SWAPS = (
    ("推进", "推动"),
    ("加快", "加速"),
    ("加强", "强化"),
    ("着力", "大力"),
    ("积极", "主动"),
    ("持续", "不断"),
    ("提升", "提高"),
    ("完善", "健全"),
    ("扎实", "切实"),
    ("全力", "全面"),
    ("深化", "深入"),
    ("促进", "推进"),
)
_FIRST = "青白云龙金石安平永新丰和兴华长宁泰嘉德福瑞光明顺昌盛清溪松柏桂兰竹梅玉凤鹤鹿桃杏"
_SECOND = "山河水溪阳川源江林峰泉湖岭谷田塘桥坪坝丘岗塘湾洲滨浦口"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_KEEP_AFTER = re.compile(r"\s*[月日时号届次点期批个条项]")


@dataclass
class Template:
    """One sample report to copy."""

    source: str
    title: str
    region: str | None  # None for anonymised reports: copied as distractors, never asked about
    text: str


@dataclass
class CopyPlan:
    """How copy ``copy`` of a template is transformed."""

    copy: int
    stem_from: str | None
    stem_to: str | None
    year_shift: int
    factor: float
    swap_mask: int

    def transform(self, text: str) -> str:
        """``T``: the same string function for report text, questions, evidence and answers."""
        if self.stem_from and self.stem_to:
            text = text.replace(self.stem_from, self.stem_to)
        text = _NUMBER.sub(self._number, text)
        return _swap(text, self.swap_mask)

    def _number(self, m: re.Match[str]) -> str:
        s = m.group()
        after = m.string[m.end() : m.end() + 3]
        before = m.string[max(0, m.start() - 1) : m.start()]
        if "." in s:
            decimals = len(s.split(".")[1])
            return f"{float(s) * self.factor:.{decimals}f}"
        value = int(s)
        if len(s) == 4 and 1980 <= value <= 2035:
            return str(value + self.year_shift)
        if value < 10 or before == "第" or _KEEP_AFTER.match(after) or s.startswith("0"):
            return s
        return str(max(10, round(value * self.factor)))


_SWAP_RE = re.compile("|".join(re.escape(w) for pair in SWAPS for w in pair))


def _swap(text: str, mask: int) -> str:
    partner: dict[str, str] = {}
    for i, (a, b) in enumerate(SWAPS):
        if mask >> i & 1:
            partner.setdefault(a, b)
            partner.setdefault(b, a)
    return _SWAP_RE.sub(lambda m: partner.get(m.group(), m.group()), text) if partner else text


def load_templates(data: Path = ROOT / "data") -> list[Template]:
    """The sample reports, cleaned and split by the ingest pipeline itself."""
    from ingest.clean import clean
    from ingest.documents import split_documents
    from ingest.load import load_file

    out = []
    for path in sorted(p for p in data.iterdir() if p.is_file()):
        cleaned, _ = clean(load_file(path).text)
        for doc in split_documents(cleaned, path.name):
            body = doc.text.text
            if doc.title != path.stem and not body.startswith(doc.title):
                body = f"{doc.title}\n{body}"
            out.append(Template(path.name, doc.title, doc.region, body))
    return out


def _stem(region: str) -> str:
    return region[:-1] if len(region) > 2 else region


def _name_pool(rng: random.Random, taken: set[str]) -> Callable[[], str]:
    """Unique two- (then three-) character place stems not seen in the sample corpus."""
    pairs = [a + b for a in _FIRST for b in _SECOND if a != b]
    rng.shuffle(pairs)
    triples = (a + b + c for a in _FIRST for b in _FIRST for c in _SECOND)

    def next_name() -> str:
        while pairs:
            name = pairs.pop()
            if name not in taken:
                taken.add(name)
                return name
        for name in triples:
            if name not in taken:
                taken.add(name)
                return name
        raise RuntimeError("place-name pool exhausted")

    return next_name


def plans(templates: list[Template], copies: int, seed: int = 7) -> list[list[CopyPlan]]:
    """``plans[c][t]``: the transform of template ``t`` in copy ``c`` (stable in ``copies``)."""
    taken = {_stem(t.region) for t in templates if t.region}
    names = _name_pool(random.Random(seed), taken)
    out = []
    for c in range(copies):
        rng = random.Random(seed * 100_003 + c)
        row = []
        for t in templates:
            row.append(
                CopyPlan(
                    copy=c,
                    stem_from=_stem(t.region) if t.region else None,
                    stem_to=names() if t.region else None,
                    year_shift=rng.randint(-2, 2),
                    factor=rng.uniform(0.8, 1.25),
                    swap_mask=rng.getrandbits(len(SWAPS)),
                )
            )
        out.append(row)
    return out


def generate(
    dest: Path, copies: int, seed: int = 7, gold: Path = ROOT / "eval" / "gold.jsonl"
) -> list[dict[str, Any]]:
    """Write ``copies`` copies of every sample report into ``dest`` (one file per report) and
    return the generated questions: gold items rewritten for their copy, with ``copy``,
    ``source`` (the synthetic file) and ``evidence`` that occurs in that file."""
    templates = load_templates()
    gold_items = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    by_template: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in gold_items:
        if item.get("type") in QUESTION_TYPES and item.get("evidence"):
            by_template.setdefault((item["source"], item["title"]), []).append(item)
    dest.mkdir(parents=True, exist_ok=True)
    questions: list[dict[str, Any]] = []
    for c, row in enumerate(plans(templates, copies, seed)):
        for t_index, (template, plan) in enumerate(zip(templates, row, strict=True)):
            name = f"r{c:03d}_{t_index:02d}.txt"
            text = plan.transform(template.text)
            path = dest / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            if not template.region:
                continue
            for item in by_template.get((template.source, template.title), []):
                evidence = plan.transform(item["evidence"])
                if evidence not in text:
                    continue
                questions.append(
                    {
                        "id": f"{item['id']}-c{c}",
                        "gold_id": item["id"],
                        "copy": c,
                        "type": item["type"],
                        "question": plan.transform(item["question"]),
                        "answers": [plan.transform(a) for a in item.get("answers", [])],
                        "evidence": evidence,
                        "source": name,
                        "region": plan.transform(template.region),
                    }
                )
    return questions


__all__ = ["CopyPlan", "Template", "generate", "load_templates", "plans"]
