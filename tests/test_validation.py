"""The shared checks behind every model: the quick answers agree with the careful ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import ValidationError
from customer_model.model._text import all_identifiers, is_unicode
from customer_model.model._validation import MAX_ITEMIZED, Checker

#: Letters, every character ``str.strip()`` removes, a lone surrogate and the id separator.
_ALPHABET = st.sampled_from(
    [
        "a",
        "b",
        "-",
        " ",
        "\t",
        "\n",
        "\x1c",
        "\x1f",
        "\x85",
        "\xa0",
        "\u2000",
        "\u3000",
        "\ud800",
        "é",
    ]
)
_IDS = st.lists(st.text(_ALPHABET, max_size=4), max_size=8)


def _is_identifier(value: str) -> bool:
    return value != "" and value == value.strip() and is_unicode(value)


def _expected(values: tuple[str, ...], unique: bool) -> bool:
    return all(map(_is_identifier, values)) and (not unique or len(set(values)) == len(values))


@given(_IDS, st.booleans(), st.booleans())
def test_all_identifiers_answers_as_checking_each_value_does(
    ids: list[str], unique: bool, ordered: bool
) -> None:
    values = tuple(sorted(ids) if ordered else ids)
    assert all_identifiers(values, unique=unique) is _expected(values, unique)


@given(_IDS, st.booleans())
def test_idents_names_each_bad_value_and_passes_exactly_the_good_tuples(
    ids: list[str], unique: bool
) -> None:
    values = tuple(ids)
    check = Checker()
    passed = check.idents("ids", values, unique=unique)
    assert passed is _expected(values, unique)
    bad = {i for i, value in enumerate(values) if not _is_identifier(value)}
    named = {p.path[1] for p in check.problems or () if len(p.path) == 2}
    assert named == bad


def test_white_space_inside_an_id_is_not_padding() -> None:
    # The joined text then holds white space, so each value is stripped to be sure.
    assert all_identifiers(("a b", "c\u3000d"), unique=True)
    assert not all_identifiers(("a b", "c "), unique=True)
    assert not all_identifiers(("ab", "\u3000"))
    assert not all_identifiers(("", "a"), unique=True)
    assert not all_identifiers(("b", "", "a"), unique=True)


@given(st.lists(st.sampled_from("abcdef"), max_size=30))
def test_first_repeats_and_duplicates_agree_with_their_definitions(values: list[str]) -> None:
    from customer_model.model._validation import duplicates, first_repeats

    again = first_repeats(values)
    # Each repeated value, where it is first met again.
    assert again == {v: i for i, v in reversed(list(enumerate(values))) if v in values[:i]}
    # Each repeated value once, in the order of its first occurrence.
    assert duplicates(values) == [v for v in dict.fromkeys(values) if v in again]


@given(st.lists(st.text("abcdefghijklmnopqrst", min_size=1, max_size=2), max_size=60))
def test_repeated_ids_names_the_smallest_ten_where_first_met_again(values: list[str]) -> None:
    # By id, not by position: the SQL path, whose rows have no position, names the same.
    from customer_model.model._validation import MAX_ITEMIZED, first_repeats

    check = Checker()
    check.repeated_ids("customers", first_repeats(values))
    repeated = sorted({v for i, v in enumerate(values) if v in values[:i]})
    named = repeated[:MAX_ITEMIZED]
    expected: list[tuple[tuple[str | int, ...], str]] = [
        (("customers", values.index(v, values.index(v) + 1)), f"id {v!r} is used more than once")
        for v in named
    ]
    if len(repeated) > MAX_ITEMIZED:
        more = len(repeated) - MAX_ITEMIZED
        expected.append((("customers",), f"{more} more id(s) are used more than once"))
    assert [(p.path, p.message) for p in check.problems or ()] == expected


@given(_IDS)
def test_not_identifiers_finds_exactly_the_ids_that_are_not(values: list[str]) -> None:
    from customer_model.model._text import not_identifiers

    ids = tuple(values)
    assert not_identifiers(ids) == [i for i, v in enumerate(ids) if not _is_identifier(v)]


def test_a_long_bad_collection_itemizes_ten_problems_and_counts_the_rest() -> None:
    # A million bad ids once made a million problems: rejecting cost 30x accepting.
    from customer_model.model._validation import MAX_ITEMIZED

    check = Checker()
    ids = (*(f" f{i}" for i in range(500)), "ok", "ok")
    assert not check.idents("ids", ids, unique=True)
    paths = [p.path for p in check.problems or ()]
    assert paths == [("ids", i) for i in range(MAX_ITEMIZED)] + [("ids",), ("ids",)]
    said = [p.message for p in check.problems or ()][-2:]
    assert said == [
        f"500 ids are not valid; the first {MAX_ITEMIZED} are itemized",
        "id 'ok' is listed more than once",
    ]
    check = Checker()
    assert not check.items("xs", (1,) * 30 + ("a",), str)
    problems = check.problems or []
    assert len(problems) == MAX_ITEMIZED + 1
    assert problems[-1].message == (
        f"30 elements are not a str; the first {MAX_ITEMIZED} are itemized"
    )
    check = Checker()
    check.texts("goals", ("",) * 12)
    problems = check.problems or []
    assert problems[-1].path == ("goals",)
    assert problems[-1].message.startswith("12 texts are not valid")


_PATHS = st.tuples(
    st.sampled_from(["items", "customers"]),
    st.integers(0, 25),
    st.sampled_from(["rank", "id"]),
).map(lambda t: t if t[2] == "rank" else t[:2]) | st.sampled_from([("as_of",), ("items",)])


@given(st.lists(_PATHS, max_size=80))
def test_a_checker_itemizes_the_first_ten_elements_of_each_collection(
    paths: list[tuple[str | int, ...]],
) -> None:
    # Every problem of an element among the first ten of its collection (in the
    # order they are met) is kept, the others are counted at the collection, and
    # problems outside any element are all kept.
    check = Checker()
    for n, path in enumerate(paths):
        check.add(path, f"problem {n}")
    first: dict[tuple[str | int, ...], list[object]] = {}
    kept: list[tuple[tuple[str | int, ...], str]] = []
    counted: dict[tuple[str | int, ...], int] = {}
    for n, path in enumerate(paths):
        if len(path) == 1:
            kept.append((path, f"problem {n}"))
            continue
        seen = first.setdefault(path[:1], [])
        if path[1] not in seen and len(seen) < MAX_ITEMIZED:
            seen.append(path[1])
        if path[1] in seen:
            kept.append((path, f"problem {n}"))
        else:
            counted[path[:1]] = counted.get(path[:1], 0) + 1
    if not paths:
        check.done("test")
        return
    with pytest.raises(ValidationError) as info:
        check.done("test")
    got = [(p.path, p.message) for p in info.value.problems]
    assert got[: len(kept)] == kept
    assert got[len(kept) :] == [
        (c, f"{n:,} more problems in other elements; the first 10 elements are itemized")
        for c, n in counted.items()
    ]
