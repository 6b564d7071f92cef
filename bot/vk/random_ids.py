"""VK ``random_id`` values: VK drops a message whose ``random_id`` it has already seen for the
same peer, so a stable value per idempotency key turns a resend into a no-op."""

from __future__ import annotations

import hashlib
import secrets

_MASK = 0x7FFF_FFFF


def random_id_for(key: str | None, part: int = 0) -> int:
    """A stable positive 31-bit id for ``key`` and the part's index, or a fresh random one
    when there is no key. Never 0: VK treats 0 as "do not deduplicate"."""
    if key is None:
        return secrets.randbelow(_MASK) + 1
    digest = hashlib.sha256(f"{key}\x00{part}".encode()).digest()
    return (int.from_bytes(digest[:4], "big") & _MASK) or 1
