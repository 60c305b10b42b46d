"""Party verification: match the asker to a party, text a one-time code, trade a right code for a grant.

All state lives in the shared KV (kernel/kv.py) so several service processes behind a load balancer, or a
restart, see the same codes, failure counts and locks. Keys hold hashes, never raw ID numbers or codes.

Not an identity oracle (issue 10):
- failed identity matches count per case+identifier and per client address; after
  `identity_max_failures` within `identity_window` either key gets a cool-down (429) without a match;
- wrong codes lock the requester (its client address, for this case and person, and the verification
  itself), never the party for everyone; counting per requester+person (not per verification) keeps the
  three-tries rule: asking for a new code does not reset it;
- a requester locked out answers a new attempt exactly like a mismatch, whatever name it gives, and the
  attempt counts as a failed match like any other, so nothing tells a locked party from a stranger;
- after a lock or a cool-down on a real person's identifier, that person gets an SMS alert (at most one a
  day per case), sent off the request thread so that its timing tells the requester nothing;
- every attempt, failure, code failure, lock and alert goes to the audit log (services/courtdata/audit.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from kernel.privacy import mask_phone
from kernel.sms import SmsError
from services.courtdata.audit import AuditLog, mask_identifier, mask_name
from services.courtdata.errors import ApiError, mismatch

log = logging.getLogger(__name__)
IDENTIFIERS = ("id_number", "credit_code", "license_number")
# A trusted caller (the assistant) that forwards no end-client address: the citizens behind it share its
# address, so failures are not counted on that address (one prankster would cool the service down for
# everyone) but per case+identifier only, and wrong codes lock that verification alone.
UNKNOWN_CLIENT = ""
ALERT_INTERVAL = 86400  # at most one "someone tried to view your case" SMS per person and case a day


@dataclass(frozen=True)
class Match:
    """Who the asker turned out to be on this case."""

    role: str
    name: str
    phone: str


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _match_id(case: dict, name: str, number: str) -> Match | None:
    for party in case["parties"]:
        if party["kind"] == "person" and (party["name"], party["id_number"]) == (name, number):
            return Match(party["role"], name, party["phone"])
        rep = party.get("legal_representative")
        if rep and (rep["name"], rep["id_number"]) == (name, number):
            return Match(f"{party['role']}{party['name']}的法定代表人", name, rep["phone"])
    for rep in case["representatives"]:
        if rep["kind"] != "lawyer" and (rep["name"], rep.get("id_number")) == (name, number):
            return Match(rep["role"], name, rep["phone"])
    return None


def people(case: dict):
    """(kind, number, Match) for everyone on `case` who can verify."""
    for party in case["parties"]:
        if party["kind"] == "person":
            yield "id_number", party["id_number"], Match(party["role"], party["name"], party["phone"])
        else:
            yield "credit_code", party["credit_code"], Match(party["role"], party["name"], party["phone"])
        rep = party.get("legal_representative")
        if rep:
            yield (
                "id_number",
                rep["id_number"],
                Match(f"{party['role']}{party['name']}的法定代表人", rep["name"], rep["phone"]),
            )
    for rep in case["representatives"]:
        if rep["kind"] == "lawyer":
            yield "license_number", rep["license_number"], Match(rep["role"], rep["name"], rep["phone"])
        elif rep.get("id_number"):
            yield "id_number", rep["id_number"], Match(rep["role"], rep["name"], rep["phone"])


def find_match(case: dict, name: str, kind: str, number: str) -> Match | None:
    """The party, legal representative, agent or lawyer on `case` with this name and number, if any."""
    if kind == "id_number":
        return _match_id(case, name, number)
    if kind == "credit_code":
        return next(
            (
                Match(p["role"], name, p["phone"])
                for p in case["parties"]
                if p["kind"] == "organisation" and (p["name"], p["credit_code"]) == (name, number)
            ),
            None,
        )
    return next(
        (
            Match(r["role"], name, r["phone"])
            for r in case["representatives"]
            if r["kind"] == "lawyer" and (r["name"], r["license_number"]) == (name, number)
        ),
        None,
    )


class Verifier:
    """The one-time-code workflow over a KV store and an SMS gateway, audited."""

    def __init__(self, kv, sms, settings, clock=time.time, audit: AuditLog | None = None, cases=None) -> None:
        self.kv, self.sms, self.s, self.clock = kv, sms, settings, clock
        self.audit = audit if audit is not None else AuditLog(settings.audit_log)
        self.cases = cases  # case_number -> case record, for alerting the person behind a subject
        self.alerts: list[threading.Thread] = []  # started alert senders (tests wait for them)

    def subject(self, case_number: str, kind: str, number: str) -> str:
        return _digest(case_number, kind, number)

    @staticmethod
    def requester(client: str) -> str:
        if client.startswith("verification:"):
            return "unknown:" + _digest("client", client)
        return _digest("client", client)

    def _remaining(self, key: str) -> int:
        until = self.kv.get(key)
        return max(1, int(float(until) - self.clock() + 0.999)) if until else 0

    @staticmethod
    def _locked(left: int) -> ApiError:
        return ApiError(
            423,
            "locked",
            f"验证码错误次数过多，本次查询已暂时锁定，请{-(-left // 60)}分钟后再试。",
            retry_after=left,
        )

    # -- failed identity matches -------------------------------------------------------------------------
    def _cooldown_keys(self, subject: str, requester: str) -> tuple[tuple[str, str], ...]:
        if requester.startswith("unknown:"):
            return (("case_identifier", subject),)
        return (("case_identifier", subject), ("client", requester))

    def _cooldown_left(self, subject: str, requester: str) -> int:
        if self.s.identity_max_failures <= 0:
            return 0
        return max(
            self._remaining(f"cd:idcool:{scope}:{key}")
            for scope, key in self._cooldown_keys(subject, requester)
        )

    def _identity_failed(
        self, case: dict, subject: str, requester: str, kind: str, number: str, seen: dict
    ) -> None:
        if self.s.identity_max_failures <= 0:
            return
        window = self.s.identity_window
        for scope, key in self._cooldown_keys(subject, requester):
            failures = self.kv.incr(f"cd:idfail:{scope}:{key}", window)
            if failures >= self.s.identity_max_failures:
                self.kv.set(f"cd:idcool:{scope}:{key}", str(self.clock() + window), window)
                self.kv.delete(f"cd:idfail:{scope}:{key}")
                self.audit.write("identity_cooldown", scope=scope, failures=failures, seconds=window, **seen)
                if scope == "case_identifier":
                    person = next((m for k, n, m in people(case) if (k, n) == (kind, number)), None)
                    if person:
                        self._alert(case["case_number"], subject, person)

    def _cooldown(self, left: int) -> ApiError:
        return ApiError(
            429,
            "rate_limited",
            f"身份信息核对未通过的次数过多，为保护当事人信息，请{-(-left // 60)}分钟后再试；"
            "也可以携带身份证件到法院诉讼服务中心现场查询。",
            retry_after=left,
            reason="identity_cooldown",
        )

    # -- party alert -------------------------------------------------------------------------------------
    def _alert(self, case_number: str, subject: str, person: Match) -> None:
        """Tell the person on file that someone tried and failed to view their case (once a day at most)."""
        if not self.kv.set_if_absent(f"cd:alerted:{subject}", "1", ALERT_INTERVAL):
            return
        text = (
            f"【{self.s.sms_sign}】有人多次尝试查询案件{case_number}的进度，但未通过身份验证，查询已被暂停。"
            "如是您本人操作，可稍后再试；如非本人操作，请注意保护个人信息，有疑问请联系法院诉讼服务中心。"
        )

        def send() -> None:
            try:
                self.sms.send(person.phone, text, "alert")
                outcome = "sent"
            except SmsError:
                outcome = "sms_unavailable"
                log.warning("party alert to %s not sent: SMS gateway unavailable", mask_phone(person.phone))
            self.audit.write(
                "party_alert", case_number=case_number, phone=mask_phone(person.phone), outcome=outcome
            )

        thread = threading.Thread(target=send, name="courtdata-alert", daemon=True)
        self.alerts = [t for t in self.alerts if t.is_alive()] + [thread]
        thread.start()

    def wait_for_alerts(self, timeout: float = 5) -> None:
        for thread in list(self.alerts):
            thread.join(timeout)

    # -- codes -------------------------------------------------------------------------------------------
    def _throttle_sms(self, subject: str) -> None:
        if self.s.resend_seconds > 0:
            key = f"cd:resend:{subject}"
            if not self.kv.set_if_absent(
                key, str(self.clock() + self.s.resend_seconds), self.s.resend_seconds
            ):
                left = self._remaining(key)
                raise ApiError(429, "too_soon", f"验证码已发送，请{left}秒后再重新获取。", retry_after=left)
        day = time.strftime("%Y%m%d", time.localtime(self.clock()))
        if self.kv.incr(f"cd:sms:{subject}:{day}", 86400) > self.s.sms_daily_limit:
            raise ApiError(
                429,
                "sms_daily_limit",
                "今天获取验证码的次数已达上限，请明天再试或到诉讼服务中心办理。",
                retry_after=86400,
            )

    def start(self, case: dict, name: str, kind: str, number: str, client: str = "-") -> dict:
        """Text a code to the matched person's phone on file; raise ApiError for anyone else.

        Order matters and is the same for everyone: cool-down (no match at all), then the requester's own
        lock (answered as a mismatch), then the match."""
        subject = self.subject(case["case_number"], kind, number)
        requester = self.requester(
            client if client != UNKNOWN_CLIENT else "verification:" + secrets.token_hex(8)
        )
        seen = {
            "case_number": case["case_number"],
            "name": mask_name(name),
            "kind": kind,
            "identifier": mask_identifier(kind, number),
            "client": client,
        }
        left = self._cooldown_left(subject, requester)
        if left:
            self.audit.write("verification_attempt", outcome="cooldown", retry_after=left, **seen)
            raise self._cooldown(left)
        locked = self._remaining(f"cd:lock:{subject}:{requester}")
        match = None if locked else find_match(case, name, kind, number)
        if match is None:
            self.audit.write(
                "verification_attempt", outcome="requester_locked" if locked else "mismatch", **seen
            )
            self._identity_failed(case, subject, requester, kind, number, seen)
            raise mismatch()
        try:
            self._throttle_sms(subject)
        except ApiError as exc:
            self.audit.write("verification_attempt", outcome=exc.error, **seen)
            raise
        code = f"{secrets.randbelow(10**6):06d}"
        verification_id = secrets.token_urlsafe(16)
        record = {
            "case_number": case["case_number"],
            "subject": subject,
            "role": match.role,
            "requester": requester,
            "code": _digest(verification_id, code),
        }
        self.kv.set(f"cd:ver:{verification_id}", json.dumps(record, ensure_ascii=False), self.s.otp_ttl)
        text = (
            f"【{self.s.sms_sign}】验证码{code}，用于查询案件{case['case_number']}的进度，"
            f"{self.s.otp_ttl // 60}分钟内有效。请勿告知他人；如非本人操作，请忽略本短信。"
        )
        try:
            self.sms.send(match.phone, text, "otp")
        except SmsError:
            self.kv.delete(f"cd:ver:{verification_id}")
            self.audit.write("verification_attempt", outcome="sms_unavailable", **seen)
            raise ApiError(503, "sms_unavailable", "短信发送失败，请稍后再试。") from None
        self.audit.write(
            "verification_attempt",
            outcome="code_sent",
            verification=_ref(verification_id),
            role=match.role,
            phone=mask_phone(match.phone),
            **seen,
        )
        return {
            "verification_id": verification_id,
            "masked_phone": mask_phone(match.phone),
            "expires_in": self.s.otp_ttl,
            "resend_after": max(0, self.s.resend_seconds),
        }

    def check(self, verification_id: str, code: str, client: str = "-") -> dict:
        """A right code yields an access token; the third wrong one locks this requester for this person."""
        seen = {"verification": _ref(verification_id), "client": client}
        left = self._remaining(f"cd:verlock:{_digest(verification_id)}")
        if left:
            self.audit.write("code_check", outcome="locked", **seen)
            raise self._locked(left)
        raw = self.kv.get(f"cd:ver:{verification_id}")
        if raw is None:
            self.audit.write("code_check", outcome="expired", **seen)
            raise ApiError(410, "verification_expired", "验证码已失效，请重新获取。")
        record = json.loads(raw)
        subject, requester = record["subject"], record.get("requester", self.requester("-"))
        seen["case_number"] = record["case_number"]
        lock_key = f"cd:lock:{subject}:{requester}"
        left = self._remaining(lock_key)
        if left:  # locked through another of this requester's verifications
            self._lock_verification(verification_id)
            self.audit.write("code_check", outcome="locked", **seen)
            raise self._locked(left)
        if not hmac.compare_digest(record["code"], _digest(verification_id, code)):
            failures = self.kv.incr(f"cd:fail:{subject}:{requester}", self.s.lock_seconds)
            self.audit.write("code_check", outcome="wrong_code", failures=failures, **seen)
            if failures >= self.s.max_attempts:
                self.kv.set(lock_key, str(self.clock() + self.s.lock_seconds), self.s.lock_seconds)
                self.kv.delete(f"cd:fail:{subject}:{requester}")
                self._lock_verification(verification_id)
                self.audit.write("requester_lock", seconds=self.s.lock_seconds, failures=failures, **seen)
                self._alert_subject(record["case_number"], subject)
                raise self._locked(self._remaining(lock_key))
            left = self.s.max_attempts - failures
            raise ApiError(403, "wrong_code", f"验证码不正确，还可以再试{left}次。", attempts_left=left)
        self.kv.delete(f"cd:ver:{verification_id}")
        self.kv.delete(f"cd:fail:{subject}:{requester}")
        self.audit.write("code_check", outcome="verified", role=record["role"], **seen)
        token = secrets.token_urlsafe(32)
        grant = {"case_number": record["case_number"], "subject": subject, "role": record["role"]}
        self.kv.set(f"cd:tok:{_digest(token)}", json.dumps(grant, ensure_ascii=False), self.s.token_ttl)
        return {
            "access_token": token,
            "token_type": "party",
            "expires_in": self.s.token_ttl,
            "case_number": record["case_number"],
            "role": record["role"],
        }

    def _lock_verification(self, verification_id: str) -> None:
        """The verification itself stays refused (423, not 410) for the lock's length, even for the right code."""
        self.kv.delete(f"cd:ver:{verification_id}")
        self.kv.set(
            f"cd:verlock:{_digest(verification_id)}",
            str(self.clock() + self.s.lock_seconds),
            self.s.lock_seconds,
        )

    def _alert_subject(self, case_number: str, subject: str) -> None:
        case = self.cases(case_number) if self.cases else None
        person = (
            next((m for k, n, m in people(case) if self.subject(case_number, k, n) == subject), None)
            if case
            else None
        )
        if person:
            self._alert(case_number, subject, person)

    def grant(self, token: str, case_number: str) -> dict:
        """The grant behind `token` for this case; 401 when missing or expired, 403 for another case."""
        raw = self.kv.get(f"cd:tok:{_digest(token)}") if token else None
        if raw is None:
            raise ApiError(
                401, "verification_required", "查看案件进度需要先完成身份验证（验证已过期或未完成）。"
            )
        grant = json.loads(raw)
        if grant["case_number"] != case_number:
            raise ApiError(403, "forbidden", "您的身份验证不适用于该案件。")
        return grant


def _ref(verification_id: str) -> str:
    """What the audit log names a verification by: not its id, which with a code would be a credential."""
    return _digest("verification", verification_id)[:16]
