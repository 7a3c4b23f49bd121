"""The database: tables, engine and sessions, look-ups, migrations, rule profiles on disk."""
