"""Storage: the schema, the repositories and the migrations (SQLAlchemy Core, async).

- :mod:`storage.models`: the plain records the rest of the application passes around;
- :mod:`storage.database`: ``create_engine`` and ``Storage`` (the engine and the repositories);
- :mod:`storage.search`: full-text search over tickets, one implementation per dialect;
- :mod:`storage.migrate`: ``upgrade``, which applies the packaged Alembic migrations.
"""

from storage.asyncio_without_orm import install as _install_asyncio_without_orm

_install_asyncio_without_orm()
