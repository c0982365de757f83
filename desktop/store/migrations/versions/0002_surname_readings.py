"""members' pinyin keys with surname readings

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 10:00:00.000000

``shared.search_keys.pinyin_keys`` now reads a name's leading surname as a surname (单
shan, 曾 zeng, 尉迟 yu chi; ``SURNAME_READINGS``). Rows projected before that hold the
common reading (dan, ceng, wei chi), which the desk's ``shan`` / ``zeng`` never reach.
This recomputes ``name_pinyin`` and ``name_initials`` of the members whose name starts
with one of those surnames, with the same function the projector uses, a batch at a time.
Any other member's keys are what the function gives now, so they are not read at all.

Downgrade does nothing: the two columns are derived search keys, not data. The older
build reads them as they are (a member written there gets its old-style keys), and an
upgrade after that recomputes them again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.search_keys import SURNAME_READINGS, pinyin_keys

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
# Blanks a stored name might start with: clean_name trims them, normalise_text too.
BLANKS = " \t\u3000"


def upgrade() -> None:
    conn = op.get_bind()
    candidates = sa.text(
        "SELECT rowid, name, name_pinyin, name_initials FROM members"
        " WHERE rowid > :after"
        " AND (substr(ltrim(name, :blanks), 1, 1) IN :singles"
        " OR substr(ltrim(name, :blanks), 1, 2) IN :compounds)"
        " ORDER BY rowid LIMIT :batch"
    ).bindparams(sa.bindparam("singles", expanding=True), sa.bindparam("compounds", expanding=True))
    update = sa.text(
        "UPDATE members SET name_pinyin = :pinyin, name_initials = :initials WHERE rowid = :row"
    )
    params = {
        "blanks": BLANKS,
        "singles": sorted(s for s in SURNAME_READINGS if len(s) == 1),
        "compounds": sorted(s for s in SURNAME_READINGS if len(s) == 2),
        "batch": BATCH,
    }
    after = 0
    while True:
        # One pass over the table in rowid order, BATCH matching rows at a time.
        rows = conn.execute(candidates, {**params, "after": after}).all()
        if not rows:
            return
        changed = []
        for row, name, old_pinyin, old_initials in rows:
            pinyin, initials = pinyin_keys(name)
            if (pinyin, initials) != (old_pinyin, old_initials):
                changed.append({"row": row, "pinyin": pinyin, "initials": initials})
        if changed:
            conn.execute(update, changed)
        after = rows[-1][0]


def downgrade() -> None:
    pass
