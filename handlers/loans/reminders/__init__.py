"""Due-date reminders and overdue notices for readers with a linked card, and the reader's
choice of when (or whether) they come."""
