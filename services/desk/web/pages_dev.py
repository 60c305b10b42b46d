"""GET /dev/sms: the simulated handset of the demo, for administrators only.

The outbox stands in for the operator's network, so its messages are shown with their text (one-time codes
included) but with the phone number masked. Because those codes unlock citizens' case progress, the page:
- exists only in demo mode (DeskSettings.demo, i.e. COURT_MODE is not "production"; register_desk does not
  mount it otherwise) and only with SMS_BACKEND=outbox (404 with a real gateway);
- needs a logged-in administrator (管理员): no session → the login page, any other role → 403.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from kernel.sms import latest_messages

from ..domain import lifecycle as lc
from ..domain.access import AccessDenied
from ..settings import DeskSettings
from . import security
from .errors import handle

dev = Blueprint("dev", __name__, url_prefix="/dev")
SHOWN = 50


@dev.before_request
def _admin_only() -> None:
    settings: DeskSettings = current_app.config["DESK_SETTINGS"]
    if not settings.demo or settings.sms_backend != "outbox":
        abort(404)
    if security.current_actor().role != lc.ADMIN:
        raise AccessDenied("只有管理员可以查看模拟短信")


@dev.get("/sms")
def sms_outbox():
    settings: DeskSettings = current_app.config["DESK_SETTINGS"]
    messages = list(reversed(latest_messages(settings.sms_outbox, SHOWN)))
    return render_template("dev_sms.html", messages=messages, path=settings.sms_outbox)


# Registered on import, like the desk's: login redirect, 403 page, 404 page.
dev.register_error_handler(Exception, handle)
