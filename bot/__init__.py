"""The bot application: the platform adapters, the outbox, the scheduler and operations."""

from storage.asyncio_without_orm import install as _install_asyncio_without_orm

# Before any module of the bot imports SQLAlchemy's asyncio extension (see the module).
_install_asyncio_without_orm()
