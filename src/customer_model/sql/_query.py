"""The text of the backlog query, in sqlglot's own dialect, before any value goes in.

``:name`` marks where a value or an expression goes (see
:func:`customer_model.sql._backlog.build`); names in it are quoted before it
is written out (:func:`customer_model.sql._writing.rename`).  The common
table expressions start with ``cm_`` so that no table of the caller's can
be shadowed by one (``tables=`` refuses those names).

A voice is a person's latest item on a theme (ties to the larger id).  The
query finds it with a hash aggregate, the ``id`` of ``MAX((created_at, id))``
per theme and author, which DuckDB runs faster than numbering every row with
a window over a sort, and faster than ``MAX_BY(id, (created_at, id))``, whose
state holds the id twice (the performance page has the figures); dialects
that cannot order structs (PostgreSQL, BigQuery, Snowflake) get
:data:`VOICES_BY_WINDOW` instead, which picks the same rows.  ``cm_voices``
has two readers (the weighed voices, and each theme's customers), as has
``cm_theme_customers`` (revenue and customer count): DuckDB computes each
once; Spark inlines every reference to a common table expression, so there
it is computed once per reader.

A voice's role comes from two joins, to the distinct (customer, person)
pairs of the purchasers and of the users, rather than from one join to
their union grouped by pair: that way the engine hashes the smaller
purchasers and users tables, not the voices (DuckDB chose the voices as
the side to hash with the grouped union, and the join took half the
query's time).
"""

from __future__ import annotations

__all__ = ["QUERY", "SKIPPED", "VOICES_BY_WINDOW"]

