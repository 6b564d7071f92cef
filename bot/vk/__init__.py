"""The VK adapter (vkbottle 4): updates in as neutral events, neutral replies out.

Start from ``VkAdapter.create``; see ``bot.vk.longpoll`` and ``bot.vk.callback`` for the two
ways updates arrive.
"""

from bot.vk.api import RetryPolicy, VkApi
from bot.vk.callback import CallbackEndpoint
from bot.vk.capabilities import CapabilityCache, ClientCapabilities
from bot.vk.dispatch import EventHandler, UpdateDispatcher
from bot.vk.factory import VkAdapter
from bot.vk.longpoll import LongPollRunner
from bot.vk.messenger import VkMessenger
from bot.vk.updates import UpdateConverter

__all__ = [
    "CallbackEndpoint",
    "CapabilityCache",
    "ClientCapabilities",
    "EventHandler",
    "LongPollRunner",
    "RetryPolicy",
    "UpdateConverter",
    "UpdateDispatcher",
    "VkAdapter",
    "VkApi",
    "VkMessenger",
]
