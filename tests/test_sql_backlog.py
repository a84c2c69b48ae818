"""The backlog as SQL gives what prioritize() gives, on DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

import doctest
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import duckdb
import psycopg
import pytest
import sqlglot
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from _tables import Tables, assert_same, load_duckdb, load_postgres, load_spark, tables_of
from customer_model import (
    Backlog,
    Channel,
    Customer,
    CustomerKind,
    FeedbackItem,
    FeedbackKind,
    Importance,
    Need,
    Person,
    PrioritizationPolicy,
    Purchaser,
    Role,
    Segment,
    User,
    ValidationError,
    ValueWeighting,
    field,
    prioritize,
)
from customer_model.model._validation import Checker
from customer_model.sql import backlog_sql, prioritize_sql, where_expression, where_sql
from customer_model.sql._backlog import Built, build, check_arguments, ids_text
from customer_model.sql._engine import OUT_OF_RANGE, _Engine
from customer_model.sql._writing import (
    ID_SEPARATOR,
    by_window,
    holds_nul,
    without_customer_lookups,
)
from customer_model.testing import customers, datasets, segments

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
#: A theme key that tries to end the string literal it is written in.
HOSTILE = "it's'); DROP TABLE feedback; --"

# Amounts DECIMAL(38, 9) holds, as the records page asks of the tables.
_MONEY = st.one_of(
    st.integers(0, 5_000_000).map(lambda cents: Decimal(cents).scaleb(-2)),
    st.decimals(min_value=0, max_value=10**12, places=9),
)
_WEIGHTS = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0]) | st.floats(0, 10)


@st.composite
def policies(draw: st.DrawFn, themes: Sequence[str], segment_ids: Sequence[str]) -> Any:
    currency = draw(st.sampled_from([None, "EUR", "EUR"]))
    rates = {}
    if currency is not None:
        # Usually every rate; sometimes one is missing, which both must refuse.
        rates = draw(
            st.fixed_dictionaries(
                {"USD": st.floats(0.1, 2.0)}, optional={"GBP": st.floats(0.5, 2.0)}
            )
        )
    return PrioritizationPolicy(
        importance_points=draw(st.fixed_dictionaries(dict.fromkeys(Importance, _WEIGHTS))),
        unspecified_points=draw(_WEIGHTS),
        role_weights=draw(
            st.dictionaries(
                st.sampled_from(Need),
                st.fixed_dictionaries({Role.PURCHASER: _WEIGHTS, Role.USER: _WEIGHTS}),
                max_size=4,
            )
        ),
        unlisted_weight=draw(_WEIGHTS),
        anonymous_weight=draw(_WEIGHTS),
        kind_weights=draw(st.dictionaries(st.sampled_from(FeedbackKind), _WEIGHTS, max_size=3)),
        half_life=draw(st.none() | st.timedeltas(timedelta(hours=1), timedelta(days=3650))),
        customer_value=draw(st.sampled_from(ValueWeighting)),
        revenue_scale=draw(st.sampled_from([1.0, 1000.0]) | st.floats(0.01, 1e9)),
        currency=currency,
        exchange_rates=rates,
        segment_weights=draw(st.dictionaries(st.sampled_from(segment_ids), _WEIGHTS, min_size=1))
        if segment_ids
        else {},
        strategic_fit=draw(st.dictionaries(st.sampled_from(themes), _WEIGHTS, max_size=3)),
        default_fit=draw(_WEIGHTS),
    )


@attrs.frozen
class Case:
    customers: list[Customer]
    feedback: list[FeedbackItem]
    segments: list[Segment]
    policy: PrioritizationPolicy
    as_of: datetime


@st.composite
def cases(draw: st.DrawFn, max_customers: int = 4) -> Case:
    """Datasets with unlisted authors, tied times, a hostile theme and weighted segments."""
    people = customers(currency=draw(st.sampled_from([None, "EUR"])), amounts=_MONEY)
    data = draw(
        datasets(
            customers=people,
            max_customers=max_customers,
            feedback_per_customer=5,
            responses_per_customer=0,
        )
    )
    persons = [*sorted({p.id for c in data.customers for p in c.people}), "stranger"]
    times = sorted({f.created_at for f in data.feedback})
    feedback = []
    for drawn in data.feedback:
        item = drawn
        change = draw(
            st.sampled_from(
                ["keep", "keep", "again", "twin", "unlisted", "tie", "hostile", "joined"]
            )
        )
        if change == "again":  # the same author again on the theme: one voice, two ids
            # At the same moment or not; with its own weight, so which one is the voice shows.
            again = draw(st.sampled_from(times))
            weight = draw(st.sampled_from([None, *Importance]))
            feedback.append(
                attrs.evolve(item, id=f"{item.id}-again", created_at=again, importance=weight)
            )
        elif change == "twin":  # the same author at the same moment: the larger id speaks
            weight = draw(st.sampled_from([w for w in [None, *Importance] if w != item.importance]))
            feedback.append(attrs.evolve(item, id=f"{item.id}-twin", importance=weight))
        elif change == "unlisted":  # someone the customer may not list
            item = attrs.evolve(item, author_id=draw(st.sampled_from(persons)))
        elif change == "tie":  # the same moment as another item: the larger id wins
            item = attrs.evolve(item, created_at=draw(st.sampled_from(times)))
        elif change == "hostile":
            item = attrs.evolve(item, theme=HOSTILE)
        elif change == "joined":  # an id holding the separator the engine joins ids with
            item = attrs.evolve(item, id=f"{item.id}{ID_SEPARATOR}x")
        feedback.append(item)
    segs = draw(st.lists(segments(), max_size=3, unique_by=lambda s: s.id))
    themes = sorted({f.theme for f in feedback}) or ["none"]
    policy = draw(policies(themes, [s.id for s in segs]))
    latest = max((f.created_at for f in feedback), default=EPOCH)
    as_of = latest + draw(st.timedeltas(timedelta(0), timedelta(days=800)))
    return Case(list(data.customers), feedback, segs, policy, as_of)


def _both(
    con: Any, case: Case, tables: Tables | None = None, **options: Any
) -> tuple[Backlog | ValidationError, Backlog | ValidationError]:
    """prioritize() on the objects and prioritize_sql() on their tables: results or errors."""
    try:
        expected: Backlog | ValidationError = prioritize(
            case.feedback,
            case.customers,
            policy=case.policy,
            as_of=case.as_of,
            segments=case.segments,
            **options,
        )
    except ValidationError as e:
        expected = e
    try:
        actual: Backlog | ValidationError = prioritize_sql(
            con, policy=case.policy, as_of=case.as_of, segments=case.segments, **options
        )
    except ValidationError as e:
        actual = e
    return expected, actual


def assert_agree(expected: Backlog | ValidationError, actual: Backlog | ValidationError) -> None:
    if isinstance(expected, ValidationError):
        assert isinstance(actual, ValidationError), actual
        assert str(actual) == str(expected)
    else:
        assert isinstance(actual, Backlog), actual
        assert_same(expected, actual)


def _duckdb(tables: Tables) -> Any:
    con = duckdb.connect()
    load_duckdb(con, tables)
    return con


# -- DuckDB ------------------------------------------------------------------------


@given(cases())
def test_duckdb_gives_the_backlog_prioritize_gives(case: Case) -> None:
    con = _duckdb(tables_of(case.customers, case.feedback))
    assert_agree(*_both(con, case))


def _in_zone(case: Case, tz: ZoneInfo) -> Case:
    """*case* with its feedback, purchase and as_of times written in *tz* (the same instants)."""
    customers = [
        attrs.evolve(c, purchases=[attrs.evolve(p, at=p.at.astimezone(tz)) for p in c.purchases])
        for c in case.customers
    ]
    feedback = [attrs.evolve(f, created_at=f.created_at.astimezone(tz)) for f in case.feedback]
    return attrs.evolve(
        case, customers=customers, feedback=feedback, as_of=case.as_of.astimezone(tz)
    )


@settings(max_examples=20)
@given(cases(), st.sampled_from(["America/New_York", "Australia/Lord_Howe"]))
def test_duckdb_agrees_with_prioritize_on_times_written_in_a_zone(case: Case, zone: str) -> None:
    # SQL compares instants; Python compares two times of one ZoneInfo zone by
    # wall clock unless told otherwise, which prioritize() now is.
    local = _in_zone(case, ZoneInfo(zone))
    con = _duckdb(tables_of(local.customers, local.feedback))
    assert_agree(*_both(con, local))


def _some_customers_gone(case: Case, data: st.DataObject) -> tuple[Tables, Case, set[str]]:
    """Tables without some of the case's customers, the case narrowed to the rest, and who went."""
    gone = data.draw(st.sets(st.sampled_from([c.id for c in case.customers])))
    kept = [c for c in case.customers if c.id not in gone]
    tables = tables_of(case.customers, case.feedback)
    tables["customers"] = [r for r in tables["customers"] if r["id"] not in gone]
    return tables, attrs.evolve(case, customers=kept), gone


