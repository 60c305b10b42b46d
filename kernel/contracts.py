"""The words the processes say to each other, defined once.

The actions file work orders with a kind and a channel, the desk stores and routes them by the
same words, and the desk's staff replies reach the chat channels as a push whose shape both sides
must agree on. Each of these was written as literals in two or three places and drifted; here
they are `str` enums, so a value compares equal to the stored text and serialises as itself.
"""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Any, TypedDict


class Word(str, Enum):
    """A shared word: equal to, hashed and printed as its text, so stored values compare as they are."""

    def __str__(self) -> str:
        return self.value


class WorkOrderKind(Word):
    """The kinds of work order (stored as these labels; the desk routes by them)."""

    CONTACT_JUDGE = "联系法官"
    COMPLAINT = "投诉举报"
    HUMAN = "人工咨询"
    CREDIT_REPAIR = "信用修复"
    SYSTEM_FAULT = "系统故障转人工"


#: Kinds that reach the 承办法官 named in the case data (complaints never do: see desk routing).
JUDGE_KINDS = (WorkOrderKind.CONTACT_JUDGE, WorkOrderKind.CREDIT_REPAIR)
#: Kinds for which a case number is asked but may be answered with 无.
CASE_OPTIONAL_KINDS = (WorkOrderKind.COMPLAINT, WorkOrderKind.HUMAN, WorkOrderKind.SYSTEM_FAULT)


SENDER_LABEL_MAX = 32


class Channel(Word):
    """Where a work order came from and where a staff reply goes back (the desk's stored value)."""

    WEB = "web"
    WECHAT = "wechat"
    REST = "rest"


#: Channels with a live conversation a staff reply can be pushed into.
LIVE_CHANNELS = (Channel.WEB, Channel.WECHAT)
#: Rasa's input-channel names (`InputChannel.name()`) for the web chat page.
WEBCHAT_INPUT_NAMES = ("webchat", "socketio")
#: The Rasa input-channel name of each work-order channel (the desk's push goes there).
RASA_INPUT_CHANNEL = {Channel.WEB: "webchat", Channel.WECHAT: "wechat", Channel.REST: "rest"}


def channel_of(input_channel: str | None) -> Channel:
    """The work-order channel of a Rasa conversation, from its latest input channel's name."""
    name = str(input_channel or Channel.REST.value).lower()
    if "wechat" in name:
        return Channel.WECHAT
    if name in WEBCHAT_INPUT_NAMES:
        return Channel.WEB
    return Channel.REST


#: Metadata key on a bot event that marks it as written by a member of staff, with the label the
#: citizen saw: ``{"staff": {"label": "诉讼服务工作人员"}}``. Read back by the desk and the web chat's
#: history to tell staff lines from the bot's.
STAFF_METADATA_KEY = "staff"
#: Older spelling of the same marker, still found in stored conversations.
LEGACY_STAFF_METADATA_KEY = "webchat_staff"
#: What a citizen sees above a staff member's reply when the desk names no one.
STAFF_LABEL = "诉讼服务工作人员"


def staff_metadata(label: str | None) -> dict[str, Any]:
    """The metadata that marks a bot event as a staff line."""
    return {STAFF_METADATA_KEY: {"label": (label or STAFF_LABEL)[:SENDER_LABEL_MAX]}}


def staff_label(metadata: Any) -> str | None:
    """The staff label on a bot event's metadata, or None when the bot wrote it.

    Accepts the current marker, the legacy one and the desk's earlier plain-string form.
    """
    if not isinstance(metadata, dict):
        return None
    for key in (STAFF_METADATA_KEY, LEGACY_STAFF_METADATA_KEY):
        value = metadata.get(key)
        if isinstance(value, dict):
            label = value.get("label")
            return label if isinstance(label, str) and label else STAFF_LABEL
        if isinstance(value, str) and value:
            return value
    return None


#: Keys of a bot message's `custom` payload (json_message) the web chat page renders; the same message's
#: text says it all in plain lines for REST and WeChat, so those channels ignore the payload.
#: CARD_KEY: {title, subtitle, rows: [{label, value}], details} (the case-progress answer);
#: WAITING_KEY: {position, minutes} (a live handoff queued for a clerk).
CARD_KEY = "card"
WAITING_KEY = "waiting"


#: Message metadata a channel sets (never the caller) naming the client a message came from, as a
#: pseudonymous key: the action server counts debtor lookups per client as well as per conversation, so
#: starting a new conversation for every lookup does not lift the limit.
CLIENT_METADATA_KEY = "client"


def client_key(address: str | None) -> str | None:
    """A short one-way key of a client address (no address is stored); None when unknown."""
    if not address:
        return None
    return hashlib.sha256(f"court-client:{address}".encode()).hexdigest()[:16]


class StaffPush(TypedDict, total=False):
    """Body of the desk's POST to a channel's push endpoint (a staff reply to deliver), bearer
    CHANNEL_PUSH_TOKEN. `recipient_id` and `text` are required; `sender_label` defaults to
    STAFF_LABEL (at most 32 characters); `buttons` are `{"title", "payload"}` pairs.
    """

    recipient_id: str
    text: str
    sender_label: str
    buttons: list[dict[str, str]]


class PushAnswer(TypedDict, total=False):
    """A channel's answer to a push: delivered to the citizen, by which route, kept in the transcript."""

    delivered: bool
    via: str
    recorded: bool


#: The push endpoint of each live channel, under the Rasa server's URL.
PUSH_PATHS = {Channel.WEB: "/webhooks/webchat/push", Channel.WECHAT: "/webhooks/wechat/push"}


#: The slot the desk sets in a conversation (Rasa HTTP API, `{"event": "slot", ...}`) right after a staff
#: reply on one of its work orders reached it: its value is the order's number, and the citizen's next
#: message is added to that order as 群众补充 (actions/supplement.py). Mirrors `kernel.names.Slot`.
SUPPLEMENT_SLOT = "supplement_order"


def supplement_event(number: str | None) -> dict[str, Any]:
    """The tracker event that names (or, with None, forgets) the order a citizen's next message supplements."""
    return {"event": "slot", "name": SUPPLEMENT_SLOT, "value": number}
