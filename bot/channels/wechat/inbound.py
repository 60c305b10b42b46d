"""What each kind of WeChat message or event means for the bot.

Pure mapping from a parsed wechatpy message to an `Inbound`: a turn for the bot (text, voice with
Recognition, a menu click as an intent), a fixed reply from the channel (unsupported media, the
subscription welcome) or nothing (unsubscribe, location reports, link-menu views).
"""

from __future__ import annotations

from dataclasses import dataclass

from wechatpy import events, messages

from kernel.court import load_court_settings
from kernel.text import strip_invisible

# Custom-menu CLICK keys (configure the menu with these keys, see docs/wechat.md) -> Rasa intents.
MENU_INTENTS = {
    "CASE_PROGRESS": "/query_case_progress",
    "DEBTOR": "/query_dishonest_debtor",
    "CONTACT_JUDGE": "/contact_judge",
    "HUMAN": "/request_human",
}

UNSUPPORTED = "抱歉，目前只能理解文字和语音消息。请直接输入文字或发送语音描述您的问题，例如“查询案件进度”。"
UNHEARD = "抱歉，没有听清您的语音。请再说一遍，或直接输入文字。"
EMPTY = "请输入您要咨询的问题，例如“怎么网上立案”。"
UNKNOWN_MENU = "该菜单暂不可用，请直接输入文字描述您的问题。"

WELCOME = (
    "您好，欢迎关注{court_name}诉讼服务号！\n"
    "我是诉讼服务智能助手，可以帮您：查询案件进度、查询失信被执行人、联系承办法官、"
    "解答立案缴费等常见问题，也可以转人工服务。直接输入文字或发送语音即可。\n\n"
    "【隐私说明】为回复您的咨询，我们用微信提供的用户标识（OpenID）区分会话，并保存对话记录用于"
    "办理和改进服务；身份证号、手机号在显示和记录中会做遮盖处理，仅在核验身份时使用。"
    "微信无法送达的回复（如超过48小时），可能以短信发到您核验过的手机号。"
    "如不同意，可随时取消关注；详情请咨询{hotline}热线。"
)


@dataclass(frozen=True)
class Inbound:
    """`kind` is "turn" (send `text` to the bot), "reply" (answer `text` directly) or "ignore"."""

    kind: str
    text: str = ""
    grant: str | None = None  # the customer-service window this action opens (see window.py)
    dedupe_key: str = ""
    grant_id: str = ""


def welcome_text(court_file: str = "") -> str:
    """The subscribe greeting with the served court's name and hotline (kernel/court.yml or `court_file`)."""
    try:
        court = load_court_settings(court_file)
    except Exception:  # the welcome must never fail: fall back to neutral words
        court = {}
    return WELCOME.format(court_name=court.get("court_name", "本院"), hotline=court.get("hotline", "12368"))


def _raw_type(message) -> str:
    """MsgType as sent: wechatpy reports unknown events as type "unknown"."""
    return str(getattr(message, "_data", {}).get("MsgType", "")).lower()


def _keys(message) -> tuple[str, str]:
    """(dedupe key, grant id): MsgId for messages; FromUserName + CreateTime for events, as WeChat advises."""
    if isinstance(message, events.BaseEvent) or _raw_type(message) == "event" or not message.id:
        return f"evt:{message.source}:{message.time}", str(message.time)
    return f"msg:{message.id}", str(message.id)


def classify(message, welcome: str = "") -> Inbound:
    """The channel's decision for one parsed message (`welcome`: the subscribe greeting, see welcome_text)."""
    key, grant_id = _keys(message)

    def make(kind: str, text: str = "", grant: str | None = "message") -> Inbound:
        return Inbound(kind, text, grant, key, grant_id)

    if isinstance(message, messages.TextMessage):
        text = strip_invisible(message.content or "").strip()
        return make("turn", text) if text else make("reply", EMPTY)
    if isinstance(message, messages.VoiceMessage):
        text = strip_invisible(message.recognition or "").strip()
        return make("turn", text) if text else make("reply", UNHEARD)
    if isinstance(message, events.SubscribeEvent | events.SubscribeScanEvent):
        return make("reply", welcome or welcome_text(), grant="subscribe")
    if isinstance(message, events.ClickEvent):
        intent = MENU_INTENTS.get(message.key or "")
        return make("turn", intent, grant="click") if intent else make("reply", UNKNOWN_MENU, grant="click")
    if isinstance(message, events.BaseEvent) or _raw_type(message) == "event":
        return make("ignore", grant=None)  # unsubscribe, VIEW, LOCATION reports, template results ...
    return make("reply", UNSUPPORTED)  # image, location, link, video, shortvideo, unknown media
