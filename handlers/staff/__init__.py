"""The staff side of the virtual reference desk: ticket cards and threads in the staff chat,
staff answers and notes, buttons and commands, reminders and auto-close."""

from handlers.staff.desk import StaffDeskService
from handlers.staff.reminders import StaffReminders
from handlers.staff.service import StaffService

__all__ = ["StaffDeskService", "StaffReminders", "StaffService"]
