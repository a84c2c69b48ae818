"""Writing the backlog's statements for one engine.

:func:`~customer_model.sql._backlog.build` makes sqlglot trees that hold
no caller's names; here they get the caller's table names (every identifier
quoted), and what sqlglot would write as is but a dialect lacks is said
another way before the tree is written out.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from customer_model.records import COLUMN_TYPES
from customer_model.sql._query import VOICES_BY_WINDOW

__all__ = [
    "CTES",
    "ID_SEPARATOR",
    "ORDERED_STRUCTS",
    "TABLES",
    "adapted",
    "by_window",
    "in_code_point_order",
    "in_code_point_text",
    "holds_nul",
    "join_ids",
    "rename",
    "table_parts",
    "template",
    "without_customer_lookups",
    "written",
]

#: Between a theme's feedback ids when :func:`prioritize_sql` fetches them joined in one string.
ID_SEPARATOR = "\x1f"

#: Dialects whose MAX orders structs (field by field).
ORDERED_STRUCTS = frozenset({"duckdb", "spark"})

#: The record tables the backlog reads, by the name it gives them unless ``tables=`` renames them.
TABLES = ("customers", "purchasers", "users", "purchases", "feedback")

#: The common table expressions the statements define (no table of the caller's may be one).
CTES = frozenset(
    {
        "cm_voices",
        "cm_revenue",
        "cm_customers",
        "cm_roled",
        "cm_weighed",
        "cm_groups",
        "cm_themes",
        "cm_theme_customers",
        "cm_theme_revenue",
        "cm_reach",
        "cm_ids",
        "cm_checks",
    }
)


@functools.cache
def template(text: str) -> exp.Expr:
    """*text* parsed once; callers copy the tree before they change it."""
    return sqlglot.parse_one(text)


def holds_nul(tree: exp.Expr) -> bool:
    """Whether a text literal of *tree* holds U+0000.

    PostgreSQL text cannot hold that character (psycopg cannot even send
    it), so no value of a PostgreSQL table could equal such a literal.
    """
    return any(node.is_string and "\x00" in node.this for node in tree.find_all(exp.Literal))


# -- names ----------------------------------------------------------------------


def table_parts(name: str) -> list[str]:
    return name.split(".")


def rename(tree: exp.Expr, names: Mapping[str, str]) -> exp.Expr:
    """*tree*, changed in place: every record table by the caller's name, every name quoted."""
    for node in list(tree.find_all(exp.Table)):
        if not node.args.get("db") and node.name in TABLES:
            parts = table_parts(names.get(node.name, node.name))
            node.set("this", exp.to_identifier(parts[-1]))
            if len(parts) > 1:
                node.set("db", exp.to_identifier(parts[-2]))
            if len(parts) > 2:
                node.set("catalog", exp.to_identifier(parts[-3]))
    for ident in tree.find_all(exp.Identifier):
        ident.set("quoted", True)
    return tree


# -- what a dialect lacks ------------------------------------------------------


def adapted(
    tree: exp.Expr,
    dialect: str,
    names: Mapping[str, str],
    *,
    joined_ids: bool = False,
    customers_known: bool = False,
) -> exp.Expr:
    """A copy of *tree* with what sqlglot writes as is but the dialect lacks, said another way.

    Only DuckDB and Spark take the ``MAX`` of a struct: elsewhere the voices
    are numbered with a window (:data:`~customer_model.sql._query.VOICES_BY_WINDOW`).
    PostgreSQL has no ``UNIX_MICROS`` and no ``STRUCT`` (its records have no
    field names: JSON objects stand in), and orders text by a collation (the
    ids and themes that break ties are ordered ``COLLATE "C"``: code points,
    as in Python); Snowflake has no ``UNIX_MICROS``.
    """
    tree = tree.copy()
    if dialect not in ORDERED_STRUCTS:
        by_window(tree, names)
    if customers_known:
        without_customer_lookups(tree, names)
    if joined_ids:
        join_ids(tree, dialect)
    if dialect == "duckdb":
        in_code_point_text(tree)
    if dialect not in ("postgres", "snowflake"):
        return tree
    for node in list(tree.find_all(exp.UnixMicros)):
        if dialect == "snowflake":
            node.replace(exp.Extract(this=exp.var("EPOCH_MICROSECOND"), expression=node.this))
        else:
            seconds = exp.Extract(this=exp.var("EPOCH"), expression=node.this)
            micros = exp.Mul(this=seconds, expression=exp.Literal.number(1_000_000))
            node.replace(exp.cast(micros, exp.DataType.Type.BIGINT))
    if dialect == "postgres":
        # Ties go to the larger id and ranks tie by theme in code-point order,
        # as in Python, whatever collation the database or column has.
        in_code_point_order(tree, ("id", "theme"))
        for struct in list(tree.find_all(exp.Struct)):
            pairs = [
                exp.JSONKeyValue(this=exp.Literal.string(p.this.name), expression=p.expression)
                for p in struct.expressions
            ]
            struct.replace(exp.JSONObject(expressions=pairs))
    return tree


