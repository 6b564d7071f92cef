"""Handing a ticket to a colleague: the Assign picker, /assign, taking from a colleague, and
what the card and the history say about it. Forged presses change nothing."""

from __future__ import annotations

from storage.models import Address, Platform, StaffMember, TicketStatus
from tests.staff.conftest import CONFIGURED_STAFF, Desk, DeskFactory

READER = Address(Platform.TELEGRAM, 111)
OLGA = 8801
PETR = 8802
MARIA = f"Мария Иванова (telegram:{CONFIGURED_STAFF})"


async def desk_with_colleagues(make_desk: DeskFactory, *admins: int) -> Desk:
    desk = await make_desk(admins=frozenset(admins or (OLGA, PETR)))
    desk.telegram.names.update({OLGA: "Ольга Смирнова", PETR: "Пётр Соколов"})
    return desk


def card_text(desk: Desk) -> str:
    return desk.telegram.edits[-1][2].text


async def test_the_assign_button_offers_every_colleague_but_the_assignee(
    make_desk: DeskFactory,
) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.press(f"st:take:{ticket.id}")

    await desk.press(f"st:asg:{ticket.id}")

    picker = desk.staff_posts()[-1]
    assert picker.reply_to == 1  # in the ticket's thread: a reply to its card
    assert picker.text.startswith(f"Кому передать запрос №{ticket.id}?")
    assert "Сейчас исполнитель: Мария Иванова" in picker.text
    assert [(b.text, b.payload) for b in picker.flat_buttons()] == [
        ("Ольга Смирнова", f"st:asgto:{ticket.id}:{OLGA}"),
        ("Пётр Соколов", f"st:asgto:{ticket.id}:{PETR}"),
    ]
    assert desk.telegram.notices[-1] == "Выберите сотрудника."


async def test_a_configured_colleague_is_offered_under_the_name_they_last_acted_with(
    make_desk: DeskFactory,
) -> None:
    desk = await desk_with_colleagues(make_desk, OLGA)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.staff_says("/queue", name="Мария Иванова")

    await desk.press(f"st:asg:{ticket.id}", sender=OLGA, name="Ольга Смирнова")

    labels = [b.text for b in desk.staff_posts()[-1].flat_buttons()]
    assert labels == ["Мария Иванова"]


async def test_a_picked_colleague_gets_the_ticket_and_the_card_says_who_gave_it(
    make_desk: DeskFactory,
) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    await desk.press(f"st:asgto:{ticket.id}:{OLGA}")

    stored = await desk.ticket(ticket.id)
    assert stored.assignee == StaffMember(Platform.TELEGRAM, OLGA, "Ольга Смирнова")
    assert stored.status is TicketStatus.IN_PROGRESS
    [_, handed, started] = await desk.storage.tickets.events(ticket.id)
    assert handed.handover is not None and handed.actor == MARIA
    assert handed.handover.by.user_id == CONFIGURED_STAFF and handed.at == desk.clock.now
    assert (started.to_status, started.actor) == (TicketStatus.IN_PROGRESS, MARIA)
    assert "Исполнитель: Ольга Смирнова" in card_text(desk)
    assert "Мария Иванова назначает исполнителя: Ольга Смирнова (23.11.2026 12:00)" in card_text(
        desk
    )
    assert desk.telegram.notices[-1] == (
        f"Запрос №{ticket.id} передан: теперь исполнитель — Ольга Смирнова."
    )


async def test_taking_a_colleagues_ticket_is_said_on_the_card_and_to_the_taker(
    make_desk: DeskFactory,
) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.press(f"st:take:{ticket.id}", sender=OLGA, name="Ольга Смирнова")
    assert "забирает" not in card_text(desk)
    desk.clock.advance(minutes=30)

    await desk.press(f"st:take:{ticket.id}")

    assert "Мария Иванова забирает запрос себе: Ольга Смирнова → Мария Иванова" in card_text(desk)
    assert "(23.11.2026 12:30)" in card_text(desk)
    assert desk.telegram.notices[-1] == (
        f"Запрос №{ticket.id} теперь ваш; до этого исполнитель — Ольга Смирнова."
    )


async def test_handing_over_a_ticket_between_colleagues_names_all_three(
    make_desk: DeskFactory,
) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.press(f"st:take:{ticket.id}", sender=OLGA, name="Ольга Смирнова")

    await desk.press(f"st:asgto:{ticket.id}:{PETR}")

    assert "Мария Иванова передаёт запрос: Ольга Смирнова → Пётр Соколов" in card_text(desk)


async def test_the_history_shows_each_hand_over(make_desk: DeskFactory) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.press(f"st:take:{ticket.id}")
    await desk.press(f"st:asgto:{ticket.id}:{OLGA}")

    await desk.staff_says(f"/ticket {ticket.id}")

    text = desk.staff_posts()[-1].text
    assert "Мария Иванова берёт запрос в работу" in text
    assert "Мария Иванова передаёт запрос: Мария Иванова → Ольга Смирнова" in text
    assert "Исполнитель: Ольга Смирнова" in text


