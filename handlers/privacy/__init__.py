"""Privacy and first contact: the welcome, consent and its withdrawal, ``/forget``, the
reader's language, the settings menu, help, and the commands every reader has."""
