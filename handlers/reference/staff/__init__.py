"""The staff side of the virtual reference desk: ticket cards and threads in the staff chat,
staff answers and notes, buttons and commands, reminders and auto-close."""

from handlers.reference.staff.desk import StaffDeskService
from handlers.reference.staff.reminders import StaffReminders

__all__ = ["StaffDeskService", "StaffReminders"]
