"""Local stand-in for WeChat's API server (`create_app`) and a simulator of its callbacks (`WeChatServer`)."""

from services.wechat_stub.app import StubSettings, create_app
from services.wechat_stub.sim import SimReply, WeChatServer
from services.wechat_stub.store import StubStore

__all__ = ["StubSettings", "StubStore", "SimReply", "WeChatServer", "create_app"]
