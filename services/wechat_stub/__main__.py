"""`python -m services.wechat_stub`: serve the WeChat stand-in with waitress on WECHAT_STUB_PORT (8030)."""

from waitress import serve

from services.wechat_stub import create_app
from services.wechat_stub.app import StubSettings

if __name__ == "__main__":
    settings = StubSettings.from_env()
    serve(create_app(settings), host=settings.host, port=settings.port, threads=4)
