"""``python -m rag search|ask ...``: query the index from the command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from models.packages import ModelError, configure_offline
from rag.lifecycle import close_models_at_exit


def _search(args: argparse.Namespace) -> int:
    from rag.retrieve import Filters, Searcher

    searcher = Searcher()  # loads the model and index once for all queries
    filters = Filters(regions=args.region or [], years=args.year or [], doc_ids=args.doc or [])
    results = []
    for query in args.queries:
        timings: dict[str, float] = {}
        passages = searcher.search(
            query, k=args.k, filters=filters, mode=args.mode, timings=timings
        )
        results.append(
            {
                "query": query,
                "results": [p.as_dict() for p in passages],
                "timings": {k: round(v, 1) for k, v in timings.items()},
            }
        )
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(f"# {r['query']}  ({r['timings'].get('retrieve_ms', 0):.0f} ms)")
            for i, p in enumerate(r["results"], 1):
                where = f"{p['title']} › {p['heading']}" if p["heading"] else p["title"]
                print(f"[{i}] {p['score']:.4f} {where} ({p['source']}:{p['start']}-{p['end']})")
                print("    " + p["text"][:160].replace("\n", " "))
    return 0


def _ask(args: argparse.Namespace) -> int:
    from rag.answer import Answerer
    from rag.retrieve import Filters

    answerer = Answerer()
    filters = Filters(regions=args.region or [], years=args.year or [], doc_ids=args.doc or [])
    out = [answerer.ask(q, filters=filters, k=args.k).as_dict() for q in args.queries]
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for a in out:
            print(f"问：{a['question']}\n答：{a['answer']}")
            for c in a["citations"]:
                mark = "" if c["verified"] else "（未核实）"
                print(
                    f"  [{c['n']}] {c['title']} {c['heading']} {mark}\n      “{c['quote']}”"
                    f" ({c['source']}:{c['start']}-{c['end']})"
                )
            print(f"  ({a['timings']['total_ms']:.0f} ms)\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_ in (("search", "top-k passages per query"), ("ask", "answer questions")):
        p = sub.add_parser(name, help=help_)
        p.add_argument("queries", nargs="+")
        p.add_argument("-k", type=int, default=None, help="passages to return")
        p.add_argument("--json", action="store_true", help="JSON output")
        p.add_argument("--region", action="append", help="restrict to a region (repeatable)")
        p.add_argument("--year", action="append", type=int, help="restrict to a report year")
        p.add_argument("--doc", action="append", help="restrict to a document id")
        if name == "search":
            p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default=None)
    args = parser.parse_args(argv)
    configure_offline()
    close_models_at_exit()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    from index.store import IndexUnavailable

    try:
        return _search(args) if args.command == "search" else _ask(args)
    except (IndexUnavailable, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
