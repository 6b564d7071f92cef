"""Staff profiles: what a staff member set for themselves, such as the signature under their
answers, and the name each was last seen under in the staff chat."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.dialect import upsert
from storage.models import Platform, StaffMember
from storage.schema import known_staff, staff_profiles
from storage.types import Clock, utcnow


class StaffProfileRepository:
    """Staff profiles stored in SQL; satisfies ``handlers.core.ports.StaffProfiles``."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def signature(self, platform: Platform, user_id: int) -> str | None:
        """The signature the staff member set, if any."""
        query = select(staff_profiles.c.signature).where(
            staff_profiles.c.platform == str(platform), staff_profiles.c.user_id == user_id
        )
        async with self._engine.connect() as conn:
            found: str | None = (await conn.execute(query)).scalar_one_or_none()
        return found

    async def set_signature(self, platform: Platform, user_id: int, signature: str) -> None:
        """Set (or replace) the staff member's signature."""
        values = {
            "platform": str(platform),
            "user_id": user_id,
            "signature": signature,
            "updated_at": self._clock(),
        }
        async with self._engine.begin() as conn:
            await conn.execute(
                upsert(conn.dialect, staff_profiles, values, ("platform", "user_id"))
            )

    async def remember(self, member: StaffMember) -> None:
        """Note that ``member`` acted in the staff chat, under the name they have now."""
        values = {
            "platform": str(member.platform),
            "user_id": member.user_id,
            "name": member.name,
            "seen_at": self._clock(),
        }
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn.dialect, known_staff, values, ("platform", "user_id")))

    async def known(self, platform: Platform) -> list[StaffMember]:
        """Everyone :meth:`remember` was told about on ``platform``, with their latest names."""
        query = (
            select(known_staff.c.user_id, known_staff.c.name)
            .where(known_staff.c.platform == str(platform))
            .order_by(known_staff.c.name, known_staff.c.user_id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [StaffMember(platform, row.user_id, row.name) for row in rows]
