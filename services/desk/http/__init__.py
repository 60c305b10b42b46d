"""The JSON API room: bearer auth, the one error shape, request bodies and the three API blueprints.

It may import the service, domain and db rooms and `settings`; nothing below imports it. The factory
(`services/desk/app.py`) registers its blueprints and error handlers.
"""
