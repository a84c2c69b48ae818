"""A backlog built by hand: its displays, shares, records, positions and re-ranking names.

Every value is built inside the tests, where mutation testing sees it.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from customer_model import PrioritizationPolicy, ValidationError
from customer_model.backlog import (
    Backlog,
    BacklogItem,
    Factor,
    IceEstimate,
    RiceEstimate,
    ScoreComponent,
    ScoreStep,
    WsjfEstimate,
)

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)


def item(
    theme: str,
    rank: int,
    parts: list[ScoreComponent],
    revenue: dict[str, Decimal] | None = None,
    **counts: int,
) -> BacklogItem:
    score = math.fsum(p.value for p in parts)
    voices = {
        "customer_count": 2,
        "voices": 3,
        "purchaser_voices": 2,
        "user_voices": 1,
        "both_voices": 1,
        "unlisted_voices": 0,
        "anonymous_voices": 1,
    }
    voices.update(counts)
    return BacklogItem(
        theme=theme,
        rank=rank,
        score=score,
        revenue=revenue or {},
        feedback_ids=[f"f-{theme}-1", f"f-{theme}-2"],
        explanation=parts,
        steps=[ScoreStep("points", 4.0), ScoreStep("fit", score)],
        **voices,
    )


def backlog(**kwargs: Any) -> Backlog:
    export = item(
        "export",
        1,
        [
            ScoreComponent("purchaser", "cost", 2, 3.0, 1.5),
            ScoreComponent("anonymous", None, 1, 1.0, 0.5),
        ],
        {"EUR": Decimal("120.50")},
    )
    search = item("search", 2, [ScoreComponent("both", "usability", 1, 2.0, 0.25)])
    return Backlog([export, search], AS_OF, PrioritizationPolicy(), **kwargs)


def cells(text: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]


def test_an_item_shows_its_components_and_steps() -> None:
    export = backlog()[0]
    assert cells(str(export)) == [
        ["#1 export: score 2.00 from 3 voice(s) of 2 customer(s)"],
        ["component", "voices", "points", "value"],
        ["-------------------------", "------", "------", "-----"],
        ["purchaser on cost", "2", "3.00", "1.50"],
        ["anonymous (no need given)", "1", "1.00", "0.50"],
        ["steps: points 4.00 -> fit 2.00"],
    ]
    assert export._repr_html_() == (
        "<table><caption>#1 export: score 2.00 (3 voice(s), 2 customer(s), revenue 120.50 EUR)"
        "</caption><thead><tr><th>Component</th><th>Voices</th><th>Points</th><th>Value</th>"
        "</tr></thead><tbody><tr><td>purchaser on cost</td><td>2</td><td>3.00</td><td>1.50</td>"
        "</tr><tr><td>anonymous (no need given)</td><td>1</td><td>1.00</td><td>0.50</td></tr>"
        "</tbody></table><table><caption>How the score was built</caption><thead><tr>"
        "<th>Step</th><th>Running total</th></tr></thead><tbody><tr><td>importance points"
        "</td><td>4.00</td></tr><tr><td>x strategic fit</td><td>2.00</td></tr></tbody></table>"
    )
    # A theme without revenue says so with a dash.
    assert "(3 voice(s), 2 customer(s), revenue -)</caption>" in backlog()[1]._repr_html_()


def test_the_backlog_table_and_its_caption() -> None:
    ranked = backlog(skipped=["f-9", "f-8"])
    headers = ["rank", "theme", "score", "customers", "voices", "purchasers", "users"]
    lines = cells(str(ranked))
    assert lines[:1] + lines[2:] == [
        [*headers, "purchaser share", "user share"],
        ["1", "export", "2.00", "2", "3", "2", "1", "75%", "0%"],
        ["2", "search", "0.25", "2", "3", "2", "1", "100%", "100%"],
        ["(2 feedback item(s) skipped: unknown customer)"],
    ]
    page = ranked._repr_html_()
    assert page.startswith(
        "<table><caption>Backlog as of 2026-06-30T00:00:00+00:00, ranked by feedback"
        " (2 item(s) skipped: unknown customer)</caption><thead><tr><th>rank</th>"
    )
    assert "<td>2</td><td>search</td><td>0.25</td><td>2</td><td>3</td>" in page
    assert "skipped" not in str(backlog()) + backlog()._repr_html_()


def test_shares_of_a_score_below_one_and_of_no_score() -> None:
    search = backlog()[1]
    assert (search.score, search.purchaser_share, search.user_share) == (0.25, 1.0, 1.0)
    nothing = item("nothing", 1, [ScoreComponent("both", None, 1, 0.0, 0.0)])
    assert (nothing.purchaser_share, nothing.user_share) == (None, None)


@pytest.mark.parametrize(
    ("method", "estimates", "ice_method", "ranked_by"),
    [
        ("rice", lambda i: RiceEstimate(impact=i, confidence=1, effort=1), None, "rice"),
        ("ice", lambda i: IceEstimate(impact=i, confidence=1, ease=1), "product", "ice-product"),
        ("ice", lambda i: IceEstimate(impact=i, confidence=1, ease=1), "mean", "ice-mean"),
        (
            "wsjf",
            lambda i: WsjfEstimate(
                business_value=i, time_criticality=0, risk_reduction=0, job_size=1
            ),
            None,
            "wsjf",
        ),
    ],
)
def test_a_reranked_backlog_names_its_framework_and_shows_its_scores(
    method: Any, estimates: Any, ice_method: Any, ranked_by: str
) -> None:
    reranked = backlog().rerank(
        method, {"export": estimates(2), "search": estimates(3)}, ice_method=ice_method
    )
    assert reranked.ranked_by == ranked_by
    assert reranked.themes == ("search", "export")
    lines = cells(str(reranked))
    assert lines[0][2:4] == ["score", ranked_by]
    scores = [row[3] for row in lines[2:]]
    assert scores == [f"{reranked[0].framework_score:.2f}", f"{reranked[1].framework_score:.2f}"]
    assert f"ranked by {ranked_by}</caption>" in reranked._repr_html_()


def test_a_framework_score_of_zero_shows_as_zero() -> None:
    def wsjf(value: int) -> WsjfEstimate:
        return WsjfEstimate(business_value=value, time_criticality=0, risk_reduction=0, job_size=1)

    reranked = backlog().rerank("wsjf", {"export": wsjf(0), "search": wsjf(0)})
    assert [row[3] for row in cells(str(reranked))[2:]] == ["0.00", "0.00"]


def test_index_searches_from_the_start_and_stops_where_told() -> None:
    ranked = backlog()
    export, search = ranked
    assert (ranked.index(export), ranked.index(search)) == (0, 1)
    assert ranked.index(search, 1, 2) == 1
    with pytest.raises(ValueError, match="not in tuple"):
        ranked.index(search, 0, 1)
    with pytest.raises(ValueError, match="not in tuple"):
        ranked.index(export, 1)


def test_explanation_records_give_a_need_by_its_value_or_none() -> None:
    assert [(r["theme"], r["role"], r["need"]) for r in backlog().explanation_records()] == [
        ("export", "purchaser", "cost"),
        ("export", "anonymous", None),
        ("search", "both", "usability"),
    ]


def problems(error: ValidationError) -> list[str]:
    return [str(p) for p in error.problems]


def test_a_score_component_and_step_say_what_is_wrong_and_take_the_least_values() -> None:
    with pytest.raises(ValidationError) as info:
        ScoreComponent("purchaser", "Cost", -1, 1.0, float("nan"))  # type: ignore[arg-type]
    assert info.value.subject == "ScoreComponent"
    assert problems(info.value) == [
        "$.need: must be a Need or one of its values: 'cost', 'scalability', 'usability', "
        "'efficiency', 'reliability', 'security', 'compliance', 'integration'",
        "$.voices: must be at least 0",
        "$.value: must be a finite number (not NaN or infinity)",
    ]
    assert ScoreComponent("user", None, 0, 0.0, 0.0).voices == 0
    with pytest.raises(ValidationError) as info:
        ScoreStep("Points", float("inf"))  # type: ignore[arg-type]
    assert info.value.subject == "ScoreStep"
    assert problems(info.value) == [
        "$.factor: must be a Factor or one of its values: 'points', 'role', 'kind', "
        "'recency', 'customer_value', 'segment', 'fit'",
        "$.total: must be a finite number (not NaN or infinity)",
    ]
    with pytest.raises(ValidationError) as info:
        ScoreStep(None, None)  # type: ignore[arg-type]
    assert problems(info.value) == [
        "$.factor: is required",
        "$.total: must be a real number (int or float), not NoneType",
    ]
    assert ScoreStep("fit", 0.0) == ScoreStep(Factor.FIT, 0.0)


def test_a_backlog_item_says_what_is_wrong_and_takes_the_least_values() -> None:
    export = backlog()[0]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(export, theme=" ", rank=0, score=math.nan, voices=-1, both_voices=1.5)  # type: ignore[arg-type]
    assert info.value.subject == "BacklogItem"
    assert problems(info.value) == [
        "$.theme: must not be empty or blank",
        "$.rank: must be at least 1",
        "$.score: must be a finite number (not NaN or infinity)",
        "$.voices: must be at least 0",
        "$.both_voices: must be an integer, not float",
    ]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(export, voices=4)
    assert problems(info.value) == [
        "$.voices: must equal purchaser_voices + user_voices - both_voices "
        "+ unlisted_voices + anonymous_voices"
    ]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(export, score=3.0, framework_score=math.inf)
    assert problems(info.value) == [
        "$.score: must equal the sum of the explanation's values",
        "$.steps: must end at the score",
        "$.framework_score: must be a finite number (not NaN or infinity)",
    ]
    # Every count at its least: no customer, no voice.
    quiet = item(
        "quiet",
        1,
        [ScoreComponent("user", None, 0, 0.0, 0.0)],
        voices=0,
        purchaser_voices=0,
        user_voices=0,
        both_voices=0,
        anonymous_voices=0,
        customer_count=0,
    )
    assert (quiet.rank, quiet.voices, quiet.customer_count) == (1, 0, 0)
    # The sum holds with every kind of voice counted once.
    assert item("mixed", 1, [], voices=6, unlisted_voices=2, anonymous_voices=2).voices == 6


def test_a_backlog_says_what_is_wrong() -> None:
    ranked = backlog()
    export, search = ranked
    with pytest.raises(ValidationError) as info:
        attrs.evolve(ranked, items=[0, export])  # type: ignore[list-item]
    assert str(info.value) == "invalid Backlog: $.items[0]: must be a BacklogItem, not int"
    with pytest.raises(ValidationError) as info:
        attrs.evolve(ranked, items=[search, export])
    assert problems(info.value) == [
        "$.items[0].rank: must be 1: items are in rank order",
        "$.items[1].rank: must be 2: items are in rank order",
    ]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(ranked, items=[export, attrs.evolve(export, rank=2)])
    assert problems(info.value) == ["$.items: theme 'export' has more than one item"]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(
            ranked,
            as_of=datetime(2026, 6, 30),
            policy=None,  # type: ignore[arg-type]
            skipped=["f-1", "f-1", ""],
            ranked_by="best",  # type: ignore[arg-type]
        )
    assert info.value.subject == "Backlog"
    assert problems(info.value) == [
        "$.as_of: must be timezone-aware (naive datetimes are ambiguous)",
        "$.policy: is required",
        "$.skipped[2]: must not be empty or blank",
        "$.skipped: id 'f-1' is listed more than once",
        "$.ranked_by: must be one of 'feedback', 'rice', 'ice-product', 'ice-mean', 'wsjf'",
    ]


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("role", "Buyer", "$.role"),
        ("need", "Cost", "$.need"),
        ("voices", -1, "$.voices"),
        ("voices", True, "$.voices"),
        ("voices", 1.5, "$.voices"),
        ("voices", 2**63, "$.voices"),
        ("points", True, "$.points"),
        ("points", "3", "$.points"),
        ("points", math.nan, "$.points"),
        ("value", True, "$.value"),
        ("value", "1.5", "$.value"),
        ("value", math.inf, "$.value"),
    ],
)
def test_a_score_component_with_one_thing_wrong_is_refused(
    field: str, value: object, path: str
) -> None:
    # The quick check in front of the full one lets only valid components through.
    given: dict[str, Any] = {
        "role": "purchaser",
        "need": "cost",
        "voices": 2,
        "points": 3.0,
        "value": 1.5,
    }
    given[field] = value
    with pytest.raises(ValidationError) as info:
        ScoreComponent(**given)
    assert info.value.paths == [path]


def test_a_score_component_takes_from_no_voice_to_the_most_a_count_holds() -> None:
    for voices in (0, 2**63 - 1):
        assert ScoreComponent("user", None, voices, 0.0, 0.0).voices == voices
    # Refused for its need alone, whatever the check in front of it let through.
    with pytest.raises(ValidationError) as info:
        ScoreComponent("user", "Cost", 0, 0.0, 0.0)  # type: ignore[arg-type]
    assert info.value.paths == ["$.need"]


def test_an_item_refuses_revenue_ids_and_parts_naming_keys_only_by_position() -> None:
    export = backlog()[0]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(export, revenue={"USD": Decimal(1), "eur": Decimal(1), "EUR": Decimal("NaN")})
    # A key someone typed is told by its place among the (sorted) keys, never quoted.
    assert problems(info.value) == [
        "$.revenue.EUR: must be a finite amount",
        "$.revenue: key 3 (in sorted order) is not allowed: must be an ISO 4217 code "
        "(three upper-case letters)",
    ]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(export, revenue={"USD": Decimal(-1), 5: Decimal(1)})
    assert problems(info.value) == [
        "$.revenue: key 1 (in sorted order) is not allowed: must be text, not int",
        "$.revenue.USD: must not be negative",
    ]
    assert attrs.evolve(export, revenue={"USD": Decimal(0)}).revenue == {"USD": Decimal(0)}
    with pytest.raises(ValidationError) as info:
        attrs.evolve(export, revenue=5)
    assert str(info.value) == "invalid BacklogItem: $.revenue: must be a Mapping, not int"
    with pytest.raises(ValidationError) as info:
        attrs.evolve(
            export,
            explanation=[export.steps[0]],  # type: ignore[list-item]
            steps=[export.explanation[0]],  # type: ignore[list-item]
        )
    assert problems(info.value) == [
        "$.explanation[0]: must be a ScoreComponent, not ScoreStep",
        "$.steps[0]: must be a ScoreStep, not ScoreComponent",
    ]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(export, feedback_ids=["f-1", "f-1", " "])
    assert problems(info.value) == [
        "$.feedback_ids[2]: must not be empty or blank",
        "$.feedback_ids: id 'f-1' is listed more than once",
    ]


def test_a_backlog_keeps_the_order_and_scores_of_its_ranking() -> None:
    ranked = backlog()
    export, search = ranked
    with pytest.raises(ValidationError) as info:
        attrs.evolve(ranked, items=[attrs.evolve(export, framework_score=1.0), search])
    assert problems(info.value) == ["$.items[0].framework_score: must be None: ranked by feedback"]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(ranked, ranked_by="rice")
    assert problems(info.value) == [
        "$.items[0].framework_score: is required: ranked by rice",
        "$.items[1].framework_score: is required: ranked by rice",
    ]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(ranked, items=[attrs.evolve(search, rank=1), attrs.evolve(export, rank=2)])
    assert problems(info.value) == [
        "$.items[1].score: is out of order: items are ranked by feedback, best first"
    ]
    scored = [attrs.evolve(export, framework_score=1.0), attrs.evolve(search, framework_score=2.0)]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(ranked, items=scored, ranked_by="wsjf")
    assert problems(info.value) == [
        "$.items[1].framework_score: is out of order: items are ranked by wsjf, best first"
    ]
    # Equal framework scores fall back to the feedback score.
    tied = [attrs.evolve(export, framework_score=2.0), attrs.evolve(search, framework_score=2.0)]
    assert attrs.evolve(ranked, items=tied, ranked_by="wsjf").themes == ("export", "search")
