"""``python -m models``: prepare every bundled model (idempotent) and print where they are."""

from __future__ import annotations

import json
import logging

from core.settings import Settings, get_settings
from models.embeddings import embedding_model_path, prepare_query_model
from models.llm_files import prepare_llm
from models.packages import ModelError, configure_offline
from models.tokens import prepare_tiktoken


def prepare_all(settings: Settings | None = None) -> dict[str, str]:
    """Prepare every bundled model (idempotent); returns what was prepared, for logging."""
    settings = settings or get_settings()
    configure_offline()
    out = {"tiktoken": str(prepare_tiktoken(settings))}
    out["embedding"] = embedding_model_path(settings)
    query = prepare_query_model(settings)
    out["query_encoder"] = str(query) if query else "torch"
    if settings.llm == "local" or not settings.llm_model_path:
        out["llm"] = str(prepare_llm(settings))
    return out


def main() -> None:
    """``python -m models``: prepare all models and print where they are."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        print(json.dumps(prepare_all(), ensure_ascii=False, indent=2))
    except ModelError as exc:
        raise SystemExit(f"error: {exc}") from None


if __name__ == "__main__":
    main()