QUERY = """
WITH
cm_voices AS (
  SELECT a.customer_id, a.author_id, a.theme, a.kind, a.need, a.importance, a.created_at
  FROM feedback AS a
  WHERE a.author_id IS NULL AND a.customer_id IN (SELECT c.id FROM customers AS c)
  UNION ALL
  SELECT n.customer_id, n.author_id, n.theme, n.kind, n.need, n.importance, n.created_at
  FROM feedback AS n
  WHERE n.id IN (
    SELECT MAX(STRUCT(l.created_at AS created_at, l.id AS id)).id
    FROM feedback AS l
    WHERE l.author_id IS NOT NULL AND l.customer_id IN (SELECT c.id FROM customers AS c)
    GROUP BY l.theme, l.author_id
  )
),
cm_revenue AS (
  SELECT p.customer_id, p.currency, SUM(p.amount) AS amount
  FROM purchases AS p
  WHERE p."at" <= :as_of
  GROUP BY p.customer_id, p.currency
),
cm_customers AS (
  SELECT c.id AS customer_id, COALESCE(cv.value_weight, :one) AS value_weight,
    :segment_weight AS segment_weight
  FROM customers AS c
  LEFT JOIN (
    SELECT rv.customer_id, :value_weight AS value_weight
    FROM cm_revenue AS rv
    GROUP BY rv.customer_id
  ) AS cv ON cv.customer_id = c.id
),
cm_roled AS (
  SELECT
    v.theme, v.customer_id, v.need, v.importance, v.kind, v.created_at,
    CASE
      WHEN v.author_id IS NULL THEN 'anonymous'
      WHEN b.person_id IS NOT NULL AND u.person_id IS NOT NULL THEN 'both'
      WHEN b.person_id IS NOT NULL THEN 'purchaser'
      WHEN u.person_id IS NOT NULL THEN 'user'
      ELSE 'unlisted'
    END AS role,
    cc.value_weight, cc.segment_weight
  FROM cm_voices AS v
  LEFT JOIN (SELECT DISTINCT pb.customer_id, pb.person_id FROM purchasers AS pb) AS b
    ON b.customer_id = v.customer_id AND b.person_id = v.author_id
  LEFT JOIN (SELECT DISTINCT pu.customer_id, pu.person_id FROM users AS pu) AS u
    ON u.customer_id = v.customer_id AND u.person_id = v.author_id
  JOIN cm_customers AS cc ON cc.customer_id = v.customer_id
),
cm_weighed AS (
  SELECT
    o.theme, o.role, o.need,
    :points AS points, :who AS who, :kind_weight AS kind_weight, :decay AS decay,
    o.value_weight, o.segment_weight
  FROM cm_roled AS o
),
cm_groups AS (
  SELECT
    w.theme, w.role, w.need, COUNT(*) AS voices,
    SUM(w.points) AS points,
    SUM(w.points * w.who) AS role_total,
    SUM(w.points * w.who * w.kind_weight) AS kind_total,
    SUM(w.points * w.who * w.kind_weight * w.decay) AS recency_total,
    SUM(w.points * w.who * w.kind_weight * w.decay * w.value_weight) AS value_total,
    SUM(
      w.points * w.who * w.kind_weight * w.decay * w.value_weight * w.segment_weight
    ) AS segment_total
  FROM cm_weighed AS w
  GROUP BY w.theme, w.role, w.need
),
cm_themes AS (
  SELECT
    t.theme,
    SUM(t.value) AS score,
    SUM(t.voices) AS voices,
    SUM(CASE WHEN t.role IN ('purchaser', 'both') THEN t.voices ELSE 0 END) AS purchaser_voices,
    SUM(CASE WHEN t.role IN ('user', 'both') THEN t.voices ELSE 0 END) AS user_voices,
    SUM(CASE WHEN t.role = 'both' THEN t.voices ELSE 0 END) AS both_voices,
    SUM(CASE WHEN t.role = 'unlisted' THEN t.voices ELSE 0 END) AS unlisted_voices,
    SUM(CASE WHEN t.role = 'anonymous' THEN t.voices ELSE 0 END) AS anonymous_voices,
    ARRAY_AGG(STRUCT(
      t.role AS role, t.need AS need, t.voices AS voices, t.points AS points,
      t.role_total AS role_total, t.kind_total AS kind_total,
      t.recency_total AS recency_total, t.value_total AS value_total,
      t.segment_total AS segment_total, t.value AS value
    )) AS explanation,
    SUM(t.points) AS points_step, SUM(t.role_total) AS role_step,
    SUM(t.kind_total) AS kind_step, SUM(t.recency_total) AS recency_step,
    SUM(t.value_total) AS value_step, SUM(t.segment_total) AS segment_step
  FROM (SELECT g.*, g.segment_total * :fit AS value FROM cm_groups AS g) AS t
  GROUP BY t.theme
),
cm_theme_customers AS (
  SELECT DISTINCT v.theme, v.customer_id FROM cm_voices AS v
),
cm_theme_revenue AS (
  SELECT m.theme, ARRAY_AGG(STRUCT(m.currency AS currency, m.amount AS amount)) AS revenue
  FROM (
    SELECT tc.theme, rv.currency, SUM(rv.amount) AS amount
    FROM cm_theme_customers AS tc
    JOIN cm_revenue AS rv ON rv.customer_id = tc.customer_id
    GROUP BY tc.theme, rv.currency
  ) AS m
  GROUP BY m.theme
),
cm_reach AS (
  SELECT tc.theme, COUNT(*) AS customer_count
  FROM cm_theme_customers AS tc
  GROUP BY tc.theme
),
cm_ids AS (
  SELECT k.theme, ARRAY_AGG(k.id) AS feedback_ids, COUNT(*) AS feedback_count
  FROM feedback AS k
  WHERE k.customer_id IN (SELECT c.id FROM customers AS c)
  GROUP BY k.theme
)
SELECT
  s.theme,
  ROW_NUMBER() OVER (ORDER BY s.score DESC, s.theme) AS rank,
  s.score,
  r.customer_count,
  s.voices, s.purchaser_voices, s.user_voices, s.both_voices, s.unlisted_voices,
  s.anonymous_voices,
  e.revenue,
  i.feedback_ids,
  i.feedback_count,
  s.explanation,
  ARRAY(
    STRUCT('points' AS factor, s.points_step AS total),
    STRUCT('role' AS factor, s.role_step AS total),
    STRUCT('kind' AS factor, s.kind_step AS total),
    STRUCT('recency' AS factor, s.recency_step AS total),
    STRUCT('customer_value' AS factor, s.value_step AS total),
    STRUCT('segment' AS factor, s.segment_step AS total),
    STRUCT('fit' AS factor, s.score AS total)
  ) AS steps
FROM cm_themes AS s
JOIN cm_ids AS i ON i.theme = s.theme
JOIN cm_reach AS r ON r.theme = s.theme
LEFT JOIN cm_theme_revenue AS e ON e.theme = s.theme
ORDER BY rank
"""

# The body of cm_voices for dialects that cannot order structs: the same rows.
VOICES_BY_WINDOW = """
SELECT r.customer_id, r.author_id, r.theme, r.kind, r.need, r.importance, r.created_at
FROM (
  SELECT k.*, ROW_NUMBER() OVER (
    PARTITION BY k.theme, k.author_id ORDER BY k.created_at DESC, k.id DESC
  ) AS position
  FROM feedback AS k
  WHERE k.customer_id IN (SELECT c.id FROM customers AS c)
) AS r
WHERE r.author_id IS NULL OR r.position = 1
"""

# Feedback whose customer is not among the customers: an error, or left out and listed.
SKIPPED = """
SELECT f.id FROM feedback AS f
WHERE f.customer_id NOT IN (SELECT c.id FROM customers AS c WHERE c.id IS NOT NULL)
ORDER BY f.id
"""
