"""The synthetic scale corpus must be consistent, or its hit@5 figures mean nothing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.synth import generate, load_templates, plans


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    return folder, generate(folder, 3)


def test_questions_have_evidence_and_answers_in_their_copy(three):
    folder, questions = three
    assert len(questions) > 200
    for q in questions:
        text = (folder / q["source"]).read_text(encoding="utf-8")
        assert q["evidence"] in text
        assert q["region"] in text
        if q["type"] == "numeric":
            assert any(a in text for a in q["answers"]), q


def test_ingest_recognises_each_copy_as_its_region(three):
    from ingest.clean import clean
    from ingest.documents import split_documents
    from ingest.load import load_file

    folder, questions = three
    for source, region in {(q["source"], q["region"]) for q in questions}:
        cleaned, _ = clean(load_file(folder / source).text)
        docs = split_documents(cleaned, source)
        assert [d.region for d in docs] == [region], source


def test_copies_share_almost_no_chunk(three):
    """Ingest folds identical chunks into one. Real reports of different places share some
    verbatim boilerplate (policy slogans, the 十四五 guiding paragraph), and so do copies, but
    most of a copy's chunks must be its own or the corpus would not really grow."""
    from core.settings import Settings
    from ingest.clean import clean
    from ingest.documents import split_documents
    from ingest.load import load_file
    from ingest.split import split_document
    from models.tokens import count_tokens

    folder, _ = three
    s = Settings()
    norms = Counter()
    for path in sorted(folder.iterdir()):
        for doc in split_documents(clean(load_file(path).text)[0], path.name):
            for chunk in split_document(
                doc,
                count_tokens,
                target_tokens=s.chunk_tokens,
                max_tokens=s.chunk_max_tokens,
                overlap_sentences=s.chunk_overlap_sentences,
            ):
                norms[chunk.norm] += 1
    shared = sum(n - 1 for n in norms.values())
    assert shared <= 0.06 * sum(norms.values())


def test_smaller_corpus_is_a_prefix_of_a_larger_one(tmp_path, three):
    folder, questions = three
    one = generate(tmp_path, 1)
    assert one == [q for q in questions if q["copy"] == 0]
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (folder / path.name).read_bytes()


def test_place_names_are_unique_across_copies():
    rows = plans(load_templates(), 100)
    names = [p.stem_to for row in rows for p in row if p.stem_to]
    assert len(names) == len(set(names))
    assert not set(names) & {p.stem_from for p in rows[0] if p.stem_from}
    assert all(Path(n).name == n for n in names)
