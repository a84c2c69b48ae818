"""Bad tables and bad arguments: prioritize_sql refuses what prioritize() refuses, in its words."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import psycopg
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from _tables import Tables, assert_same, load_duckdb, load_postgres, load_spark, tables_of
from customer_model import (
    Customer,
    FeedbackItem,
    FeedbackKind,
    Importance,
    Person,
    PrioritizationPolicy,
    Purchase,
    Purchaser,
    Segment,
    ValidationError,
    field,
    prioritize,
)
from customer_model.examples.bundled import sample_as_of, sample_dataset
from customer_model.records import Record
from customer_model.sql import DIALECTS, TABLES, _engine, backlog_sql, prioritize_sql
from customer_model.sql._checks import WHITE_SPACE

DATA = sample_dataset(customers=6)
AS_OF = sample_as_of()
HOSTILE = "it's'); DROP TABLE feedback; --"


def _tables() -> Tables:
    return tables_of(DATA.customers, DATA.feedback)


def _con(tables: Tables, names: dict[str, str] | None = None) -> Any:
    con = duckdb.connect()
    load_duckdb(con, tables, names or {})
    return con


def _error(con: Any, **options: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        prioritize_sql(con, as_of=options.pop("as_of", AS_OF), **options)
    return info.value


def _python_error(feedback: Any, customers: Any, **options: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        prioritize(feedback, customers, as_of=options.pop("as_of", AS_OF), **options)
    return info.value


def _found(error: ValidationError) -> list[tuple[str, str]]:
    return [(p.location, p.message) for p in error.problems]


# -- what prioritize() refuses too ----------------------------------------------------


def test_repeated_feedback_ids_are_refused_in_prioritize_words() -> None:
    tables = _tables()
    tables["feedback"] += tables["feedback"][:2]
    expected = _python_error([*DATA.feedback, *DATA.feedback[:2]], DATA.customers)
    assert str(_error(_con(tables))) == str(expected)


def test_repeated_customer_ids_are_refused_in_prioritize_words() -> None:
    tables = _tables()
    tables["customers"] += tables["customers"][1:3]
    expected = _python_error(DATA.feedback, [*DATA.customers, *DATA.customers[1:3]])
    error = _error(_con(tables))
    # Rows have no position: the path names the table's column instead of an item.
    assert [p.message for p in error.problems] == [p.message for p in expected.problems]
    assert {p.location for p in error.problems} == {"$.customers.id"}


MANY = sample_dataset(customers=30)


def test_more_repeated_customer_ids_than_are_named_are_counted_as_prioritize_counts() -> None:
    tables = tables_of(MANY.customers, MANY.feedback)
    tables["customers"] += tables["customers"]
    error = _error(_con(tables))
    expected = _python_error(MANY.feedback, [*MANY.customers, *MANY.customers])
    ids = sorted(c.id for c in MANY.customers)
    assert [p.message for p in error.problems] == [
        *(f"id {cid!r} is used more than once" for cid in ids[:10]),
        f"{len(ids) - 10} more id(s) are used more than once",
    ]
    assert [p.message for p in error.problems] == [p.message for p in expected.problems]


def test_more_absent_customers_than_are_named_are_counted_as_prioritize_counts() -> None:
    tables = tables_of(MANY.customers, MANY.feedback)
    tables["customers"] = tables["customers"][:3]
    error = _error(_con(tables))
    expected = _python_error(MANY.feedback, MANY.customers[:3])
    absent = sorted({f.customer_id for f in MANY.feedback} - {c.id for c in MANY.customers[:3]})
    assert len(absent) > 10
    assert [p.message for p in error.problems] == [
        *(
            f"refers to customer {cid!r}, which is not among the customers "
            "(pass on_unknown_customer='skip' to leave such items out)"
            for cid in absent[:10]
        ),
        f"refers to {len(absent) - 10} more absent customer(s)",
    ]
    assert [p.message for p in error.problems] == [p.message for p in expected.problems]


@pytest.mark.parametrize("declared", ["BIGINT", "DOUBLE", "HUGEINT"])
def test_amounts_in_a_column_that_is_not_decimal_are_refused_not_crashed_on(
    declared: str,
) -> None:
    # Whole units or a Parquet file's DOUBLE amounts once crashed with an
    # AttributeError where the exact revenue was built.
    tables = _tables()
    con = _con(tables)
    con.execute(f"ALTER TABLE purchases ALTER COLUMN amount TYPE {declared}")
    error = _error(con, policy=PrioritizationPolicy(currency="EUR", exchange_rates={"USD": 0.9}))
    assert error.paths == ["$.purchases.amount"]
    assert "must be a DECIMAL column" in str(error)


def test_feedback_after_as_of_is_refused_in_prioritize_words() -> None:
    early = min(f.created_at for f in DATA.feedback) + timedelta(days=30)
    expected = _python_error(DATA.feedback, DATA.customers, as_of=early)
    assert str(_error(_con(_tables()), as_of=early)) == str(expected)


def test_feedback_of_absent_customers_is_refused_or_skipped_as_prioritize_does() -> None:
    tables = _tables()
    gone = {"c-0002", "c-0005"}
    tables["customers"] = [r for r in tables["customers"] if r["id"] not in gone]
    kept = [c for c in DATA.customers if c.id not in gone]
    con = _con(tables)
    expected = _python_error(DATA.feedback, kept)
    error = _error(con)
    # Rows have no position: the path names the table's column instead of an item.
    assert [p.message for p in error.problems] == [p.message for p in expected.problems]
    assert {p.location for p in error.problems} == {"$.feedback.customer_id"}
    skipped = prioritize_sql(con, as_of=AS_OF, on_unknown_customer="skip")
    assert_same(prioritize(DATA.feedback, kept, as_of=AS_OF, on_unknown_customer="skip"), skipped)
    assert set(skipped.skipped) == {f.id for f in DATA.feedback if f.customer_id in gone}


def test_a_missing_exchange_rate_is_refused_in_prioritize_words() -> None:
    policy = PrioritizationPolicy(currency="USD")
    expected = _python_error(DATA.feedback, DATA.customers, policy=policy)
    assert str(_error(_con(_tables()), policy=policy)) == str(expected)


def test_an_overflowing_policy_is_refused_in_prioritize_words() -> None:
    points = dict.fromkeys(Importance, 1e308)
    policy = PrioritizationPolicy(
        importance_points=points, unspecified_points=1e308, kind_weights={FeedbackKind.BUG: 10.0}
    )
    expected = _python_error(DATA.feedback, DATA.customers, policy=policy)
    assert str(_error(_con(_tables()), policy=policy)) == str(expected)


def test_revenue_finite_per_currency_but_not_in_sum_is_refused_alike() -> None:
    # Each converted amount is a finite float; their sum is not (math.fsum raised).
    at = datetime(2024, 1, 1, tzinfo=UTC)
    buys = [Purchase(Decimal("1e28"), code, at) for code in ("GBP", "JPY")]
    customers = [Customer("a", "organization", purchasers=[Purchaser(Person("x"))], purchases=buys)]
    feedback = [
        FeedbackItem(
            id="f1", customer_id="a", author_id="x", theme="t", kind="bug", channel="email",
            created_at=at,
        )
    ]  # fmt: skip
    policy = PrioritizationPolicy(
        customer_value="linear", currency="USD", exchange_rates={"GBP": 1.5e280, "JPY": 1.5e280}
    )
    expected = _python_error(feedback, customers, policy=policy, as_of=at)
    assert _found(expected) == [("$.policy", _found(expected)[0][1])]
    assert "overflow a float" in str(expected)
    con = _con(tables_of(customers, feedback))
    assert str(_error(con, policy=policy, as_of=at)) == str(expected)


# -- what only tables can hold --------------------------------------------------------


def _broken() -> Tables:
    tables = _tables()
    feedback = tables["feedback"]
    feedback[0]["theme"] = None
    feedback[1]["kind"] = "wish"
    feedback[2]["importance"] = "urgent!"
    purchases = tables["purchases"]
    # two rows of one customer: the customer is shown once, both rows counted
    rows_of: dict[object, list[int]] = {}
    for i, row in enumerate(purchases):
        if i != 1:
            rows_of.setdefault(row["customer_id"], []).append(i)
    first, second = next(rows[:2] for rows in rows_of.values() if len(rows) > 1)
    purchases[first]["currency"] = purchases[second]["currency"] = "eur"
    purchases[1]["amount"] = "-1.50"
    tables["users"][0]["person_id"] = None
    return tables


def _eur_customer(purchases: list[Record]) -> object:
    [customer] = {row["customer_id"] for row in purchases if row["currency"] == "eur"}
    return customer


def _expected_problems(tables: Tables) -> list[tuple[str, str]]:
    feedback, purchases = tables["feedback"], tables["purchases"]
    kinds = ", ".join(repr(k.value) for k in FeedbackKind)
    levels = ", ".join(repr(i.value) for i in Importance)
    return [
        ("$.feedback.theme", f"is required, but is NULL in 1 row(s) (id {feedback[0]['id']!r})"),
        ("$.users.person_id", "is required, but is NULL in 1 row(s) "
         f"(customer_id {tables['users'][0]['customer_id']!r})"),
        ("$.feedback.kind", f"must be one of {kinds}, but is not in 1 row(s) "
         f"(id {feedback[1]['id']!r})"),
        ("$.feedback.importance", f"must be one of {levels}, but is not in 1 row(s) "
         f"(id {feedback[2]['id']!r})"),
        ("$.purchases.currency", "must be an ISO 4217 code (three upper-case letters), but is "
         f"not in 2 row(s) (customer_id {_eur_customer(purchases)!r})"),
        ("$.purchases.amount", "must not be negative, but is in 1 row(s) "
         f"(customer_id {purchases[1]['customer_id']!r})"),
    ]  # fmt: skip


def test_nulls_values_outside_an_enum_and_bad_money_are_named_by_table_column_and_id() -> None:
    tables = _broken()
    error = _error(_con(tables))
    assert sorted(_found(error)) == sorted(_expected_problems(tables))
    # What a user typed stays out of the message; ids are not personal data.
    assert "wish" not in str(error)
    assert "urgent" not in str(error)
    assert "'eur'" not in str(error)


def _assert_names_times_before_year_1(connection: Any, load: Any, run: Any) -> None:
    """``-infinity`` and ``infinity``, which no datetime holds, in the tables' times."""
    tables = _tables()
    marked = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)  # picks one purchase row
    later = datetime(2002, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)  # and another
    tables["purchases"][0]["at"] = marked.isoformat()
    tables["purchases"][-1]["at"] = later.isoformat()
    load(connection, tables)
    fid = tables["feedback"][0]["id"]
    cids = sorted({str(tables["purchases"][i]["customer_id"]) for i in (0, -1)})
    run(f"UPDATE feedback SET created_at = '-infinity' WHERE id = '{fid}'")
    run(f"""UPDATE purchases SET "at" = '-infinity' WHERE "at" = '{marked.isoformat()}'""")
    # Once left out of revenue silently, where prioritize() could not be given it.
    run(f"""UPDATE purchases SET "at" = 'infinity' WHERE "at" = '{later.isoformat()}'""")
    with pytest.raises(ValidationError) as info:
        prioritize_sql(connection, as_of=AS_OF)
    words = "must fall within years 1 to 9999 in UTC, but does not in"
    shown = ", ".join(map(repr, cids))
    assert sorted(_found(info.value)) == [
        ("$.feedback.created_at", f"{words} 1 row(s) (id {fid!r})"),
        ("$.purchases.at", f"{words} 2 row(s) (customer_id {shown})"),
    ]


