"""The parameters the VK API (version 5.199) defines for each method the fake VK server
implements, from the method pages at https://dev.vk.com/method. A parameter outside these
lists is refused with error 100, so a misspelt or invented parameter is caught in tests.
Add a method here when the fake learns it."""

from __future__ import annotations

from collections.abc import Mapping

COMMON_PARAMETERS = frozenset({"access_token", "v", "lang", "test_mode"})
"""Accepted by every method."""

METHOD_PARAMETERS: Mapping[str, frozenset[str]] = {
    "groups.getById": frozenset({"group_ids", "group_id", "fields"}),
    "groups.getLongPollServer": frozenset({"group_id"}),
    "groups.getLongPollSettings": frozenset({"group_id"}),
    "groups.getSettings": frozenset({"group_id"}),
    "groups.getTokenPermissions": frozenset(),
    "groups.getCallbackConfirmationCode": frozenset({"group_id"}),
    "messages.send": frozenset(
        {
            "user_id",
            "random_id",
            "peer_id",
            "peer_ids",
            "domain",
            "chat_id",
            "message",
            "lat",
            "long",
            "attachment",
            "reply_to",
            "forward_messages",
            "forward",
            "sticker_id",
            "group_id",
            "keyboard",
            "template",
            "payload",
            "content_source",
            "dont_parse_links",
            "disable_mentions",
            "intent",
            "subscribe_id",
        }
    ),
    "messages.edit": frozenset(
        {
            "peer_id",
            "message",
            "lat",
            "long",
            "attachment",
            "keep_forward_messages",
            "keep_snippets",
            "group_id",
            "dont_parse_links",
            "disable_mentions",
            "message_id",
            "conversation_message_id",
            "template",
            "keyboard",
        }
    ),
    "messages.delete": frozenset(
        {"message_ids", "cmids", "peer_id", "spam", "group_id", "delete_for_all"}
    ),
    "messages.sendMessageEventAnswer": frozenset({"event_id", "user_id", "peer_id", "event_data"}),
    "messages.getConversationMembers": frozenset(
        {"peer_id", "offset", "count", "extended", "fields", "group_id"}
    ),
    "photos.getMessagesUploadServer": frozenset({"peer_id"}),
    "photos.saveMessagesPhoto": frozenset({"photo", "server", "hash"}),
    "docs.getMessagesUploadServer": frozenset({"type", "peer_id"}),
    "docs.save": frozenset({"file", "title", "tags", "return_tags"}),
    "users.get": frozenset({"user_ids", "fields", "name_case"}),
    "photos.getWallUploadServer": frozenset({"group_id"}),
    "photos.saveWallPhoto": frozenset(
        {"user_id", "group_id", "photo", "server", "hash", "latitude", "longitude", "caption"}
    ),
    "polls.create": frozenset(
        {
            "question",
            "is_anonymous",
            "is_multiple",
            "end_date",
            "owner_id",
            "app_id",
            "add_answers",
            "photo_id",
            "background_id",
            "disable_unvote",
        }
    ),
    "wall.post": frozenset(
        {
            "owner_id",
            "friends_only",
            "from_group",
            "message",
            "attachments",
            "services",
            "signed",
            "publish_date",
            "lat",
            "long",
            "place_id",
            "post_id",
            "guid",
            "mark_as_ads",
            "close_comments",
            "donut_paid_duration",
            "mute_notifications",
            "copyright",
            "topic_id",
        }
    ),
}
