"""The court website's chat page channel (`webchat`): credentials.yml `bot.channels.webchat.WebChatInput:`.

`channel.py` is the socket.io input channel and its HTTP routes, `token.py` the server-signed session
tokens, `history.py` the page's message format and a conversation's history after a reload.
"""

from bot.channels.webchat.channel import WebChatInput, WebChatSettings

__all__ = ["WebChatInput", "WebChatSettings"]
