"""``python -m bot check``: the configuration checked against the platforms and the database."""
