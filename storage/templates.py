"""Answer templates: canned answers staff send with one press."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Template
from storage.schema import templates
from storage.types import Clock, utcnow


def _template(row: Row[Any]) -> Template:
    values = row._mapping
    return Template(
        id=values["id"], title=values["title"], text=values["text"], created_at=values["created_at"]
    )


class TemplateRepository:
    """Templates stored in SQL; satisfies ``handlers.core.ports.Templates``."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def add(self, title: str, text: str) -> Template:
        """Store a new template."""
        statement = (
            insert(templates)
            .values(title=title, text=text, created_at=self._clock())
            .returning(*templates.c)
        )
        async with self._engine.begin() as conn:
            return _template((await conn.execute(statement)).one())

    async def get(self, template_id: int) -> Template | None:
        """The template with ``template_id``, if there is one."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(templates).where(templates.c.id == template_id))
            ).first()
        return _template(row) if row else None

    async def all(self) -> list[Template]:
        """Every template, in the order they were added."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(templates).order_by(templates.c.id))
            return [_template(row) for row in rows]

    async def delete(self, template_id: int) -> bool:
        """Delete the template; False if there was none with that id."""
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(templates).where(templates.c.id == template_id))
        return result.rowcount > 0
