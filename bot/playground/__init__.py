"""The playground: the whole bot on one machine, with no tokens, driven from a web page."""