def in_code_point_order(tree: exp.Expr, columns: Iterable[str]) -> exp.Expr:
    """*tree*, changed in place: ``ORDER BY`` on *columns* ``COLLATE "C"`` (PostgreSQL).

    Python orders text by code point; PostgreSQL by the database's or the
    column's collation unless told otherwise.
    """
    wanted = frozenset(columns)
    keys = [ordered.this for ordered in tree.find_all(exp.Ordered)]
    # sqlglot's order_by() builder leaves a plain column unwrapped
    keys += [key for order in tree.find_all(exp.Order) for key in order.expressions]
    for key in keys:
        if isinstance(key, exp.Column) and key.name in wanted:
            c_order = exp.to_identifier("C", quoted=True)
            key.replace(exp.Collate(this=key.copy(), expression=c_order))
    return tree


#: The record columns that hold text (tags are text too), compared by code point.
_TEXT_COLUMNS = frozenset(name for name, kind in COLUMN_TYPES.items() if kind in ("text", "tags"))


def in_code_point_text(tree: exp.Expr) -> exp.Expr:
    """*tree*, changed in place: each text column of a table read ``COLLATE "C"`` (DuckDB).

    Python tells ``'a'`` from ``'A'`` and orders ``'B'`` before ``'a'``, by
    code point; DuckDB compares, groups and orders text by the column's
    collation, or the connection's ``default_collation``, unless told
    otherwise (``NOCASE`` would merge two themes, ``NFC`` two ids, and either
    could pick another id between a person's items).  ``C`` is DuckDB's
    binary collation.  The tables' columns are read so (an unqualified one is
    a segment rule's, over the customers), and what is made of them keeps it;
    a column of another type (ids as ``BIGINT``, kinds as an ``ENUM``) is
    read as its text, which is what Python is given of it.
    """
    tables = {t.alias_or_name for t in tree.find_all(exp.Table) if t.name not in CTES}
    for column in list(tree.find_all(exp.Column)):
        if column.name not in _TEXT_COLUMNS or (column.table and column.table not in tables):
            continue
        text = exp.cast(column.copy(), exp.DataType.Type.VARCHAR)  # a collation takes text only
        collated = exp.Collate(this=text, expression=exp.to_identifier("C", quoted=True))
        if isinstance(column.parent, exp.Select) and column.arg_key == "expressions":
            column.replace(exp.alias_(collated, column.name, quoted=True))
        else:
            column.replace(collated)
    return tree


def written(tree: exp.Expr, dialect: str, *, pretty: bool = False) -> str:
    """The checks or the skipped statement in *dialect* (DuckDB's text by code point)."""
    if dialect == "duckdb":
        tree = in_code_point_text(tree.copy())
    return tree.sql(dialect=dialect, pretty=pretty, unsupported_level=ErrorLevel.RAISE)


def by_window(tree: exp.Expr, names: Mapping[str, str]) -> exp.Expr:
    """*tree*, changed in place: the voices numbered with a window, not picked by ``MAX``."""
    for voices in list(tree.find_all(exp.CTE)):  # none in the ids alone
        if voices.alias == "cm_voices":
            voices.set("this", rename(template(VOICES_BY_WINDOW).copy(), names))
    return tree


def without_customer_lookups(tree: exp.Expr, names: Mapping[str, str]) -> None:
    """*tree*, changed in place: feedback no longer filtered by ``customer_id IN (customers)``.

    Only for when the checks found no feedback of an absent customer: each
    such filter then keeps every row, and the lookups cost DuckDB about 8 %
    of the backlog query at 1M rows (the performance page has the figures).
    """
    customers = table_parts(names.get("customers", "customers"))[-1]
    for node in list(tree.find_all(exp.In)):
        query = node.args.get("query")
        select = query.this if isinstance(query, exp.Subquery) else query
        source = select.args.get("from_") if isinstance(select, exp.Select) else None
        if not (
            isinstance(node.this, exp.Column)
            and node.this.name == "customer_id"
            and source is not None
            and source.this.name == customers
            and source.this.alias == "c"
        ):
            continue  # not a lookup of the feedback's customer
        parent = node.parent
        if isinstance(parent, exp.And):
            parent.replace(parent.right if parent.left is node else parent.left)
        elif isinstance(parent, exp.Where):
            parent.pop()
        else:
            raise TypeError(f"a customer lookup under {type(parent).__name__} is not expected")


def join_ids(tree: exp.Expr, dialect: str) -> None:
    """``ARRAY_AGG(k.id)`` of ``cm_ids`` made one string, the ids joined by the separator."""
    (ids,) = (
        node
        for node in tree.find_all(exp.ArrayAgg)
        if isinstance(node.this, exp.Column) and node.this.table == "k"
    )
    separator = exp.Chr(expressions=[exp.Literal.number(ord(ID_SEPARATOR))])
    if dialect == "spark":  # Spark 3.5 has no STRING_AGG
        ids.replace(exp.ArrayToString(this=ids.copy(), expression=separator))
    else:
        ids.replace(exp.GroupConcat(this=ids.this.copy(), separator=separator))
