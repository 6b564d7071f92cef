"""Delivery of the durable outbox (architecture decision 4)."""

from bot.outbox.notifying import NotifyingOutbox
from bot.outbox.sender import OutboxSender, Reachability, utc_now
from bot.outbox.tuning import SenderTuning

__all__ = ["NotifyingOutbox", "OutboxSender", "Reachability", "SenderTuning", "utc_now"]
