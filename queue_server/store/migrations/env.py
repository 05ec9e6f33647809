from alembic import context
from sqlalchemy import text

from queue_server.store.tables import metadata

# Any fixed number: every hallq process migrating this database takes the same lock.
MIGRATION_LOCK = 0x68616C6C71  # "hallq"

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Server processes started together would otherwise create the same tables at once and
            # all but one fail. The lock is held to the commit; whoever waited then finds the
            # schema current (the version is read after the lock) and has nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