def test_times_before_year_1_are_named_by_table_column_and_id() -> None:
    con = duckdb.connect()
    _assert_names_times_before_year_1(con, load_duckdb, con.execute)


def _padded() -> Tables:
    """Ids and themes the model refuses: padded with (Unicode) white space, or empty."""
    tables = _tables()
    feedback = tables["feedback"]
    feedback[0]["id"] = f" {feedback[0]['id']}"
    feedback[1]["theme"] = ""
    feedback[2]["theme"] = f"{feedback[2]['theme']}\u3000"
    feedback[3]["theme"] = "\tsecret theme"
    return tables


def _expected_padded(tables: Tables) -> list[tuple[str, str]]:
    feedback = tables["feedback"]
    themes = ", ".join(map(repr, sorted(str(feedback[i]["id"]) for i in (1, 2, 3))))
    words = "must not be empty or start or end with white space, but does in"
    return [
        ("$.feedback.id", f"{words} 1 row(s) (id {feedback[0]['id']!r})"),
        ("$.feedback.theme", f"{words} 3 row(s) (id {themes})"),
    ]


def _assert_names_the_padded_rows(connection: Any, load: Any) -> None:
    """*connection*, with ids and themes the model refuses, names their table, column and rows."""
    tables = _padded()
    load(connection, tables)
    with pytest.raises(ValidationError) as info:
        prioritize_sql(connection, as_of=AS_OF)
    assert sorted(_found(info.value)) == _expected_padded(tables)
    assert "secret" not in str(info.value)  # a theme is what a user typed


