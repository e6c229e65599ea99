"""``python -m eval``: score ReportQA's retrieval and answers against a gold question set.

The default scores ``eval/gold.jsonl`` over ``data/``; ``--corpus reports`` and ``--corpus
rgb`` score yardsticks the project was never tuned on (see :mod:`eval.corpora`). Models and the
index load once per run; the index is refreshed first (a no-op when the corpus has not changed)
so the scores always describe the current corpus. Results go to ``eval/results/<run>.json`` and
``.md`` with PNG charts; ``--compare`` prints deltas against the committed reference
``eval/results/baseline.json`` and ``--fail-under`` turns the bars in ``eval/thresholds.toml``
into an exit code.

The work is split by job: :mod:`eval.cli` (options, exit code), :mod:`eval.run` (the run),
:mod:`eval.records` (per-question records), :mod:`eval.output` (summary, JSON, report).
"""

from __future__ import annotations

import sys

from eval.cli import build_parser, main
from eval.output import dump_result, machine_info, summary_text, write_outputs
from eval.records import rewritten_question, score_answer, worst_misses
from eval.run import Evaluation, run_name

__all__ = [
    "Evaluation",
    "build_parser",
    "dump_result",
    "machine_info",
    "main",
    "rewritten_question",
    "run_name",
    "score_answer",
    "summary_text",
    "worst_misses",
    "write_outputs",
]

if __name__ == "__main__":
    sys.exit(main())
