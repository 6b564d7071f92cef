"""``reusable_upsert`` writes table and column names into its SQL as they are, so it takes
only names that need no quoting in either dialect."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text

from storage.dialect import reusable_upsert


def _table(name: str, *columns: str, schema: str | None = None) -> Table:
    return Table(
        name,
        MetaData(),
        Column("id", Integer, primary_key=True),
        *(Column(column, Text) for column in columns),
        schema=schema,
    )


def test_plain_names_make_one_on_conflict_statement() -> None:
    statement = reusable_upsert(_table("dialog_states", "flow"), ["id", "flow"], ["id"])

    assert str(statement) == (
        "INSERT INTO dialog_states (id, flow) VALUES (:id, :flow) "
        "ON CONFLICT (id) DO UPDATE SET flow = excluded.flow"
    )


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        (_table("Dialog States", "flow"), ["id", "flow"]),
        (_table("dialog_states", "Flow"), ["id", "Flow"]),
        (_table("dialog_states", "flow", schema="library"), ["id", "flow"]),
    ],
)
def test_names_that_would_need_quoting_are_refused(table: Table, columns: list[str]) -> None:
    with pytest.raises(ValueError, match="plain, unqualified names"):
        reusable_upsert(table, columns, ["id"])