def test_ids_and_themes_the_model_refuses_are_named_by_table_column_and_id() -> None:
    # A BacklogItem refuses them; prioritize_sql then says which rows hold them.
    _assert_names_the_padded_rows(duckdb.connect(), load_duckdb)


@pytest.mark.parametrize(
    ("fault", "raised"),
    [
        # what a signal during a DuckDB 2 query gives (its latency varies: not timed here)
        (RuntimeError("Query interrupted"), RuntimeError),
        (duckdb.InterruptException("INTERRUPT Error: Interrupted!"), duckdb.InterruptException),
        (KeyError("a bug"), KeyError),
        (None, ValidationError),  # DuckDB refusing the probe: the model's refusal stands
    ],
)
def test_only_a_probe_duckdb_refuses_leaves_the_models_refusal_standing(
    monkeypatch: pytest.MonkeyPatch, fault: Exception | None, raised: type[Exception]
) -> None:
    con = duckdb.connect()
    load_duckdb(con, _padded())
    asked: list[str] = []

    def probe(self: Any, probe: Any, names: Any) -> str:
        asked.append(probe.column)
        if fault is not None:
            raise fault
        return "SELECT * FROM cm_no_such_table"  # DuckDB raises its CatalogException

    monkeypatch.setattr(_engine._Engine, "examples", probe)
    with pytest.raises(raised) as info:
        prioritize_sql(con, as_of=AS_OF)
    assert len(asked) == 1
    if raised is ValidationError:  # the BacklogItem's own words, not the tables'
        assert isinstance(info.value, ValidationError)
        assert [str(p) for p in info.value.problems] == [
            "$.feedback_ids[0]: must not start or end with white space"
        ]