def _assert_skipped_alike(
    case: Case,
    gone: set[str],
    expected: Backlog | ValidationError,
    actual: Backlog | ValidationError,
) -> None:
    assert_agree(expected, actual)
    if gone and isinstance(actual, Backlog):
        assert set(actual.skipped) == {f.id for f in case.feedback if f.customer_id in gone}


@given(cases(), st.data())
def test_duckdb_skips_what_prioritize_skips(case: Case, data: st.DataObject) -> None:
    # Feedback of customers missing from the customers table.
    tables, narrowed, gone = _some_customers_gone(case, data)
    expected, actual = _both(_duckdb(tables), narrowed, on_unknown_customer="skip")
    _assert_skipped_alike(case, gone, expected, actual)


@given(cases(), st.data())
def test_a_person_listed_twice_by_a_customer_speaks_once(case: Case, data: st.DataObject) -> None:
    # A Customer lists a person once; a table can repeat the row.  Roles join to each
    # distinct (customer, person) pair, so a repeat neither doubles a voice nor changes
    # its role.
    tables = tables_of(case.customers, case.feedback)
    for name in ("purchasers", "users"):
        rows = tables[name]
        repeated = data.draw(st.lists(st.sampled_from(rows), max_size=3)) if rows else []
        tables[name] = [*rows, *repeated]
    con = _duckdb(tables)
    assert_agree(*_both(con, case))


