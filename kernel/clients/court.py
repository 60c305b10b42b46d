"""Client of the court-data service, the one the case-progress and dishonest-debtor actions call.

- `CourtDataClient` is the seam: any object with these methods can stand in for the reference service
  (a real court system adapter is named by `COURT_CLIENT=package.module:factory`, see `make_client`).
- `HttpCourtClient` speaks the reference service's /api/v1 (services/courtdata/openapi.yaml) with
  requests: connect timeout ~2 s, read timeout ~3 s, retries only for GETs (connection failures and
  502/503/504, never a read timeout: that would double the wait a citizen sees).
- `AsyncCourtClient` runs each blocking call in a worker thread under an overall deadline, so an action
  never blocks the event loop and always has an answer within ~5 s.
- Errors are mapped to what a citizen can act on: NotFound, Mismatch (WrongCode), Locked, RateLimited,
  Unavailable, BadRequest, VerificationRequired. Each carries a polite Chinese `message`.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)
DEFAULT_URL = "http://127.0.0.1:8010"
CONNECT_TIMEOUT, READ_TIMEOUT, DEADLINE = 2.0, 3.0, 4.5


# -- errors ---------------------------------------------------------------------------------------------
class CourtError(Exception):
    """Base: `message` is safe to show a citizen, `code` is the service's machine code."""

    default = "查询暂时无法完成，请稍后再试。"

    def __init__(self, message: str | None = None, code: str = "") -> None:
        super().__init__(message or self.default)
        self.message = message or self.default
        self.code = code


class NotFound(CourtError):
    default = "未找到该案号对应的案件，请核对案号。"


class Mismatch(CourtError):
    """Not a party of the case, or details wrong: deliberately one outcome for both."""

    default = "信息不匹配，无法验证您的身份。"


class WrongCode(Mismatch):
    default = "验证码不正确。"

    def __init__(self, message: str | None = None, code: str = "", attempts_left: int = 0) -> None:
        super().__init__(message, code)
        self.attempts_left = attempts_left


class RetryLater(CourtError):
    """Refused for now; `retry_after` seconds until it may work."""

    def __init__(self, message: str | None = None, code: str = "", retry_after: int = 0) -> None:
        super().__init__(message, code)
        self.retry_after = retry_after


class Locked(RetryLater):
    default = "验证码错误次数过多，查询已暂时锁定，请稍后再试。"


class RateLimited(RetryLater):
    default = "查询过于频繁，请稍后再试。"


class Unavailable(CourtError):
    default = "法院数据服务暂时无法访问，请稍后再试，也可以留下工单由工作人员联系您。"


class BadRequest(CourtError):
    """The input was refused; `reason` says why in Chinese (e.g. a bare name for a debtor search)."""

    default = "提供的信息有误，请核对后重试。"

    @property
    def reason(self) -> str:
        return self.message


class VerificationRequired(CourtError):
    """The one-time code expired, or the access grant did: verify again."""

    default = "身份验证已过期，请重新验证。"


# -- results --------------------------------------------------------------------------------------------
def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class CaseSummary:
    case_number: str
    court: str
    court_code: str
    type_code: str
    case_type: str
    stage: str
    status: str
    filing_date: date

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CaseSummary:
        return cls(
            d["case_number"],
            d["court"],
            d["court_code"],
            d["type_code"],
            d["case_type"],
            d["stage"],
            d["status"],
            date.fromisoformat(d["filing_date"]),
        )


@dataclass(frozen=True)
class CaseRouting:
    """Where a work order about a case goes."""

    case_number: str
    court: str
    judge_name: str
    division: str
    # the court's own id of the judge: the desk routes by it (a judge account is linked to it), never by name
    judge_id: str = ""


@dataclass(frozen=True)
class TeamMember:
    name: str
    office_phone: str


@dataclass(frozen=True)
class Judge:
    name: str
    title: str
    division: str
    court: str
    office_phone: str
    assistant: TeamMember
    clerk: TeamMember

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Judge:
        return cls(
            d["name"],
            d.get("title", "审判员"),
            d["division"],
            d.get("court", ""),
            d["office_phone"],
            TeamMember(**d["assistant"]),
            TeamMember(**d["clerk"]),
        )


@dataclass(frozen=True)
class ProgressNode:
    name: str
    date: date
    detail: str


@dataclass(frozen=True)
class Hearing:
    time: datetime
    courtroom: str
    kind: str


