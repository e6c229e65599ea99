"""Shared fixtures: one real index over the sample corpus, built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# The build gate replays the same examples every run (HYPOTHESIS_PROFILE=ci, set by `make
# test`), so a red build means a regression, not a lucky draw; `make test-random` explores new
# examples, as does every run outside the gate.
hypothesis_settings.register_profile("ci", derandomize=True)
# the fast unit tier draws fewer examples (tests/examples.py) and replays them too
hypothesis_settings.register_profile("unit", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
# the shortest sample report (2018年上半年重点项目建设工作总结, 开工率 86.24%)
SMALL_REPORT = "002_d3be3124dc9d7849.txt"


@pytest.fixture(scope="session")
def settings_factory():
    """Settings pointing at a given index folder (models come from the shared cache)."""
    from core.settings import Settings

    def make(index_dir: Path, **overrides):
        return Settings(index_dir=index_dir, **overrides)

    return make


@pytest.fixture(scope="session")
def embeddings():
    """The real embedding model, loaded once."""
    from models.embeddings import E5Embeddings
    from models.packages import configure_offline

    configure_offline()
    return E5Embeddings()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, settings_factory, embeddings):
    """The sample corpus ingested into a temporary index; returns (settings, summary)."""
    from ingest.index import Ingestor

    settings = settings_factory(tmp_path_factory.mktemp("index"), llm="extractive")
    summary = Ingestor(settings, embeddings=embeddings, progress=False).run([DATA])
    return settings, summary


@pytest.fixture(scope="session")
def searcher(sample_index, embeddings):
    from rag.retrieve import Searcher

    settings, _ = sample_index
    return Searcher(settings, embeddings=embeddings)


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, settings_factory, embeddings):
    """A one-report index, quick to copy, break and rebuild; returns (settings, data folder).

    Tests that damage index files work on copies of this, never on ``var/`` or the shared
    sample index."""
    import shutil

    from ingest.index import Ingestor

    data = tmp_path_factory.mktemp("small-data")
    shutil.copy(DATA / SMALL_REPORT, data)
    settings = settings_factory(tmp_path_factory.mktemp("small-index"), llm="extractive")
    Ingestor(settings, embeddings=embeddings, progress=False).run([data])
    return settings, data