def _by_theme(rows: list[Any]) -> dict[str, Any]:
    """The backlog query's rows by theme: counts, sorted ids, revenue and groups exact; then
    the sums of floats (added in an order each plan picks), the score and each group's points.
    """
    out = {}
    for row in rows:
        groups = sorted((g["role"], g["need"] or "", g["voices"], g["points"]) for g in row[13])
        revenue = sorted((r["currency"], r["amount"]) for r in row[10] or ())
        exact = (row[3:10], sorted(row[11]), row[12], revenue, [g[:3] for g in groups])
        out[row[0]] = (exact, [row[2], *(g[3] for g in groups)])
    return out


def _assert_same_rows(con: Any, text: str, other: str) -> None:
    """Both backlog texts give the same rows: counts, ids and revenue exact, sums within 1e-9."""
    first = _by_theme(con.execute(text).fetchall())
    second = _by_theme(con.execute(other).fetchall())
    assert first.keys() == second.keys()
    for theme, (exact, sums) in first.items():
        assert exact == second[theme][0]
        assert sums == pytest.approx(second[theme][1], rel=1e-9, abs=1e-300)


def _built(case: Case) -> tuple[Built, Any]:
    """The case's backlog statements as trees, and a DuckDB holding its tables."""
    chosen, names = check_arguments(Checker(), case.policy, case.as_of, case.segments, None)
    built = build(case.policy, case.as_of, chosen, names)
    return built, _duckdb(tables_of(case.customers, case.feedback))


@given(cases())
def test_the_window_picks_the_voices_the_struct_max_picks(case: Case) -> None:
    # PostgreSQL, BigQuery and Snowflake get the window; DuckDB runs both forms here.
    built, con = _built(case)
    names = built.names
    picked = built.backlog.sql(dialect="duckdb")
    window = by_window(built.backlog.copy(), names).sql(dialect="duckdb")
    assert "PARTITION BY" in window
    assert "PARTITION BY" not in picked
    _assert_same_rows(con, picked, window)