@dataclass(frozen=True)
class TimeLimit:
    procedure: str
    limit: str
    start_date: date
    deadline: date
    days_left: int
    basis: str
    extended_to: date | None = None
    extension_reason: str | None = None
    extension_rule: str | None = None
    note: str = ""

    @classmethod
    def from_json(cls, d: dict[str, Any] | None) -> TimeLimit | None:
        if not d:
            return None
        return cls(
            d["procedure"],
            d["limit"],
            date.fromisoformat(d["start_date"]),
            date.fromisoformat(d["deadline"]),
            int(d["days_left"]),
            d["basis"],
            _date(d.get("extended_to")),
            d.get("extension_reason"),
            d.get("extension_rule"),
            d.get("note", ""),
        )


@dataclass(frozen=True)
class Party:
    role: str
    kind: str
    name: str
    id_number_masked: str | None = None
    credit_code: str | None = None
    legal_representative: str | None = None


@dataclass(frozen=True)
class Representative:
    name: str
    kind: str
    role: str
    law_firm: str | None
    represents: tuple[str, ...]


@dataclass(frozen=True)
class CaseProgress:
    summary: CaseSummary
    cause: str
    procedure: str
    nodes: tuple[ProgressNode, ...]
    next_hearing: Hearing | None
    judge: Judge
    time_limit: TimeLimit | None
    parties: tuple[Party, ...]
    representatives: tuple[Representative, ...]
    viewer_role: str
    outcome: str | None = None
    closed_date: date | None = None
    prosecutor: str | None = None
    origin_case_number: str | None = None

    @property
    def latest(self) -> ProgressNode:
        return self.nodes[-1]

    @property
    def case_number(self) -> str:
        return self.summary.case_number

    @property
    def stage(self) -> str:
        return self.summary.stage

    @property
    def closed(self) -> bool:
        return self.summary.status == "已结案"

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CaseProgress:
        hearing = d.get("next_hearing")
        return cls(
            CaseSummary.from_json(d),
            d["cause"],
            d["procedure"],
            tuple(
                ProgressNode(n["name"], date.fromisoformat(n["date"]), n.get("detail", ""))
                for n in d["nodes"]
            ),
            Hearing(
                datetime.fromisoformat(hearing["time"]), hearing["courtroom"], hearing.get("kind", "开庭")
            )
            if hearing
            else None,
            Judge.from_json(d["judge"]),
            TimeLimit.from_json(d.get("time_limit")),
            tuple(
                Party(
                    p["role"],
                    p["kind"],
                    p["name"],
                    p.get("id_number_masked"),
                    p.get("credit_code"),
                    p.get("legal_representative"),
                )
                for p in d["parties"]
            ),
            tuple(
                Representative(r["name"], r["kind"], r["role"], r.get("law_firm"), tuple(r["represents"]))
                for r in d.get("representatives", [])
            ),
            d.get("viewer_role", ""),
            d.get("outcome"),
            _date(d.get("closed_date")),
            d.get("prosecutor"),
            d.get("origin_case_number"),
        )


@dataclass(frozen=True)
class VerificationStarted:
    verification_id: str
    masked_phone: str
    expires_in: int
    resend_after: int


@dataclass(frozen=True)
class AccessGrant:
    access_token: str
    case_number: str
    role: str
    expires_in: int


@dataclass(frozen=True)
class DebtorEntry:
    """One published list entry (SPC fields); `on_list` is False for an entry the court deleted."""

    entry_id: str
    kind: str
    name: str
    sex: str | None
    age: int | None
    id_number_masked: str | None
    credit_code: str | None
    legal_representative: str | None
    court: str
    province: str
    case_number: str
    basis_document_number: str
    basis_issuer: str
    filing_date: date
    obligation: str
    performance: str
    performed_part: str
    unperformed_part: str
    conduct: str
    publish_date: date
    on_list: bool
    deleted_date: date | None
    deletion_reason: str | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DebtorEntry:
        fields = dict(d)
        for key in ("filing_date", "publish_date", "deleted_date"):
            fields[key] = _date(d.get(key))
        values: dict[str, Any] = {k: fields.get(k) for k in cls.__dataclass_fields__}
        return cls(**values)


@dataclass(frozen=True)
class DebtorSearchResult:
    entries: tuple[DebtorEntry, ...]

    @property
    def on_list(self) -> tuple[DebtorEntry, ...]:
        return tuple(e for e in self.entries if e.on_list)

    @property
    def deleted(self) -> tuple[DebtorEntry, ...]:
        return tuple(e for e in self.entries if not e.on_list)


