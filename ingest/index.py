"""Incremental, crash-safe indexing of source files into Chroma + BM25.

Per file: chunk records (written beside the file's committed records, never over them) →
Chroma upsert (content-hash ids, so a retry embeds only what is missing). Once all files are
done the run commits: the manifest, then the BM25 generation built from the same records, so
the keyword index (what queries see) always lists exactly the committed chunks. Only after the
commit are replaced chunks deleted from Chroma and the chunk records compacted.

An ingest killed anywhere leaves the previous commit queryable and whole: every committed
chunk still has its record and its vector. Chroma may also hold vectors of chunks no commit
lists yet; queries drop dense hits the keyword index does not know, and the next run reuses
those vectors instead of embedding again, then deletes whatever is still uncommitted. The one
exception is a kill in the few milliseconds between the manifest rename and the BM25 switch:
the keyword index then still serves the previous commit until the next run rebuilds it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from core import cpu
from core.memory import trim_heap
from core.settings import Settings, get_settings
from index.bm25 import Bm25Index
from index.store import (
    FileEntry,
    IndexPaths,
    Manifest,
    chroma_metadata,
    file_key,
    get_collection,
    iter_committed_records,
    load_manifest,
    read_chunk_records,
    save_manifest,
    write_chunk_records,
)
from index.terms import get_tokenizer
from ingest.clean import clean
from ingest.documents import Document, split_documents
from ingest.extract_indicators import prune_indicators, sync_indicators
from ingest.load import SkipFile, load_file
from ingest.records import (
    build_records,
    embed_text,
    record_dedup_key,
)
from ingest.runs import IngestBusy, IngestSummary, discover, index_lock, sha256_bytes
from models.embeddings import E5Embeddings

log = logging.getLogger(__name__)

# Bump when cleaning, document splitting or chunking changes what an unchanged file yields, so
# the next ingest re-chunks every file (vectors of chunks whose text did not change are reused).
# 15: a title whose organ holds an event ("…厅举行新闻发布会") names its place, and an
# unnumbered section title alone on its line ("答记者问") is a heading;
# 14: a .txt file's space-aligned tables are rows; 13: a table row is one unit, never cut
# between its cells; 12: a title or a numbered heading ends its line in a wrapped text;
# 11: Markdown headings are headings;
# 10: one-cell-a-line PDF tables with word cells (进度);
# 9: places in titles and portal issuer lines (城乡建设局, an English name after the organ);
# 8: PDF tables with one cell a line; 7: 政协 titles name their place; 6: PDF table rows with
# remark cells; 5: PDF table headers wrapped cell by cell; 4: hard wraps
PIPELINE_VERSION = 15


def pipeline_fingerprint(settings: Settings) -> str:
    """What decides a file's chunks besides its bytes: the pipeline version and chunk sizes."""
    parts = (
        PIPELINE_VERSION,
        settings.chunk_tokens,
        settings.chunk_max_tokens,
        settings.chunk_overlap_sentences,
    )
    return hashlib.sha1(json.dumps(parts).encode()).hexdigest()[:12]


