"""``python -m ingest PATH... [--json] [--prune] [--rebuild]``: index reports into ReportQA."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from models.packages import ModelError, configure_offline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Clean, chunk and index reports (.txt .md .pdf .docx .html) incrementally.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="files or folders to ingest")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--prune", action="store_true", help="remove chunks of files that are gone")
    parser.add_argument("--rebuild", action="store_true", help="drop the index and rebuild it")
    parser.add_argument("--no-wait", action="store_true", help="fail if another ingest runs")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)

    configure_offline()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    from index.store import IndexUnavailable
    from ingest.index import IngestBusy, Ingestor

    try:
        summary = Ingestor(progress=not (args.quiet or args.json)).run(
            args.paths, prune=args.prune, rebuild=args.rebuild, wait=not args.no_wait
        )
    except (IngestBusy, IndexUnavailable, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(summary.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
