"""The WeChat Official Account channel (`wechat`): credentials.yml `bot.channels.wechat.WeChatInput:`.

`channel.py` is the input channel (callbacks, turns, the staff push route); `security.py` the checks
every callback passes, `settings.py` its configuration, `inbound.py` what each kind of message
means, `text.py` rendering and numbered buttons, `window.py` WeChat's customer-service window,
`api.py` the WeChat API client, `dedupe.py` one turn per message, `queue.py` the durable queue of
accepted turns (engines in `queue_redis.py`, `queue_sqlite.py`) and `turns.py` its worker, `outbound.py` delivery outside a passive reply, `push.py` the desk's
staff replies.
"""

from bot.channels.wechat.channel import WeChatInput

__all__ = ["WeChatInput"]
