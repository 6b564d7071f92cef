"""Loans: renewing a reader's loans. With an ILS that has no API, staff renew by hand from a
notice in the staff chat (``staff_notice``)."""
