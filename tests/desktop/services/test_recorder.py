"""The Recorder's transaction: begun and committed on the driver, one for all it records."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select

from desktop.services.member_state import driver_connection
from desktop.terminal import Terminal
from shared.events.payloads import BranchConfigured
from shared.events.projectors import BRANCHES
from shared.ids import new_id
from shared.model import Event

EVENTS = Event.__table__


def _branch(name: str) -> BranchConfigured:
    return BranchConfigured(branch_id=new_id(), name=name, timezone="Asia/Shanghai")


def _count(terminal, table) -> int:
    with terminal.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_events_and_sqlalchemy_statements_commit_together(terminal) -> None:
    events, branches = _count(terminal, EVENTS), _count(terminal, BRANCHES)
    with terminal.recorder.transaction() as tx:
        tx.record("branch.configured", _branch("东店"), actor_id=new_id())
        # A SQLAlchemy statement joins the transaction begun on the driver.
        assert tx.conn.execute(select(func.count()).select_from(BRANCHES)).scalar_one() == (
            branches + 1
        )
        tx.record("branch.configured", _branch("西店"), actor_id=new_id())
    assert _count(terminal, EVENTS) == events + 2
    assert _count(terminal, BRANCHES) == branches + 2


@pytest.mark.parametrize("with_sqlalchemy_statement", [False, True])
def test_an_error_keeps_nothing_and_the_next_transaction_works(
    terminal, with_sqlalchemy_statement: bool
) -> None:
    events = _count(terminal, EVENTS)
    with pytest.raises(RuntimeError), terminal.recorder.transaction() as tx:
        tx.record("branch.configured", _branch("东店"), actor_id=new_id())
        if with_sqlalchemy_statement:
            tx.conn.execute(select(func.count()).select_from(BRANCHES))
        raise RuntimeError("the desk changed its mind")
    assert _count(terminal, EVENTS) == events
    with terminal.recorder.transaction() as tx:
        assert not tx.conn.in_transaction() and driver_connection(tx.conn).in_transaction
        tx.record("branch.configured", _branch("西店"), actor_id=new_id())
    assert _count(terminal, EVENTS) == events + 1


def test_the_connection_is_kept_between_transactions_and_closed_with_the_engine(
    terminal,
) -> None:
    with terminal.recorder.transaction() as tx:
        first = tx.conn
    seen: list[object] = []

    def another_thread() -> None:
        with terminal.recorder.transaction() as inner:  # waits for the write lock
            seen.append(inner.conn)

    with terminal.recorder.transaction() as tx:
        assert tx.conn is first  # no pool checkout on every check-in
        # A transaction on another thread meanwhile gets a connection of its own.
        other = threading.Thread(target=another_thread)
        other.start()
        time.sleep(0.1)
    other.join()
    assert seen and seen[0] is not first
    with terminal.recorder.transaction() as tx:
        assert tx.conn is first  # and the kept one is still kept
    terminal.engine.dispose()
    assert first.closed
    with terminal.recorder.transaction() as tx:
        assert tx.conn is not first
        tx.record("branch.configured", _branch("南店"), actor_id=new_id())


def test_closing_the_terminal_closes_the_kept_connection_for_real(terminal) -> None:
    """Found by the restore command: a file still open after close() cannot be replaced."""
    with terminal.recorder.transaction() as tx:
        tx.record("branch.configured", _branch("北店"), actor_id=new_id())
    path = terminal.engine.url.database

    terminal.close()

    # Leaving WAL mode needs the only connection to the file.
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as only:
        assert only.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
        only.execute("PRAGMA journal_mode=WAL")


def test_a_second_writer_on_the_file_waits_its_turn_instead_of_failing(
    terminal, data_dir, clock, keyring_backend
) -> None:
    """The CLI (or a second desk process) writing while the desk holds a transaction:
    a deferred BEGIN read a snapshot that the desk's commit then made stale, and SQLite
    refused the write at once ("database is locked"). BEGIN IMMEDIATE waits instead."""
    holding = threading.Event()
    failures: list[BaseException] = []

    def desk() -> None:
        with terminal.recorder.transaction() as tx:
            tx.record("branch.configured", _branch("东店"), actor_id=new_id())
            holding.set()
            time.sleep(0.3)  # the other writer has begun and is blocked by now

    def other_writer() -> None:
        try:
            with Terminal.open(data_dir, now=clock.now, keyring_backend=keyring_backend) as other:
                with other.recorder.transaction() as tx:
                    tx.conn.execute(select(func.count()).select_from(BRANCHES)).scalar_one()
                    tx.record("branch.configured", _branch("西店"), actor_id=new_id())
        except BaseException as exc:
            failures.append(exc)

    before = _count(terminal, EVENTS)
    first = threading.Thread(target=desk)
    first.start()
    assert holding.wait(timeout=5)
    second = threading.Thread(target=other_writer)
    second.start()
    first.join()
    second.join()

    assert failures == []
    assert _count(terminal, EVENTS) == before + 2
