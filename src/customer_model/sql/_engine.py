"""Running the backlog SQL on DuckDB, Spark or PostgreSQL, and reading its rows into a Backlog.

The engine sums each role-and-need group; Python adds the groups with :func:`math.fsum`
as :func:`~customer_model.prioritize` does, so that each item's explanation adds up
to its score exactly, and ranks the themes by those scores (ties by theme key).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, NoReturn

from customer_model.backlog import (
    Backlog,
    BacklogItem,
    Factor,
    ScoreComponent,
    ScoreStep,
    VoiceRole,
)
from customer_model.errors import Problem, ValidationError
from customer_model.model._frozenmap import FrozenMap
from customer_model.model._messages import type_name
from customer_model.model._money import shortest
from customer_model.model._validation import Checker
from customer_model.model.feedback import Need
from customer_model.model.policy import PrioritizationPolicy, ValueWeighting
from customer_model.model.segments import Segment
from customer_model.sql._backlog import Built, build, check_arguments, ids_text
from customer_model.sql._checks import Probe, not_identifiers, probes, problems, unreadable
from customer_model.sql._worker import Worker
from customer_model.sql._writing import (
    ID_SEPARATOR,
    in_code_point_order,
    in_code_point_text,
    rename,
)

__all__ = ["prioritize_sql"]

_SUBJECT = "prioritize input"
_ROLE_ORDER = {role.value: i for i, role in enumerate(VoiceRole)}
_NEEDS: tuple[Need | None, ...] = (*Need, None)
_NEED_SLOT = {None if need is None else need.value: i for i, need in enumerate(_NEEDS)}
# Where the backlog query's columns are (see BacklogSQL).
_THEME, _CUSTOMERS, _REVENUE, _IDS, _ID_COUNT, _EXPLANATION = 0, 3, 10, 11, 12, 13
_TOTALS = (
    "points",
    "role_total",
    "kind_total",
    "recency_total",
    "value_total",
    "segment_total",
    "value",
)


#: Why PostgreSQL refuses a backlog that prioritize() and the other engines rank.
OUT_OF_RANGE = (
    "makes a number in the backlog too large or too small for PostgreSQL's double "
    "precision, which refuses to round a product to infinity or to zero as "
    "prioritize(), DuckDB and Spark do: lower the largest weights, make the tiniest "
    "ones larger (or zero), or lengthen the half-life"
)


def _overflow() -> NoReturn:
    raise ValidationError.single(
        "policy",
        "makes a score overflow a float (infinite or undefined): lower the points and "
        "weights, or raise revenue_scale",
        _SUBJECT,
    )


#: Spark's error classes for a decimal past its type, in ANSI mode.
_SPARK_OVERFLOWS = ("ARITHMETIC_OVERFLOW", "NUMERIC_VALUE_OUT_OF_RANGE")


def _spark_overflow(error: BaseException) -> bool:
    """Whether Spark failed for a decimal overflow: by its error class, from Python or Java."""
    classes = []
    get_class = getattr(error, "getErrorClass", None)  # pyspark's own exceptions
    if callable(get_class):
        classes.append(get_class())
    cause = getattr(error, "java_exception", None)  # py4j's, around SparkException
    for _ in range(10):  # the job's failure, then the task's
        if cause is None:
            break
        with contextlib.suppress(Exception):  # not every Throwable has an error class
            classes.append(cause.getErrorClass())
        cause = cause.getCause()
    return any(str(c).startswith(_SPARK_OVERFLOWS) for c in classes if c)


def _revenue_overflow() -> NoReturn:
    raise ValidationError.single(
        "purchases",
        "add up to more than DECIMAL(38, 9) holds for a customer's or a theme's revenue",
        _SUBJECT,
    )


def dialect_of(connection: object) -> str | None:
    """The dialect of a DuckDB connection, a Spark session or a psycopg connection; else None."""
    module = type(connection).__module__
    if module.lstrip("_").startswith("duckdb"):
        return "duckdb"
    if module.startswith("pyspark"):
        return "spark"
    if module.startswith("psycopg"):
        return "postgres"
    return None


class _Engine:
    """A connection and how to run a statement on it, whichever engine it is."""

    def __init__(self, connection: object) -> None:
        dialect = dialect_of(connection)
        if dialect is None:
            raise ValidationError.single(
                "connection",
                "must be a DuckDB connection, a Spark session or a psycopg connection, "
                f"not {type_name(connection)}",
                _SUBJECT,
            )
        self.dialect = dialect
        self.connection: Any = connection
        # DuckDB checks the tables in a worker thread while Python ranks.
        self.beside = self.dialect == "duckdb" and not _scans_all_frames(connection)
        # DuckDB and Spark hand a theme's ids over faster joined in one string.
        self.joined_ids = self.dialect != "postgres"

    def rows(self, sql: str) -> list[Sequence[Any]]:
        """The rows of *sql*; a missing table or column refused on ``tables``."""
        try:
            return self._rows(sql)
        except Exception as e:  # kept as the cause: it quotes the statement
            problem, error = unreadable(e), e
            if problem is None:
                raise
        raise ValidationError([problem], _SUBJECT) from error

    def _rows(self, sql: str) -> list[Sequence[Any]]:
        """The rows of *sql*; a sum past ``DECIMAL(38, 9)`` refused as Spark's is.

        Only the backlog sums decimals (each customer's revenue, each
        theme's): DuckDB raises when such a sum overflows, Spark gives NULL.
        """
        if self.dialect == "duckdb":
            from duckdb import OutOfRangeException

            try:
                return list(self.connection.execute(sql).fetchall())
            except OutOfRangeException:
                _revenue_overflow()
        if self.dialect == "spark":
            if "\\" in sql and self._escaped_literals():
                raise ValidationError.single(
                    "connection",
                    "reads string literals as written (spark.sql.parser."
                    "escapedStringLiterals is true), so a backslash in a theme, id or"
                    " currency of the query would not match; set it to false for this call",
                    _SUBJECT,
                )
            try:
                return list(self.connection.sql(sql).collect())
            except Exception as e:
                if _spark_overflow(e):  # ANSI mode (Spark 4's default) raises for the NULL
                    _revenue_overflow()
                raise
        return self._postgres_rows(sql)

    def refusal(self, error: Exception) -> bool:
        """Whether *error* is the engine refusing a query, not a query interrupted (Ctrl-C).

        On DuckDB only its own errors are refusals, and not an interruption:
        a signal during a query gives a bare ``RuntimeError("Query
        interrupted")``, ``interrupt()`` an ``InterruptException``.  Spark's
        and psycopg's clients raise ``KeyboardInterrupt`` itself.
        """
        if self.dialect != "duckdb" or isinstance(error, ValidationError):  # rows() said why
            return True
        import duckdb

        return isinstance(error, duckdb.Error) and not isinstance(error, duckdb.InterruptException)

    def _escaped_literals(self) -> bool:
        """Whether Spark reads ``'a\\b'`` as two backslashes (a non-default setting)."""
        setting = self.connection.conf.get("spark.sql.parser.escapedStringLiterals", "false")
        return str(setting).lower() == "true"

    def examples(self, probe: Probe, names: Mapping[str, str]) -> str:
        """The query for a few of *probe*'s offending ids, the smallest by code point."""
        query = rename(probe.examples(), names)
        if self.dialect == "postgres":
            in_code_point_order(query, (probe.shown,))
        elif self.dialect == "duckdb":
            in_code_point_text(query)
        return query.sql(dialect=self.dialect)

    def _postgres_rows(self, sql: str) -> list[Sequence[Any]]:
        """Rows from PostgreSQL, JSON numbers read as decimals: revenue stays exact.

        The loader is set on this cursor only, and the statement runs in a
        transaction of its own (a savepoint inside the caller's), so the
        caller's connection is left as it was, usable even after a refusal.
        PostgreSQL writes a double in JSON as its shortest exact text, so the
        explanation's floats come back to the same floats.
        """
        from psycopg.errors import NumericValueOutOfRange
        from psycopg.types.json import set_json_loads

        try:
            with self.connection.transaction(), self.connection.cursor() as cursor:
                set_json_loads(functools.partial(json.loads, parse_float=Decimal), cursor)
                return list(cursor.execute(sql).fetchall())
        except NumericValueOutOfRange:
            raise ValidationError.single("policy", OUT_OF_RANGE, _SUBJECT) from None


def _scans_all_frames(connection: Any) -> bool:
    """Whether DuckDB looks for a table it lacks among the variables of every Python frame.

    It does so with ``python_scan_all_frames`` set, and before 1.1 always:
    the frames are those of the thread that runs the query, and a worker
    thread's are not the caller's, so such tables would not be found there.
    """
    import duckdb

    try:  # current_setting() takes 0.5 ms, duckdb_settings() 4 ms
        rows = connection.execute("SELECT current_setting('python_scan_all_frames')").fetchall()
    except duckdb.Error:  # no such setting (before 1.1), a closed connection: the checks tell
        return True
    return [str(row[0]).lower() for row in rows] != ["false"]  # a BOOLEAN, or its text


def _field(record: Any, name: str) -> Any:
    """A field of a struct as the engine hands it over: a dict (DuckDB) or a Row (Spark)."""
    return record[name]


def prioritize_sql(
    connection: object,
    *,
    policy: PrioritizationPolicy = PrioritizationPolicy(),  # noqa: B008 - frozen value
    as_of: datetime,
    segments: Iterable[Segment] = (),
    tables: Mapping[str, str] | None = None,
    on_unknown_customer: Literal["raise", "skip"] = "raise",
) -> Backlog:
    """:func:`~customer_model.prioritize` run by a database over the record tables.

    *connection* is a DuckDB connection, a Spark session or a psycopg
    (PostgreSQL) connection in which the tables of
    :func:`~customer_model.sql.backlog_sql` exist (renamed through *tables*).
    The result is the :class:`~customer_model.Backlog` that ``prioritize()``
    gives for the same data: the same themes, counts, voices, feedback ids and
    revenue; scores within 1e-9 relative (the engine sums in another order
    than :func:`math.fsum`), so themes whose scores are that close may swap
    ranks.

    Raises :class:`~customer_model.ValidationError` for what ``prioritize()``
    refuses, in its words (repeated feedback ids, feedback after *as_of*,
    feedback whose customer is not in the customers table unless
    ``on_unknown_customer="skip"``, a missing exchange rate), and for what
    only tables can hold: a NULL in a column the backlog needs, a value
    outside an enum, a malformed currency, a negative amount, a time before
    year 1 (``-infinity``) or a purchase after year 9999 (``infinity``), or a
    feedback id or theme that is empty or padded with white space, naming the
    table, the column and a few of the rows' ids.  On PostgreSQL, which
    raises where a product of weights underflows to zero or overflows, such
    a policy is refused (on ``policy``) rather than ranked differently.
    """
    check = Checker()
    chosen, names = check_arguments(
        check, policy, as_of, segments, tables, dialect=dialect_of(connection)
    )
    if on_unknown_customer not in ("raise", "skip"):
        check.add("on_unknown_customer", "must be 'raise' or 'skip'")
    check.done(_SUBJECT)
    engine = _Engine(connection)
    worker = Worker(connection, engine.rows) if engine.beside else None
    with worker or contextlib.nullcontext():
        joined = None
        if worker is not None:
            text = ids_text("duckdb", names, joined_ids=True, customers_known=True)
            with contextlib.suppress(RuntimeError):  # no new thread in an atexit handler, say
                joined = worker.ask(text)  # first: it needs no policy
        try:
            built = build(policy, as_of, chosen, names)
        except ValidationError as e:  # a weighted segment the SQL cannot write
            raise ValidationError(e.problems, _SUBJECT) from None
        checks = probes(as_of, chosen)
        checks_text = built.checks_text(engine.dialect)
        ranked: Backlog | Exception | None = None
        if worker is None or joined is None:
            counts = engine.rows(checks_text)[0]
        else:
            counts, ranked = _beside_the_checks(
                worker, joined, built, checks_text, policy=policy, as_of=as_of
            )
    found = _problems(engine, checks, counts, names, skip=on_unknown_customer == "skip")
    if found:
        raise ValidationError(found, _SUBJECT)
    unknown = any(c for p, c in zip(checks, counts, strict=True) if p.problem == "unknown")
    if ranked is None or unknown:  # not ranked yet, or ranked without the customer lookups
        try:
            ranked = _in_turn(engine, built, policy, as_of, unknown=unknown)
        except _Refused as refused:
            ranked = refused
    if isinstance(ranked, _Refused):
        found = _not_identifiers(engine, names)
        if not found:
            raise ranked.error
        raise ValidationError(found, _SUBJECT) from ranked.error
    if isinstance(ranked, Exception):
        raise ranked
    return ranked


class _Refused(Exception):
    """The model refused the engine's rows: the tables may say why (:func:`_not_identifiers`)."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__()
        self.error = error


def _in_turn(
    engine: _Engine,
    built: Built,
    policy: PrioritizationPolicy,
    as_of: datetime,
    *,
    unknown: bool,
) -> Backlog:
    """The backlog once the checks passed: the skipped ids, then the backlog with its ids."""
    skipped: tuple[str, ...] = ()
    if unknown:  # only with on_unknown_customer="skip": otherwise they were refused
        text = built.skipped_text(engine.dialect)
        skipped = tuple(sorted(str(row[0]) for row in engine.rows(text)))
    rows = engine.rows(
        built.backlog_text(
            engine.dialect, joined_ids=engine.joined_ids, customers_known=not unknown
        )
    )
    ids = _by_theme([(row[_THEME], row[_IDS], row[_ID_COUNT]) for row in rows])
    if ids is None:  # an id holds the separator: fetch the ids as lists instead
        rows = engine.rows(built.backlog_text(engine.dialect, customers_known=not unknown))
        ids = _by_theme([(row[_THEME], row[_IDS], row[_ID_COUNT]) for row in rows])
    assert ids is not None  # lists hold as many ids as the count says
    return _ranked(rows, ids, policy, as_of, skipped)


def _beside_the_checks(
    worker: Worker,
    joined: Future[list[Sequence[Any]]],
    built: Built,
    checks_text: str,
    *,
    policy: PrioritizationPolicy,
    as_of: datetime,
) -> tuple[Sequence[Any], Backlog | Exception | None]:
    """DuckDB: the checks' counts, and the backlog ranked while DuckDB works on.

    The worker runs the ids query (*joined*, handed over before the backlog
    was built), the backlog without its ids and the checks, in turn, while
    this thread splits the ids as DuckDB ranks and makes the items as DuckDB
    checks: at 10M rows that hides most of the checks and the splitting.
    The backlog assumes every feedback row's customer is known; the caller
    keeps it only if the checks say so.  What ranking raised is returned, to
    be raised only if the checks find nothing to blame (raised at once if the
    checks cannot run: a failed statement aborted the caller's transaction);
    no backlog when the two statements name a theme differently (see
    :func:`_ranked_by_theme`).
    """
    from duckdb import InterruptException, TransactionException

    rows = worker.ask(built.without_ids("duckdb", joined_ids=True, customers_known=True))
    counts = worker.ask(checks_text)
    try:
        ids = _by_theme(joined.result())
        if ids is None:  # an id holds the separator: fetch the ids as lists instead
            lists = ids_text("duckdb", built.names, customers_known=True)
            ids = _by_theme(worker.ask(lists).result())
        assert ids is not None  # lists hold as many ids as the count says
        ranked: Backlog | Exception | None = _ranked_by_theme(rows.result(), ids, policy, as_of)
    except InterruptException:
        raise
    except Exception as e:  # from tables not yet checked: the checks may say why
        ranked = e
    try:
        return counts.result()[0], ranked
    except TransactionException:  # a statement failed in the caller's transaction, aborting it
        if isinstance(ranked, Exception):  # the checks cannot run after it: its words, then
            raise ranked from None
        raise


def _by_theme(rows: Iterable[Sequence[Any]]) -> dict[str, list[str]] | None:
    """Each theme's sorted ids from (theme, ids, count) rows; None when an id holds the separator.

    The ids come joined in one string (DuckDB, Spark) or as a list.  Sorted
    in place: at 10M rows a sorted copy costs 0.1 s more.
    """
    out = {}
    for theme, ids, count in rows:
        split = ids.split(ID_SEPARATOR) if isinstance(ids, str) else list(map(str, ids))
        if len(split) != count:
            return None
        split.sort()
        out[str(theme)] = split
    return out


def _ranked_by_theme(
    rows: list[Sequence[Any]],
    ids: Mapping[str, list[str]],
    policy: PrioritizationPolicy,
    as_of: datetime,
) -> Backlog | None:
    """The backlog from the rows of the backlog without its ids, and the ids by theme.

    None when a theme's text is not among the ids' (each statement reads
    themes as text ``COLLATE "C"``, so a group of themes that Python tells
    apart, which a collation or a number type once made, should not occur;
    should one, each statement may give the group another of its texts).
    The backlog with its ids, which joins them in DuckDB, is then run once
    the checks pass.
    """
    if not all(str(row[_THEME]) in ids for row in rows):
        return None
    with_ids = [(*row[:_IDS], None, None, *row[_IDS:]) for row in rows]  # the backlog's shape
    return _ranked(with_ids, ids, policy, as_of, ())


def _ranked(
    rows: Sequence[Sequence[Any]],
    ids: Mapping[str, list[str]],
    policy: PrioritizationPolicy,
    as_of: datetime,
    skipped: tuple[str, ...],
) -> Backlog:
    """The Backlog of the backlog query's rows, with each theme's sorted *ids*.

    Raises :class:`_Refused` when the model refuses what the engine gave.
    """
    check = Checker()
    _currencies(check, policy, rows)
    check.done(_SUBJECT)
    items = [_item(row, ids[str(row[_THEME])]) for row in rows]
    items.sort(key=lambda fields: (-fields["score"], fields["theme"]))
    try:
        ranked = tuple(
            BacklogItem(rank=rank, **fields) for rank, fields in enumerate(items, start=1)
        )
        return Backlog(ranked, as_of, policy, skipped=skipped)
    except ValidationError as refused:
        raise _Refused(refused) from None


def _not_identifiers(engine: _Engine, names: Mapping[str, str]) -> list[Problem]:
    """Why the model refused the engine's rows, said of the tables: empty or padded ids.

    The rows are looked for only once a ``BacklogItem`` or the ``Backlog``
    (its skipped ids) has refused one.  Should a probe itself fail (an engine
    that cannot hold one of the white-space characters, say), the model's
    refusal stands; a probe interrupted (Ctrl-C during DuckDB's query) goes on.
    """
    failed = []
    for probe in not_identifiers():
        try:
            rows = engine.rows(engine.examples(probe, names))
        except Exception as e:  # only an explanation of an error already raised
            if not engine.refusal(e):
                raise
            return []
        if rows:
            failed.append((probe, int(rows[0][1]), [str(row[0]) for row in rows], int(rows[0][2])))
    return problems(failed, names)


def _problems(
    engine: _Engine,
    checks: Sequence[Probe],
    counts: Sequence[Any],
    names: Mapping[str, str],
    *,
    skip: bool,
) -> list[Problem]:
    """What the checks query found in the tables (*counts*); a few ids of each failed check."""
    failed = []
    for probe, count in zip(checks, counts, strict=True):
        if not count or (skip and probe.problem == "unknown"):
            continue
        rows = engine.rows(engine.examples(probe, names))
        examples = [str(row[0]) for row in rows if row[0] is not None]
        total, ids = (int(rows[0][1]), int(rows[0][2])) if rows else (int(count), int(count))
        failed.append((probe, total, examples, ids))
    return problems(failed, names)


def _revenue(row: Any) -> dict[str, Decimal]:
    pairs = row[_REVENUE] or ()
    out: dict[str, Decimal] = {}
    for pair in pairs:
        amount = _field(pair, "amount")
        if amount is None:  # Spark's sum of a DECIMAL(38, 9) past 38 digits
            _revenue_overflow()
        if type(amount) is not Decimal:  # an integer or floating-point column
            raise ValidationError.single(
                ("purchases", "amount"),
                "must be a DECIMAL column (DECIMAL(38, 9), as records.COLUMN_TYPES gives "
                f"it), so that revenue is exact; this one gives {type_name(amount)}",
                _SUBJECT,
            )
        out[str(_field(pair, "currency"))] = shortest(amount)
    return dict(sorted(out.items()))


def _currencies(
    check: Checker, policy: PrioritizationPolicy, rows: Sequence[Sequence[Any]]
) -> None:
    """The revenue's currencies, checked as ``prioritize()`` checks them when it weighs value."""
    if policy.customer_value is ValueWeighting.NONE:
        return
    seen = {code for row in rows for code in _revenue(row)}
    if policy.currency is not None:
        missing = seen - {policy.currency, *policy.exchange_rates}
        if missing:
            codes = ", ".join(map(repr, sorted(missing)))
            check.add(
                ("policy", "exchange_rates"),
                f"has no rate from {codes} to {policy.currency}; add one, or weigh customers "
                "with customer_value=ValueWeighting.NONE",
            )
    elif len(seen) > 1:
        codes = ", ".join(map(repr, sorted(seen)))
        check.add(
            ("policy", "currency"),
            f"is needed: revenue comes in {codes}; set a currency and exchange_rates, "
            "or weigh customers with customer_value=ValueWeighting.NONE",
        )


def _item(row: Sequence[Any], ids: list[str]) -> dict[str, Any]:
    """The fields of a theme's BacklogItem but its rank, from its row of the backlog query."""
    theme = str(row[_THEME])
    groups = sorted(
        row[_EXPLANATION],
        key=lambda g: (_ROLE_ORDER[_field(g, "role")], _NEED_SLOT[_field(g, "need")]),
    )
    explanation = []
    column_sums = []
    counts = dict.fromkeys(VoiceRole, 0)
    for group in groups:
        sums = [float(_field(group, name)) for name in _TOTALS]
        if not all(map(math.isfinite, sums)):
            _overflow()
        column_sums.append(sums)
        role = VoiceRole(_field(group, "role"))
        need = _field(group, "need")
        voices = int(_field(group, "voices"))
        counts[role] += voices
        explanation.append(
            ScoreComponent(role, None if need is None else Need(need), voices, sums[0], sums[-1])
        )
    try:
        steps = tuple(
            ScoreStep(factor, math.fsum(sums[k] for sums in column_sums))
            for k, factor in enumerate(Factor)
        )
        score = math.fsum(c.value for c in explanation)
    except OverflowError:
        _overflow()
    both = counts[VoiceRole.BOTH]
    return {
        "theme": theme,
        "score": score,
        "customer_count": int(row[_CUSTOMERS]),
        "voices": sum(counts.values()),
        "purchaser_voices": counts[VoiceRole.PURCHASER] + both,
        "user_voices": counts[VoiceRole.USER] + both,
        "both_voices": both,
        "unlisted_voices": counts[VoiceRole.UNLISTED],
        "anonymous_voices": counts[VoiceRole.ANONYMOUS],
        "revenue": FrozenMap(_revenue(row)),
        "feedback_ids": tuple(ids),
        "explanation": tuple(explanation),
        "steps": steps,
    }