class Ingestor:
    """Runs ingest against one index (``settings.index_dir``)."""

    def __init__(
        self,
        settings: Settings | None = None,
        embeddings: E5Embeddings | None = None,
        progress: bool = True,
    ) -> None:
        self.settings = settings or get_settings()
        # an encoder of our own is released before the commit; a shared one (the server's,
        # which also encodes queries) is left loaded
        self._owns_embeddings = embeddings is None
        self.embeddings = embeddings or E5Embeddings(self.settings)
        self.paths = IndexPaths(self.settings.index_dir)
        self.progress = progress
        self._collection: Any = None
        self._owners: dict[str, str] | None = None
        # replaced or pruned chunks and pruned files: deleted only after the commit
        self._stale: set[str] = set()
        self._touched: set[str] = set()
        self._pipeline = pipeline_fingerprint(self.settings)
        self._job: cpu.IngestJob | None = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = get_collection(self.settings, self.embeddings)
        return self._collection

    # -- public ------------------------------------------------------------------------------

    def run(
        self, inputs: list[Path], prune: bool = False, rebuild: bool = False, wait: bool = True
    ) -> IngestSummary:
        """Ingest ``inputs`` in a niced thread that pauses for answers (see ``core.cpu``)."""

        def job() -> IngestSummary:
            with cpu.IngestJob(self.settings, str(self.paths.root)) as self._job:
                try:
                    return self._run(inputs, prune=prune, rebuild=rebuild, wait=wait)
                finally:
                    self._job = None

        return cpu.run_niced(job)

    def _run(self, inputs: list[Path], prune: bool, rebuild: bool, wait: bool) -> IngestSummary:
        started = time.perf_counter()
        summary = IngestSummary()
        self._owners = None
        self._stale, self._touched = set(), set()
        with index_lock(self.paths, wait=wait):
            if rebuild:
                self._wipe()
            manifest = load_manifest(self.paths)
            if manifest.files and manifest.embedding_model != self.embeddings.name:
                log.warning(
                    "index was built with %r, now %r: re-embedding everything",
                    manifest.embedding_model,
                    self.embeddings.name,
                )
                self._wipe()
                manifest = Manifest()
            manifest.embedding_model = self.embeddings.name
            dirty = self.paths.root / ".ingest-in-progress"
            recovering = dirty.exists()
            if recovering:
                manifest = self._recover(manifest)
            files, summary.skipped = discover(inputs)
            summary.files_seen = len(files) + len(summary.skipped)
            changed = False
            dirty.touch()
            from tqdm import tqdm

            bar = tqdm(files, desc="files", unit="file", disable=not self.progress, file=sys.stderr)
            for path in bar:
                bar.set_postfix_str(path.name[-30:])
                changed |= self._ingest_file(path, manifest, summary)
            if prune:
                changed |= self._prune(manifest, summary)
            self._owners = None
            if self._owns_embeddings:
                self.embeddings.release()  # nothing below embeds: commit without the encoder
            sync_indicators(self.paths, manifest)  # rows keyed by sha256: trusted once committed
            if changed or self._bm25_stale(manifest):
                self._commit(manifest)
            self._clean_up(manifest, everything=recovering)
            prune_indicators(self.paths, manifest)
            dirty.unlink(missing_ok=True)
            summary.total_chunks = sum(len(e.chunk_ids) for e in manifest.files.values())
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    # -- steps -------------------------------------------------------------------------------

    def _ingest_file(self, path: Path, manifest: Manifest, summary: IngestSummary) -> bool:
        key = file_key(path)
        old = manifest.files.get(key)
        try:
            size = path.stat().st_size
            if size > self.settings.max_file_mb * 2**20:
                raise SkipFile(
                    f"file is {size / 2**20:.0f} MB, over the {self.settings.max_file_mb} MB limit "
                    "(REPORTQA_MAX_FILE_MB); split it or raise the limit"
                )
            digest = sha256_bytes(path.read_bytes())
            if old and old.sha256 == digest and old.pipeline == self._pipeline:
                summary.files_unchanged += 1
                summary.chunks_unchanged += len(old.chunk_ids)
                summary.documents += len(old.documents)
                return False
            if old and old.sha256 == digest:
                summary.files_rechunked += 1  # same bytes, new pipeline: vectors are reused
            loaded = load_file(path, max_bytes=self.settings.max_file_mb * 2**20)
        except SkipFile as exc:
            summary.skipped.append({"path": str(path), "reason": str(exc)})
            return False
        except OSError as exc:
            summary.skipped.append({"path": str(path), "reason": f"cannot read: {exc}"})
            return False

        cleaned, _stats = clean(loaded.text)
        documents = split_documents(cleaned, path.name)
        tokenizer = get_tokenizer(r for d in documents for r in (d.region, d.parent_region) if r)
        self._remember_regions(documents)
        owners = self._norm_owners(manifest)
        built = build_records(documents, key, digest, owners, self.settings, tokenizer.tokens)
        records, doc_entries = built.records, built.documents
        summary.duplicates_dropped += built.duplicates
        summary.documents += len(documents)

        # Keep the committed records beside the new ones until the commit: a crash before it
        # must leave every chunk the manifest lists with its record.
        kept_old = set(old.chunk_ids) - {r["id"] for r in records} if old else set()
        previous = [r for r in read_chunk_records(self.paths, key) if r["id"] in kept_old]
        write_chunk_records(self.paths, key, records + previous)
        self._touched.add(key)
        for dkey in [n for n, k in owners.items() if k == key]:
            del owners[dkey]
        owners.update((record_dedup_key(r), key) for r in records)
        new_ids = [r["id"] for r in records]
        existing, todo, outdated = self._compare_stored(records)
        self._embed_and_upsert(todo)
        if outdated:  # same text, but it moved in the file: refresh offsets without embedding
            self.collection.update(
                ids=[r["id"] for r in outdated],
                metadatas=[chroma_metadata(r["metadata"]) for r in outdated],
            )
        stale = set(self.collection.get(where={"file_key": key}, include=[])["ids"]) - set(new_ids)
        self._stale |= stale  # still searchable in the committed generation: delete after it
        summary.files_indexed += 1
        summary.chunks_added += len(todo)
        summary.embedded += len(todo)
        summary.chunks_unchanged += len(existing - {r["id"] for r in todo})
        summary.chunks_removed += len(stale)
        manifest.files[key] = FileEntry(
            path=str(path.resolve()),
            source=path.name,
            sha256=digest,
            size=len(loaded.text),
            chunk_ids=new_ids,
            documents=doc_entries,
            pipeline=self._pipeline,
        )
        return True

    def _compare_stored(
        self, records: list[dict[str, Any]]
    ) -> tuple[set[str], list[dict[str, Any]], list[dict[str, Any]]]:
        """Split a file's records by what Chroma already holds for their ids.

        Ids hash the document and the normalised text, so an edited file keeps the ids of its
        untouched passages, but their offsets, ordinal and file hash change, and so may their
        heading or spacing. Returns the ids already stored, the records to embed (new, or what
        gets embedded changed) and the records whose metadata alone is out of date.
        """
        if not records:
            return set(), [], []
        got = self.collection.get(
            ids=[r["id"] for r in records], include=["documents", "metadatas"]
        )
        stored = {
            cid: (doc, meta or {})
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        todo, outdated = [], []
        for r in records:
            if r["id"] not in stored:
                todo.append(r)
                continue
            doc, meta = stored[r["id"]]
            want = chroma_metadata(r["metadata"])
            if doc != r["text"] or embed_text(meta, doc) != embed_text(want, r["text"]):
                todo.append(r)
            elif meta != want:
                outdated.append(r)
        return set(stored), todo, outdated

    def _embed_and_upsert(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        from tqdm import tqdm

        # One model batch per step: between steps the ingest pauses while an answer is generated.
        size = max(1, self.settings.embedding_batch_size)
        bar = tqdm(
            total=len(records),
            desc="embedding",
            unit="chunk",
            disable=not self.progress,
            file=sys.stderr,
            leave=False,
        )
        for i in range(0, len(records), size):
            started = time.perf_counter()
            if self._job:
                self._job.yield_to_answers()
                limit = getattr(self.embeddings, "set_passage_threads", None)
                if limit is not None:  # any LangChain Embeddings may be handed in
                    limit(self._job.encoder_threads())
            batch = records[i : i + size]
            vectors = self.embeddings.embed_documents(
                [embed_text(r["metadata"], r["text"]) for r in batch]
            )
            self.collection.upsert(
                ids=[r["id"] for r in batch],
                embeddings=vectors,
                documents=[r["text"] for r in batch],
                metadatas=[chroma_metadata(r["metadata"]) for r in batch],
            )
            if self._job:
                self._job.progress(len(batch), time.perf_counter() - started)
            trim_heap()  # each batch's freed activations, back to the OS, not kept resident
            bar.update(len(batch))
        bar.close()

    def _norm_owners(self, manifest: Manifest) -> dict[str, str]:
        """Dedup key (region + normalised text) → owning file key, read once per run.

        Only committed chunks own their text: a records file can also hold chunks a crashed
        run wrote but never committed, or replaced ones not yet compacted away.
        """
        if self._owners is None:
            self._owners = {}
            for other, entry in manifest.files.items():
                wanted = set(entry.chunk_ids)
                for r in read_chunk_records(self.paths, other):
                    if r["id"] in wanted:
                        self._owners.setdefault(record_dedup_key(r), other)
        return self._owners

    def _prune(self, manifest: Manifest, summary: IngestSummary) -> bool:
        gone = [k for k, e in manifest.files.items() if not Path(e.path).exists()]
        for key in gone:  # vectors and records go after the commit (_clean_up)
            entry = manifest.files.pop(key)
            self._stale.update(entry.chunk_ids)
            self._touched.add(key)
            summary.files_removed += 1
            summary.chunks_removed += len(entry.chunk_ids)
        return bool(gone)

    def remove_document_file(self, key: str) -> FileEntry | None:
        """Remove one committed file's chunks everywhere (used by the API's delete)."""
        with index_lock(self.paths):
            manifest = load_manifest(self.paths)
            entry = manifest.files.pop(key, None)
            if entry is None:
                return None
            dirty = self.paths.root / ".ingest-in-progress"
            was_dirty = dirty.exists()  # an interrupted ingest's marker stays for the next one
            dirty.touch()  # a crash before the clean-up leaves orphans for the next run
            self._commit(manifest)
            self._stale, self._touched = set(entry.chunk_ids), {key}
            self._clean_up(manifest, everything=False)
            if not was_dirty:
                dirty.unlink(missing_ok=True)
            return entry

    def _recover(self, manifest: Manifest) -> Manifest:
        """After an interrupted run: make sure the vector index loads.

        Chroma may not have flushed its vector index when the process died; then the collection
        is rebuilt from the committed chunk records (re-embedding them) instead of failing.
        Vectors of uncommitted chunks are kept so this run can reuse them; whatever this run
        does not commit is swept after its commit.
        """
        try:
            if self.collection.count():
                probe = self.embeddings.embed_query("检查")
                self.collection.query(query_embeddings=[probe], n_results=1, include=[])
            return manifest
        except Exception as exc:
            log.warning("vector index damaged by an interrupted ingest (%s); rebuilding it", exc)
        records = list(iter_committed_records(self.paths, manifest))
        from index.store import chroma_client, collection_name

        with contextlib.suppress(Exception):
            chroma_client(self.settings).delete_collection(collection_name(self.settings))
        self._collection = None
        self._embed_and_upsert(records)
        return manifest

    def _commit(self, manifest: Manifest) -> None:
        """Make ``manifest`` the committed state: manifest file first, then its BM25 generation.

        The keyword index is built before either is written, so the gap between the two atomic
        renames (where a crash leaves BM25 on the previous commit) is as short as possible.
        """
        manifest.bump()
        index = Bm25Index.build(iter_committed_records(self.paths, manifest), manifest.generation)
        save_manifest(self.paths, manifest)
        index.save(self.paths.bm25)

    def _clean_up(self, manifest: Manifest, everything: bool) -> None:
        """After a commit: delete replaced vectors and records the commit no longer lists.

        ``everything`` (after an interrupted run) also sweeps vectors and records that the
        interrupted run left and this one did not commit.
        """
        known = manifest.chunk_ids()
        stale = sorted(self._stale - known)
        for i in range(0, len(stale), 5000):
            self.collection.delete(ids=stale[i : i + 5000])
        if everything:
            self._sweep_orphans(manifest)
        keys = set(manifest.files) | self._touched if everything else self._touched
        for key in sorted(keys):
            entry = manifest.files.get(key)
            if entry is None:
                self.paths.chunk_file(key).unlink(missing_ok=True)
                continue
            records = read_chunk_records(self.paths, key)
            wanted = set(entry.chunk_ids)
            if any(r["id"] not in wanted for r in records):
                write_chunk_records(self.paths, key, [r for r in records if r["id"] in wanted])
        if everything and self.paths.chunks.exists():
            for f in self.paths.chunks.glob("*.jsonl"):
                if f.stem not in manifest.files:  # a new file's records, never committed
                    f.unlink(missing_ok=True)
        self._stale, self._touched = set(), set()

    def _sweep_orphans(self, manifest: Manifest) -> None:
        """After an interrupted run: drop Chroma rows no committed file owns."""
        known = manifest.chunk_ids()
        ids = set(self.collection.get(include=[])["ids"])
        orphans = sorted(ids - known)
        for i in range(0, len(orphans), 5000):
            self.collection.delete(ids=orphans[i : i + 5000])
        if orphans:
            log.info("removed %d chunks left by an interrupted ingest", len(orphans))

    def _bm25_stale(self, manifest: Manifest) -> bool:
        pointer = self.paths.bm25 / "CURRENT"
        current = pointer.read_text().strip() if pointer.exists() else ""
        return current != f"gen-{manifest.generation or 'empty'}"

    def _remember_regions(self, documents: list[Document]) -> None:
        """Persist region names as the jieba user dictionary the query side loads."""
        names = {r for d in documents for r in (d.region, d.parent_region) if r}
        if not names:
            return
        path = self.paths.userdict
        known = set(path.read_text(encoding="utf-8").split()) if path.exists() else set()
        if names - known:
            from index.store import atomic_write

            atomic_write(path, "\n".join(sorted(known | names)) + "\n")

    def _wipe(self) -> None:
        """Forget everything in this index (``--rebuild`` or an embedding model change)."""
        with contextlib.suppress(Exception):
            from index.store import chroma_client, collection_name

            chroma_client(self.settings).delete_collection(collection_name(self.settings))
        self._collection = None
        for sub in (self.paths.chunks, self.paths.bm25):
            shutil.rmtree(sub, ignore_errors=True)
        for f in (self.paths.manifest, self.paths.userdict):
            f.unlink(missing_ok=True)
        os.sync()


__all__ = [
    "PIPELINE_VERSION",
    "IngestBusy",
    "IngestSummary",
    "Ingestor",
    "discover",
    "embed_text",
    "index_lock",
    "pipeline_fingerprint",
    "sha256_bytes",
]
