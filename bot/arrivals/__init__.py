"""Getting new arrivals in: MARC (MARC21 and RUSMARC, ISO 2709 and MARCXML), CSV and RSS/Atom
readers, the import that de-duplicates and maps subjects, and the scheduled feed poll."""
