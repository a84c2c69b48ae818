"""records.to_arrow: typed tables that pandas, polars and DuckDB read with no cast."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd  # type: ignore[import-untyped]
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Customer,
    CustomerKind,
    Person,
    Persona,
    PrioritizationPolicy,
    Purchaser,
    Role,
    Segment,
    SurveyMeasure,
    ValidationError,
    ValueWeighting,
    field,
    prioritize,
    rfm_scores,
    split_report,
)
from customer_model.examples import demo_dataset

# The model's own DECIMAL(38, 9) bound is the oracle for which drawn customers fit (white-box).
from customer_model.model._rule_fields import fits_sql_decimal
from customer_model.persona_fit import persona_coverage
from customer_model.records import (
    COLUMN_TYPES,
    CUSTOMER_COLUMNS,
    FEEDBACK_COLUMNS,
    PURCHASE_COLUMNS,
    feedback_records,
    purchase_records,
    purchaser_records,
    to_arrow,
    to_records,
    user_records,
)
from customer_model.satisfaction import satisfaction_by_role, satisfaction_by_segment
from customer_model.segmentation import overlap_matrix, segment_sizes
from customer_model.testing import customers, datasets
from customer_model.trends import feedback_volume, rising_themes, trend_records

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
RATES = {"EUR": Decimal(1), "BRL": Decimal("0.17")}
ARROW = {
    "text": pa.string(),
    "tags": pa.list_(pa.string()),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
    "decimal": pa.decimal128(38, 9),
    "datetime": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
}


def _tables() -> dict[str, pa.Table]:
    ds = demo_dataset()
    rfm = rfm_scores(ds.customers, as_of=AS_OF, rates=RATES)
    return {
        "customers": to_arrow(to_records(ds.customers, rfm=rfm)),
        "users": to_arrow(user_records(ds.customers)),
        "purchasers": to_arrow(purchaser_records(ds.customers, include_personal=True)),
        "purchases": to_arrow(purchase_records(ds.customers)),
        "feedback": to_arrow(feedback_records(ds.feedback, ds.customers, segments=ds.segments)),
    }


def test_every_record_kind_gets_the_type_of_each_column() -> None:
    for name, table in _tables().items():
        for column in table.schema:
            assert column.type == ARROW[COLUMN_TYPES[column.name]], (name, column.name)


def test_values_survive_exactly() -> None:
    ds = demo_dataset()
    table = to_arrow(purchase_records(ds.customers))
    amounts = [p.amount for c in ds.customers for p in c.purchases]
    times = [p.at for c in ds.customers for p in c.purchases]
    assert table.column("amount").to_pylist() == amounts
    assert table.column("at").to_pylist() == times
    acme = ds.customers[2]
    used = to_arrow(to_records([acme])).column("features_used").to_pylist()[0]
    assert used == sorted({f for u in acme.users for f in u.features_used})


def test_pandas_sums_money_exactly_with_arrow_dtypes() -> None:
    ds = demo_dataset()
    frame = to_arrow(to_records(ds.customers)).to_pandas(types_mapper=pd.ArrowDtype)
    by_kind = frame.groupby("kind")["total_spend"].sum()
    expected = {c.kind.value: sum(c.revenue().values(), Decimal(0)) for c in ds.customers}
    assert {k: Decimal(str(v)) for k, v in by_kind.items()} == expected
    assert frame["last_purchase_at"].max() == max(p.at for c in ds.customers for p in c.purchases)
    assert str(frame["size"].dtype) == "int64[pyarrow]"  # nulls stay, no float64


def test_polars_reads_types_and_joins_on_ids() -> None:
    tables = _tables()
    customers_frame = pl.from_arrow(tables["customers"])
    purchases = pl.from_arrow(tables["purchases"])
    assert isinstance(customers_frame, pl.DataFrame)
    assert isinstance(purchases, pl.DataFrame)
    assert customers_frame.schema["total_spend"] == pl.Decimal(38, 9)
    assert purchases.schema["at"] == pl.Datetime("us", "UTC")
    joined = purchases.join(customers_frame, left_on="customer_id", right_on="id")
    per_kind = joined.group_by("kind", "currency").agg(pl.col("amount").sum()).sort("kind")
    expected = {
        (c.kind.value, code): amount
        for c in demo_dataset().customers
        for code, amount in c.revenue().items()
    }
    assert {(k, cur): a for k, cur, a in per_kind.iter_rows()} == expected


def test_duckdb_queries_the_tables_with_no_cast() -> None:
    tables = _tables()
    con = duckdb.connect()
    con.register("customers", tables["customers"])
    con.register("feedback", tables["feedback"])
    total = con.execute("SELECT sum(total_spend) FROM customers").fetchone()
    assert total == (Decimal("24059.79"),)
    rows = con.execute(
        "SELECT c.kind, count(*) FROM feedback f JOIN customers c ON f.customer_id = c.id "
        "WHERE f.created_at < TIMESTAMPTZ '2026-05-01 00:00:00+00' GROUP BY c.kind ORDER BY 1"
    ).fetchall()
    ds = demo_dataset()
    kinds = {c.id: c.kind.value for c in ds.customers}
    early = [f for f in ds.feedback if f.created_at < datetime(2026, 5, 1, tzinfo=UTC)]
    assert rows == sorted(
        {(k, sum(kinds[f.customer_id] == k for f in early)) for k in kinds.values()}
        - {(k, 0) for k in kinds.values()}
    )
    con.close()


def _results() -> dict[str, list[dict[str, object]]]:
    ds = demo_dataset()
    policy = PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17})
    backlog = prioritize(ds.feedback, ds.customers, policy=policy, as_of=AS_OF)
    families = Segment("s-fam", "Families", field("kind") == CustomerKind.HOUSEHOLD)
    b2b = Segment("s-b2b", "Businesses", field("kind") == CustomerKind.ORGANIZATION)
    buyer = Persona("p-buyer", "Budget holder", Role.PURCHASER, segment_id="s-b2b")
    return {
        "backlog": backlog.to_records(),
        "revenue": backlog.revenue_records(),
        "explanation": backlog.explanation_records(),
        "steps": backlog.step_records(),
        "split": split_report(ds.customers, [families]).to_records(),
        "volume": feedback_volume(ds.feedback).to_records(),
        "trends": trend_records(
            rising_themes(ds.feedback, as_of=datetime(2026, 6, 15, tzinfo=UTC))
        ),
        "sizes": segment_sizes(ds.customers, [families, b2b]).to_records(),
        "overlap": overlap_matrix(ds.customers, [families, b2b]).to_records(),
        "coverage": persona_coverage(ds.customers, [buyer], [families, b2b]).to_records(),
        "roles": satisfaction_by_role(
            ds.responses, ds.customers, measure=SurveyMeasure.CSAT
        ).to_records(),
        "segments": satisfaction_by_segment(
            ds.responses, ds.customers, [families], as_of=None, measure=SurveyMeasure.CSAT
        ).to_records(),
    }


def test_every_results_records_get_typed_columns() -> None:
    for name, records in _results().items():
        table = to_arrow(records)
        assert table.num_rows == len(records), name
        for column in table.schema:
            assert column.type != pa.null(), (name, column.name)
            if column.name.startswith("revenue"):
                assert column.type == pa.decimal128(38, 9), (name, column.name)
    volume = to_arrow(_results()["volume"])
    assert volume.schema.field("start").type == pa.date32()
    assert volume.schema.field("count").type == pa.int64()
    # The demo's rising themes are all new: growth is None throughout, still a float.
    trends = to_arrow(_results()["trends"])
    assert trends.schema.field("growth").type == pa.float64()
    assert trends.schema.field("current_start").type == pa.date32()


def test_a_column_of_nulls_keeps_its_type() -> None:
    ds = demo_dataset()
    table = to_arrow(to_records(ds.customers))  # no RFM: rfm_* all None
    assert table.schema.field("rfm_recency").type == pa.int64()
    assert table.column("rfm_recency").null_count == len(ds.customers)
    unweighted = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
    backlog = prioritize(ds.feedback, ds.customers, as_of=AS_OF, policy=unweighted).to_records()
    assert to_arrow(backlog).schema.field("framework_score").type == pa.float64()


def test_no_records_still_give_the_columns_asked_for() -> None:
    empty = to_arrow([], columns=FEEDBACK_COLUMNS)
    assert empty.num_rows == 0
    assert empty.schema.names == list(FEEDBACK_COLUMNS)
    assert empty.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert to_arrow([]).num_columns == 0
    # Any iterable of names, read once: a generator once gave a table of no columns.
    from_generator = to_arrow([], columns=(c for c in FEEDBACK_COLUMNS))  # type: ignore[arg-type]
    assert from_generator.schema == empty.schema
    for bad in (iter([1]), 5, {"id": 1}):  # 5 once raised a bare TypeError
        with pytest.raises(ValidationError) as info:
            to_arrow([], columns=bad)  # type: ignore[arg-type]
        assert info.value.paths == ["$.columns"]
    with pytest.raises(ValidationError) as info:  # once a table of two "id" columns
        to_arrow([{"id": "f1"}], columns=["id", "id"])
    assert [str(p) for p in info.value.problems] == ["$.columns: must name each column once"]
    with pytest.raises(ValidationError) as unordered:  # once columns in hash order
        to_arrow([], columns=set(FEEDBACK_COLUMNS))  # type: ignore[arg-type]
    assert [str(p) for p in unordered.value.problems] == [
        "$.columns: must be a list or tuple (a set's order changes from run to run), not set"
    ]


@given(st.lists(customers(), max_size=4, unique_by=lambda c: c.id))
def test_every_amount_the_model_accepts_converts_exactly(drawn: list) -> None:  # type: ignore[type-arg]
    table = to_arrow(purchase_records(drawn), columns=PURCHASE_COLUMNS)
    assert table.column("amount").to_pylist() == [p.amount for c in drawn for p in c.purchases]
    # Compared as instants: Python holds a time in a zone's repeated hour unequal
    # to the same instant in UTC, which is what the table gives back.
    assert table.column("at").to_pylist() == [
        p.at.astimezone(UTC) for c in drawn for p in c.purchases
    ]
    fitting = [c for c in drawn if all(fits_sql_decimal(a) for a in c.revenue().values())]
    spends = to_arrow(to_records(fitting), columns=CUSTOMER_COLUMNS).column("total_spend")
    assert spends.type == pa.decimal128(38, 9)  # to_records refuses totals that do not fit


def test_amounts_finer_than_nine_places_widen_the_scale_not_round() -> None:
    rows = [{"customer_id": "c", "amount": "0.000000000001", "currency": "EUR", "at": None}]
    table = to_arrow(rows)
    assert table.schema.field("amount").type == pa.decimal128(38, 12)
    assert table.column("amount").to_pylist() == [Decimal("1E-12")]


@given(datasets(max_customers=3))
def test_feedback_roles_agree_with_the_customers(data) -> None:  # type: ignore[no-untyped-def]
    rows = feedback_records(data.feedback, data.customers, segments=data.segments)
    by_id = {c.id: c for c in data.customers}
    for row, item in zip(rows, data.feedback, strict=True):
        customer = by_id[item.customer_id]
        assert row["customer_kind"] == customer.kind.value
        buys = item.author_id in customer.purchaser_ids
        uses = item.author_id in customer.user_ids
        expected = (
            "anonymous"
            if item.author_id is None
            else {(True, True): "both", (True, False): "purchaser", (False, True): "user"}.get(
                (buys, uses), "unlisted"
            )
        )
        assert row["author_role"] == expected
        members = {s.id for s in data.segments if s.matches(customer)}
        table_segments = to_arrow([row]).column("segments").to_pylist()[0]
        assert set(table_segments) == members


def test_bad_records_name_the_row_and_column_without_the_value() -> None:
    rows = [{"customer_id": "c", "amount": "12.5", "currency": "EUR", "at": "secret"}]
    with pytest.raises(ValidationError) as info:
        to_arrow(rows)
    assert [p.location for p in info.value.problems] == ["$.records[0].at"]
    assert "secret" not in str(info.value)
    with pytest.raises(ValidationError) as info:
        to_arrow([{"id": "a"}, {"id": "b", "kind": "x"}])
    assert [p.location for p in info.value.problems] == ["$.records[1]"]
    with pytest.raises(ValidationError):
        to_arrow("not records")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        to_arrow([{"amount": "NaN"}])
    with pytest.raises(ValidationError) as info:
        to_arrow([{"sessions": 2**63}, {"sessions": 1}])
    assert info.value.problems[0].message == "must fit 64 bits"
    with pytest.raises(ValidationError) as info:
        to_arrow([{"amount": "1E+80"}])
    assert info.value.paths == ["$.records[0].amount"]
    for text in ("1_000", " 12.50", "\u0661\u0662"):  # read by Decimal(), not decimal text
        with pytest.raises(ValidationError) as info:
            to_arrow([{"amount": text}])
        assert info.value.paths == ["$.records[0].amount"]


@pytest.mark.parametrize(
    ("row", "path"),
    [
        ({"theme": "\ud800"}, "$.records[0].theme"),
        ({"note": "a\udfffb"}, "$.records[0].note"),
        ({"interests": ["ok", "\ud800"]}, "$.records[0].interests"),
        ({"interests": "ok,\ud800"}, "$.records[0].interests"),
    ],
)
def test_text_arrow_cannot_encode_is_named_not_raised_from_pyarrow(
    row: dict[str, object], path: str
) -> None:
    # A lone surrogate once escaped as pyarrow's UnicodeEncodeError.
    with pytest.raises(ValidationError) as info:
        to_arrow([row])
    assert info.value.paths == [path]
    assert "valid Unicode" in str(info.value)


class _NoOffset(tzinfo):
    """A tzinfo subclass that implements nothing."""


class _TextOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> Any:
        return "x"


@pytest.mark.parametrize("zone", [_NoOffset(), _TextOffset()])  # type: ignore[abstract]
def test_a_time_in_a_zone_without_a_valid_offset_is_named(zone: tzinfo) -> None:
    # Once the zone's own NotImplementedError or TypeError.
    with pytest.raises(ValidationError) as info:
        to_arrow([{"created_at": datetime(2025, 1, 1, tzinfo=zone)}])
    assert info.value.paths == ["$.records[0].created_at"]


def test_dict_records_stay_json() -> None:
    ds = demo_dataset()
    data_records = [to_records(ds.customers), feedback_records(ds.feedback, ds.customers)]
    for rows in [*data_records, *_results().values()]:
        assert json.loads(json.dumps(rows)) == rows


def test_without_pyarrow_the_error_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from customer_model.records import to_arrow\n"
        "try:\n    to_arrow([])\n"
        "except ModuleNotFoundError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "customer-model[arrow]" in out.stdout


@pytest.mark.parametrize(
    ("rows", "columns", "path"),
    [([{"\ud800": "a"}], None, "$.records[0]"), ([], ["id", "x\udfff"], "$.columns")],
)
def test_a_column_name_arrow_cannot_encode_is_a_problem_not_unicode_encode_error(
    rows: list[dict[str, object]], columns: list[str] | None, path: str
) -> None:
    # Once pyarrow's UnicodeEncodeError; the name is not quoted (a caller typed it).
    with pytest.raises(ValidationError) as info:
        to_arrow(rows, columns=columns)
    assert info.value.paths == [path]
    assert "valid Unicode" in str(info.value)


def test_amounts_that_fit_alone_but_not_in_one_column_are_a_problem_not_a_value_error() -> None:
    # 67 integer digits and 10 decimal places each fit 76 digits, but one scale holds
    # both in 77: once pyarrow's ValueError.
    rows = [{"amount": "1" + "0" * 66}, {"amount": "0.0000000001"}, {"amount": "1"}]
    with pytest.raises(ValidationError) as info:
        to_arrow(rows)
    assert info.value.paths == ["$.records[1].amount"]
    assert "76 digits" in str(info.value)
    table = to_arrow(rows[:1] + rows[2:])  # within 76: the widest decimal holds them
    assert table.column("amount").to_pylist() == [Decimal(10**66), Decimal(1)]


def test_a_scorecards_factor_columns_stay_floats_whatever_their_names() -> None:
    # A factor may take the name of a column the library types otherwise ("revenue",
    # "customer_count", "created_at"): its raw values once failed as "must be a
    # decimal, not float".  Every such name is tried (white-box: the result columns).
    from customer_model import Scorecard
    from customer_model._scorecard_formula import RESERVED
    from customer_model.records._arrow import RESULT_TYPES
    from customer_model.scorecards import Scale, ScorecardFactor

    names = sorted(n for n in {*COLUMN_TYPES, *RESULT_TYPES} if n not in RESERVED)
    ds = demo_dataset()
    policy = PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17})
    backlog = prioritize(ds.feedback, ds.customers, policy=policy, as_of=AS_OF)
    card = Scorecard(
        [ScorecardFactor(n, Scale.RELATIVE, default=i + 1) for i, n in enumerate(names)]
    )
    records = card.score(backlog, {}).to_records()
    table = to_arrow(records)
    for i, name in enumerate(names):
        assert table.schema.field(name).type == pa.float64(), name
        assert table.column(name).to_pylist() == [float(i + 1)] * len(records), name
    assert table.schema.field("rank").type == pa.int64()


_TAGS = st.frozensets(
    st.text(st.sampled_from("ab,%+-Zé"), min_size=1).filter(lambda t: t.strip() == t), max_size=4
)


@given(_TAGS)
def test_a_tag_set_is_one_list_whether_given_as_record_text_or_as_a_set(
    tags: frozenset[str],
) -> None:
    # Record text sorts the escaped tags ("a%2C" before "a+"); its list once kept that
    # order, so {"a,", "a+"} became two different lists depending on how it was given.
    buyer = Purchaser(Person("p-1"))
    (row,) = to_records([Customer("c-1", CustomerKind.INDIVIDUAL, [buyer], interests=tags)])
    from_text = to_arrow([{"interests": row["interests"]}]).column("interests").to_pylist()
    from_set = to_arrow([{"interests": tags}]).column("interests").to_pylist()
    assert from_text == from_set == [sorted(tags)]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"score": float("nan")},
            "$.records[0].score: must be a finite number (not NaN or infinity)",
        ),
        (
            {"score": float("-inf")},
            "$.records[0].score: must be a finite number (not NaN or infinity)",
        ),
        (
            {"total_spend": Decimal("NaN")},
            "$.records[0].total_spend: must be a finite decimal (not NaN or infinity)",
        ),
    ],
)
def test_no_nan_or_infinity_goes_into_a_table(record: dict[str, object], message: str) -> None:
    # NaN went into a float column as a value; a NaN Decimal was told it must be a Decimal.
    with pytest.raises(ValidationError) as info:
        to_arrow([record])
    assert [str(p) for p in info.value.problems] == [message]


def test_records_of_backlogs_in_other_currencies_are_pointed_at_revenue_records() -> None:
    # Two backlogs' records, joined, differ in their revenue_<CUR> columns.
    rows = [
        {"rank": 1, "theme": "a", "revenue_EUR": "1"},
        {"rank": 1, "theme": "b", "revenue_BRL": "2"},
    ]
    with pytest.raises(ValidationError) as info:
        to_arrow(rows)
    (problem,) = info.value.problems
    assert problem.location == "$.records[1]"
    assert problem.message.endswith(
        "1 missing, 1 more; a backlog's revenue_<CUR> columns follow its currencies "
        "(revenue_records() does not)"
    )
    with pytest.raises(ValidationError) as other:
        to_arrow([{"a": 1}, {"b": 1}])
    assert "revenue" not in str(other.value)
