"""The reference court-data service: `create_app(settings, store)` builds the Flask app (serve with waitress).

Versioned JSON API under /api/v1, OpenAPI document at /openapi.json, health at /health. Every error is
JSON {error, message} with a 4xx/5xx status, never an HTML page or a traceback.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml
from flask import Blueprint, Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from kernel.kv import KV, shared_kv
from kernel.sms import OutboxGateway, SmsGateway, innermost
from services.courtdata.audit import AuditLog
from services.courtdata.debtors import audit_search, count_search
from services.courtdata.errors import ApiError, bad_request, not_found_case
from services.courtdata.settings import Settings
from services.courtdata.store import CourtStore
from services.courtdata.validation import (
    credit_code_error,
    id_number_error,
    license_number_error,
    name_error,
    parse_case,
)
from services.courtdata.verification import IDENTIFIERS, UNKNOWN_CLIENT, Verifier
from services.courtdata.views import debtor_entry, progress, summary

log = logging.getLogger(__name__)
OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")
CHINA = timezone(timedelta(hours=8))
HTTP_MESSAGES = {404: "没有这个接口", 405: "不支持该请求方法", 413: "请求内容过大", 415: "请求体应为JSON"}
NUMBER_CHECKS = {
    "id_number": lambda v, today: id_number_error(v, today),
    "credit_code": lambda v, today: credit_code_error(v),
    "license_number": lambda v, today: license_number_error(v),
}

#: What a trusted caller may forward besides an IP address: the pseudonymous key of a client it has no
#: address for, or will not pass on (kernel.contracts.client_key: 16 hex digits; a WeChat OpenID's key).
CLIENT_KEY = re.compile(r"[0-9a-f]{16}")

api = Blueprint("api", __name__, url_prefix="/api/v1")
public = Blueprint("public", __name__)


def _state():
    return current_app.extensions["courtdata"]


def _now() -> datetime:
    return _state()["clock"]()


def _case_or_404(raw: str) -> dict:
    number, reason = parse_case(raw, _now().date())
    if number is None:
        raise bad_request(reason, "invalid_case_number")
    case = _state()["store"].case(number.canonical)
    if case is None:
        raise not_found_case()
    return case


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request("请求体应为JSON对象", "invalid_body")
    return body


def client_address() -> str:
    """The end client's address: the caller's own, or the one a trusted caller forwards.

    The forwarded header (COURTDATA_CLIENT_ADDRESS_HEADER, default X-Client-Address) is read only from a
    caller named in COURTDATA_TRUSTED_CALLERS; from anyone else it is ignored, so nobody can pick the
    address their failures are counted on. Besides one IP address it may hold a client key (16 hex digits,
    the assistant's pseudonym of a citizen, returned as `key:…`); anything else from a trusted caller is a
    bug on its side: 400."""
    settings = _state()["settings"]
    caller = request.remote_addr or "-"
    forwarded = request.headers.get(settings.client_address_header, "").strip()
    trusted = settings.is_trusted(caller)
    if trusted and not forwarded:
        return UNKNOWN_CLIENT  # the assistant on behalf of a citizen whose address it does not know
    if not forwarded or not trusted:
        return caller
    if CLIENT_KEY.fullmatch(forwarded):
        return "key:" + forwarded
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        raise bad_request(
            f"{settings.client_address_header} 应为一个IP地址", "invalid_client_address"
        ) from None


def _identifier(source: dict) -> tuple[str, str]:
    """Exactly one of id_number / credit_code / license_number, canonical and valid."""
    given = [(k, str(source[k]).strip().upper()) for k in IDENTIFIERS if source.get(k)]
    if len(given) != 1:
        raise bad_request("请提供身份证号码、统一社会信用代码或律师执业证号中的一项", "identifier_required")
    kind, value = given[0]
    reason = NUMBER_CHECKS[kind](value, _now().date())
    if reason:
        raise bad_request(reason, f"invalid_{kind}")
    return kind, value


def _name(source: dict) -> str:
    name = str(source.get("name") or "").strip().replace(" ", "").replace("\u3000", "")
    reason = name_error(name)
    if reason:
        raise bad_request(reason, "invalid_name")
    return name


@public.get("/health")
def health():
    store = _state()["store"]
    return jsonify(
        status="ok",
        cases=len(store.cases),
        dishonest_debtors=len(store.debtors),
        demo=store.is_demo,
        as_of=store.meta.get("as_of"),
    )


@public.get("/openapi.json")
def openapi():
    return jsonify(_state()["openapi"])


@api.get("/cases/<case_number>/progress")
def case_progress(case_number: str):
    case = _case_or_404(case_number)
    grant = _state()["verifier"].grant(request.headers.get("X-Access-Token", ""), case["case_number"])
    body = progress(case, _state()["store"], _now())
    body["viewer_role"] = grant["role"]
    return jsonify(body)


@api.get("/cases/<case_number>/routing")
def case_routing(case_number: str):
    """Where a work order about this case goes: the 承办法官. For the work-order service, never shown to a
    citizen who has not been verified (the bot only passes it on)."""
    case = _case_or_404(case_number)
    store = _state()["store"]
    judge = store.judges[case["judge_id"]]
    return jsonify(
        case_number=case["case_number"],
        court=store.court_name(case["court_code"]),
        court_code=case["court_code"],
        judge_id=judge["judge_id"],
        judge_name=judge["name"],
        division=judge["division"],
    )


@api.get("/cases/<case_number>")
def case_summary(case_number: str):
    return jsonify(summary(_case_or_404(case_number), _state()["store"]))


@api.post("/verifications")
def start_verification():
    body = _json_body()
    case = _case_or_404(str(body.get("case_number") or ""))
    name = _name(body)
    kind, number = _identifier(body)
    return jsonify(_state()["verifier"].start(case, name, kind, number, client_address())), 201


@api.post("/verifications/<verification_id>/check")
def check_code(verification_id: str):
    code = str(_json_body().get("code") or "").strip()
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise bad_request("验证码应为6位数字", "invalid_code")
    return jsonify(_state()["verifier"].check(verification_id, code, client_address()))


@api.get("/dishonest-debtors")
def dishonest_debtors():
    args = {k: v for k, v in request.args.items() if v.strip()}
    name = str(args.get("name") or "").strip()
    if not any(k in args for k in ("id_number", "credit_code")) or "license_number" in args:
        reason = (
            "仅凭姓氏无法查询" if 0 < len(name) < 2 else "仅凭姓名无法区分同名人员"
        ) + "，请同时提供姓名和身份证号码（个人）或单位名称和统一社会信用代码（单位）"
        raise bad_request(reason, "identifier_required")
    name = _name(args)
    kind, number = _identifier(args)
    state, client = _state(), client_address()
    audit = state["verifier"].audit
    count_search(state["kv"], state["settings"].debtor_daily_limit, client, audit, name, kind, number)
    entries = state["store"].find_debtors(name, **{kind: number})
    shown = [debtor_entry(e) for e in entries]
    on_list = sum(1 for e in shown if e["on_list"])
    audit_search(audit, name, kind, number, client, "answered", total=len(shown), on_list=on_list)
    return jsonify(
        query={"name": name, "kind": "person" if kind == "id_number" else "organisation"},
        total=len(shown),
        on_list=on_list,
        entries=shown,
    )


@api.route("/admin/fault", methods=["GET", "PUT"])
def fault_switch():
    """Make the service slow or failing on purpose, so timeouts and outages can be tested for real."""
    state = _state()
    if request.method == "PUT":
        body = _json_body()
        mode = body.get("mode", "none")
        delay = body.get("delay_seconds", 0)
        if (
            mode not in ("none", "slow", "fail")
            or not isinstance(delay, (int, float))
            or not 0 <= delay <= 120
        ):
            raise bad_request("mode 应为 none、slow 或 fail，delay_seconds 为0到120秒", "invalid_fault")
        state["fault"] = {"mode": mode, "delay_seconds": float(delay)}
    return jsonify(state["fault"])


def _authorise() -> None:
    """Bearer data key on /api/v1 when one is configured; the admin switch takes its own key, and exists
    only when that key is set. Neither key opens the other's paths."""
    settings = current_app.extensions["courtdata"]["settings"]
    if not request.path.startswith("/api/"):
        return
    if request.path.startswith("/api/v1/admin/"):
        if not settings.admin_key:
            raise ApiError(404, "not_found", "没有这个接口")
        _require_bearer(settings.admin_key)
    elif settings.api_key:
        _require_bearer(settings.api_key)


def _require_bearer(key: str) -> None:
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {key}".encode()):
        raise ApiError(401, "unauthorized", "接口密钥无效")


def _rate_limit() -> None:
    settings = _state()["settings"]
    if settings.rate_limit <= 0 or not request.path.startswith("/api/"):
        return
    caller = request.headers.get("Authorization") or request.remote_addr or "-"
    window = int(time.time() // 60)
    key = f"cd:rate:{hashlib.sha256(caller.encode()).hexdigest()[:16]}:{window}"
    if _state()["kv"].incr(key, 60) > settings.rate_limit:
        raise ApiError(
            429, "rate_limited", "请求过于频繁，请稍后再试。", retry_after=60 - int(time.time() % 60)
        )


def _fault() -> tuple | None:
    if request.path.startswith("/api/v1/admin/"):
        return None
    fault = _state()["fault"]
    if fault["mode"] == "slow":
        time.sleep(fault["delay_seconds"])
    elif fault["mode"] == "fail":
        return jsonify(error="unavailable", message="服务暂时不可用，请稍后再试。"), 503
    return None


def _before():
    g.started = time.monotonic()
    _authorise()
    _rate_limit()
    return _fault()


def _render(error: ApiError):
    response = jsonify(error.body())
    response.status_code = error.status
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _http_error(error: HTTPException):
    return _render(ApiError(error.code or 500, "http_error", HTTP_MESSAGES.get(error.code, "请求无法处理")))


def _crash(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _render(ApiError(500, "internal_error", "服务内部错误，请稍后再试。"))


def _no_store(response):
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
    return response


@functools.lru_cache(maxsize=1)
def _openapi() -> dict:
    return yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))


def _parse_fault(value: str) -> dict:
    if not value:
        return {"mode": "none", "delay_seconds": 0.0}
    if value == "fail":
        return {"mode": "fail", "delay_seconds": 0.0}
    if value.startswith("slow:"):
        return {"mode": "slow", "delay_seconds": float(value[5:])}
    raise ValueError(f"COURTDATA_FAULT must be empty, 'fail' or 'slow:SECONDS', got {value!r}")


def create_app(
    settings: Settings,
    store: CourtStore,
    kv: KV | None = None,
    sms: SmsGateway | None = None,
    clock=None,
    audit: AuditLog | None = None,
) -> Flask:
    """The service over `store`. kv/sms default to the store at settings.redis_url and settings' SMS gateway, the
    audit log to settings.audit_log (created on first write; `python -m services.courtdata` creates it
    at start); `clock` (returning an aware datetime) lets tests pin "now" to the data's as_of date."""
    sms = sms if sms is not None else settings.sms_gateway()
    if store.is_demo and not isinstance(innermost(sms), OutboxGateway):
        raise ValueError(
            "the court-data file is demo data (meta.demo=true): its phone numbers are made up, "
            "so only SMS_BACKEND=outbox may be used with it"
        )
    kv = kv if kv is not None else shared_kv(settings.redis_url)
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.extensions["courtdata"] = {
        "settings": settings,
        "store": store,
        "kv": kv,
        "fault": _parse_fault(settings.fault),
        "clock": clock or (lambda: datetime.now(CHINA)),
        "verifier": Verifier(kv, sms, settings, audit=audit, cases=store.case),
        "openapi": _openapi(),
    }
    app.before_request(_before)
    app.after_request(_no_store)
    app.register_error_handler(ApiError, _render)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _crash)
    app.register_blueprint(public)
    app.register_blueprint(api)
    return app