def test_a_skipped_item_with_a_padded_id_is_named_by_table_column_and_id() -> None:
    # Backlog.skipped refuses the id; the item's customer is absent, and skipped.
    tables = _tables()
    row = tables["feedback"][0]
    tables["customers"] = [r for r in tables["customers"] if r["id"] != row["customer_id"]]
    row["id"] = f"{row['id']}\n"
    error = _error(_con(tables), on_unknown_customer="skip")
    words = "must not be empty or start or end with white space, but does in"
    assert _found(error) == [("$.feedback.id", f"{words} 1 row(s) (id {row['id']!r})")]


def test_the_white_space_an_id_must_not_start_or_end_with_is_pythons() -> None:
    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert spaces == WHITE_SPACE


def _assert_refuses_revenue_past_decimal(connection: Any, load: Any) -> None:
    """Two customers, each within DECIMAL(38, 9), whose theme's revenue is not."""
    at = datetime(2024, 1, 1, tzinfo=UTC)
    customers = [
        Customer(
            cid,
            "organization",
            purchasers=[Purchaser(Person(pid))],
            purchases=[Purchase(Decimal("6e28"), "USD", at)],
        )
        for cid, pid in (("a", "x"), ("b", "y"))
    ]
    feedback = [
        FeedbackItem(
            id=fid, customer_id=cid, author_id=pid, theme="t", kind="bug", channel="email",
            created_at=at,
        )
        for fid, cid, pid in (("f1", "a", "x"), ("f2", "b", "y"))
    ]  # fmt: skip
    # prioritize() sums exactly, past what the tables' type holds.
    assert prioritize(feedback, customers, as_of=at)[0].revenue["USD"] == Decimal("1.2e29")
    load(connection, tables_of(customers, feedback))
    with pytest.raises(ValidationError) as info:
        prioritize_sql(connection, as_of=at)
    assert _found(info.value) == [
        (
            "$.purchases",
            "add up to more than DECIMAL(38, 9) holds for a customer's or a theme's revenue",
        )
    ]


def test_revenue_past_what_the_tables_hold_is_refused_not_a_crash() -> None:
    # DuckDB raises its own OutOfRangeException when the sum overflows.
    _assert_refuses_revenue_past_decimal(duckdb.connect(), load_duckdb)


def test_revenue_past_what_the_tables_hold_is_refused_in_the_callers_transaction_too() -> None:
    # The worker runs the backlog before the checks: its failure aborts the transaction
    # the caller holds open, so the checks cannot run after it; its words come all the same.
    con = duckdb.connect()
    con.begin()
    _assert_refuses_revenue_past_decimal(con, load_duckdb)


