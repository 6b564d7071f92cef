"""The staff side of loans: renewal requests as cards in the staff chat, decided by buttons."""
