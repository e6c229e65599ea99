"""The answer chain: rewrite → retrieve → refuse or build context → generate → verify.

Each step is its own module with typed input and output (``rewrite``, ``retrieve``,
``refusal``, ``context``, ``backends``, ``repair``); this module only runs them in order and
streams. The rules that keep answers honest live in code as well as in the prompt, because a
0.5B model follows instructions loosely.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from langchain_core.runnables import RunnableLambda

from core import cpu
from core.records import AnswerResult, ChunkMeta, Filters, Passage, TableAnswer
from core.settings import Settings, get_settings
from rag.backends import Backend, GenerationRequest, get_backend
from rag.compare import compare_answer
from rag.context import ContextItem, build_context, format_context
from rag.continuation import continue_cut_list
from rag.difference import difference_answer
from rag.figure_fit import annual_report
from rag.guard import is_instruction, strip_instructions
from rag.outline import find_outline, outline_reading
from rag.prompts import prompt_text, refusal_text
from rag.query import QueryInfo
from rag.question import QuestionSpec, parse_question, spelled_out
from rag.reader import Reading, passages_as_context, read, threshold_for
from rag.refusal import SCOPE_RULES, Evidence, refusal_reason
from rag.repair import check_answer
from rag.report_header import header_answer
from rag.retrieve import Searcher
from rag.rewrite import Turn, rewrite
from rag.scoring import QueryTerms, in_plan_section, query_terms, reading_terms, topic_terms
from rag.table_answer import answer_from_table, table_citations
from rag.table_rows import starts_in_table

History = Sequence[Mapping[str, str]] | None
#: how sure a computed comparison is: its list measures what is asked (rag.compare)
COMPARED_ANSWERABILITY = 0.9
#: how many chunks up the reader looks for the header of a table a chunk starts inside
TABLE_CHUNKS_UP = 3
log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """Everything decided before generation."""

    standalone: str
    info: QueryInfo
    passages: list[Passage]
    context: list[ContextItem]
    terms: QueryTerms
    refusal: str = ""
    reading: Reading | None = None
    spec: QuestionSpec | None = None
    table: TableAnswer | None = None

    def searched(self) -> dict[str, str]:
        """What was looked for, so "not found" can say it (place, year, metric, attribute)."""
        out = {}
        if self.info.regions:
            out["place"] = "、".join(self.info.regions)
        if self.info.years:
            out["year"] = "、".join(str(y) for y in self.info.years)
        if self.spec and self.spec.metrics:
            out["metric"] = "、".join(g[0] for g in self.spec.metrics)
        if self.spec and self.spec.attribute:  # what the answer had to name (截止, 当选 …)
            out["attribute"] = self.spec.attribute[0]
        return out


def _two_part_report(passages: list[Passage], info: QueryInfo) -> bool:
    """The question asks a year's result or target and the passages come from a 政府工作报告
    (last year's results, then this year's targets), or asks a result and the passages open
    in the plan part of a year's 工作总结."""
    if not passages:
        return False
    first = passages[0]
    if first.meta.congress_report:
        return bool(info.years or info.wants_target or info.wants_actual)
    if annual_report(first.meta) and not info.wants_target:
        # a year's 工作总结 ends with next year's plan: "现在是多少" led by a plan's target
        return in_plan_section(first.meta.heading, "")
    return False


def turns(history: History) -> list[Turn]:
    """Chat messages (``{"role", "content"}``, as the UI and the API send them) as turns."""
    return [Turn(str(m.get("role", "")), str(m.get("content") or "")) for m in history or []]


