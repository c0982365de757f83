"""The terminal's local SQLite store."""
