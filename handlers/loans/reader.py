"""The reader side of loans: the renewal form and what its submission does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.core import forms
from handlers.core.config import ServiceConfig
from handlers.core.features import MenuEntry, ReaderFeature
from handlers.core.i18n import Catalog
from handlers.core.menu import MENU_MAIN
from handlers.core.ports import Outbox
from handlers.core.turn import Turn
from handlers.loans.form import RENEW_FORM
from handlers.loans.staff_notice import notify_staff

RENEW_ITEM = "renew"


class Renewals:
    """Renew my loans: the form, then a notice to the staff chat through ``outbox``."""

    def __init__(
        self,
        *,
        outbox: Outbox,
        catalog: Catalog,
        config: ServiceConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self._outbox = outbox
        self._staff_t = catalog.translator(catalog.default)
        self._config = config
        self._clock = clock

    def feature(self) -> ReaderFeature:
        return ReaderFeature(
            name="loans",
            menu=(
                MenuEntry(RENEW_ITEM, "menu-renew", row=30, run=self._start, needs_consent=True),
            ),
            forms={RENEW_FORM.name: RENEW_FORM},
            submit=self._submit,
        )

    async def _start(self, turn: Turn) -> None:
        forms.start(turn, RENEW_FORM)

    async def _submit(self, turn: Turn, form: forms.Form) -> None:
        """Renewal by hand (an ILS with no API) is not a reference request: it goes to the
        staff chat as a plain notice."""
        queued = await notify_staff(
            self._outbox,
            self._config,
            self._staff_t,
            turn.reader,
            "kind-renew",
            forms.summary(turn, form),
            forms.files(turn),
            self._clock(),
        )
        forms.finish(turn)
        library = self._config.library
        text = turn.t(
            "submitted-renew" if queued else "submitted-no-staff", hours=library.working_hours
        )
        if library.contacts:
            # Staff cannot answer a renewal here yet, so the reader needs a way to reach them.
            text += "\n\n" + turn.t("help-contacts", contacts=library.contacts)
        turn.say(text, (turn.button("back-to-menu", MENU_MAIN),))