def test_more_ids_counts_ids_neither_rows_nor_a_null() -> None:
    # Negative amounts in rows of seven customers, and in rows whose customer is NULL.
    tables = _tables()
    purchases = tables["purchases"]
    customers = sorted({str(row["customer_id"]) for row in purchases})
    assert len(customers) >= 6
    bad = [row for row in purchases if row["customer_id"] in customers[:6]]
    for row in bad:
        row["amount"] = "-1.00"
    purchases.append({**purchases[0], "customer_id": None, "amount": "-2.00"})
    found = dict(_found(_error(_con(tables))))
    shown = ", ".join(map(repr, customers[:5]))
    assert found["$.purchases.amount"] == (
        f"must not be negative, but is in {len(bad) + 1} row(s) (customer_id {shown} and 1 more)"
    )


def test_a_long_list_of_offending_rows_shows_five_ids_and_a_count() -> None:
    tables = _tables()
    for row in tables["feedback"][:8]:
        row["kind"] = "wish"
    error = _error(_con(tables))
    [(location, message)] = _found(error)
    assert location == "$.feedback.kind"
    ids = sorted(str(r["id"]) for r in tables["feedback"][:8])
    assert message.endswith(f"in 8 row(s) (id {', '.join(map(repr, ids[:5]))} and 3 more)")


def test_the_smallest_ids_are_named_whatever_duckdbs_default_order() -> None:
    # prioritize() names the first five ids in order; a DuckDB connection may order
    # descending by default (SET default_order), which must not change the words.
    early = min(f.created_at for f in DATA.feedback)
    expected = _python_error(DATA.feedback, DATA.customers, as_of=early)
    con = _con(_tables())
    con.execute("SET default_order = 'DESC'")
    assert str(_error(con, as_of=early)) == str(expected)


def test_a_null_id_takes_no_example_slot_whatever_duckdbs_null_order() -> None:
    # An offending row without an id cannot be shown; a connection that orders
    # NULLs first (SET default_null_order) must not make it push a real id out.
    tables = _tables()
    for row in tables["feedback"][:8]:
        row["kind"] = "wish"
    tables["feedback"][0]["id"] = None
    told = []
    for order in ("NULLS_LAST", "NULLS_FIRST"):
        con = _con(tables)
        con.execute(f"SET default_null_order = '{order}'")
        told.append(dict(_found(_error(con)))["$.feedback.kind"])
    ids = sorted(str(r["id"]) for r in tables["feedback"][1:8])
    assert told[0] == told[1]
    assert told[1].endswith(f"in 8 row(s) (id {', '.join(map(repr, ids[:5]))} and 2 more)")


def _assert_checks_count_every_row_outside_a_vocabulary(connection: Any, load: Any) -> None:
    """The vocabulary columns are checked over rows grouped by their values: rows counted."""
    tables = _tables()
    for row in tables["feedback"][:8]:
        row["kind"] = "wish"
    for row in tables["feedback"][5:8]:
        row["importance"] = "urgent!"
    tables["feedback"][9]["need"] = "speed"
    load(connection, tables)
    cursor = connection.cursor()
    cursor.execute(backlog_sql(as_of=AS_OF, dialect=_dialect(connection)).checks)
    names = [column[0] for column in cursor.description]
    counts = dict(zip(names, cursor.fetchone(), strict=True))
    assert {type(n) for n in counts.values()} == {int}
    outside = {name: n for name, n in counts.items() if name.endswith("_outside")}
    assert outside == {
        "feedback_kind_outside": 8,
        "feedback_need_outside": 1,
        "feedback_importance_outside": 3,
    }


def _dialect(connection: Any) -> str:
    return "postgres" if type(connection).__module__.startswith("psycopg") else "duckdb"


def test_the_checks_count_every_row_outside_a_vocabulary() -> None:
    _assert_checks_count_every_row_outside_a_vocabulary(duckdb.connect(), load_duckdb)


def test_renamed_and_schema_qualified_tables_are_read_and_named_in_errors() -> None:
    names = {"feedback": "crm.tickets", "customers": "accounts", "users": "seats"}
    con = duckdb.connect()
    con.execute("CREATE SCHEMA crm")
    load_duckdb(con, _tables(), names)
    assert_same(
        prioritize(DATA.feedback, DATA.customers, as_of=AS_OF),
        prioritize_sql(con, as_of=AS_OF, tables=names),
    )
    con.execute("UPDATE crm.tickets SET theme = NULL WHERE id = (SELECT min(id) FROM crm.tickets)")
    error = _error(con, tables=names)
    assert [p.path[:2] for p in error.problems] == [("crm.tickets", "theme")]


