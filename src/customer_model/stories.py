"""User stories written from a persona's point of view, drafted from the backlog.

"As a <persona>, I want <goal> so that <benefit>": the classic template.  A
:class:`UserStory` keeps the ids of the feedback behind it, so the work stays
traceable to what customers and users actually said.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from customer_model._display import markdown_text
from customer_model.backlog import BacklogItem, VoiceRole
from customer_model.model._messages import a
from customer_model.model._validation import Checker, to_tuple
from customer_model.model.customers import Role
from customer_model.model.feedback import Need
from customer_model.model.personas import Persona

__all__ = ["UserStory", "draft_story"]


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value)


def _sorted_ids(value: Iterable[str]) -> tuple[str, ...]:
    ids = to_tuple(value)
    if type(ids) is tuple and all(type(i) is str for i in ids):
        return tuple(sorted(ids))
    return ids


@attrs.frozen(slots=True, kw_only=True)
class UserStory:
    """A user story: who wants what and why, how we know it is done, and why we believe it.

    ``persona`` is the name the sentence uses ("procurement lead"),
    ``persona_id`` the :class:`~customer_model.Persona` it comes from, if any.
    ``goal`` and ``benefit`` are phrases that complete "I want …" and
    "so that …".  ``feedback_ids`` are kept sorted and unique.
    """

    persona: str
    goal: str
    benefit: str
    acceptance_criteria: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    feedback_ids: tuple[str, ...] = attrs.field(default=(), converter=_sorted_ids)
    persona_id: str | None = None
    theme: str | None = None

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.text("persona", self.persona)
        check.text("goal", self.goal)
        check.text("benefit", self.benefit)
        check.texts("acceptance_criteria", self.acceptance_criteria)
        check.idents("feedback_ids", self.feedback_ids, unique=True)
        check.ident("persona_id", self.persona_id, optional=True)
        check.ident("theme", self.theme, optional=True)
        check.done("UserStory")

    def __str__(self) -> str:
        return self._sentence(str)

    def to_markdown(self) -> str:
        """The story, its acceptance criteria as a checklist, and its evidence.

        Every text is escaped so that it renders as written: Markdown syntax in
        it (``*``, ``_``, backticks, ``[``, ``#``, ``|``, a leading ``-`` or
        ``1.``...) gets a backslash, and a non-printing character (a newline)
        shows as an escape such as ``\\n``, as in the tables.
        """
        lines = [self._sentence(markdown_text)]
        if self.acceptance_criteria:
            lines += ["", "Acceptance criteria:"]
            lines += [f"- [ ] {markdown_text(c)}" for c in self.acceptance_criteria]
        if self.feedback_ids:
            lines += ["", f"Feedback: {', '.join(map(markdown_text, self.feedback_ids))}"]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        """A notebook shows the story as its escaped Markdown (:meth:`to_markdown`)."""
        return self.to_markdown()

    def _sentence(self, shown: Callable[[str], str]) -> str:
        # The article follows the persona as written, not as escaped.
        article = a(self.persona).removesuffix(self.persona)
        persona, goal, benefit = map(shown, (self.persona, self.goal, self.benefit))
        return f"As {article}{persona}, I want {goal} so that {benefit}"


#: What a need lets the persona do, for a drafted benefit.
_BENEFITS = {
    Need.COST: "I get more value for what we pay",
    Need.SCALABILITY: "it keeps up as we grow",
    Need.USABILITY: "it is easy to use",
    Need.EFFICIENCY: "I get my work done faster",
    Need.RELIABILITY: "I can rely on it",
    Need.SECURITY: "our data stays safe",
    Need.COMPLIANCE: "we stay compliant",
    Need.INTEGRATION: "it works with the tools we already use",
}
_GENERIC_BENEFIT = "it serves my needs better"
_SIDE = {
    Role.PURCHASER: (VoiceRole.PURCHASER, VoiceRole.BOTH),
    Role.USER: (VoiceRole.USER, VoiceRole.BOTH),
}


def _main_need(item: BacklogItem, role: Role) -> Need | None:
    """The need with the largest share of the score among the persona's side.

    Falls back to all voices when the persona's side said nothing; ties go to
    the need listed first in :class:`~customer_model.Need`.
    """
    for roles in (_SIDE[role], tuple(VoiceRole)):
        weights: dict[Need, float] = {}
        for c in item.explanation:
            if c.role in roles and c.need is not None:
                weights[c.need] = weights.get(c.need, 0.0) + c.value
        if weights:
            order = list(Need)
            return max(weights, key=lambda n: (weights[n], -order.index(n)))
    return None


def draft_story(
    item: BacklogItem,
    persona: Persona,
    *,
    goal: str | None = None,
    benefit: str | None = None,
    acceptance_criteria: Iterable[str] = (),
) -> UserStory:
    """Draft a story for a backlog item from *persona*'s point of view.

    The goal defaults to the theme key read as words ("bulk-export" → "bulk
    export"); the benefit to a phrase for the need that weighs most in the
    item's score among voices on the persona's side (purchasers for a
    purchaser persona, users for a user persona).  A draft is a starting
    point: pass *goal* and *benefit* to say it better.  The story links every
    feedback id of the item.
    """
    check = Checker()
    check.instance("item", item, BacklogItem)
    check.instance("persona", persona, Persona)
    check.text("goal", goal, optional=True)
    check.text("benefit", benefit, optional=True)
    check.done("draft_story input")
    if goal is None:
        # A theme of separators only ("-") reads as no words: the goal is then the theme.
        goal = item.theme.replace("-", " ").replace("_", " ").strip() or item.theme
    if benefit is None:
        need = _main_need(item, persona.role)
        benefit = _GENERIC_BENEFIT if need is None else _BENEFITS[need]
    return UserStory(
        persona=persona.name,
        persona_id=persona.id,
        theme=item.theme,
        goal=goal,
        benefit=benefit,
        acceptance_criteria=acceptance_criteria,
        feedback_ids=item.feedback_ids,
    )
