"""Migration 0002: members' pinyin keys recomputed with surname readings (单 shan, 曾 zeng).

A terminal that projected its members before surnames had their own readings stores
``dan...`` for 单 and ``ceng...`` for 曾; after the upgrade the desk finds them with what
it types, ``shan`` and ``zeng``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, select, update

from desktop.services.search import MatchKind
from desktop.store.database import open_database
from desktop.store.migrations_runner import HEAD_REVISION, alembic_config, current_revision
from desktop.terminal import Terminal
from shared.events.projectors import MEMBERS
from shared.ids import new_id
from shared.kinds import Role
from shared.search_keys import pinyin_keys

PREVIOUS_REVISION = "0001"

# name -> (name_pinyin, name_initials) as the build before 0002 projected them.
OLD_KEYS = {
    "单田芳": ("dantianfang", "dtf"),
    "曾国藩": ("cengguofan", "cgf"),
    "李单": ("lidan", "ld"),  # 单 is not the surname here: unchanged
    "张三": ("zhangsan", "zs"),
}


def to_previous_revision(engine: Engine, old_keys: dict[str, tuple[str, str]]) -> None:
    """The file as the build before 0002 left it: that revision, keys of the old rule."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), PREVIOUS_REVISION)
        for name, (pinyin, initials) in old_keys.items():
            conn.execute(
                update(MEMBERS)
                .where(MEMBERS.c.name == name)
                .values(name_pinyin=pinyin, name_initials=initials)
            )
        assert current_revision(conn) == PREVIOUS_REVISION


def keys_by_name(engine: Engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(MEMBERS.c.name, MEMBERS.c.name_pinyin, MEMBERS.c.name_initials))
        return {name: (pinyin, initials) for name, pinyin, initials in rows}


def test_opening_an_older_file_gives_its_members_surname_readings_the_desk_finds(
    data_dir, clock, keyring_backend, staff_logins
):
    with Terminal.open(data_dir, now=clock.now, keyring_backend=keyring_backend) as terminal:
        desk = staff_logins[Role.FRONT_DESK]
        terminal.staff.login(desk.pin, staff_id=desk.staff_id)
        for name in OLD_KEYS:
            terminal.members.enroll(name=name)
        to_previous_revision(terminal.engine, OLD_KEYS)
        assert keys_by_name(terminal.engine)["单田芳"] == ("dantianfang", "dtf")
        assert [hit.name for hit in terminal.search("shan")] == []

    with Terminal.open(data_dir, now=clock.now, keyring_backend=keyring_backend) as terminal:
        with terminal.engine.connect() as conn:
            assert current_revision(conn) == HEAD_REVISION
        keys = keys_by_name(terminal.engine)
        assert keys["单田芳"] == ("shantianfang", "stf")
        assert keys["曾国藩"] == ("zengguofan", "zgf")
        assert keys["李单"] == ("lidan", "ld")
        assert keys["张三"] == ("zhangsan", "zs")

        def found(query: str) -> list[tuple[str, MatchKind]]:
            return [(hit.name, hit.match) for hit in terminal.search(query)]

        assert found("shan") == [("单田芳", MatchKind.PINYIN)]
        assert found("shantianfang") == [("单田芳", MatchKind.PINYIN)]
        assert found("stf") == [("单田芳", MatchKind.INITIALS)]
        assert found("zeng") == [("曾国藩", MatchKind.PINYIN)]
        assert found("zgf") == [("曾国藩", MatchKind.INITIALS)]
        assert found("lidan") == [("李单", MatchKind.PINYIN)]
        assert found("dan") == []  # the common reading of the surname: see pinyin_keys


def test_the_migration_rewrites_only_members_with_such_a_surname_batch_after_batch(
    tmp_path: Path,
):
    # More rows than one batch (1,000) of each kind; 张 rows hold keys no function would
    # give, and keep them: they are never recomputed.
    names = [f"曾{i}" for i in range(2_500)] + [f"单于{i}" for i in range(10)]
    others = [f"张{i}" for i in range(1_500)] + ["Anna 单", "李单"]
    engine = open_database(tmp_path)
    with engine.begin() as conn:
        conn.execute(
            MEMBERS.insert(),
            [
                {"id": new_id(), "member_no": f"T{i}", "name": name}
                for i, name in enumerate(names + others)
            ],
        )
    to_previous_revision(engine, {})
    with engine.begin() as conn:
        conn.execute(update(MEMBERS).values(name_pinyin="stale", name_initials="stale"))
    engine.dispose()

    engine = open_database(tmp_path)
    try:
        keys = keys_by_name(engine)
    finally:
        engine.dispose()
    assert keys["曾0"] == ("zeng0", "z0")
    assert keys["单于3"] == ("chanyu3", "cy3")
    assert all(keys[name] == pinyin_keys(name) for name in names)
    assert all(keys[name] == ("stale", "stale") for name in others)


def test_a_name_with_blanks_before_its_surname_is_recomputed_too(tmp_path: Path):
    engine = open_database(tmp_path)
    with engine.begin() as conn:
        conn.execute(MEMBERS.insert().values(id=new_id(), member_no="T1", name="\u3000 曾三"))
    to_previous_revision(engine, {"\u3000 曾三": ("cengsan", "cs")})
    engine.dispose()

    engine = open_database(tmp_path)
    try:
        assert keys_by_name(engine)["\u3000 曾三"] == ("zengsan", "zs")
    finally:
        engine.dispose()