# -- the seam -------------------------------------------------------------------------------------------
class CourtDataClient(Protocol):
    """What the actions need from a court's systems. Every method raises a CourtError subclass on failure."""

    def case_summary(self, case_number: str) -> CaseSummary: ...

    def case_routing(self, case_number: str) -> CaseRouting: ...

    def start_verification(
        self,
        case_number: str,
        name: str,
        *,
        id_number: str | None = None,
        credit_code: str | None = None,
        license_number: str | None = None,
        client: str | None = None,
    ) -> VerificationStarted:
        """`client`: as for search_debtors, so failed identity matches count per end client too."""
        ...

    def check_code(self, verification_id: str, code: str, client: str | None = None) -> AccessGrant: ...

    def case_progress(self, case_number: str, access_token: str) -> CaseProgress: ...

    def search_debtors(
        self,
        name: str,
        *,
        id_number: str | None = None,
        credit_code: str | None = None,
        client: str | None = None,
    ) -> DebtorSearchResult:
        """`client`: the end client's pseudonymous key (kernel.contracts.client_key), forwarded so the
        service limits lookups per citizen and not only per calling key; None when unknown."""
        ...

    def health(self) -> bool: ...


# -- HTTP adapter for the reference service -------------------------------------------------------------
ERRORS_BY_CODE: dict[str, type[CourtError]] = {
    "wrong_code": WrongCode,
    "mismatch": Mismatch,
    "forbidden": Mismatch,
    "case_not_found": NotFound,
    "verification_required": VerificationRequired,
    "verification_expired": VerificationRequired,
    "locked": Locked,
    "rate_limited": RateLimited,
    "too_soon": RateLimited,
    "sms_daily_limit": RateLimited,
}


def error_for(status: int, body: dict[str, Any]) -> CourtError:
    """The citizen-level error for an HTTP error answer of the service."""
    code, message = str(body.get("error", "")), body.get("message")
    ours = (
        status >= 500
        or code in ("unauthorized", "http_error", "")
        or (status in (404, 405) and code != "case_not_found")
    )
    if ours:
        # 5xx, a wrong API key or a missing endpoint are our problems, not the citizen's
        log.warning("court-data service answered %s %s", status, code or "(no error code)")
        return Unavailable(code=code)
    cls = ERRORS_BY_CODE.get(code) or (BadRequest if status == 400 else Unavailable)
    if cls is WrongCode:
        return WrongCode(message, code, int(body.get("attempts_left", 0)))
    if issubclass(cls, RetryLater):
        return cls(message, code, int(body.get("retry_after", 0)))
    return cls(message, code)


def _session(retry: Retry, api_key: str) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"Accept": "application/json", "User-Agent": "court-assistant-actions/1"})
    if api_key:
        session.headers["Authorization"] = f"Bearer {api_key}"
    return session


#: The header the end client's key travels in to the reference service, which believes it only from a
#: caller listed in COURTDATA_TRUSTED_CALLERS (its COURTDATA_CLIENT_ADDRESS_HEADER, same default).
CLIENT_ADDRESS_HEADER = "X-Client-Address"