class Answerer:
    """Answers questions over the index with the configured backend."""

    def __init__(self, settings: Settings | None = None, searcher: Searcher | None = None):
        self.settings = settings or get_settings()
        self.searcher = searcher or Searcher(self.settings)
        self.backend_impl: Backend = get_backend(self.settings)

    @property
    def backend(self) -> str:
        return self.backend_impl.describe()

    def warm_up(self) -> None:
        """Load every model now (server start-up) instead of on the first question."""
        self.searcher.embeddings.embed_query("预热")
        self.backend_impl.warm_up()

    def prepare(
        self,
        question: str,
        history: History = None,
        filters: Filters | None = None,
        k: int | None = None,
        timings: dict[str, float] | None = None,
    ) -> Prepared:
        """Rewrite, retrieve, and either refuse or build the context."""
        timings = timings if timings is not None else {}
        filters = filters or Filters()
        standalone = rewrite(spelled_out(question), turns(history), self.searcher.parser)
        info = self.searcher.parser.parse(standalone)
        table = self._table(standalone, filters, info)
        if table is not None:  # a comparison across reports: answered from the indicator table
            terms = QueryTerms(set(), set(), {})
            return Prepared(standalone, info, [], [], terms, table=table)
        k = k or self.settings.top_k
        found = self.searcher.search(
            standalone, k=k + self.settings.extra_figure_passages, filters=filters, timings=timings
        )
        passages = found[:k]
        header = header_answer(standalone, passages, self._opening)
        if header is not None:  # who delivered the report, when, where: its opening lines
            text, first = header
            item = ContextItem(first.id, first.text, first.text, first.meta)
            terms = query_terms(standalone, info, self.searcher.idf)
            spec = parse_question(standalone, info)
            prep = Prepared(standalone, info, [first, *passages], [item], terms, spec=spec)
            prep.reading = Reading(text, 1.0, context=[item])
            return prep
        docs = self.searcher.documents
        evidence = Evidence(
            question=standalone,
            info=info,
            passages=passages,
            idf=self.searcher.idf,
            filters=filters,
            known_regions={d.region for d in docs if d.region},
            parent_regions={d.parent_region for d in docs if d.parent_region},
            min_coverage=self.settings.min_term_coverage,
        )
        refusal = refusal_reason(evidence)
        terms = reading_terms(standalone, info, self.searcher.idf)
        spec = parse_question(standalone, info)
        prep = Prepared(standalone, info, passages, [], terms, refusal, spec=spec)
        if refusal and not (
            spec.answer_type == "list" and not refusal_reason(evidence, SCOPE_RULES)
        ):
            return prep  # (a list question off the passages' words may still be a section title)
        prep.context = build_context(passages, info, terms, self.settings)
        threshold = threshold_for(spec, self.settings.answer_threshold_scale)
        whole = passages_as_context(passages)
        if spec.answer_type == "figure" and _two_part_report(passages, info):
            # a 政府工作报告 states a metric's result and its target in different parts; the
            # top passages are often all one part, so the reader also sees the next ones
            whole = passages_as_context(found)
        for item in whole:  # a chunk starting inside a table: its header is in one before
            if starts_in_table(item.text):
                item.above = self._table_above(item.meta)
        if refusal:  # only an outline can answer it: the clause reader is not run
            prep.reading = Reading("", 0.0, refusal, context=whole)
        else:
            prep.reading = read(spec, info, terms, whole, threshold)
            compared = compare_answer(spec, whole)  # "哪个…最大", "哪些…超过80万元"
            # "立案数比结案数多多少": the gap of two stated figures
            compared = compared or difference_answer(spec, terms, whole)
            if compared is not None:
                prep.reading = Reading(compared, COMPARED_ANSWERABILITY, context=whole)
        self._outline(prep, spec)
        prep.reading = continue_cut_list(prep.reading, spec, self._next_chunk)
        prep.refusal = ""
        if prep.reading.refused:
            prep.refusal = prep.reading.reason or "no answer in the passages"
        return prep

    def _outline(self, prep: Prepared, spec: QuestionSpec) -> None:
        """A list question whose topic is a section title: its sub-headings answer it, when the
        clause reader found nothing better (see :mod:`rag.outline`)."""
        reading = prep.reading
        if spec.answer_type != "list" or reading is None:
            return  # only list questions can be a section's items: no index read for the rest
        topic = topic_terms(prep.standalone, prep.info, self.searcher.idf)
        outline = find_outline(spec, topic, prep.passages, self.searcher.document_chunks)
        if outline is None:
            return
        if not reading.refused and reading.answerability >= outline.coverage:
            return
        found = outline_reading(outline, self.searcher.passages)
        if found is not None:
            prep.reading = Reading(found[0], outline.coverage, context=found[1])

    def _opening(self, doc_id: str) -> Passage | None:
        """The first chunk of a document (where a report's header is)."""
        chunks = self.searcher.document_chunks(doc_id)
        found = self.searcher.passages([chunks[0][0]]) if chunks else []
        return found[0] if found else None

    def _previous_chunk(self, meta: ChunkMeta) -> Passage | None:
        """The chunk before ``meta``'s in its document (a table's header row may be there)."""
        before = [
            (m.start, cid)
            for cid, m in self.searcher.document_chunks(meta.doc_id)
            if m.start < meta.start
        ]
        found = self.searcher.passages([max(before)[1]]) if before else []
        return found[0] if found else None

    def _table_above(self, meta: ChunkMeta) -> str:
        """The chunks before ``meta``'s back to where its table starts (a long table's header
        row may be two chunks up), at most :data:`TABLE_CHUNKS_UP` of them."""
        above: list[str] = []
        for _ in range(TABLE_CHUNKS_UP):
            before = self._previous_chunk(meta)
            if before is None:
                break
            above.insert(0, before.text)
            if not starts_in_table(before.text):
                break
            meta = before.meta
        return "\n".join(above)

    def _next_chunk(self, meta: ChunkMeta) -> Passage | None:
        """The chunk after ``meta``'s in its document (a list cut at a chunk's end goes on)."""
        after = [
            cid for cid, m in self.searcher.document_chunks(meta.doc_id) if m.start > meta.start
        ]
        found = self.searcher.passages(after[:1])
        return found[0] if found else None

    def _table(self, question: str, filters: Filters, info: QueryInfo) -> TableAnswer | None:
        """The indicator table's answer to a comparison, ranking, filter or trend question."""
        if filters.regions or filters.doc_ids:
            return None  # the caller narrowed the search to one report: answer from passages
        try:
            table = answer_from_table(question, self.settings)
        except Exception:  # the table is an addition: a damaged table must not fail the answer
            log.exception("table answer failed; answering from passages")
            return None
        if table and table.operation == "trend" and len(info.years) == 1:
            return None  # one place, one year ("同比变化如何"): a fact of one report
        if (
            table
            and table.operation != "trend"
            and sum(r.value is not None for r in table.rows) < 2
        ):
            # fewer than two reports state it ("雁川市各县区中…排第一的是哪个" when only the
            # city's report is held): nothing to compare; a passage may list the counties
            return None
        return table

    @staticmethod
    def format_context(context: list[ContextItem]) -> str:
        return format_context(context)

    def stream(
        self,
        question: str,
        history: History = None,
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Iterator[str | AnswerResult]:
        """Yield answer text pieces as they are generated, then the final verified result.

        The whole answer, retrieval and reading included, holds the machine's answering
        signal (``core.cpu``): an ingest beside it keeps to its own core until the answer is
        done, instead of spreading onto the core the answer runs on between generations.
        """
        with cpu.answering(self.settings):
            yield from self._stream(question, history, filters, k)

    def _stream(
        self,
        question: str,
        history: History,
        filters: Filters | None,
        k: int | None,
    ) -> Iterator[str | AnswerResult]:
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
        if prep.table is not None:
            result.answer, result.table = prep.table.answer, prep.table
            result.citations = table_citations(prep.table)
            yield result.answer
        elif prep.refusal:
            result.answer, result.refused, result.reason = refusal_text(), True, prep.refusal
            yield result.answer
        else:
            request = GenerationRequest(
                prep.standalone,
                prep.info,
                prep.context,
                prep.terms,
                prep.reading,
                prep.spec.answer_type if prep.spec else "other",
            )
            raw = ""
            for piece in self.backend_impl.generate(request):
                if "first_token_ms" not in timings:
                    timings["first_token_ms"] = (time.perf_counter() - t0) * 1000
                raw += piece
                yield piece
            checked = check_answer(raw, request, self.backend_impl.generative)
            result.answer = checked.answer if not checked.refused else refusal_text()
            result.refused, result.reason = checked.refused, checked.reason
            result.citations, result.verified = checked.citations, checked.verified
        result.answerability = prep.reading.answerability if prep.reading else 0.0
        result.searched = prep.searched()
        t2 = time.perf_counter()
        timings["generate_ms"] = (t2 - t1) * 1000
        timings["total_ms"] = (t2 - t0) * 1000
        result.timings = timings
        yield result

    def ask(
        self,
        question: str,
        history: History = None,
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


__all__ = [
    "AnswerResult",
    "Answerer",
    "Prepared",
    "is_instruction",
    "prompt_text",
    "refusal_text",
    "strip_instructions",
]
