"""Extraction check: precision and recall of indicator records against hand labels.

``eval/indicator_labels.jsonl`` holds figures labelled by reading the reports (place, metric,
kind, value, unit and a short evidence string from the clause). The labelled places of each
source are extracted afresh and matched one to one: same place, metric, kind, value and unit,
and the evidence overlapping the record's quote. Labels of external reports (read from
``../shared/external/reports`` beside the repository) are skipped when that folder is absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core.text import normalize_width
from index.indicators import IndicatorRecord
from ingest.extract_indicators import extract_file

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "eval" / "indicator_labels.jsonl"
SEARCH_DIRS = (ROOT / "data", ROOT.parent / "shared" / "external" / "reports")


@dataclass(frozen=True)
class Label:
    source: str
    place: str
    metric: str
    kind: str
    value: float
    unit: str
    evidence: str


@dataclass
class ExtractionScore:
    labels: int = 0
    records: int = 0
    matched: int = 0
    skipped_sources: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.records if self.records else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.labels if self.labels else 0.0


def load_labels(path: Path = LABELS) -> list[Label]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Label(**json.loads(line)) for line in lines if line.strip()]


def _find(source: str) -> Path | None:
    for folder in SEARCH_DIRS:
        if (folder / source).exists():
            return folder / source
    return None


def _matches(label: Label, r: IndicatorRecord) -> bool:
    same = (label.place, label.metric, label.kind, label.unit) == (
        r.place,
        r.metric,
        r.kind,
        r.unit,
    )
    if not same or abs(label.value - r.value) > 1e-6:
        return False
    ev, quote = normalize_width(label.evidence), normalize_width(r.quote)
    return ev in quote or quote in ev


def score_extraction(labels: list[Label] | None = None) -> ExtractionScore:
    """Match extracted records to labels per source, one to one."""
    labels = load_labels() if labels is None else labels
    score = ExtractionScore()
    for source in sorted({lb.source for lb in labels}):
        path = _find(source)
        if path is None:
            score.skipped_sources.append(source)
            continue
        mine = [lb for lb in labels if lb.source == source]
        places = {lb.place for lb in mine}
        records = [r for r in extract_file(path, "eval", "eval").records if r.place in places]
        score.labels += len(mine)
        score.records += len(records)
        unused = list(records)
        for lb in mine:
            hit = next((r for r in unused if _matches(lb, r)), None)
            if hit is None:
                score.misses.append(f"{lb.place} {lb.metric} {lb.kind} {lb.value}{lb.unit}")
                continue
            unused.remove(hit)
            score.matched += 1
        score.false_positives += [
            f"{r.place} {r.metric} {r.kind} {r.value}{r.unit}: {r.quote}" for r in unused
        ]
    return score


__all__ = ["ExtractionScore", "Label", "load_labels", "score_extraction"]