async def test_a_forged_colleague_is_refused(make_desk: DeskFactory) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    events_before = await desk.storage.tickets.events(ticket.id)

    await desk.press(f"st:asgto:{ticket.id}:424242")
    await desk.press(f"st:asgto:{ticket.id}:x")
    await desk.press(f"st:asgto:{ticket.id}")

    stored = await desk.ticket(ticket.id)
    assert stored.assignee is None and stored.status is TicketStatus.NEW
    assert await desk.storage.tickets.events(ticket.id) == events_before
    assert desk.telegram.notices == [
        "Этого человека нет среди сотрудников: запрос не передан.",
        "Эта кнопка устарела.",
        "Эта кнопка устарела.",
    ]


async def test_someone_not_staff_cannot_assign(make_desk: DeskFactory) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    await desk.press(f"st:asgto:{ticket.id}:{OLGA}", sender=5555, name="Посторонний")
    await desk.staff_says(f"/assign {ticket.id} {OLGA}", sender=5555, name="Посторонний")

    assert (await desk.ticket(ticket.id)).assignee is None
    assert desk.telegram.notices == [None]


async def test_an_admin_no_longer_admin_is_no_longer_offered_or_accepted(
    make_desk: DeskFactory,
) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.press(f"st:take:{ticket.id}", sender=PETR, name="Пётр Соколов")
    desk.telegram.admins.discard(PETR)

    await desk.press(f"st:asgto:{ticket.id}:{OLGA}")
    await desk.press(f"st:asgto:{ticket.id}:{PETR}")

    stored = await desk.ticket(ticket.id)
    assert stored.assignee is not None and stored.assignee.user_id == OLGA
    assert desk.telegram.notices[-1] == "Этого человека нет среди сотрудников: запрос не передан."


async def test_a_closed_ticket_is_not_handed_over(make_desk: DeskFactory) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.press(f"st:close:{ticket.id}")
    sent_before = len(desk.staff_posts())

    await desk.press(f"st:asg:{ticket.id}")
    await desk.press(f"st:asgto:{ticket.id}:{OLGA}")

    assert (await desk.ticket(ticket.id)).assignee is None
    assert len(desk.staff_posts()) == sent_before
    closed = f"Запрос №{ticket.id} закрыт: сначала верните его в работу."
    assert desk.telegram.notices[-2:] == [closed, closed]


async def test_a_long_staff_list_shows_ten_buttons_and_points_to_the_command(
    make_desk: DeskFactory,
) -> None:
    many = tuple(range(9000, 9012))
    desk = await desk_with_colleagues(make_desk, *many)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    await desk.press(f"st:asg:{ticket.id}")

    picker = desk.staff_posts()[-1]
    assert len(picker.flat_buttons()) == 10
    assert all(len(row) <= 2 for row in picker.buttons)
    assert f"/assign {ticket.id} ИМЯ" in picker.text


async def test_assign_command_by_name_or_number(make_desk: DeskFactory) -> None:
    desk = await desk_with_colleagues(make_desk)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    await desk.staff_says(f"/assign {ticket.id} ольга")
    assignee = (await desk.ticket(ticket.id)).assignee
    assert assignee is not None and assignee.user_id == OLGA
    assert desk.texts()[-1] == f"Запрос №{ticket.id} передан: теперь исполнитель — Ольга Смирнова."

    await desk.staff_says(f"/assign №{ticket.id} {PETR}")
    assignee = (await desk.ticket(ticket.id)).assignee
    assert assignee is not None and assignee.user_id == PETR


async def test_assign_command_lists_asks_and_explains(make_desk: DeskFactory) -> None:
    desk = await desk_with_colleagues(make_desk)
    desk.telegram.names[PETR] = "Ольга Петрова"
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    await desk.staff_says(f"/assign {ticket.id}")
    listed = desk.texts()[-1].splitlines()
    assert listed[0].startswith(f"Кому передать запрос №{ticket.id}?")
    assert listed[1:] == [
        f"{CONFIGURED_STAFF} — Мария Иванова",
        f"{PETR} — Ольга Петрова",
        f"{OLGA} — Ольга Смирнова",
    ]

    await desk.staff_says(f"/assign {ticket.id} @ольга")
    assert desk.texts()[-1].splitlines() == [
        "«@ольга» подходит нескольким сотрудникам, уточните:",
        f"{PETR} — Ольга Петрова",
        f"{OLGA} — Ольга Смирнова",
    ]

    await desk.staff_says(f"/assign {ticket.id} Вера")
    assert desk.texts()[-1].startswith("Среди сотрудников нет «Вера».")

    await desk.staff_says("/assign")
    assert desk.texts()[-1].startswith("Передать запрос коллеге: /assign N ИМЯ")

    await desk.staff_says("/assign 999 ольга")
    assert desk.texts()[-1] == "Такого запроса нет."
    assert (await desk.ticket(ticket.id)).assignee is None