# -- arguments ------------------------------------------------------------------------


def test_arguments_are_checked_before_any_sql_runs() -> None:
    rfm = Segment("s-loyal", "Loyal", field("rfm_recency") >= 4)
    plain = Segment("s-big", "Big", field("size") >= 100)
    weighted = PrioritizationPolicy(segment_weights={"s-loyal": 2.0, "s-big": 1.5, "s-gone": 3.0})
    with pytest.raises(ValidationError) as info:
        prioritize_sql(
            object(),
            policy=weighted,
            as_of=datetime(2026, 1, 1),  # naive
            segments=[rfm, plain, "s-x"],  # type: ignore[list-item]
            tables={"orders": "x", "feedback": "cm_voices"},
            on_unknown_customer="ignore",  # type: ignore[arg-type]
        )
    messages = dict(_found(info.value))
    assert "naive" in messages["$.as_of"]
    assert "'s-loyal' reads RFM scores" in messages["$.segments[0]"]
    assert "must be a Segment" in messages["$.segments[2]"]
    assert "'s-gone'" in messages["$.policy.segment_weights"]
    assert "keys must be among" in messages["$.tables"]
    assert "uses itself" in messages["$.tables.feedback"]
    assert "$.on_unknown_customer" in messages
    with pytest.raises(ValidationError, match=r"\$\.connection: must be a DuckDB connection"):
        prioritize_sql(object(), as_of=AS_OF)
    with pytest.raises(ValidationError, match=r"\$\.dialect: is not a SQL dialect"):
        backlog_sql(as_of=AS_OF, dialect="no-such-sql")


@pytest.mark.parametrize("dialect", ["mysql", "singlestore", "trino"])
def test_a_dialect_sqlglot_cannot_write_the_query_in_is_refused(dialect: str) -> None:
    # sqlglot would write it anyway, with a warning, and the text would not run there.
    with pytest.raises(ValidationError) as info:
        backlog_sql(as_of=AS_OF, dialect=dialect)
    [problem] = info.value.problems
    assert problem.location == "$.dialect"
    assert problem.message.startswith("sqlglot cannot write the backlog in this dialect (")
    assert problem.message.endswith("duckdb, postgres, spark, bigquery, snowflake are tested")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_tested_dialect_is_written_without_loss(dialect: str) -> None:
    policy = PrioritizationPolicy(segment_weights={"s-big": 2.0}, strategic_fit={"sso": 1.5})
    segment = Segment("s-big", "Big", field("size") >= 100)
    built = backlog_sql(policy, as_of=AS_OF, dialect=dialect, segments=[segment])
    # written with sqlglot's strict level (it would have raised), and read back
    for text in (built.backlog, built.checks, built.skipped):
        assert isinstance(sqlglot.parse_one(text, read=dialect), sqlglot.exp.Query)


def test_a_segment_on_rfm_scores_is_refused_only_when_weighted() -> None:
    rfm = Segment("s-loyal", "Loyal", field("rfm_recency") >= 4)
    con = _con(_tables())
    assert_same(
        prioritize(DATA.feedback, DATA.customers, as_of=AS_OF, segments=[rfm]),
        prioritize_sql(con, as_of=AS_OF, segments=[rfm]),
    )
    policy = PrioritizationPolicy(segment_weights={"s-loyal": 2.0})
    # prioritize() refuses it too (it has no scores), in its own words.
    _python_error(DATA.feedback, DATA.customers, policy=policy, segments=[rfm])
    assert _found(_error(con, policy=policy, segments=[rfm]))[0][0] == "$.segments[0]"


# -- dialects and literals -----------------------------------------------------------


@settings(max_examples=8)  # each example writes and parses the query in five dialects
@given(
    st.dictionaries(st.sampled_from([HOSTILE, "export", "a\nb", "\\'"]), st.floats(0, 3)),
    st.sampled_from([HOSTILE, "x' OR '1'='1", "ok"]),
)
def test_every_dialect_parses_back_one_statement_with_values_as_literals(
    fit: dict[str, float], region: str
) -> None:
    segment = Segment("s-1", "One", field("region") == region)
    policy = PrioritizationPolicy(strategic_fit=fit, segment_weights={"s-1": 2.0})
    for dialect in DIALECTS:
        texts = backlog_sql(policy, as_of=AS_OF, dialect=dialect, segments=[segment])
        for text in (texts.backlog, texts.checks, texts.skipped):
            [tree] = sqlglot.parse(text, read=dialect)
            assert tree is not None
            tables = {t.name for t in tree.find_all(exp.Table)} - {
                c.alias for c in tree.find_all(exp.CTE)
            }
            assert tables <= set(TABLES), dialect
        literals = {
            lit.this for lit in sqlglot.parse_one(texts.backlog, read=dialect).find_all(exp.Literal)
        }
        assert set(fit) <= literals, dialect
        assert region in literals, dialect
    assert str(texts) == texts.backlog


