"""ReportQA server: the Gradio UI at ``/`` and the HTTP API under ``/api`` and ``/v1``, one port.

This file only wires things together; behaviour lives in ``rag/``.
Run: ``python app.py`` (or ``make run``). Settings: ``REPORTQA_*`` (see README).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from models.packages import configure_offline

configure_offline()

from core.settings import Settings, get_settings  # noqa: E402

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("reportqa")


def create_app(settings: Settings | None = None, warm: bool = True) -> FastAPI:
    """Build the app: load models once, make sure an index exists, mount the UI.

    The imports are here, not at the top, because the server's ingest worker is a spawned
    process that re-runs this file's top level: it needs the offline set-up, not Gradio."""
    import gradio as gr

    from core.cpu import favour_short_requests
    from rag.backends import describe
    from server.api import create_api
    from server.service import ReportQAService
    from server.ui import CSS, build_ui

    settings = settings or get_settings()
    favour_short_requests()  # an upload's ingest must not hold the GIL from answers
    service = ReportQAService(settings)
    log.info("index: %s", service.ensure_index())
    log.info("embedding model: %s", service.embeddings.name)
    log.info("LLM backend: %s", describe(settings))
    # A damaged index must not stop the server (a restart cannot fix it): serve, report it in
    # /health and as JSON 503s that name the rebuild command.
    problem = service.index_problem()
    if problem:
        log.error("index unavailable: %s", problem)
    else:
        stats = service.stats()
        log.info(
            "index %s: %d files, %d documents, %d chunks",
            settings.index_dir,
            stats["files"],
            stats["documents"],
            stats["chunks"],
        )
    if warm:
        service.warm_up()
    app = create_api(service)
    auth = None
    if settings.ui_auth and ":" in settings.ui_auth:
        user, _, password = settings.ui_auth.partition(":")
        auth = (user, password)
    return gr.mount_gradio_app(
        app,
        build_ui(service),
        path="/",
        auth=auth,
        css=CSS,
        footer_links=["api"],
        max_file_size=settings.max_upload_mb * 2**20,
    )


def main() -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = get_settings()
    app = create_app(settings)
    log.info("serving on http://%s:%d (API docs at /docs)", settings.host, settings.port)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":
    main()
