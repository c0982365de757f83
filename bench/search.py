"""Member search latency by query kind, and the SQLite options measured side by side.

Query kinds, made from members of the data set: ``name`` (a surname, a two-character
piece, a given-name character in the middle), ``pinyin`` (initials and full pinyin
prefixes), ``mobile_tail`` (last four digits).

Strategies for the name substring search (the hard case) on the same queries:
``ngram_index`` (what desktop.services.search uses: prefix range + a 1/2-character
index), ``like_scan`` (``name LIKE '%q%'``) and ``fts5_trigram`` (SQLite FTS5 with the
trigram tokenizer, which cannot answer queries shorter than three characters).

    python -m bench.search [--quick] [--n N]

Last line: JSON with p50_ms and p95_ms over all queries, per kind
(``name_p95_ms`` ...), and per strategy (``strategy_like_scan_p95_ms`` ...).
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.dataset import Dataset, ms, open_terminal, percentile, run_on_dataset
from desktop.services.search import query_kind, search_members
from desktop.store.database import DB_FILENAME

LIMIT = 20


def main() -> None:
    run_on_dataset(_run, n_help="queries per kind", quick_n=20, full_n=300)


def _run(dataset: Dataset, per_kind: int) -> dict[str, object]:
    db_path = dataset.data_dir / DB_FILENAME
    queries = _queries(db_path, per_kind, random.Random(7))

    terminal = open_terminal(dataset)
    by_kind: dict[str, list[float]] = {}
    empty = 0
    with terminal.engine.connect() as conn:
        for q in queries:
            started = time.perf_counter()
            hits = search_members(conn, q, LIMIT)
            by_kind.setdefault(query_kind(q), []).append(time.perf_counter() - started)
            empty += not hits
    terminal.close()

    all_times = [t for times in by_kind.values() for t in times]
    report: dict[str, object] = {
        "members": dataset.members,
        "queries": len(all_times),
        "queries_without_hits": empty,
        "p50_ms": ms(statistics.median(all_times)),
        "p95_ms": ms(percentile(all_times, 95)),
    }
    for kind, times in sorted(by_kind.items()):
        report[f"{kind}_p50_ms"] = ms(statistics.median(times))
        report[f"{kind}_p95_ms"] = ms(percentile(times, 95))
    name_queries = [q for q in queries if query_kind(q) == "name"]
    report.update(_compare_strategies(db_path, name_queries))
    return report


def _queries(db_path: Path, per_kind: int, rng: random.Random) -> list[str]:
    conn = sqlite3.connect(str(db_path))
    rows = conn.execute(
        "SELECT name, name_pinyin, name_initials, mobile FROM members ORDER BY random() LIMIT ?",
        (per_kind * 3,),
    ).fetchall()
    conn.close()
    names: list[str] = []
    pinyin: list[str] = []
    tails: list[str] = []
    for i, (name, full, initials, mobile) in enumerate(rows):
        pieces = [name[:1], name[:2], name[-1:], name]
        names.append(pieces[i % len(pieces)])
        pinyin.append(initials if i % 2 else full[: rng.randint(3, max(3, len(full)))])
        if mobile:
            tails.append(mobile[-4:])
    return names[:per_kind] + pinyin[:per_kind] + tails[:per_kind]


def _compare_strategies(db_path: Path, queries: list[str]) -> dict[str, object]:
    """p95 of each strategy on the same name queries (read-only on a copy in memory)."""
    conn = sqlite3.connect(str(db_path))
    conn.execute(
        "CREATE VIRTUAL TABLE temp.names_fts USING fts5(id UNINDEXED, name, tokenize='trigram')"
    )
    conn.execute("INSERT INTO temp.names_fts SELECT id, name FROM members")
    strategies: dict[str, Callable[[str], list[tuple[str, ...]]]] = {
        "like_scan": lambda q: conn.execute(
            "SELECT id, name FROM members WHERE name LIKE ? LIMIT ?", (f"%{q}%", LIMIT)
        ).fetchall(),
        "fts5_trigram": lambda q: (
            conn.execute(
                "SELECT id, name FROM temp.names_fts WHERE names_fts MATCH ? LIMIT ?",
                (f'"{q}"', LIMIT),
            ).fetchall()
            if len(q) >= 3
            else []
        ),
    }
    report: dict[str, object] = {}
    for name, run in strategies.items():
        times = []
        for q in queries:
            started = time.perf_counter()
            run(q)
            times.append(time.perf_counter() - started)
        report[f"strategy_{name}_p95_ms"] = ms(percentile(times, 95))
    report["strategy_fts5_trigram_unanswerable"] = sum(len(q) < 3 for q in queries)
    conn.close()
    return report


if __name__ == "__main__":
    main()
