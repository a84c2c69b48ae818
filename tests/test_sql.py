from __future__ import annotations

import decimal
import functools
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from decimal import Context, Decimal
from typing import Any

import duckdb
import pytest
import sqlglot
from hypothesis import example, given
from hypothesis import strategies as st
from sqlglot import exp

from customer_model import (
    Customer,
    CustomerKind,
    Person,
    Purchase,
    Purchaser,
    Segment,
    ValidationError,
    field,
)
from customer_model.model.rfm import rfm_scores
from customer_model.model.rules import Compare, Rule
from customer_model.records import COLUMN_TYPES, CUSTOMER_COLUMNS, to_records
from customer_model.sql import DIALECTS, where_expression, where_sql
from customer_model.testing import aware_datetimes, customers, rules, segments

AS_OF = datetime(2025, 1, 1, tzinfo=UTC)


def _table(con: duckdb.DuckDBPyConnection, records: list[dict[str, Any]]) -> None:
    cols = ", ".join(
        f"{c} {'BIGINT' if COLUMN_TYPES[c] == 'integer' else 'VARCHAR'}" for c in CUSTOMER_COLUMNS
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE t ({cols})")
    if records:
        marks = ", ".join("?" for _ in CUSTOMER_COLUMNS)
        con.executemany(
            f"INSERT INTO t VALUES ({marks})", [[r[c] for c in CUSTOMER_COLUMNS] for r in records]
        )


@functools.cache
def _connection() -> duckdb.DuckDBPyConnection:
    # One in-memory database for the module: connecting costs far more than a query.
    return duckdb.connect()


def _sql_ids(records: list[dict[str, Any]], where: str) -> set[str]:
    con = _connection()
    _table(con, records)
    return {row[0] for row in con.execute(f"SELECT id FROM t WHERE {where}").fetchall()}


_population = st.lists(customers(), max_size=8, unique_by=lambda c: c.id)
_one_currency = st.lists(customers(currency="EUR"), max_size=8, unique_by=lambda c: c.id)
_WIDE = Context(prec=200)


def _fits_decimal_38_9(total: Decimal) -> bool:
    """Reference: DECIMAL(38, 9) holds *total* exactly (checked with wide arithmetic)."""
    return _WIDE.abs(total) < 10**29 and total == total.quantize(Decimal("1E-9"), context=_WIDE)


def total_spend(c: Customer) -> Decimal | None:
    """The rule field ``total_spend`` as the segments page defines it, summed exactly."""
    if len({p.currency for p in c.purchases}) > 1:
        return None
    with decimal.localcontext(Context(prec=100, traps=[decimal.Inexact])):
        return sum((p.amount for p in c.purchases), Decimal(0))


def _sql_ready(population: list[Customer]) -> list[Customer]:
    """Every drawn customer's total fits DECIMAL(38, 9): the model holds no other."""
    for c in population:
        total = total_spend(c)
        assert total is None or _fits_decimal_38_9(total)
    return population


@given(_population, st.lists(segments(), min_size=1, max_size=3), aware_datetimes())
def test_duckdb_gives_exactly_the_python_members(
    population: list[Customer], segs: list[Segment], as_of: datetime
) -> None:
    population = _sql_ready(population)
    records = to_records(population)
    for segment in segs:
        expected = {c.id for c in segment.members(population, as_of=as_of)}
        assert _sql_ids(records, where_sql(segment, "duckdb", as_of=as_of)) == expected


@given(
    _one_currency,
    st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
    st.integers(0, 8),
    st.booleans(),
)
def test_duckdb_agrees_on_spend_at_any_precision(
    population: list[Customer], op: str, pick: int, floor: bool
) -> None:
    # Thresholds at or just below a real total: where rounding the total would show.
    population = _sql_ready(population)
    totals = [t for c in population if (t := total_spend(c)) is not None]
    threshold = totals[pick % len(totals)] if totals else Decimal(0)
    # A kept total fits DECIMAL(38, 9), so this only drops trailing zeros.
    threshold = (
        Decimal(int(threshold)) if floor else threshold.quantize(Decimal("1E-9"), context=_WIDE)
    )
    rule = Compare(op, "total_spend", threshold)
    expected = {c.id for c in population if rule.compile()(c)}
    assert _sql_ids(to_records(population), where_sql(rule)) == expected


def test_spend_at_the_edges_of_decimal_38_9_agrees_and_beyond_is_refused_at_the_door() -> None:
    def buyer(cid: str, *amounts: str) -> Customer:
        return Customer(
            cid,
            CustomerKind.INDIVIDUAL,
            [Purchaser(Person(f"{cid}-p"))],
            purchases=[Purchase(Decimal(amount), "EUR", AS_OF) for amount in amounts],
        )

    fine = [buyer("a", "10.000000001"), buyer("b", "1.500000000"), buyer("c", "9" * 29)]
    assert _sql_ids(to_records(fine), where_sql(field("total_spend") > 10)) == {"a", "c"}
    assert _sql_ids(to_records(fine), where_sql(field("total_spend") == Decimal("1.5"))) == {"b"}
    # What DECIMAL(38, 9) cannot hold never becomes a customer, so no record is refused.
    for amounts in (("10.0000000001",), ("0.0000000001",), ("5" + "0" * 28, "5" + "0" * 28)):
        with pytest.raises(ValidationError) as info:
            buyer("x", *amounts)
        assert info.value.paths in (["$.amount"], ["$.purchases"])


@given(_one_currency, segments(rfm=True), aware_datetimes())
def test_duckdb_agrees_on_rfm_rules_over_precomputed_columns(
    population: list[Customer], segment: Segment, as_of: datetime
) -> None:
    population = _sql_ready(population)
    scores = rfm_scores(population, as_of=as_of)
    records = to_records(population, rfm=scores)
    expected = {c.id for c in segment.members(population, as_of=as_of)}
    assert _sql_ids(records, where_sql(segment, as_of=as_of)) == expected


def test_duckdb_example() -> None:
    from customer_model.examples import demo_dataset

    population = list(demo_dataset().customers)
    rule = (field("kind").present()) & ~(field("country") == "ZZ")
    assert _sql_ids(to_records(population), where_sql(rule)) == {c.id for c in population}


# -- hostile values can never change the query -----------------------------------


def _string_literals(tree: exp.Expr) -> Counter[str]:
    return Counter(lit.this for lit in tree.find_all(exp.Literal) if lit.is_string)


def _shape(tree: exp.Expr) -> Counter[str]:
    return Counter(type(node).__name__ for node in tree.walk())


_HOSTILE = st.one_of(
    st.text(),
    st.sampled_from(["'", "\\'", "\\", "'; DROP TABLE t; --", "*/ OR 1=1 /*", "' OR '1'='1"]),
)


@given(rules(), st.sampled_from(DIALECTS))
def test_sql_parses_back_to_the_same_expression(rule: Rule, dialect: str) -> None:
    built = where_expression(rule, as_of=AS_OF)
    text = built.sql(dialect=dialect)
    parsed = sqlglot.parse(text, read=dialect)
    assert len(parsed) == 1
    tree = parsed[0]
    assert tree is not None
    assert _string_literals(tree) == _string_literals(built)
    assert sum(1 for _ in tree.find_all(exp.Column)) == sum(1 for _ in built.find_all(exp.Column))


@example("\x00", "postgres")
@example("\x00", "duckdb")
@given(_HOSTILE, st.sampled_from(DIALECTS))
def test_hostile_text_stays_one_literal(value: str, dialect: str) -> None:
    rule = (field("region") == value) | field("interests").contains(value if value.strip() else "x")
    if dialect == "postgres" and "\x00" in value:  # PostgreSQL text cannot hold it: refused
        with pytest.raises(ValidationError, match="U\\+0000"):
            where_sql(rule, dialect, as_of=AS_OF)
        return
    text = where_sql(rule, dialect, as_of=AS_OF)
    tree = sqlglot.parse_one(text, read=dialect)
    literals = _string_literals(tree)
    assert literals[value] >= 1
    expected = _shape(where_expression(rule))
    assert _shape(tree)["Column"] == expected["Column"] == 2
    assert _shape(tree)["Or"] == 1


@given(_HOSTILE.filter(lambda s: "\x00" not in s))
def test_hostile_text_in_duckdb_matches_only_itself(value: str) -> None:
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (id VARCHAR, region VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", [["a", value], ["b", value + "x"]])
        where = where_sql(field("region") == value)
        rows = con.execute(f"SELECT id FROM t WHERE {where}").fetchall()
        assert rows == [("a",)]
        assert con.execute("SELECT count(*) FROM t").fetchone() == (2,)
    finally:
        con.close()


# -- shape and arguments -------------------------------------------------------------


def test_sql_text_for_each_dialect() -> None:
    rule = (field("country") == "DE") & field("interests").contains("golf")
    assert where_sql(rule) == (
        "COALESCE(country = 'DE', FALSE) AND "
        "COALESCE(STRPOS(',' || interests || ',', ',golf,') > 0, FALSE)"
    )
    assert "NUMERIC" in where_sql(field("total_spend") > 5, "bigquery")
    for dialect in DIALECTS:
        assert where_sql(rule, dialect)


def test_windows_become_literal_bounds() -> None:
    rule = field("last_purchase_at").within(timedelta(days=1))
    assert where_sql(rule, as_of=AS_OF) == (
        "COALESCE(last_purchase_at BETWEEN '2024-12-31T00:00:00.000000+00:00' "
        "AND '2025-01-01T00:00:00.000000+00:00', FALSE)"
    )
    with pytest.raises(ValidationError) as info:
        where_sql(rule)
    assert info.value.paths == ["$.as_of"]


def test_caller_columns_are_quoted() -> None:
    rule = Segment("s", "Germans", field("country") == "DE")
    assert where_sql(rule, "postgres", columns={"country": "Land Code"}) == (
        "COALESCE(\"Land Code\" = 'DE', FALSE)"
    )
    assert where_sql(rule, "bigquery", columns={"country": "cc"}) == "COALESCE(`cc` = 'DE', FALSE)"


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"dialect": "klingon"}, "$.dialect"),
        ({"columns": {"shoe": "x"}}, "$.columns"),
        ({"columns": {"country": ""}}, "$.columns.country"),
        ({"columns": ["country"]}, "$.columns"),
        ({"as_of": datetime(2024, 1, 1)}, "$.as_of"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        where_sql(field("country") == "DE", **kwargs)
    assert path in info.value.paths


def test_not_a_segment() -> None:
    with pytest.raises(ValidationError):
        where_sql("country = 'DE'")  # type: ignore[arg-type]


def test_core_import_does_not_load_sqlglot() -> None:
    code = "import sys, customer_model; print('sqlglot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_parquet_round_trip(tmp_path: Any) -> None:
    from customer_model.examples import demo_dataset

    people = list(demo_dataset().customers)
    path = tmp_path / "customers.parquet"
    con = duckdb.connect()
    try:
        _table(con, to_records(people))
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
        seg = Segment("s", "Spenders", field("total_spend") >= Decimal("0"))
        where = where_sql(seg)
        got = {r[0] for r in con.execute(f"SELECT id FROM '{path}' WHERE {where}").fetchall()}
    finally:
        con.close()
    assert got == {c.id for c in seg.members(people)}


def test_spend_thresholds_count_decimal_places_without_trailing_zeros() -> None:
    """``1.5000000000`` is 1.5 to SQL as to Python; ``1.0000000001`` cannot be compared."""
    buyer = Customer(
        "a",
        CustomerKind.INDIVIDUAL,
        [Purchaser(Person("a-p"))],
        purchases=[Purchase(Decimal("1.5"), "EUR", AS_OF)],
    )
    rule = field("total_spend") == Decimal("1.5000000000")
    assert rule.compile(as_of=AS_OF)(buyer)
    assert _sql_ids(to_records([buyer]), where_sql(rule)) == {"a"}
    with pytest.raises(ValidationError, match=r"9 decimal places \(trailing zeros aside\)"):
        _ = field("total_spend") > Decimal("1.0000000001")


_EAST = timezone(timedelta(hours=5))
_WEST = timezone(timedelta(hours=-5))


def test_times_sql_cannot_write_in_utc_are_refused_by_name() -> None:
    """Near the ends of the calendar an offset pushes a time out of years 1 to 9999 in UTC."""
    recent = field("last_purchase_at").within(timedelta(days=1))
    with pytest.raises(ValidationError) as info:
        where_sql(recent, as_of=datetime(1, 1, 1, 2, tzinfo=_EAST))
    assert info.value.paths == ["$.as_of"]
    with pytest.raises(ValidationError) as info:
        where_sql(recent, as_of=datetime(9999, 12, 31, 23, tzinfo=_WEST))
    assert info.value.paths == ["$.as_of"]
    # A rule's own time and a customer's are checked where they are made.
    with pytest.raises(ValidationError) as info:
        _ = field("last_purchase_at") > datetime(1, 1, 1, 2, tzinfo=_EAST)
    assert "years 1 to 9999 in UTC" in str(info.value)
    with pytest.raises(ValidationError) as info:
        Purchase(Decimal(1), "EUR", datetime(1, 1, 1, 1, tzinfo=_EAST))
    assert info.value.paths == ["$.at"]


def test_a_window_reaching_before_year_1_agrees_with_python() -> None:
    """The window's lower bound is clamped in UTC, where SQL compares."""
    buyer = Customer(
        "a",
        CustomerKind.INDIVIDUAL,
        [Purchaser(Person("a-p"))],
        purchases=[Purchase(Decimal(1), "EUR", datetime(1, 1, 1, 0, 30, tzinfo=UTC))],
    )
    as_of = datetime(1, 1, 2, 2, tzinfo=_EAST)
    rule = field("last_purchase_at").within(timedelta(days=1))
    assert rule.compile(as_of=as_of)(buyer)
    assert _sql_ids(to_records([buyer]), where_sql(rule, as_of=as_of)) == {"a"}


def test_a_threshold_with_trailing_zeros_is_written_as_a_decimal_sql_compares_exactly() -> None:
    """29 integer digits and zeros beyond 9 places: the literal must stay DECIMAL(38, 9)."""
    big = Customer(
        "a",
        CustomerKind.INDIVIDUAL,
        [Purchaser(Person("a-p"))],
        purchases=[Purchase(Decimal("12345678901234567890123456789"), "EUR", AS_OF)],
    )
    for zeros in (10, 12):
        threshold = Decimal("12345678901234567890123456788." + "0" * zeros)
        rule = field("total_spend") > threshold
        assert rule.compile(as_of=AS_OF)(big)
        assert _sql_ids(to_records([big]), where_sql(rule)) == {"a"}


def test_windows_are_measured_in_utc_in_python_as_in_sql() -> None:
    """Near year 1 a local offset must not widen the window on either side."""
    buyer = Customer(
        "a",
        CustomerKind.INDIVIDUAL,
        [Purchaser(Person("a-p"))],
        purchases=[Purchase(Decimal(1), "EUR", datetime(1, 1, 1, 1, tzinfo=UTC))],
    )
    as_of = datetime(1, 1, 1, 10, tzinfo=_WEST)  # 15:00 UTC, 14 hours after the purchase
    records = to_records([buyer])
    for rule, expected in [
        (field("last_purchase_at").within(timedelta(hours=12)), False),
        (field("last_purchase_at").older_than(timedelta(hours=12)), True),
        (field("last_purchase_at").within(timedelta(hours=15)), True),
    ]:
        assert rule.compile(as_of=as_of)(buyer) is expected
        assert (_sql_ids(records, where_sql(rule, as_of=as_of)) == {"a"}) is expected