@given(cases())
def test_once_every_customer_is_known_the_backlog_skips_looking_them_up(case: Case) -> None:
    # prioritize_sql drops the feedback's customer lookups when the checks found
    # none absent; on such tables both texts give the same rows.
    built, con = _built(case)
    names = built.names
    filtered = built.sql("duckdb").backlog
    unfiltered = built.sql("duckdb", customers_known=True).backlog
    # The customers are read by the voices (twice), the ids and the customers' weights.
    assert filtered.count('FROM "customers"') == 4
    assert unfiltered.count('FROM "customers"') == 1
    _assert_same_rows(con, unfiltered, filtered)
    # The window's form (PostgreSQL, BigQuery, Snowflake) loses its WHERE altogether.
    window = by_window(built.backlog.copy(), names)
    without_customer_lookups(window, names)
    assert window.sql(dialect="duckdb").count('FROM "customers"') == 1
    _assert_same_rows(con, window.sql(dialect="duckdb"), filtered)


@pytest.mark.parametrize("dialect", ["duckdb", "spark", "postgres", "bigquery", "snowflake"])
@pytest.mark.parametrize("adapt", [{}, {"joined_ids": True, "customers_known": True}])
def test_the_backlog_apart_is_the_backlog_less_its_ids_and_the_ids_alone(
    dialect: str, adapt: dict[str, bool]
) -> None:
    # DuckDB runs the ids (built before the policy's parts) and the rest apart.
    tables = {"feedback": "crm.tickets", "customers": "accounts"}
    chosen, names = check_arguments(Checker(), PrioritizationPolicy(), EPOCH, (), tables)
    built = build(PrioritizationPolicy(), EPOCH, chosen, names)
    whole = sqlglot.parse_one(built.backlog_text(dialect, **adapt), read=dialect)
    (ids,) = (cte for cte in whole.find_all(exp.CTE) if cte.alias == "cm_ids")
    assert ids_text(dialect, names, **adapt) == ids.this.sql(dialect=dialect)
    assert '"crm"."tickets"' in ids_text("duckdb", names, **adapt)
    ids.pop()
    (join,) = (j for j in whole.args["joins"] if j.this.name == "cm_ids")
    join.pop()
    for column in [c for c in whole.expressions if isinstance(c, exp.Column) and c.table == "i"]:
        column.pop()
    assert built.without_ids(dialect, **adapt) == whole.sql(dialect=dialect)


def test_prioritize_sql_looks_customers_up_and_lists_skipped_items_only_when_some_are_absent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = _separated()
    ran: list[str] = []
    rows = _Engine.rows

    def spied(engine: _Engine, sql: str) -> list[Sequence[Any]]:
        ran.append(sql)
        return rows(engine, sql)

    monkeypatch.setattr(_Engine, "rows", spied)
    tables = tables_of(case.customers, case.feedback)
    tables["feedback"][0]["id"] = "f1"  # no separator: one backlog statement
    prioritize_sql(_duckdb(tables), as_of=case.as_of, on_unknown_customer="skip")
    # On DuckDB the ids, the backlog and the checks run in turn in a worker thread.
    ids, backlog, checks = ran  # no skipped list was fetched
    assert 'FROM "customers"' in checks
    assert 'FROM "customers"' not in ids
    assert "LISTAGG" not in backlog
    assert backlog.count('FROM "customers"') == 1  # the customers' weights only
    ran.clear()
    tables["customers"] = [r for r in tables["customers"] if r["id"] != "acme"]
    skipping = prioritize_sql(_duckdb(tables), as_of=case.as_of, on_unknown_customer="skip")
    assert skipping.skipped == ("f1",)
    # The backlog ranked beside the checks is dropped: the checks found absent customers.
    _, _, checks_again, skipped, backlog = ran
    assert checks_again == checks
    assert skipped.startswith('SELECT CAST("f"."id" AS TEXT) COLLATE "C" AS "id" FROM "feedback"')
    assert backlog.count('FROM "customers"') == 4


