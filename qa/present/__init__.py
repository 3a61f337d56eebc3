"""Present: the command line, the web page and what both render."""
