"""Compiles a segment rule into one plain Python function, the way attrs generates methods.

Each node writes its own piece of source (``Rule._py``); this module checks
the arguments, binds values as constants (never pasted into source text) and
runs the source once.  Measured against evaluating the nodes directly, the
generated function is several times faster (see the performance page), which
is why the library keeps this one use of ``exec``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from customer_model.errors import ValidationError
from customer_model.model._messages import type_name
from customer_model.model._rule_fields import HELPERS, FieldSpec
from customer_model.model._validation import Checker
from customer_model.model.customers import Customer
from customer_model.model.rfm import RFMScore, check_scores

#: A compiled rule: customer in, verdict out.
Predicate = Callable[[Customer], bool]


class Emitter:
    """Collects constants for the generated function; names them ``_k0``, ``_k1``..."""

    def __init__(self, as_of: datetime | None) -> None:
        self.as_of = as_of
        self.namespace: dict[str, Any] = dict(HELPERS)
        self.count = 0

    def const(self, value: object) -> str:
        name = f"_k{self.count}"
        self.count += 1
        self.namespace[name] = value
        return name

    def temp(self) -> str:
        self.count += 1
        return f"_t{self.count}"

    def guarded(self, spec: FieldSpec, test: Callable[[str], str]) -> str:
        """*test* on the field's value, false when the value is missing."""
        if not spec.nullable:
            return f"({test(spec.expr)})"
        t = self.temp()
        return f"(({t} := {spec.expr}) is not None and {test(t)})"


def compile_rule(
    write: Callable[[Emitter], str],
    *,
    needs_as_of: bool,
    needs_rfm: bool,
    as_of: datetime | None,
    rfm: Mapping[str, RFMScore] | None,
) -> Predicate:
    """A function of the customer ``c`` that returns the expression *write* gives.

    The body of :meth:`Rule.compile <customer_model.model.rules.Rule.compile>`:
    *write* is the rule's own ``_py``; *needs_as_of* and *needs_rfm* say which
    arguments it requires.
    """
    check = Checker()
    check.aware("as_of", as_of, optional=True)
    if as_of is None and needs_as_of:
        check.add("as_of", "is required: the rule has a time window")
    if rfm is None:
        if needs_rfm:
            check.add("rfm", "is required: the rule reads RFM scores (see rfm_scores)")
    else:
        check_scores(check, rfm)
    check.done("rule evaluation")
    emit = Emitter(as_of)
    # The try costs nothing while it does not fail; a failure on something that
    # is not a Customer becomes a ValidationError, any other is re-raised.
    source = (
        "def _rule(c):\n"
        "    try:\n"
        f"        return {write(emit)}\n"
        "    except (AttributeError, TypeError):\n"
        "        _check_customer(c)\n"
        "        raise\n"
    )
    emit.namespace["_rfm_score"] = _score_reader({} if rfm is None else dict(rfm))
    emit.namespace["_check_customer"] = _check_customer
    emit.namespace["_is_customer"] = _is_customer
    emit.namespace["_Customer"] = Customer
    exec(compile(source, "<customer_model rule>", "exec"), emit.namespace)
    return emit.namespace["_rule"]  # type: ignore[no-any-return]


def _check_customer(value: object) -> None:
    if not isinstance(value, Customer):
        raise ValidationError.single(
            "customer", f"must be a Customer, not {type_name(value)}", "rule evaluation"
        )


def _is_customer(value: object) -> bool:
    """True for a Customer (of a subclass too); a ValidationError for anything else."""
    _check_customer(value)
    return True


def _score_reader(scores: dict[str, RFMScore]) -> Callable[[Customer], RFMScore]:
    def score(c: Customer) -> RFMScore:
        found = scores.get(c.id)
        if found is None:
            raise ValidationError.single(
                "rfm", f"has no score for customer {c.id!r}", "rule evaluation"
            )
        return found

    return score