def _run_warehouse_page(section: str) -> dict[str, Any]:
    """The warehouse page's DuckDB examples, then the first code block of *section*: names."""
    text = (Path(__file__).parents[1] / "docs" / "warehouse.md").read_text(encoding="utf-8")
    duckdb_part = text.split("## Spark", 1)[0]
    namespace: dict[str, Any] = {}
    for example in doctest.DocTestParser().get_examples(duckdb_part):
        exec(example.source, namespace)
    block = text.split(section, 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    exec(block, namespace)
    return namespace


def _separated() -> Case:
    """Two customers' feedback on one theme, one id holding the ids' separator."""
    buyer = [Purchaser(Person("ann"))]
    acme = Customer("acme", CustomerKind.ORGANIZATION, purchasers=buyer)
    globex = Customer("globex", CustomerKind.ORGANIZATION, purchasers=buyer)
    ask: dict[str, Any] = {
        "kind": FeedbackKind.FEATURE_REQUEST,
        "channel": Channel.EMAIL,
        "created_at": EPOCH,
    }
    feedback = [
        FeedbackItem(id=f"f{ID_SEPARATOR}1", customer_id="acme", theme="sso", **ask),
        FeedbackItem(id="f2", customer_id="globex", theme="sso", **ask),
        FeedbackItem(id="f3", customer_id="globex", theme="api", **ask),
    ]
    return Case([acme, globex], feedback, [], PrioritizationPolicy(), EPOCH)


def _assert_separated_kept(con: Any, case: Case) -> None:
    """prioritize_sql agrees with prioritize(), the id with the separator whole and in order."""
    expected, actual = _both(con, case)
    assert_agree(expected, actual)
    assert isinstance(actual, Backlog)
    assert actual.themes == ("sso", "api")
    sso = actual.get("sso")
    assert sso is not None
    assert sso.feedback_ids == (f"f{ID_SEPARATOR}1", "f2")


def test_duckdb_keeps_an_id_that_holds_the_separator() -> None:
    case = _separated()
    _assert_separated_kept(_duckdb(tables_of(case.customers, case.feedback)), case)


def _told_apart_by_code_point() -> Case:
    """Ids, themes, people and tags that a case-blind or normalizing collation takes as one."""
    ann, bob = Person("P-ann"), Person("p-ann")
    acme = Customer(
        "acme",
        CustomerKind.ORGANIZATION,
        purchasers=[Purchaser(ann)],
        users=[User(bob)],
        interests=["Golf"],
    )
    other = Customer("Acme", CustomerKind.ORGANIZATION, purchasers=[Purchaser(bob)])
    ask: dict[str, Any] = {
        "kind": FeedbackKind.FEATURE_REQUEST,
        "channel": Channel.EMAIL,
        "created_at": EPOCH,
    }
    feedback = [
        # one author at one moment: the larger id by code point ('a' > 'B') speaks
        FeedbackItem(id="a", customer_id="acme", author_id="P-ann", theme="t", **ask,
                     importance=Importance.CRITICAL),
        FeedbackItem(id="B", customer_id="acme", author_id="P-ann", theme="t", **ask,
                     importance=Importance.NOT_IMPORTANT),
        # two people, two customers and two themes that differ in case only
        FeedbackItem(id="c", customer_id="acme", author_id="p-ann", theme="t", **ask),
        FeedbackItem(id="d", customer_id="Acme", author_id="p-ann", theme="SSO", **ask),
        FeedbackItem(id="e", customer_id="acme", author_id="P-ann", theme="sso", **ask),
        # one accent composed, one decomposed: two themes to Python
        FeedbackItem(id="f", customer_id="acme", theme="caf\u00e9", **ask),
        FeedbackItem(id="g", customer_id="acme", theme="cafe\u0301", **ask),
    ]  # fmt: skip
    segment = Segment("s-golf", "Golfers", field("interests").contains("golf"))
    policy = PrioritizationPolicy(
        strategic_fit={"SSO": 3.0}, segment_weights={"s-golf": 5.0}, customer_value="none"
    )
    return Case([acme, other], feedback, [segment], policy, EPOCH)


@pytest.mark.parametrize(
    "collate",
    [
        "SET default_collation = 'nocase'",
        "SET default_collation = 'nfc'",
        "ALTER TABLE feedback ALTER COLUMN id SET DATA TYPE VARCHAR COLLATE NOCASE",
        "ALTER TABLE feedback ALTER COLUMN theme SET DATA TYPE VARCHAR COLLATE NOCASE",
        "ALTER TABLE feedback ALTER COLUMN theme SET DATA TYPE VARCHAR COLLATE NFC",
        "ALTER TABLE feedback ALTER COLUMN author_id SET DATA TYPE VARCHAR COLLATE NOCASE",
        "ALTER TABLE users ALTER COLUMN person_id SET DATA TYPE VARCHAR COLLATE NOCASE",
        "ALTER TABLE customers ALTER COLUMN id SET DATA TYPE VARCHAR COLLATE NOCASE",
        "ALTER TABLE customers ALTER COLUMN interests SET DATA TYPE VARCHAR COLLATE NOCASE",
    ],
)
def test_duckdb_compares_text_by_code_point_whatever_the_collation(collate: str) -> None:
    # Python tells 'a' from 'B' and 'SSO' from 'sso' by code point; a DuckDB
    # collation (the database's default, or a column's) must not merge or reorder them.
    case = _told_apart_by_code_point()
    con = _duckdb(tables_of(case.customers, case.feedback))
    con.execute(collate)
    expected, actual = _both(con, case)
    assert_agree(expected, actual)
    assert isinstance(actual, Backlog)
    assert len(actual) == 5
    # Repeats are told apart the same way: 'a' and 'A' are two ids, 'x' twice is refused.
    tables = tables_of(case.customers, [*case.feedback, attrs.evolve(case.feedback[0], id="A")])
    tables["feedback"].append({**tables["feedback"][-1], "id": "c"})
    con = _duckdb(tables)
    con.execute(collate)
    with pytest.raises(ValidationError) as info:
        prioritize_sql(con, policy=case.policy, as_of=case.as_of, segments=case.segments)
    assert [str(p) for p in info.value.problems] == ["$.feedback: repeats the id(s) 'c'"]


# -- PostgreSQL --------------------------------------------------------------------
# What a warehouse of the PostgreSQL family gets: the window instead of the struct
# MAX, JSON objects for structs, ids and themes ordered COLLATE "C".


def _out_of_range(result: Backlog | ValidationError) -> bool:
    """Whether PostgreSQL refused because a product underflowed to zero (or overflowed),
    which the other engines round: such cases are left out of the comparisons, and an
    example test below shows the refusal.
    """
    return isinstance(result, ValidationError) and OUT_OF_RANGE in str(result)


def _holds_nul(case: Case) -> bool:
    """Whether the case compares with text holding U+0000, which PostgreSQL refuses (below)."""
    weighted = [s for s in case.segments if s.id in case.policy.segment_weights]
    return any("\x00" in theme for theme in case.policy.strategic_fit) or any(
        holds_nul(where_expression(s, as_of=case.as_of)) for s in weighted
    )


@pytest.mark.postgres
@settings(max_examples=25)
@given(cases())
def test_postgres_gives_the_backlog_prioritize_gives(postgres: Any, case: Case) -> None:
    assume(not _holds_nul(case))
    load_postgres(postgres, tables_of(case.customers, case.feedback))
    expected, actual = _both(postgres, case)
    assume(not _out_of_range(actual))
    assert_agree(expected, actual)


@pytest.mark.postgres
@settings(max_examples=10)
@given(cases(), st.data())
def test_postgres_skips_what_prioritize_skips(
    postgres: Any, case: Case, data: st.DataObject
) -> None:
    assume(not _holds_nul(case))
    tables, narrowed, gone = _some_customers_gone(case, data)
    load_postgres(postgres, tables)
    expected, actual = _both(postgres, narrowed, on_unknown_customer="skip")
    assume(not _out_of_range(actual))
    _assert_skipped_alike(case, gone, expected, actual)


def test_text_postgres_cannot_hold_is_refused_for_postgres_only() -> None:
    # PostgreSQL text cannot hold U+0000 (psycopg cannot even send it), so no row there
    # could match such a segment or theme: refused, where DuckDB and Spark take it.
    nul = Segment("nul", "NUL", field("region") == "D\x00E")
    policy = PrioritizationPolicy(segment_weights={"nul": 2.0}, strategic_fit={"a\x00": 2.0})
    as_of = EPOCH
    assert backlog_sql(policy, as_of=as_of, segments=[nul], dialect="duckdb").backlog
    with pytest.raises(ValidationError) as info:
        backlog_sql(policy, as_of=as_of, segments=[nul], dialect="postgres")
    assert [str(p) for p in info.value.problems] == [
        "$.segments[0]: segment 'nul' compares with text that holds the character U+0000, "
        "which PostgreSQL text cannot hold",
        "$.policy.strategic_fit: has a theme that holds the character U+0000, "
        "which PostgreSQL text cannot hold",
    ]
    assert "D\x00E" in where_sql(nul, "duckdb")
    with pytest.raises(ValidationError, match=r"\$\.segment: compares with text that holds"):
        where_sql(nul, "postgres")
    # An unweighted segment is not written into the query, so it is not refused.
    unweighted = attrs.evolve(policy, segment_weights={}, strategic_fit={})
    assert backlog_sql(unweighted, as_of=as_of, segments=[nul], dialect="postgres").backlog


@pytest.mark.postgres
def test_postgres_refuses_text_it_cannot_hold_before_sending_it(postgres: Any) -> None:
    case = _separated()
    load_postgres(postgres, tables_of(case.customers, case.feedback))
    policy = attrs.evolve(case.policy, strategic_fit={"a\x00": 2.0})
    with pytest.raises(ValidationError) as info:
        prioritize_sql(postgres, policy=policy, as_of=case.as_of)
    assert info.value.subject == "prioritize input"
    assert info.value.paths == ["$.policy.strategic_fit"]


@pytest.mark.postgres
def test_postgres_ranks_items_past_1075_half_lives_as_prioritize_does(postgres: Any) -> None:
    # Their decay is 0.0 for Python, DuckDB and Spark; PostgreSQL's POWER would raise.
    # (At 1074.5 half-lives the decay is the smallest double, and halving it for an
    # anonymous voice underflows: that product PostgreSQL refuses, as below.)
    for hours in (1000, 1075, 1076, 2000):
        case = attrs.evolve(
            _separated(),
            policy=PrioritizationPolicy(half_life=timedelta(hours=1)),
            as_of=EPOCH + timedelta(hours=hours, minutes=30),
        )
        load_postgres(postgres, tables_of(case.customers, case.feedback))
        assert_agree(*_both(postgres, case))


@pytest.mark.postgres
def test_postgres_refuses_a_product_that_underflows_in_the_words_of_the_policy(
    postgres: Any,
) -> None:
    # 1e-200 points x a 1e-200 fit is 0.0 for Python, DuckDB and Spark; PostgreSQL raises.
    case = attrs.evolve(
        _separated(), policy=PrioritizationPolicy(unspecified_points=1e-200, default_fit=1e-200)
    )
    tables = tables_of(case.customers, case.feedback)
    assert_agree(*_both(_duckdb(tables), case))
    load_postgres(postgres, tables)
    with pytest.raises(ValidationError) as info:
        prioritize_sql(postgres, policy=case.policy, as_of=case.as_of)
    assert [(p.location, p.message) for p in info.value.problems] == [("$.policy", OUT_OF_RANGE)]
    # In a caller's open transaction, the refused statement is rolled back alone.
    with psycopg.connect(postgres.info.dsn) as connection:
        connection.execute("CREATE TEMPORARY TABLE mine (n BIGINT)")
        with pytest.raises(ValidationError):
            prioritize_sql(connection, policy=case.policy, as_of=case.as_of)
        assert connection.execute("SELECT count(*) FROM mine").fetchone() == (0,)


@pytest.mark.postgres
def test_postgres_keeps_an_id_that_holds_the_separator(postgres: Any) -> None:
    case = _separated()
    load_postgres(postgres, tables_of(case.customers, case.feedback))
    _assert_separated_kept(postgres, case)


@pytest.mark.postgres
def test_the_postgres_example_of_the_warehouse_page_runs(
    postgres: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = postgres.info
    monkeypatch.setenv("DATABASE_URL", f"postgresql://{info.user}@/{info.dbname}?host={info.host}")
    namespace = _run_warehouse_page("## PostgreSQL")
    assert namespace["postgres_backlog"].themes == namespace["backlog"].themes


# -- Spark -------------------------------------------------------------------------


@pytest.mark.spark
@settings(max_examples=3)
@given(cases(max_customers=3))
def test_spark_gives_the_backlog_prioritize_gives(spark: Any, case: Case) -> None:
    load_spark(spark, tables_of(case.customers, case.feedback))
    assert_agree(*_both(spark, case))


@pytest.mark.spark
def test_spark_keeps_an_id_that_holds_the_separator(spark: Any) -> None:
    case = _separated()
    load_spark(spark, tables_of(case.customers, case.feedback))
    _assert_separated_kept(spark, case)


@pytest.mark.spark
def test_the_spark_example_of_the_warehouse_page_runs(spark: Any) -> None:
    namespace = _run_warehouse_page("## Spark")
    assert namespace["spark"] is spark  # the page's getOrCreate() finds the running session
    assert namespace["spark_backlog"].themes == namespace["backlog"].themes
