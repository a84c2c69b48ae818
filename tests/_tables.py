"""The five record tables of a dataset, loaded into DuckDB, Spark or PostgreSQL, typed.

Rows are the dicts of :mod:`customer_model.records` (or hand-made ones, for bad
data); columns are declared with :data:`~customer_model.records.COLUMN_TYPES`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from customer_model import Backlog, Customer, FeedbackItem
from customer_model.records import (
    COLUMN_TYPES,
    CUSTOMER_COLUMNS,
    FEEDBACK_COLUMNS,
    PURCHASE_COLUMNS,
    PURCHASER_COLUMNS,
    USER_COLUMNS,
    Record,
    feedback_records,
    purchase_records,
    purchaser_records,
    to_records,
    user_records,
)

COLUMNS: Mapping[str, Sequence[str]] = {
    "customers": CUSTOMER_COLUMNS,
    "purchasers": PURCHASER_COLUMNS,
    "users": USER_COLUMNS,
    "purchases": PURCHASE_COLUMNS,
    "feedback": FEEDBACK_COLUMNS,
}
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "tags": "VARCHAR",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "decimal": "DECIMAL(38, 9)",
    "datetime": "TIMESTAMPTZ",
    "date": "DATE",
}

Tables = dict[str, list[Record]]


def tables_of(customers: Iterable[Customer], feedback: Iterable[FeedbackItem]) -> Tables:
    """The record tables of *customers* and *feedback*, by table name."""
    people = list(customers)
    return {
        "customers": to_records(people),
        "purchasers": purchaser_records(people),
        "users": user_records(people),
        "purchases": purchase_records(people),
        "feedback": feedback_records(feedback),
    }


def _declaration(table: str, names: Mapping[str, str], types: Mapping[str, str]) -> tuple[str, str]:
    """A table's quoted (perhaps schema-qualified) name and its typed column list."""
    name = ".".join(f'"{part}"' for part in names.get(table, table).split("."))
    declared = ", ".join(f'"{c}" {types[COLUMN_TYPES[c]]}' for c in COLUMNS[table])
    return name, declared


def load_duckdb(
    con: Any, tables: Mapping[str, list[Record]], names: Mapping[str, str] = {}
) -> None:
    """Create (or replace) each table in DuckDB, typed from COLUMN_TYPES, and insert its rows."""
    for table, rows in tables.items():
        columns = COLUMNS[table]
        name, declared = _declaration(table, names, DUCKDB_TYPES)
        con.execute(f"CREATE OR REPLACE TABLE {name} ({declared})")
        if rows:  # one statement: DuckDB runs executemany a row at a time
            marks = "(" + ", ".join("?" for _ in columns) + ")"
            values = [r[c] for r in rows for c in columns]
            con.execute(f"INSERT INTO {name} VALUES {', '.join([marks] * len(rows))}", values)


def _spark_value(kind: str, value: object) -> object:
    if value is None:
        return None
    if kind == "decimal":
        return Decimal(str(value))
    if kind == "datetime":
        return datetime.fromisoformat(str(value))
    return value


def load_spark(
    session: Any, tables: Mapping[str, list[Record]], names: Mapping[str, str] = {}
) -> None:
    """Register each table as a Spark temporary view with the equivalent Spark types."""
    from pyspark.sql import types as T

    spark_types = {
        "text": T.StringType(),
        "tags": T.StringType(),
        "integer": T.LongType(),
        "boolean": T.BooleanType(),
        "decimal": T.DecimalType(38, 9),
        "datetime": T.TimestampType(),
        "date": T.DateType(),
    }
    for table, rows in tables.items():
        columns = COLUMNS[table]
        schema = T.StructType(
            [T.StructField(c, spark_types[COLUMN_TYPES[c]], nullable=True) for c in columns]
        )
        data = [tuple(_spark_value(COLUMN_TYPES[c], r[c]) for c in columns) for r in rows]
        frame = session.createDataFrame(data, schema)
        frame.createOrReplaceTempView(names.get(table, table))


_POSTGRES_TYPES = {
    "text": "TEXT",
    "tags": "TEXT",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "decimal": "NUMERIC(38, 9)",
    "datetime": "TIMESTAMPTZ",
    "date": "DATE",
}


def load_postgres(
    connection: Any, tables: Mapping[str, list[Record]], names: Mapping[str, str] = {}
) -> None:
    """Create (or replace) each table in PostgreSQL with the equivalent types, and fill it."""
    for table, rows in tables.items():
        columns = COLUMNS[table]
        name, declared = _declaration(table, names, _POSTGRES_TYPES)
        connection.execute(f"DROP TABLE IF EXISTS {name}")
        connection.execute(f"CREATE TABLE {name} ({declared})")
        marks = ", ".join("%s" for _ in columns)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {name} VALUES ({marks})", [[r[c] for c in columns] for r in rows]
            )


COUNTS = (
    "customer_count",
    "voices",
    "purchaser_voices",
    "user_voices",
    "both_voices",
    "unlisted_voices",
    "anonymous_voices",
)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def assert_same(expected: Backlog, actual: Backlog) -> None:
    """Equal but for scores (1e-9 relative) and the ranks of themes whose scores are that close."""
    assert actual.as_of == expected.as_of
    assert actual.policy == expected.policy
    assert actual.skipped == expected.skipped
    assert sorted(actual.themes) == sorted(expected.themes)
    for item in expected:
        other = actual.get(item.theme)
        assert other is not None
        for name in COUNTS:
            assert getattr(other, name) == getattr(item, name), name
        # as written, not only equal: the same JSON whichever engine added it up
        assert {c: str(a) for c, a in other.revenue.items()} == {
            c: str(a) for c, a in item.revenue.items()
        }
        assert list(other.revenue) == list(item.revenue)
        assert other.feedback_ids == item.feedback_ids
        assert [(c.role, c.need, c.voices) for c in other.explanation] == [
            (c.role, c.need, c.voices) for c in item.explanation
        ]
        for mine, theirs in zip(other.explanation, item.explanation, strict=True):
            assert _close(mine.points, theirs.points)
            assert _close(mine.value, theirs.value)
        assert [s.factor for s in other.steps] == [s.factor for s in item.steps]
        for mine_step, their_step in zip(other.steps, item.steps, strict=True):
            assert _close(mine_step.total, their_step.total)
        assert _close(other.score, item.score), (other.score, item.score)
        if other.rank != item.rank:
            low, high = sorted((other.rank, item.rank))
            between = [e for e in expected if low <= e.rank <= high]
            assert all(_close(e.score, item.score) for e in between), item.theme
