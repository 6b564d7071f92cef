"""Asking staff to renew: the card number (skipped when one is linked) and which books."""

from __future__ import annotations

import re

from handlers.core.forms import Choice, Form, Step

CARD_LIMIT = 32
_CARD = re.compile(r"^[\w\-/ ]{1,32}$")


def validate_card(text: str) -> str | None:
    return None if _CARD.match(text) else "renew-card-invalid"


RENEW_FORM = Form(
    name="renew",
    title="renew-title",
    steps=(
        Step(
            key="card",
            prompt="renew-card-prompt",
            label="renew-card-label",
            max_length=CARD_LIMIT,
            validate=validate_card,
        ),
        Step(
            key="items",
            prompt="renew-items-prompt",
            label="renew-items-label",
            choices=(Choice("all", "renew-items-all"),),
            max_length=1500,
        ),
    ),
)
