"""Word lists and a theme catalogue shared by the factories and the sample generator.

Plain, fixed tuples (never sets) so that seeded random choices over them are
reproducible from one interpreter run to the next.
"""

from __future__ import annotations

from datetime import UTC, datetime

from customer_model.model.customers import Role
from customer_model.model.feedback import FeedbackKind, Need

FIRST_NAMES = (
    "Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jon", "Kai", "Lea",
    "Mina", "Noor", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tove", "Uma", "Vik", "Wen", "Yara",
)  # fmt: skip
LAST_NAMES = (
    "Meyer", "Okafor", "Silva", "Tanaka", "Novak", "Haddad", "Berg", "Rossi", "Kowalski",
    "Dubois", "Nakamura", "Mensah", "Garcia", "Larsen", "Ivanova", "Costa", "Sato", "Ali",
)  # fmt: skip
COMPANY_WORDS = (
    "Acme", "Northwind", "Blue Fjord", "Cobalt", "Helix", "Juniper", "Keystone", "Lumen",
    "Meridian", "Orbit", "Pioneer", "Quarry", "Redwood", "Summit", "Tandem", "Vertex",
)  # fmt: skip
COMPANY_SUFFIXES = ("GmbH", "Ltd", "Inc", "SA", "AB", "KK", "BV")
#: (country, region, city, currency)
PLACES = (
    ("DE", "Bavaria", "Munich", "EUR"),
    ("DE", "Berlin", "Berlin", "EUR"),
    ("FR", "Auvergne-Rhone-Alpes", "Lyon", "EUR"),
    ("SE", "Skane", "Malmo", "SEK"),
    ("GB", "England", "Leeds", "GBP"),
    ("US", "Texas", "Austin", "USD"),
    ("US", "California", "Oakland", "USD"),
    ("BR", "Pernambuco", "Recife", "BRL"),
    ("JP", "Osaka", "Osaka", "JPY"),
    ("IN", "Maharashtra", "Pune", "INR"),
)
INTERESTS = ("cycling", "cooking", "gaming", "gardening", "travel", "music", "reading", "parenting")
PREFERENCES = ("email", "sms", "eco", "annual-billing")
LIFESTYLES = ("urban", "rural", "family", "student")
INDUSTRIES = ("software", "retail", "healthcare", "logistics", "education", "finance")
FEATURES = ("export", "search", "dashboard", "sso", "api", "billing", "reports", "mobile")
#: Texts written as feedback; never personal.
SNIPPETS = (
    "Please make this easier.",
    "This blocks our team every week.",
    "Would pay more for this.",
    "Works, but slowly.",
    "Our finance team keeps asking about it.",
    "Love it, more of this please.",
)

#: A fixed reference start for generated timestamps.
DEFAULT_START = datetime(2025, 1, 1, tzinfo=UTC)


class Theme:
    """A feedback theme: its key, the need it speaks to and who raises it."""

    __slots__ = ("audience", "key", "kinds", "need", "trend")

    def __init__(
        self,
        key: str,
        need: Need,
        audience: Role | None,
        kinds: tuple[FeedbackKind, ...],
        trend: float = 0.0,
    ) -> None:
        self.key = key
        self.need = need
        #: The role that mostly raises it; ``None`` when both sides do.
        self.audience = audience
        self.kinds = kinds
        #: Compound change in volume per month: > 0 rising, < 0 falling.
        self.trend = trend


_FR, _BUG, _CO, _Q, _PR = (
    FeedbackKind.FEATURE_REQUEST,
    FeedbackKind.BUG,
    FeedbackKind.COMPLAINT,
    FeedbackKind.QUESTION,
    FeedbackKind.PRAISE,
)

THEMES = (
    Theme("subscription-price", Need.COST, Role.PURCHASER, (_CO, _Q, _FR)),
    Theme("seat-management", Need.SCALABILITY, Role.PURCHASER, (_FR, _Q)),
    Theme("invoicing", Need.COST, Role.PURCHASER, (_FR, _CO, _BUG)),
    Theme("sso", Need.SECURITY, Role.PURCHASER, (_FR, _Q)),
    Theme("data-residency", Need.COMPLIANCE, Role.PURCHASER, (_FR, _Q), trend=0.15),
    Theme("bulk-export", Need.EFFICIENCY, Role.USER, (_FR, _BUG)),
    Theme("search", Need.USABILITY, Role.USER, (_FR, _BUG, _PR)),
    Theme("dashboard-speed", Need.EFFICIENCY, Role.USER, (_BUG, _CO), trend=0.08),
    Theme("mobile-app", Need.USABILITY, Role.USER, (_FR, _BUG, _PR)),
    Theme("ai-assistant", Need.EFFICIENCY, Role.USER, (_FR, _Q, _PR), trend=0.25),
    Theme("onboarding", Need.USABILITY, Role.USER, (_CO, _Q), trend=-0.12),
    Theme("api", Need.INTEGRATION, None, (_FR, _BUG, _Q)),
    Theme("uptime", Need.RELIABILITY, None, (_BUG, _CO)),
)

THEMES_BY_KEY = {t.key: t for t in THEMES}
