"""Settings by profile: ``embedded`` (SQLite under var/, the default), ``production``, ``test``."""
