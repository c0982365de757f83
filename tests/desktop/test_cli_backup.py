"""``memberdesk backup``, ``backups`` and ``restore``, run in-process on copies of the
test terminal's data directory."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.store.backups import BackupKind, list_backups
from desktop.store.database import BACKUP_DIR, DB_FILENAME, open_database
from desktop.store.migrations_runner import HEAD_REVISION
from shared.events.projectors import MEMBERS
from shared.ids import new_id


def run(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


def add_member(data_dir: Path, name: str) -> None:
    engine = open_database(data_dir)
    with engine.begin() as conn:
        conn.execute(MEMBERS.insert().values(id=new_id(), member_no=name, name=name))
    engine.dispose()


def member_names(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as db:
        return {row[0] for row in db.execute("SELECT name FROM members")}


def test_backup_takes_one_now_and_prints_its_path(data_dir, capsys):
    assert run(data_dir, "backup") == 0

    printed = Path(capsys.readouterr().out.strip())
    assert printed.parent == data_dir / BACKUP_DIR and printed.is_file()
    [info] = list_backups(data_dir / BACKUP_DIR)
    assert (info.path, info.kind) == (printed, BackupKind.MANUAL)


def test_backup_keep_rotates_manual_backups_only(data_dir, capsys):
    for _ in range(3):
        assert run(data_dir, "backup", "--keep", "2") == 0
    newest = Path(capsys.readouterr().out.strip().splitlines()[-1])

    kept = list_backups(data_dir / BACKUP_DIR)
    assert len(kept) == 2 and kept[0].path == newest


def test_backup_of_a_directory_without_a_terminal_is_refused(tmp_path, capsys):
    assert run(tmp_path / "empty", "backup") == 2

    assert "[terminal.not_initialised]" in capsys.readouterr().err
    assert not (tmp_path / "empty").exists()


def test_backups_lists_them_newest_first(data_dir, capsys):
    assert run(data_dir, "backups") == 0
    assert "No backups" in capsys.readouterr().out
    run(data_dir, "backup")
    run(data_dir, "backup")
    capsys.readouterr()

    assert run(data_dir, "backups") == 0

    out = capsys.readouterr().out
    names = [info.path.name for info in list_backups(data_dir / BACKUP_DIR)]
    assert [line.split()[-1] for line in out.splitlines()[1:]] == names
    assert "manual" in out and f"schema {HEAD_REVISION}" in out and "KB" in out


def test_restore_brings_a_backup_back_and_keeps_the_replaced_file(data_dir, capsys):
    add_member(data_dir, "备份前")
    run(data_dir, "backup")
    backup = Path(capsys.readouterr().out.strip())
    add_member(data_dir, "备份后")

    assert run(data_dir, "restore", str(backup)) == 0

    out = capsys.readouterr().out
    assert "Restored" in out and "kept as" in out
    database = data_dir / DB_FILENAME
    assert "备份前" in member_names(database) and "备份后" not in member_names(database)
    [safety] = [b for b in list_backups(data_dir / BACKUP_DIR) if b.kind is BackupKind.RESTORE]
    assert str(safety.path) in out
    assert "备份后" in member_names(safety.path)
    assert run(data_dir, "info") == 0  # the desk's own commands open the restored file


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda d: d / "missing.sqlite", "restore.file_missing"),
        (lambda d: _write(d / "notes.txt", b"not a database"), "restore.not_a_database"),
        (lambda d: _foreign_schema(d), "restore.schema_unknown"),
    ],
)
def test_restore_refuses_with_a_reason(data_dir, tmp_path, capsys, monkeypatch, make, code):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    before = (data_dir / DB_FILENAME).read_bytes()

    assert run(data_dir, "restore", str(make(tmp_path))) == 2

    err = capsys.readouterr().err
    assert f"[{code}]" in err
    assert any(words in err for words in ("找不到备份文件", "不是数据库文件", "请升级后再恢复"))
    assert (data_dir / DB_FILENAME).read_bytes() == before
    assert list_backups(data_dir / BACKUP_DIR) == []


def test_another_terminals_backup_is_refused(data_dir, tmp_path, capsys):
    add_member(data_dir, "本机")
    before = (data_dir / DB_FILENAME).read_bytes()

    assert run(data_dir, "restore", str(_other_terminal(data_dir, tmp_path))) == 2

    err = capsys.readouterr().err
    assert "[restore.other_terminal]" in err and "T9" in err
    assert (data_dir / DB_FILENAME).read_bytes() == before
    assert list_backups(data_dir / BACKUP_DIR) == []


def test_another_terminals_backup_is_restored_when_asked(data_dir, tmp_path, capsys):
    """A PC replacing a broken one takes on its identity, knowingly."""
    backup = _other_terminal(data_dir, tmp_path)

    assert run(data_dir, "restore", "--other-terminal", str(backup)) == 0

    assert "另一台" in member_names(data_dir / DB_FILENAME)


def test_a_new_pc_restores_any_terminals_backup(data_dir, tmp_path, capsys):
    backup = _other_terminal(data_dir, tmp_path)
    new_pc = tmp_path / "new-pc"

    assert run(new_pc, "restore", str(backup)) == 0

    assert "另一台" in member_names(new_pc / DB_FILENAME)


# Internals below.


def _other_terminal(data_dir: Path, directory: Path) -> Path:
    """A backup made on another terminal (its own id and code) of the same shop."""
    other = directory / "other"
    other.mkdir()
    path = other / DB_FILENAME
    with (
        closing(sqlite3.connect(data_dir / DB_FILENAME)) as source,
        closing(sqlite3.connect(path)) as target,
    ):
        source.backup(target)
        target.execute(
            "UPDATE terminal_settings SET value = ? WHERE key = 'terminal_id'", (new_id(),)
        )
        target.execute("UPDATE terminal_settings SET value = 'T9' WHERE key = 'terminal_code'")
        target.commit()
    add_member(other, "另一台")
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _foreign_schema(directory: Path) -> Path:
    """A MemberDesk database from a build this one does not know."""
    data_dir = directory / "future"
    open_database(data_dir).dispose()
    path = data_dir / DB_FILENAME
    with closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_from_another_build'")
        db.commit()
    return path
