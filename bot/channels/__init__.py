"""Custom Rasa input channels (the WeChat Official Account channel lives in `wechat.py`)."""
