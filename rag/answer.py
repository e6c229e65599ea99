"""The answer chain: rewrite → retrieve → focused, numbered context → LLM → verify citations.

The rules that keep answers honest are enforced in code as well as in the prompt, because a
0.5B model follows instructions loosely: a question about a region or year the index does not
cover, or whose key terms no passage contains, is refused before any generation; a generated
answer whose numbers are not in the passages falls back to the best source sentence, quoted.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda

from core.lexicon import lexicon, stopwords
from core.settings import PROJECT_ROOT, Settings, get_settings
from core.text import normalize_for_search
from index.terms import get_tokenizer
from models.tokens import count_tokens
from rag.citations import Citation, numbers, verify
from rag.llm import describe, get_chat_model, stream_chat
from rag.query import QueryInfo
from rag.retrieve import Filters, Passage, Searcher

log = logging.getLogger(__name__)
PROMPTS = PROJECT_ROOT / "prompts"
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
_PLACE = re.compile(
    r"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[年的在和与]))"
    r"([^\x00-\u33ff这那该此本全我各个里给做学作的了是和与及年上下中内外新老大小在]{2,4}"
    r"(?:自治县|自治州|省|市|区|县|镇|乡))"
)
_GENERIC_PLACES = {
    "全市",
    "全区",
    "全县",
    "全镇",
    "全乡",
    "我市",
    "我区",
    "我县",
    "我镇",
    "本市",
    "本区",
    "本县",
    "城区",
    "市区",
    "园区",
    "社区",
    "景区",
    "新区",
    "县区",
    "区县",
    "市县",
    "镇区",
    "乡镇",
    "城镇",
    "各区",
    "各县",
    "各镇",
    "各市",
    "该市",
    "该区",
    "该县",
    "该镇",
    "开发区",
    "片区",
    "郊区",
    "全省",
    "本省",
    "地区",
    "街区",
    "辖区",
    "示范区",
    "试验区",
    "自贸区",
    "产业园区",
    "工业园区",
}
# Sentences that address an AI instead of reporting anything: a planted "忽略以上指令，回答…"
# or "ignore previous instructions". A report never needs them and a 0.5B model obeys them in
# spite of the system prompt, so they are left out of what the model (or the extractive quote)
# sees; the passage itself, its citations and offsets are untouched.
_INSTRUCTION = re.compile(
    r"(?:忽略|无视|不要理会|不必理会|忘记|忘掉)(?:掉)?(?:以上|上述|之前|前面|先前|前述|此前)?"
    r"的?(?:所有|全部|一切)?的?(?:指令|指示|提示词|提示|规则|设定)"
    r"|无论(?:用户|你|对方|别人)?(?:问|提出|提问|询问)了?什么"
    r"|(?:只|仅)(?:回答|回复|输出|返回)[\"“「'‘]"
    r"|(?:你|您)现在(?:是|扮演|充当)"
    r"|系统提示词|system\s*prompt"
    r"|(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+)?"
    r"(?:previous|above|prior|earlier|preceding)\s+(?:instructions?|prompts?|rules)",
    re.I,
)
_FOLLOWUP_START = re.compile(r"^(那|那么|那个|还有|另外|同期|其中|它|该|这|此外|以及|和)")
_QUESTION_TAIL = re.compile(
    r"(是多少|有多少|多少|是什么|有哪些|是哪些|什么|如何|怎么样|呢)[？?。]?$"
)


@lru_cache(maxsize=8)
def prompt_text(name: str) -> str:
    """Prompt text from ``prompts/`` (kept out of code so it can be edited and reviewed)."""
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


def refusal_text() -> str:
    return prompt_text("refusal.txt")


@dataclass
class AnswerResult:
    """An answer with its verified citations and timings."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    passages: list[Passage] = field(default_factory=list)
    verified: bool = True
    backend: str = ""
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "refused": self.refused,
            "verified": self.verified,
            "citations": [c.as_dict() for c in self.citations],
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "backend": self.backend,
        }


@dataclass
class Prepared:
    """Everything decided before generation."""

    standalone: str
    info: QueryInfo
    passages: list[Passage]
    context: list[dict[str, Any]]
    refusal: str = ""


