"""Announcements: new-arrival digests, the content calendar and virtual exhibitions, posted to
the Telegram channel and the VK community wall through the outbox."""
