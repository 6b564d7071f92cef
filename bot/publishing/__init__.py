"""Posting to the Telegram channel and the VK community wall, and the jobs that schedule it."""
