"""Pure business rules: no database, no Qt, no I/O, no clock; callers pass the time in."""