def test_the_sql_extras_stay_out_of_the_core_import() -> None:
    code = (
        "import sys, customer_model, customer_model.sql\n"
        "print(','.join(m for m in ('duckdb', 'pyspark') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- Spark: the checks in its dialect ---------------------------------------------------


def _assert_names_the_bad_rows(connection: Any, load: Any) -> None:
    """*connection*, its tables broken as for DuckDB above, gets DuckDB's problems."""
    tables = _broken()
    load(connection, tables)
    with pytest.raises(ValidationError) as info:
        prioritize_sql(connection, as_of=AS_OF)
    assert sorted(_found(info.value)) == sorted(_expected_problems(tables))


@pytest.mark.spark
def test_spark_names_the_same_bad_rows_as_duckdb(spark: Any) -> None:
    _assert_names_the_bad_rows(spark, load_spark)


@pytest.mark.spark
def test_spark_names_the_same_padded_rows_as_duckdb(spark: Any) -> None:
    _assert_names_the_padded_rows(spark, load_spark)


@pytest.mark.spark
def test_spark_refuses_revenue_past_what_the_tables_hold(spark: Any) -> None:
    # Spark's sum gives NULL where DuckDB's raises; both are refused alike.
    _assert_refuses_revenue_past_decimal(spark, load_spark)


@pytest.mark.spark
def test_spark_reading_literals_as_written_is_refused_only_for_a_backslash(spark: Any) -> None:
    # With escapedStringLiterals, Spark would read the literal 'a\\b' as two backslashes:
    # the theme would get no fit, a different backlog.  Refused instead.
    theme = DATA.feedback[0].theme
    tables = _tables()
    for row in tables["feedback"]:
        if row["theme"] == theme:
            row["theme"] = "back\\slash"
    load_spark(spark, tables)
    fit = PrioritizationPolicy(strategic_fit={"back\\slash": 2.0})
    expected = prioritize_sql(spark, policy=fit, as_of=AS_OF)
    assert expected.get("back\\slash") is not None
    spark.conf.set("spark.sql.parser.escapedStringLiterals", "true")
    try:
        error = _error(spark, policy=fit)
        assert [p.location for p in error.problems] == ["$.connection"]
        assert "escapedStringLiterals is true" in str(error)
        plain = PrioritizationPolicy(strategic_fit={theme: 2.0})
        assert prioritize_sql(spark, policy=plain, as_of=AS_OF).themes == expected.themes
    finally:
        spark.conf.unset("spark.sql.parser.escapedStringLiterals")


@pytest.mark.spark
def test_spark_in_ansi_mode_refuses_revenue_past_what_the_tables_hold(spark: Any) -> None:
    # ANSI mode (Spark 4's default) raises ARITHMETIC_OVERFLOW where Spark 3 gives NULL.
    spark.conf.set("spark.sql.ansi.enabled", "true")
    try:
        _assert_refuses_revenue_past_decimal(spark, load_spark)
    finally:
        spark.conf.unset("spark.sql.ansi.enabled")


# -- PostgreSQL: the checks in its dialect ----------------------------------------------


@pytest.mark.postgres
def test_postgres_names_the_same_bad_rows_as_duckdb(postgres: Any) -> None:
    _assert_names_the_bad_rows(postgres, load_postgres)


@pytest.mark.postgres
def test_postgres_names_the_same_padded_rows_as_duckdb(postgres: Any) -> None:
    _assert_names_the_padded_rows(postgres, load_postgres)


@pytest.mark.postgres
def test_postgres_counts_every_row_outside_a_vocabulary_as_a_count(postgres: Any) -> None:
    _assert_checks_count_every_row_outside_a_vocabulary(postgres, load_postgres)


def _collate_linguistically(connection: Any, columns: list[tuple[str, str]]) -> None:
    """Give *columns* the first linguistic collation this server has (ICU's, or a locale's)."""
    for collation in ("en_US.utf8", "en_US", "unicode"):
        try:
            with connection.transaction():
                usable = "SELECT 'a' < 'B' COLLATE " + f'"{collation}"'
                connection.execute(usable)  # an ICU name may exist where ICU does not
                for table, column in columns:
                    connection.execute(
                        f'ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT COLLATE "{collation}"'
                    )
        except (psycopg.errors.UndefinedObject, psycopg.errors.FeatureNotSupported):
            continue
        return
    pytest.skip("this PostgreSQL has no linguistic collation (no ICU, no en_US locale)")


@pytest.mark.postgres
def test_postgres_checks_and_lists_ids_by_code_point_whatever_the_collation(
    postgres: Any,
) -> None:
    # Under a linguistic collation 'u' lies between 'A' and 'Z', and 'a' before
    # 'B': the currency check reads character codes, the examples sort COLLATE "C".
    tables = _tables()
    ids = ["a", "_x", "B", "1", "b", "Z", "A"]
    for row, fid in zip(tables["feedback"], ids, strict=False):
        row["id"], row["theme"] = fid, None
    tables["purchases"][0]["currency"] = "usd"
    load_postgres(postgres, tables)
    _collate_linguistically(postgres, [("feedback", "id"), ("purchases", "currency")])
    found = dict(_found(_error(postgres)))
    assert found["$.feedback.theme"] == (
        "is required, but is NULL in 7 row(s) (id '1', 'A', 'B', 'Z', '_x' and 2 more)"
    )
    assert found["$.purchases.currency"].startswith("must be an ISO 4217 code")


@pytest.mark.postgres
def test_postgres_names_times_before_year_1_as_duckdb(postgres: Any) -> None:
    _assert_names_times_before_year_1(postgres, load_postgres, postgres.execute)


@pytest.mark.postgres
def test_postgres_reads_renamed_and_schema_qualified_tables(postgres: Any) -> None:
    names = {"feedback": "crm.tickets", "customers": "accounts", "users": "seats"}
    postgres.execute("CREATE SCHEMA IF NOT EXISTS crm")
    load_postgres(postgres, _tables(), names)
    assert_same(
        prioritize(DATA.feedback, DATA.customers, as_of=AS_OF),
        prioritize_sql(postgres, as_of=AS_OF, tables=names),
    )


# -- tables the connection does not have ----------------------------------------


_UNREADABLE = (
    "$.tables: cannot be read as the backlog reads them: a table or a column it reads is "
    "missing, or a column is not of the type records.COLUMN_TYPES gives"
)


def _unreadable_cases() -> dict[str, Callable[[Any], ValidationError]]:
    def no_table(con: Any) -> ValidationError:
        con.execute("DROP TABLE users")
        return _error(con)

    def no_column(con: Any) -> ValidationError:
        con.execute("ALTER TABLE feedback DROP COLUMN theme")
        return _error(con)

    def another_table(con: Any) -> ValidationError:
        return _error(con, tables={"feedback": "customers"})

    def text_times(con: Any) -> ValidationError:
        con.execute("ALTER TABLE feedback ALTER COLUMN created_at TYPE VARCHAR")
        return _error(con)

    return {f.__name__: f for f in (no_table, no_column, another_table, text_times)}


@pytest.mark.parametrize("case", sorted(_unreadable_cases()))
def test_tables_the_backlog_cannot_read_are_refused_on_tables(case: str) -> None:
    # DuckDB's own CatalogException or BinderException came out, quoting the statement.
    error = _unreadable_cases()[case](_con(_tables()))
    assert [str(p) for p in error.problems] == [_UNREADABLE]
    assert type(error.__cause__).__name__ in {"CatalogException", "BinderException"}
    assert error.__suppress_context__  # the engine error shows only as the cause


def test_a_closed_connection_is_refused_on_connection() -> None:
    con = _con(_tables())
    con.close()
    assert [str(p) for p in _error(con).problems] == ["$.connection: is closed"]


@pytest.mark.spark
def test_spark_refuses_tables_it_does_not_have_on_tables(spark: Any) -> None:
    error = _error(spark, tables={"feedback": "no_such_feedback_table"})
    assert [str(p) for p in error.problems] == [_UNREADABLE]


def test_postgres_refuses_tables_it_does_not_have_on_tables(postgres: Any) -> None:
    error = _error(postgres, tables={"feedback": "no_such_feedback_table"})
    assert [str(p) for p in error.problems] == [_UNREADABLE]