class HttpCourtClient:
    """The reference court-data service over HTTP (blocking; wrap in AsyncCourtClient inside actions)."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str = "",
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        get_retry = Retry(
            total=2,
            connect=1,
            read=0,
            status=1,
            other=0,
            backoff_factor=0.2,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
            respect_retry_after_header=False,
        )
        self._get = _session(get_retry, api_key)
        self._post = _session(Retry(total=0, raise_on_status=False), api_key)

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        session = self._get if method == "GET" else self._post
        try:
            response = session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            log.warning("court-data service unreachable: %s", type(exc).__name__)
            raise Unavailable(code="unreachable") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            log.warning("court-data service answered %s without a JSON object", response.status_code)
            raise Unavailable(code="bad_response")
        if response.status_code >= 400:
            raise error_for(response.status_code, body)
        return body

    @staticmethod
    def _case_path(case_number: str) -> str:
        return "/api/v1/cases/" + quote(case_number, safe="")

    def _parse(self, build, body: dict[str, Any]):
        try:
            return build(body)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("court-data service answer did not parse: %s", type(exc).__name__)
            raise Unavailable(code="bad_response") from exc

    def case_summary(self, case_number: str) -> CaseSummary:
        return self._parse(CaseSummary.from_json, self._request("GET", self._case_path(case_number)))

    def case_routing(self, case_number: str) -> CaseRouting:
        return self._parse(
            lambda b: CaseRouting(
                b["case_number"], b["court"], b["judge_name"], b["division"], str(b.get("judge_id") or "")
            ),
            self._request("GET", self._case_path(case_number) + "/routing"),
        )

    def start_verification(
        self,
        case_number: str,
        name: str,
        *,
        id_number: str | None = None,
        credit_code: str | None = None,
        license_number: str | None = None,
        client: str | None = None,
    ) -> VerificationStarted:
        payload = {
            "case_number": case_number,
            "name": name,
            "id_number": id_number,
            "credit_code": credit_code,
            "license_number": license_number,
        }
        body = self._request(
            "POST",
            "/api/v1/verifications",
            json={k: v for k, v in payload.items() if v},
            headers={CLIENT_ADDRESS_HEADER: client} if client else {},
        )
        return self._parse(
            lambda b: VerificationStarted(
                b["verification_id"], b["masked_phone"], int(b["expires_in"]), int(b["resend_after"])
            ),
            body,
        )

    def check_code(self, verification_id: str, code: str, client: str | None = None) -> AccessGrant:
        body = self._request(
            "POST",
            f"/api/v1/verifications/{quote(verification_id, safe='')}/check",
            json={"code": code},
            headers={CLIENT_ADDRESS_HEADER: client} if client else {},
        )
        return self._parse(
            lambda b: AccessGrant(b["access_token"], b["case_number"], b["role"], int(b["expires_in"])), body
        )

    def case_progress(self, case_number: str, access_token: str) -> CaseProgress:
        body = self._request(
            "GET", self._case_path(case_number) + "/progress", headers={"X-Access-Token": access_token}
        )
        return self._parse(CaseProgress.from_json, body)

    def search_debtors(
        self,
        name: str,
        *,
        id_number: str | None = None,
        credit_code: str | None = None,
        client: str | None = None,
    ) -> DebtorSearchResult:
        params = {
            k: v for k, v in {"name": name, "id_number": id_number, "credit_code": credit_code}.items() if v
        }
        headers = {CLIENT_ADDRESS_HEADER: client} if client else {}
        body = self._request("GET", "/api/v1/dishonest-debtors", params=params, headers=headers)
        return self._parse(
            lambda b: DebtorSearchResult(tuple(DebtorEntry.from_json(e) for e in b["entries"])), body
        )

    def health(self) -> bool:
        try:
            return self._request("GET", "/health").get("status") == "ok"
        except CourtError:
            return False


# -- async wrapper and configuration --------------------------------------------------------------------
class AsyncCourtClient:
    """The same calls as coroutines: each runs in a worker thread and gives up after `deadline` seconds."""

    def __init__(self, client: CourtDataClient, deadline: float = DEADLINE) -> None:
        self.client, self.deadline = client, deadline

    async def _run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        call = getattr(self.client, method)
        try:
            return await asyncio.wait_for(asyncio.to_thread(call, *args, **kwargs), self.deadline)
        except asyncio.TimeoutError:
            log.warning("court-data call %s exceeded %.1fs", method, self.deadline)
            raise Unavailable(code="deadline") from None

    async def case_summary(self, case_number: str) -> CaseSummary:
        return await self._run("case_summary", case_number)

    async def case_routing(self, case_number: str) -> CaseRouting:
        return await self._run("case_routing", case_number)

    async def start_verification(
        self,
        case_number: str,
        name: str,
        *,
        id_number: str | None = None,
        credit_code: str | None = None,
        license_number: str | None = None,
        client: str | None = None,
    ) -> VerificationStarted:
        return await self._run(
            "start_verification",
            case_number,
            name,
            id_number=id_number,
            credit_code=credit_code,
            license_number=license_number,
            client=client,
        )

    async def check_code(self, verification_id: str, code: str, client: str | None = None) -> AccessGrant:
        return await self._run("check_code", verification_id, code, client=client)

    async def case_progress(self, case_number: str, access_token: str) -> CaseProgress:
        return await self._run("case_progress", case_number, access_token)

    async def search_debtors(
        self,
        name: str,
        *,
        id_number: str | None = None,
        credit_code: str | None = None,
        client: str | None = None,
    ) -> DebtorSearchResult:
        return await self._run(
            "search_debtors", name, id_number=id_number, credit_code=credit_code, client=client
        )

    async def health(self) -> bool:
        try:
            return await self._run("health")
        except Unavailable:
            return False


def make_client(
    url: str = DEFAULT_URL,
    api_key: str = "",
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    *,
    adapter: str = "",
    adapter_env: Mapping[str, str] | None = None,
) -> CourtDataClient:
    """The HTTP client for the reference service at `url`, or, when `adapter` names `module:factory`, another
    court system's client: `factory(adapter_env)` (an adapter reads its own variables from that mapping)."""
    adapter = adapter.strip()
    if adapter:
        module, _, factory = adapter.partition(":")
        return getattr(importlib.import_module(module), factory or "create_client")(dict(adapter_env or {}))
    return HttpCourtClient(url, api_key, connect_timeout, read_timeout)
