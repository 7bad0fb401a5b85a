"""Evidence Graph: the runtime (settings, store, migrations, query plans, app)."""
