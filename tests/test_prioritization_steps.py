"""The steps of prioritize, each on its own: voices, customer facts, factors, items."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import (
    BacklogItem,
    Channel,
    Customer,
    CustomerKind,
    Dataset,
    FeedbackItem,
    FeedbackKind,
    Need,
    Person,
    PrioritizationPolicy,
    Purchase,
    Purchaser,
    User,
    ValidationError,
    prioritize,
)
from customer_model.backlog import VoiceRole
from customer_model.model.policy import ValueWeighting
from customer_model.prioritization import (
    CustomerFacts,
    GroupFactors,
    Voices,
    backlog_items,
    customer_facts,
    latest_voices,
    voice_factors,
)
from customer_model.roles import Role, roles_of
from customer_model.testing import customers, datasets

AS_OF = datetime(2030, 1, 1, tzinfo=UTC)
POLICY = PrioritizationPolicy(
    half_life=timedelta(days=120),
    currency="EUR",
    exchange_rates={"USD": 0.9, "GBP": 1.2, "BRL": 0.17, "JPY": 0.006},
    strategic_fit={"pricing": 1.5},
)
VOICE_ROLE = {
    frozenset({Role.PURCHASER}): VoiceRole.PURCHASER,
    frozenset({Role.USER}): VoiceRole.USER,
    frozenset({Role.PURCHASER, Role.USER}): VoiceRole.BOTH,
}


def item(
    fid: str, author: str | None, *, theme: str = "export", days: int = 0, cid: str = "c"
) -> FeedbackItem:
    return FeedbackItem(
        id=fid,
        customer_id=cid,
        author_id=author,
        theme=theme,
        kind=FeedbackKind.FEATURE_REQUEST,
        channel=Channel.EMAIL,
        created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=days),
    )


def facts_of(ds_customers: list[Customer] | tuple[Customer, ...]) -> dict[str, CustomerFacts]:
    return customer_facts(ds_customers, POLICY, as_of=AS_OF)


# -- step 1: the voices ----------------------------------------------------------------------


class TestLatestVoices:
    def test_an_author_counts_once_with_the_latest_item(self) -> None:
        voices = latest_voices([item("f1", "ann", days=1), item("f2", "ann", days=5)])
        assert [i.id for i in voices.latest] == ["f2"]
        assert [i.id for i in voices.superseded] == ["f1"]

    def test_a_tie_goes_to_the_larger_id(self) -> None:
        voices = latest_voices([item("f9", "ann"), item("f10", "ann")])
        assert [i.id for i in voices.latest] == ["f9"]  # "f9" > "f10" as text

    def test_themes_and_anonymous_items_are_voices_of_their_own(self) -> None:
        voices = latest_voices(
            [item("f1", "ann"), item("f2", "ann", theme="sso"), item("f3", None), item("f4", None)]
        )
        assert sorted(i.id for i in voices.latest) == ["f1", "f2", "f3", "f4"]
        assert voices.superseded == ()

    @settings(max_examples=40)
    @given(ds=datasets(max_customers=3, feedback_per_customer=6), data=st.data())
    def test_every_item_is_a_voice_or_superseded_by_one(
        self, ds: Dataset, data: st.DataObject
    ) -> None:
        voices = latest_voices(ds.feedback)
        assert Counter(voices.latest) + Counter(voices.superseded) == Counter(ds.feedback)
        named = [(i.theme, i.author_id) for i in voices.latest if i.author_id is not None]
        assert len(named) == len(set(named))
        latest = {(i.theme, i.author_id): i for i in voices.latest}
        for old in voices.superseded:
            new = latest[old.theme, old.author_id]
            assert (old.created_at, old.id) < (new.created_at, new.id)
        again = latest_voices(data.draw(st.permutations(ds.feedback)))
        assert set(again.latest) == set(voices.latest)
        assert set(again.superseded) == set(voices.superseded)

    def test_refuses_what_is_not_feedback(self) -> None:
        with pytest.raises(ValidationError) as info:
            latest_voices([item("f1", "ann"), "f2"])  # type: ignore[list-item]
        assert info.value.paths == ["$.feedback[1]"]
        with pytest.raises(ValidationError, match=r"\$\.feedback: must be an iterable"):
            latest_voices("f1")  # type: ignore[arg-type]


# -- step 2: the customer facts --------------------------------------------------------------


def shop(cid: str, *purchases: Purchase) -> Customer:
    ann, bob, cy = Person(f"{cid}-ann"), Person(f"{cid}-bob"), Person(f"{cid}-cy")
    return Customer(
        cid,
        CustomerKind.ORGANIZATION,
        purchasers=[Purchaser(ann), Purchaser(cy)],
        users=[User(bob), User(cy)],
        purchases=purchases,
    )


def bought(amount: str, currency: str = "EUR", days_before: int = 10) -> Purchase:
    return Purchase(Decimal(amount), currency, AS_OF - timedelta(days=days_before))


class TestCustomerFacts:
    @settings(max_examples=40)
    @given(cs=st.lists(customers(), max_size=4, unique_by=lambda c: c.id))
    def test_roles_and_revenue_agree_with_the_customer(self, cs: list[Customer]) -> None:
        policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
        facts = customer_facts(cs, policy, as_of=AS_OF)
        assert set(facts) == {c.id for c in cs}
        for c in cs:
            fact = facts[c.id]
            assert fact.roles == {p.id: VOICE_ROLE[roles_of(c, p.id)] for p in c.people}
            # exactly, down to the Decimal's exponent
            assert repr(fact.revenue) == repr(c.revenue(until=AS_OF))
            assert (fact.value, fact.segment) == (1.0, 1.0)

    def test_value_weighs_revenue_converted_into_the_policy_currency(self) -> None:
        c = shop("c", bought("1000"), bought("500", "USD"), bought("99", "GBP", days_before=-1))
        fact = customer_facts([c], POLICY, as_of=AS_OF)["c"]
        assert fact.revenue == {"EUR": Decimal(1000), "USD": Decimal(500)}  # not the late GBP
        assert fact.value == POLICY.value_weight(math.fsum([1000.0, 500 * 0.9]))
        assert POLICY.rate("USD") == 0.9

    def test_a_customer_who_bought_nothing_weighs_one(self) -> None:
        fact = customer_facts([shop("c")], POLICY, as_of=AS_OF)["c"]
        assert (fact.value, fact.revenue) == (1.0, {})

    def test_a_currency_without_a_rate_is_named(self) -> None:
        with pytest.raises(ValidationError) as info:
            customer_facts([shop("c", bought("5", "CHF"))], POLICY, as_of=AS_OF)
        assert info.value.paths == ["$.policy.exchange_rates"]
        assert "'CHF'" in str(info.value)

    def test_without_a_policy_currency_revenue_must_be_in_one(self) -> None:
        two = [shop("a", bought("5", "EUR")), shop("b", bought("5", "USD"))]
        with pytest.raises(ValidationError) as info:
            customer_facts(two, PrioritizationPolicy(), as_of=AS_OF)
        assert info.value.paths == ["$.policy.currency"]
        none = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
        assert customer_facts(two, none, as_of=AS_OF)["b"].value == 1.0

    def test_the_largest_weight_of_the_weighted_segments(self) -> None:
        @attrs.frozen
        class Named:
            id: str
            prefix: str

            def matches(self, customer: Customer, *, as_of: datetime | None = None) -> bool:
                return customer.id.startswith(self.prefix)

        policy = PrioritizationPolicy(segment_weights={"big": 3.0, "small": 0.5})
        segments = [Named("big", "b"), Named("small", "b"), Named("unweighted", "")]
        facts = customer_facts(
            [shop("big-1"), shop("other")], policy, as_of=AS_OF, segments=segments
        )
        assert (facts["big-1"].segment, facts["other"].segment) == (3.0, 1.0)
        with pytest.raises(ValidationError, match="'small'"):
            customer_facts([shop("b")], policy, as_of=AS_OF, segments=segments[:1])

    def test_refuses_bad_arguments(self) -> None:
        with pytest.raises(ValidationError) as info:
            customer_facts([shop("c"), 7], "strict", as_of=datetime(2030, 1, 1))  # type: ignore[list-item, arg-type]
        assert info.value.paths == ["$.customers[1]", "$.policy", "$.as_of"]
        with pytest.raises(ValidationError) as info:
            customer_facts([shop("c"), shop("c")], POLICY, as_of=AS_OF)
        assert info.value.paths == ["$.customers[1]"]  # where prioritize() puts it

    def test_takes_customers_by_id_as_prioritize_does(self) -> None:
        given = [shop("c", Purchase(Decimal(5), "EUR", AS_OF)), shop("d")]
        facts = customer_facts(given, POLICY, as_of=AS_OF)
        assert customer_facts({c.id: c for c in given}, POLICY, as_of=AS_OF) == facts
        with pytest.raises(ValidationError) as info:
            customer_facts({"d": given[0], "c": given[1]}, POLICY, as_of=AS_OF)
        assert [str(p) for p in info.value.problems] == [
            "$.customers[0]: must be under its own id in the mapping",
            "$.customers[1]: must be under its own id in the mapping",
        ]


# -- step 3: the factors ---------------------------------------------------------------------


class TestVoiceFactors:
    @settings(max_examples=40)
    @given(ds=datasets(max_customers=3, feedback_per_customer=5))
    def test_each_voice_once_with_its_running_products(self, ds: Dataset) -> None:
        voices = latest_voices(ds.feedback).latest
        facts = facts_of(ds.customers)
        groups = voice_factors(voices, facts, POLICY, as_of=AS_OF)
        seen = [fid for g in groups.values() for fid in g.feedback_ids]
        assert sorted(seen) == sorted(i.id for i in voices)
        by_id = {i.id: i for i in voices}
        for (theme, role, need), g in groups.items():
            for k, fid in enumerate(g.feedback_ids):
                voice = by_id[fid]
                fact = facts[voice.customer_id]
                assert (voice.theme, voice.need, voice.customer_id) == (
                    theme,
                    need,
                    g.customer_ids[k],
                )
                expected_role = (
                    VoiceRole.ANONYMOUS
                    if voice.author_id is None
                    else fact.roles.get(voice.author_id, VoiceRole.UNLISTED)
                )
                assert role is expected_role
                assert g.points[k] == POLICY.points(voice.importance)
                assert g.kind[k] == g.role[k] * POLICY.kind_weight(voice.kind)
                decay = 0.5 ** ((AS_OF - voice.created_at) / POLICY.half_life)  # type: ignore[operator]
                assert g.recency[k] == g.kind[k] * decay
                assert g.customer_value[k] == g.recency[k] * fact.value
                assert g.segment[k] == g.customer_value[k] * fact.segment

    def test_roles_come_from_the_facts(self) -> None:
        c = shop("c")
        voices = [item("1", "c-ann"), item("2", "c-bob"), item("3", "c-cy"), item("4", "dee")]
        voices.append(item("5", None))
        groups = voice_factors(voices, facts_of([c]), POLICY, as_of=AS_OF)
        roles = {g.feedback_ids[0]: role for (_, role, _), g in groups.items()}
        assert roles == {
            "1": VoiceRole.PURCHASER,
            "2": VoiceRole.USER,
            "3": VoiceRole.BOTH,
            "4": VoiceRole.UNLISTED,
            "5": VoiceRole.ANONYMOUS,
        }

    def test_refuses_voices_without_facts_or_from_the_future(self) -> None:
        with pytest.raises(ValidationError, match=r"\$\.facts: lack the voices' customer\(s\) 'x'"):
            voice_factors([item("1", None, cid="x")], facts_of([shop("c")]), as_of=AS_OF)
        late = item("1", None, days=10_000)
        with pytest.raises(ValidationError, match=r"\$\.voices: has item\(s\) created after"):
            voice_factors([late], facts_of([shop("c")]), as_of=AS_OF)

    def test_group_columns_must_be_one_entry_per_voice(self) -> None:
        with pytest.raises(ValidationError) as info:
            GroupFactors((1.0,), (1.0,), (1.0,), (1.0,), (1.0,), (1.0,), ("c",), ())
        assert str(info.value) == "invalid GroupFactors: $: columns must have one entry per voice"


# -- step 4: the items -----------------------------------------------------------------------


def by_steps(
    ds: Dataset, policy: PrioritizationPolicy = POLICY
) -> tuple[Voices, dict[str, CustomerFacts], tuple[BacklogItem, ...]]:
    voices = latest_voices(ds.feedback)
    speaking = {i.customer_id for i in voices.latest}
    facts = customer_facts([c for c in ds.customers if c.id in speaking], policy, as_of=AS_OF)
    factors = voice_factors(voices.latest, facts, policy, as_of=AS_OF)
    return voices, facts, backlog_items(factors, facts, policy, superseded=voices.superseded)


class TestBacklogItems:
    @settings(max_examples=40)
    @given(ds=datasets(max_customers=4, feedback_per_customer=5))
    def test_the_steps_make_the_backlog_prioritize_makes(self, ds: Dataset) -> None:
        backlog = prioritize(ds.feedback, ds.customers, policy=POLICY, as_of=AS_OF)
        _, _, items = by_steps(ds)
        assert items == tuple(backlog)

    @settings(max_examples=40)
    @given(ds=datasets(max_customers=4, feedback_per_customer=5))
    def test_ranked_by_score_then_theme_with_every_id(self, ds: Dataset) -> None:
        _, _, items = by_steps(ds)
        assert [i.rank for i in items] == list(range(1, len(items) + 1))
        assert [(-i.score, i.theme) for i in items] == sorted((-i.score, i.theme) for i in items)
        ids = sorted(fid for i in items for fid in i.feedback_ids)
        assert ids == sorted(i.id for i in ds.feedback)
        for i in items:
            assert math.fsum(c.value for c in i.explanation) == i.score == i.steps[-1].total

    def test_refuses_factors_whose_customers_lack_facts(self) -> None:
        factors = voice_factors([item("1", None)], facts_of([shop("c")]), POLICY, as_of=AS_OF)
        with pytest.raises(ValidationError) as info:
            backlog_items(factors, {}, POLICY)
        assert str(info.value) == (
            "invalid backlog_items input: $.facts: lack the voices' customer(s) 'c'"
        )
        with pytest.raises(ValidationError, match=r"\$\.factors: must map"):
            backlog_items({"export": next(iter(factors.values()))}, {}, POLICY)  # type: ignore[dict-item]

    def test_an_overflowing_policy_is_named(self) -> None:
        huge = PrioritizationPolicy(unspecified_points=1e308, anonymous_weight=1e308)
        facts = facts_of([shop("c")])
        factors = voice_factors([item("1", None), item("2", None)], facts, huge, as_of=AS_OF)
        with pytest.raises(ValidationError) as info:
            backlog_items(factors, facts, huge)
        assert info.value.paths == ["$.policy"]
        assert info.value.subject == "backlog_items input"


def test_the_voices_record_is_a_plain_value() -> None:
    voices = latest_voices([item("f1", "ann"), item("f2", "ann", days=1)])
    assert voices == Voices((voices.latest[0],), (voices.superseded[0],))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        voices.latest = ()  # type: ignore[misc]


# -- every step's refusals, word for word ------------------------------------------------------


class _AnswersOne:
    id = "odd"

    def matches(self, customer: Customer, *, as_of: datetime) -> object:
        return 1


def _step_calls() -> dict[str, tuple[object, str]]:
    """Each bad call of a public step, and the whole message it must raise."""
    facts = facts_of([shop("c")])
    factors = voice_factors([item("1", None)], facts, POLICY, as_of=AS_OF)
    ((key, group),) = factors.items()
    naive = datetime(2030, 1, 1)  # naive: the point of the test
    weighs = attrs.evolve(POLICY, segment_weights={"odd": 2.0})
    must_map = "$.factors: must map (theme, VoiceRole, Need or None) to GroupFactors"
    huge = PrioritizationPolicy(unspecified_points=1e308, anonymous_weight=1e308)
    huge_factors = voice_factors([item("1", None), item("2", None)], facts, huge, as_of=AS_OF)

    def keyed(bad_key: object, value: object = group) -> object:
        return lambda: backlog_items({bad_key: value}, facts, POLICY)  # type: ignore[dict-item]

    return {
        "voices of a string": (
            lambda: latest_voices("abc"),  # type: ignore[arg-type]
            "invalid latest_voices input: $.feedback: must be an iterable of FeedbackItem, not str",
        ),
        "voices with a stranger": (
            lambda: latest_voices([item("1", None), "x"]),  # type: ignore[list-item]
            "invalid latest_voices input: $.feedback[1]: must be a FeedbackItem, not str",
        ),
        "facts in two currencies, no policy currency": (
            lambda: customer_facts(
                [shop("c", bought("1"), bought("2", "USD"))],
                PrioritizationPolicy(customer_value="linear"),
                as_of=AS_OF,
            ),
            "invalid customer_facts input: $.policy.currency: is needed: revenue comes in 'EUR',"
            " 'USD'; set a currency and exchange_rates, or weigh customers with"
            " customer_value=ValueWeighting.NONE",
        ),
        "facts in currencies without a rate": (
            lambda: customer_facts(
                [shop("c", bought("1"), bought("2", "CHF"), bought("3", "SEK"))],
                POLICY,
                as_of=AS_OF,
            ),
            "invalid customer_facts input: $.policy.exchange_rates: has no rate from 'CHF', 'SEK'"
            " to EUR; add one, or weigh customers with customer_value=ValueWeighting.NONE",
        ),
        "facts of repeated customers": (
            lambda: customer_facts(
                [shop("c"), shop("c"), shop("d"), shop("d")], POLICY, as_of=AS_OF
            ),
            "invalid customer_facts input: 2 problems\n"
            "  $.customers[1]: id 'c' is used more than once\n"
            "  $.customers[3]: id 'd' is used more than once",
        ),
        "facts of two segments not given": (
            lambda: customer_facts(
                [shop("c")], attrs.evolve(POLICY, segment_weights={"a": 2.0, "b": 3.0}), as_of=AS_OF
            ),
            "invalid customer_facts input: $.policy.segment_weights: weights segment(s) 'a', 'b'"
            " that were not given",
        ),
        "factors of customers without facts": (
            lambda: voice_factors(
                [item("1", None, cid="x"), item("2", None, cid="y")], facts, as_of=AS_OF
            ),
            "invalid voice_factors input: $.facts: lack the voices' customer(s) 'x', 'y'",
        ),
        "facts of a number": (
            lambda: customer_facts(3, POLICY, as_of=AS_OF),  # type: ignore[arg-type]
            "invalid customer_facts input: $.customers: must be an iterable of Customer, not int",
        ),
        "facts of everything wrong": (
            lambda: customer_facts([shop("c"), 1], "p", as_of=naive, segments=3),  # type: ignore[arg-type, list-item]
            "invalid customer_facts input: 4 problems\n"
            "  $.customers[1]: must be a Customer, not int\n"
            "  $.policy: must be a PrioritizationPolicy, not str\n"
            "  $.as_of: must be timezone-aware (naive datetimes are ambiguous)\n"
            "  $.segments: must be an iterable of segments, not int",
        ),
        "facts of a segment not given": (
            lambda: customer_facts([shop("c")], weighs, as_of=AS_OF),
            "invalid customer_facts input: $.policy.segment_weights: weights segment(s)"
            " 'odd' that were not given",
        ),
        "facts of a segment answering 1": (
            lambda: customer_facts(
                [shop("c")],
                weighs,
                as_of=AS_OF,
                segments=[_AnswersOne()],  # type: ignore[list-item]
            ),
            "invalid customer_facts input: $.segments[0]: matches() must return a bool, not int",
        ),
        "factors of everything wrong": (
            lambda: voice_factors(3, [], "p", as_of=naive),  # type: ignore[arg-type]
            "invalid voice_factors input: 4 problems\n"
            "  $.voices: must be an iterable of FeedbackItem, not int\n"
            "  $.facts: must be a mapping of CustomerFacts, not list\n"
            "  $.policy: must be a PrioritizationPolicy, not str\n"
            "  $.as_of: must be timezone-aware (naive datetimes are ambiguous)",
        ),
        "factors with a stranger": (
            lambda: voice_factors([item("1", None), 2], facts, POLICY, as_of=AS_OF),  # type: ignore[list-item]
            "invalid voice_factors input: $.voices[1]: must be a FeedbackItem, not int",
        ),
        "items of everything wrong": (
            lambda: backlog_items([], [], "p", superseded=3),  # type: ignore[arg-type]
            "invalid backlog_items input: 4 problems\n"
            "  $.factors: must be a mapping of GroupFactors, not list\n"
            "  $.facts: must be a mapping of CustomerFacts, not list\n"
            "  $.policy: must be a PrioritizationPolicy, not str\n"
            "  $.superseded: must be an iterable of FeedbackItem, not int",
        ),
        "items superseded by a stranger": (
            lambda: backlog_items(factors, facts, POLICY, superseded=[1]),  # type: ignore[list-item]
            "invalid backlog_items input: $.superseded[0]: must be a FeedbackItem, not int",
        ),
        "items keyed by a theme alone": (
            keyed("export"),
            f"invalid backlog_items input: {must_map}",
        ),
        "items keyed without need": (
            keyed(("export", VoiceRole.USER)),
            f"invalid backlog_items input: {must_map}",
        ),
        "items keyed with four parts": (
            keyed((*key, None)),
            f"invalid backlog_items input: {must_map}",
        ),
        "items keyed by a number": (
            keyed((1, key[1], key[2])),
            f"invalid backlog_items input: {must_map}",
        ),
        "items keyed by a role's value": (
            keyed((key[0], "anonymous", key[2])),
            f"invalid backlog_items input: {must_map}",
        ),
        "items keyed by a need's value": (
            keyed((key[0], key[1], "usability")),
            f"invalid backlog_items input: {must_map}",
        ),
        "items of a bare number": (keyed(key, 1), f"invalid backlog_items input: {must_map}"),
        "factors from after as_of": (
            lambda: voice_factors(
                [item("1", None, days=10_000), item("2", None, days=1461)], facts, as_of=AS_OF
            ),
            "invalid voice_factors input: $.voices: has item(s) created after as_of: '1'",
        ),
        "items of a score past a float": (
            lambda: backlog_items(huge_factors, facts, huge),
            "invalid backlog_items input: $.policy: makes a score overflow a float (infinite or"
            " undefined): lower the points and weights, or raise revenue_scale",
        ),
    }


@pytest.mark.parametrize("case", list(_step_calls()))
def test_each_step_refuses_bad_arguments_in_these_words(case: str) -> None:
    call, message = _step_calls()[case]
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    assert str(info.value) == message


def test_a_well_formed_key_with_any_need_is_accepted() -> None:
    # The key check takes every VoiceRole with a Need or None, not only the first it meets.
    facts = facts_of([shop("c")])
    factors = voice_factors([item("1", None)], facts, POLICY, as_of=AS_OF)
    ((key, group),) = factors.items()
    for role in VoiceRole:
        for need in (*Need, None):
            (only,) = backlog_items({(key[0], role, need): group}, facts, POLICY)
            assert only.theme == key[0]


def test_a_voice_made_at_as_of_itself_counts() -> None:
    at = item("1", None)
    (only,) = backlog_items(
        voice_factors([at], facts_of([shop("c")]), POLICY, as_of=at.created_at),
        facts_of([shop("c")]),
        POLICY,
    )
    assert only.feedback_ids == ("1",)


def test_a_purchase_made_at_as_of_counts_and_a_later_one_adds_nothing() -> None:
    at = shop("c", Purchase(Decimal("5"), "EUR", AS_OF))
    later = shop("d", Purchase(Decimal("5"), "EUR", AS_OF + timedelta(seconds=1)))
    facts = customer_facts([at, later], POLICY, as_of=AS_OF)
    assert dict(facts["c"].revenue) == {"EUR": Decimal("5")}
    assert facts["d"].revenue == {}
    assert facts["d"].value == 1.0


def test_the_steps_take_any_iterable_once() -> None:
    c = shop("c")
    items = [item("1", "c-ann"), item("2", "c-ann", days=1), item("3", None)]
    voices = latest_voices(iter(items))
    assert voices == latest_voices(items)
    facts = customer_facts(iter([c]), POLICY, as_of=AS_OF)
    factors = voice_factors(iter(voices.latest), facts, POLICY, as_of=AS_OF)
    assert factors == voice_factors(voices.latest, facts, POLICY, as_of=AS_OF)
    ranked = backlog_items(factors, facts, POLICY, superseded=iter(voices.superseded))
    assert ranked[0].feedback_ids == ("1", "2", "3")
