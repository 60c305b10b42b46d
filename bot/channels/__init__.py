"""Custom Rasa input channels: `rest.py`, the `webchat/` and `wechat/` packages, and `common.py`, what they share."""
