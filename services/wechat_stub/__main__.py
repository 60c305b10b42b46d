"""`python -m services.wechat_stub`: serve the WeChat stand-in with waitress on WECHAT_STUB_PORT (8030)."""

import os

from waitress import serve

from services.wechat_stub import create_app

if __name__ == "__main__":
    host = os.environ.get("WECHAT_STUB_HOST", "127.0.0.1")
    serve(create_app(), host=host, port=int(os.environ.get("WECHAT_STUB_PORT", "8030")), threads=4)
