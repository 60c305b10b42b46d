"""GET /dev/sms: the simulated handset of the demo, only when SMS_BACKEND=outbox.

The outbox stands in for the operator's network, so its messages are shown with their text (a newcomer
reads the one-time code here) but with the phone number masked. With a real gateway the page does not exist.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from services.sms import latest_messages

from ..settings import DeskSettings

dev = Blueprint("dev", __name__, url_prefix="/dev")
SHOWN = 50


@dev.get("/sms")
def sms_outbox():
    settings: DeskSettings = current_app.config["DESK_SETTINGS"]
    if settings.sms_backend != "outbox":
        abort(404)
    messages = list(reversed(latest_messages(settings.sms_outbox, SHOWN)))
    return render_template("dev_sms.html", messages=messages, path=settings.sms_outbox)
