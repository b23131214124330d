"""Persistence: tables, engines and sessions, migrations, the durable job queue, shops, audit and admin tokens."""