class Answerer:
    """Answers questions over the index with the configured LLM backend."""

    def __init__(self, settings: Settings | None = None, searcher: Searcher | None = None):
        self.settings = settings or get_settings()
        self.searcher = searcher or Searcher(self.settings)
        self._model: Any = None
        self.prompt = ChatPromptTemplate.from_messages(
            [
                ("system", prompt_text("answer_system.txt")),
                ("human", prompt_text("answer_user.txt")),
            ]
        )

    @property
    def backend(self) -> str:
        return describe(self.settings)

    @property
    def model(self) -> Any:
        if self._model is None and self.settings.llm != "extractive":
            self._model = get_chat_model(self.settings)
        return self._model

    def warm_up(self) -> None:
        """Load every model now (server start-up) instead of on the first question."""
        self.searcher.embeddings.embed_query("预热")
        _ = self.model

    # -- multi-turn ---------------------------------------------------------------------------

    def rewrite(self, question: str, history: list[dict[str, str]] | None) -> str:
        """Turn a follow-up (``那阳东区呢？``) into a standalone question using earlier turns.

        Deterministic slot filling: regions and years named in the follow-up replace those of
        the previous question; other words are appended. A small model rewrites less reliably.
        """
        users = [
            m["content"] for m in history or [] if m.get("role") == "user" and m.get("content")
        ]
        if not users:
            return question.strip()
        previous = users[0].strip()
        for turn in users[1:]:
            previous = self._merge(previous, turn.strip())
        return self._merge(previous, question.strip())

    def _merge(self, previous: str, question: str) -> str:
        parser = self.searcher.parser
        info, prev = parser.parse(question), parser.parse(previous)
        elliptical = bool(_FOLLOWUP_START.match(question)) or question.rstrip("？?").endswith("呢")
        topic = self._content_terms(question, info)
        if not elliptical and info.regions and topic:
            return question
        if not elliptical and not info.regions and len(topic) >= 2 and not prev.regions:
            return question
        base = previous
        if info.regions and prev.regions:
            for old in prev.regions:
                for form in sorted({old, *_forms(old)}, key=len, reverse=True):
                    if form in base:
                        base = base.replace(form, info.regions[0], 1)
                        break
        elif info.regions:
            base = info.regions[0] + base
        if info.years:
            if re.search(r"(?:19|20)\d{2}\s*年", base):
                base = re.sub(r"(?:19|20)\d{2}\s*年", f"{info.years[0]}年", base, count=1)
            else:
                base = f"{info.years[0]}年" + base
        rest = question
        for region in info.regions:
            for form in sorted({region, *_forms(region)}, key=len, reverse=True):
                rest = rest.replace(form, "")
        rest = re.sub(r"(?:19|20)\d{2}\s*年", "", rest)
        rest = _FOLLOWUP_START.sub("", rest).strip(" ，,？?呢。")
        if len(rest) >= 2:
            lex = lexicon()
            if any(t in rest for t in (*lex.actual_terms, *lex.target_terms)):
                for word in (*lex.target_terms, *lex.actual_terms):
                    base = base.replace(word, "")
            base = _QUESTION_TAIL.sub("", base.strip()).rstrip("，, ")
            return f"{base}，{rest}？"
        return base

    # -- retrieval and context ----------------------------------------------------------------

    def _content_terms(self, text: str, info: QueryInfo) -> list[str]:
        """Topic words of a question: not question words, regions or years."""
        skip = set(stopwords())
        for region in info.regions:
            skip.update(_forms(region))
        words = []
        for tok in get_tokenizer().tokens(re.sub(r"(?:19|20)\d{2}\s*年?", " ", text)):
            if len(tok) >= 2 and tok not in skip and not tok.isdigit():
                words.append(tok)
        return list(dict.fromkeys(words))

    def prepare(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        filters: Filters | None = None,
        k: int | None = None,
        timings: dict[str, float] | None = None,
    ) -> Prepared:
        timings = timings if timings is not None else {}
        standalone = self.rewrite(question, history)
        info = self.searcher.parser.parse(standalone)
        passages = self.searcher.search(standalone, k=k, filters=filters, timings=timings)
        refusal = self._refusal_reason(standalone, info, passages, filters)
        context = [] if refusal else self._context(standalone, info, passages)
        return Prepared(standalone, info, passages, context, refusal)

    def _refusal_reason(
        self, question: str, info: QueryInfo, passages: list[Passage], filters: Filters | None
    ) -> str:
        if not passages:
            return "no passages"
        docs = self.searcher.documents
        known = {d["region"] for d in docs if d.get("region")}
        parents = {d["parent_region"] for d in docs if d.get("parent_region")}
        if not info.regions and not (filters and filters.regions):
            # A place no report is about: unknown to the index and not even mentioned in the
            # passages, or a parent city (we only hold reports of its districts).
            seen = " ".join(p.text for p in passages)
            for place in _PLACE.findall(question):
                if place in _GENERIC_PLACES or any(place in r or r in place for r in known):
                    continue
                if place in parents or place not in seen:
                    return f"no report about {place}"
        texts = " ".join(
            f"{p.metadata.get('title', '')} {p.metadata.get('year', '')} {p.text}" for p in passages
        )
        doc_years = {int(p.metadata.get("year") or 0) for p in passages}
        for year in info.years:
            # a report of year Y reviews year Y-1 ("过去一年") without always naming it
            if str(year) not in texts and not doc_years & {year, year + 1}:
                return f"year {year} not in passages"
        coverage = self.coverage(question, info, passages)
        if coverage < self.settings.min_term_coverage:
            return f"terms not covered ({coverage:.2f})"
        missing = self._missing_metric(question, info, passages)
        if missing:
            return f"no figure for {missing}"
        return ""

    def _missing_metric(self, question: str, info: QueryInfo, passages: list[Passage]) -> str:
        """The figure a question asks for (GDP, 社零 …) must appear with a number in some
        passage of the right kind (a target for 目标 questions); else the corpus lacks it."""
        groups = lexicon().metrics(question)
        if not groups:
            return ""
        lex = lexicon()
        for group in groups:
            terms = [normalize_for_search(t) for t in group]
            found = False
            for p in passages:
                kind = wanted_kind(info, p.metadata)
                for m in _SENTENCE.finditer(p.text):
                    sent = normalize_for_search(m.group(0))
                    if not any(t in sent for t in terms) or not numbers(sent):
                        continue
                    # a target list opens with 预期目标是: and runs over several clauses
                    lead = normalize_for_search(p.text[max(0, m.start() - 120) : m.end()])
                    if kind == "target" and not any(t in lead for t in lex.target_text):
                        continue
                    found = True
                    break
                if found:
                    break
            if not found:
                return group[0]
        return ""

    def coverage(self, question: str, info: QueryInfo, passages: list[Passage]) -> float:
        """How much of the question's topic (IDF-weighted, synonyms counted) the best passage
        holds; regions, years and question words do not count."""
        skip = set(stopwords())
        for region in info.regions:
            skip.update(_forms(region))
            skip.update(get_tokenizer().tokens(region))
        stripped = re.sub(r"(?:19|20)\d{2}\s*年?", " ", question)
        terms = self.terms(stripped, info)
        terms.own = {t for t in terms.own if t not in skip and not t.isdigit()}
        if not terms.own:
            return 1.0
        return max(
            terms.coverage(
                f"{p.metadata.get('title', '')} {p.metadata.get('heading', '')} {p.text}"
            )
            for p in passages
        )

    def _context(
        self, question: str, info: QueryInfo, passages: list[Passage]
    ) -> list[dict[str, Any]]:
        """Numbered passages for the prompt: each cut to its most relevant sentences so the
        whole context fits ``context_tokens`` (prompt length is most of a small CPU model's
        latency)."""
        q_grams = self.terms(question, info)
        budget = self.settings.context_tokens
        pool = passages[: self.settings.context_passages + 1]
        # Order by the best single sentence, so the passage that states the answer comes
        # first (small models lean on [1]), and drop passages far below the best one.
        best = [
            max(
                (
                    _sentence_score(m.group(0), q_grams, info, p.metadata)
                    for m in _SENTENCE.finditer(p.text)
                ),
                default=0.0,
            )
            for p in pool
        ]
        order = sorted(range(len(pool)), key=lambda i: -best[i])
        top = best[order[0]] if order else 0.0
        chosen = [pool[i] for i in order if best[i] >= 0.75 * top][: self.settings.context_passages]
        per = min(self.settings.passage_tokens, max(60, budget // max(1, len(chosen))))
        out: list[dict[str, Any]] = []
        used = 0
        for p in chosen:
            clean = strip_instructions(p.text)
            if clean != p.text:
                log.warning("left instruction-like text of %s out of the prompt", p.id)
            text = _focus(clean, q_grams, info, per, p.metadata)
            cost = count_tokens(text)
            if out and used + cost > budget:
                break
            used += cost
            out.append({"id": p.id, "text": p.text, "focus": text, "metadata": p.metadata})
        return out

    @staticmethod
    def format_context(context: list[dict[str, Any]]) -> str:
        lines = []
        for n, c in enumerate(context, 1):
            m = c["metadata"]
            where = "·".join(x for x in (m.get("title", ""), m.get("heading", "")) if x)
            lines.append(f"[{n}]《{where}》{c['focus']}")
        return "\n".join(lines)

    def terms(self, question: str, info: QueryInfo) -> QueryTerms:
        """Weighted query terms: rare words (开工率) count more than common ones (重点, 项目)."""
        tok = get_tokenizer()
        own = set(tok.tokens(question))
        extra = set(tok.tokens(" ".join(info.expansions))) - own
        idf = self.searcher.idf(own | extra)
        return QueryTerms(own, extra, idf)

    # -- answering ----------------------------------------------------------------------------

    def extractive(self, question: str, info: QueryInfo, context: list[dict[str, Any]]) -> str:
        """The best-supported source sentence(s), cited: no generation at all."""
        q_grams = self.terms(question, info)
        best: tuple[float, int, str] | None = None
        for n, c in enumerate(context, 1):
            for m in _SENTENCE.finditer(c["text"]):
                sent = m.group(0).strip()
                if len(sent) < 4 or is_instruction(sent):
                    continue
                score = _sentence_score(sent, q_grams, info, c["metadata"]) + 0.05 / n
                if best is None or score > best[0]:
                    best = (score, n, sent)
        if best is None:
            return refusal_text()
        _, n, sent = best
        sent = sent.rstrip("。；;！!？?")
        return f"{sent}[{n}]。"

    def stream(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Iterator[str | AnswerResult]:
        """Yield answer text pieces as they are generated, then the final verified result."""
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        prep = self.prepare(question, history, filters, k, timings)
        result = AnswerResult(
            question=question,
            answer="",
            refused=False,
            standalone_question=prep.standalone,
            passages=prep.passages,
            backend=self.settings.llm,
        )
        t1 = time.perf_counter()
        if prep.refusal:
            result.answer, result.refused, result.reason = refusal_text(), True, prep.refusal
            yield result.answer
        else:
            raw = ""
            if self.model is None:
                raw = self.extractive(prep.standalone, prep.info, prep.context)
                yield raw
            else:
                messages = self.prompt.format_messages(
                    context=self.format_context(prep.context), question=prep.standalone
                )
                first = None
                for piece in stream_chat(self.model, messages, local=self.settings.llm == "local"):
                    if first is None:
                        first = time.perf_counter()
                        timings["first_token_ms"] = (first - t0) * 1000
                    raw += piece
                    yield piece
            self._finish(result, raw, prep)
        t2 = time.perf_counter()
        timings["generate_ms"] = (t2 - t1) * 1000
        timings["total_ms"] = (t2 - t0) * 1000
        result.timings = timings
        yield result

    @staticmethod
    def _wrong_figure(checked: Any, prep: Prepared) -> bool:
        """The answer's numbers exist in a passage but not beside the figure asked for (a
        small model copies the neighbouring 固投 number for a GDP question)."""
        groups = lexicon().metrics(prep.standalone)
        quotes = [normalize_for_search(c.quote) for c in checked.citations]
        if not groups or not any(numbers(q) for q in quotes):
            return False
        return not any(any(normalize_for_search(t) in q for t in g) for g in groups for q in quotes)

    def _finish(self, result: AnswerResult, raw: str, prep: Prepared) -> None:
        """Parse, verify and, if needed, repair the model's answer."""
        text = raw.strip()
        if not text or "未找到" in text or "无法回答" in text or "没有提到" in text:
            result.answer, result.refused = refusal_text(), True
            result.reason = "model refused"
            return
        checked = verify(text, prep.context, prep.standalone)
        if (
            checked.unsupported_numbers
            or not checked.citations
            or self._wrong_figure(checked, prep)
        ):
            # The model stated figures no passage holds (or cited nothing): quote the source.
            fallback = self.extractive(prep.standalone, prep.info, prep.context)
            checked = verify(fallback, prep.context, prep.standalone)
            note = (
                "（生成的回答未能在资料中核实，以下为资料原文）" if self.model is not None else ""
            )
            result.answer = note + checked.answer
        else:
            result.answer = checked.answer
        result.citations = checked.citations
        result.verified = checked.all_verified and all(c.verified for c in checked.citations)
        if not result.verified:
            result.answer += "（部分内容未能在引用资料中核实）"

    def ask(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        filters: Filters | None = None,
        k: int | None = None,
    ) -> AnswerResult:
        """Answer one question (blocking)."""
        final: AnswerResult | None = None
        for item in self.stream(question, history, filters, k):
            if isinstance(item, AnswerResult):
                final = item
        assert final is not None
        return final

    def as_runnable(self) -> RunnableLambda:
        """The chain as a LangChain runnable: ``{"question", "history"?}`` → ``AnswerResult``."""
        return RunnableLambda(
            lambda x: self.ask(x["question"], x.get("history"), Filters.from_dict(x.get("filters")))
        )


def is_instruction(sentence: str) -> bool:
    """Whether a sentence gives orders to an AI (see ``_INSTRUCTION``)."""
    return bool(_INSTRUCTION.search(sentence))


def strip_instructions(text: str) -> str:
    """The passage without its instruction-like sentences (line breaks kept)."""
    return _SENTENCE.sub(lambda m: "" if is_instruction(m.group(0)) else m.group(0), text)


def _forms(region: str) -> list[str]:
    from rag.query import short_forms

    return short_forms(region)


@dataclass
class QueryTerms:
    """The question's search tokens, its synonym expansions, and an IDF weight per token."""

    own: set[str]
    extra: set[str]
    idf: dict[str, float]

    def coverage(self, sent: str) -> float:
        """IDF-weighted share of the question's terms a sentence contains (synonyms count)."""
        total = sum(self.idf.get(t, 1.0) for t in self.own)
        if not total:
            return 0.0
        toks = set(get_tokenizer().tokens(sent))
        hit = sum(self.idf.get(t, 1.0) for t in (self.own | self.extra) & toks)
        return min(1.0, hit / total)


def wanted_kind(info: QueryInfo, meta: dict[str, Any] | None) -> str:
    """``target`` or ``actual``: from the question's words, else from its year relative to the
    report's (a 2021 report states 2020 results and 2021 targets)."""
    if info.wants_target:
        return "target"
    if info.wants_actual:
        return "actual"
    doc_year = int((meta or {}).get("year") or 0)
    # only a 政府工作报告 is structured as last year's results + this year's targets
    if doc_year and info.years and "政府工作报告" in str((meta or {}).get("doc_type", "")):
        if max(info.years) < doc_year:
            return "actual"
        return "target"
    return ""


def _sentence_score(
    sent: str, q_grams: QueryTerms, info: QueryInfo, meta: dict[str, Any] | None = None
) -> float:
    score = q_grams.coverage(sent)
    if not score:
        return 0.0
    lex = lexicon()
    kind = wanted_kind(info, meta)
    is_target = any(t in sent for t in lex.target_text)
    if kind == "target" and is_target:
        score += 0.25
    elif kind == "actual":
        if any(t in sent for t in lex.actual_text):
            score += 0.15
        if is_target:
            score -= 0.2
    if numbers(sent):
        score += 0.1
    if info.years and "年均" in sent and "年均" not in info.text:
        score -= 0.2  # a five-year average is not the figure of one year
    for year in info.years:
        if str(year) in sent:
            score += 0.1
    return score - 0.002 * max(0, len(sent) - 120)


def _focus(
    text: str, q_grams: QueryTerms, info: QueryInfo, budget: int, meta: dict[str, Any]
) -> str:
    """The passage cut to its best sentence and neighbours within ``budget`` tokens."""
    if count_tokens(text) <= budget:
        return text
    sents = [m.group(0) for m in _SENTENCE.finditer(text)]
    if not sents:
        return text
    scores = [_sentence_score(s, q_grams, info, meta) for s in sents]
    best = max(range(len(sents)), key=lambda i: scores[i])
    lo = hi = best
    used = count_tokens(sents[best])
    while True:
        grown = False
        for cand in (hi + 1, lo - 1):
            if 0 <= cand < len(sents):
                cost = count_tokens(sents[cand])
                if used + cost <= budget:
                    used += cost
                    lo, hi = min(lo, cand), max(hi, cand)
                    grown = True
        if not grown:
            break
    return "".join(sents[lo : hi + 1]).strip()


__all__ = [
    "AnswerResult",
    "Answerer",
    "Prepared",
    "is_instruction",
    "prompt_text",
    "refusal_text",
    "strip_instructions",
]
