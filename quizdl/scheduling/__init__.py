"""Pure scheduling algorithms: no I/O, no database, no UI."""
