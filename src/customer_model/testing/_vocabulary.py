"""The words generated values use: the library's one word list, and a few strategy choices."""

from __future__ import annotations

from customer_model.examples import _words as cat

_FIRST = list(cat.FIRST_NAMES)
_LAST = list(cat.LAST_NAMES)
_COUNTRIES = sorted({country for country, _, _, _ in cat.PLACES})
_CITIES = sorted({city for _, _, city, _ in cat.PLACES})
#: Three currencies, so that generated customers often share one and sometimes mix.
_CURRENCIES = ["EUR", "USD", "GBP"]
_INTERESTS = list(cat.INTERESTS)
_PREFERENCES = list(cat.PREFERENCES)
_LIFESTYLES = list(cat.LIFESTYLES)
_INDUSTRIES = list(cat.INDUSTRIES)
_FEATURES = list(cat.FEATURES)
#: A short list on purpose: generated feedback often repeats a theme, so the
#: one-voice-per-person-and-theme rule is exercised.
_THEMES = ["onboarding", "pricing", "performance", "export", "sso", "mobile-app", "reporting"]
