"""Party verification: match the asker to a party, text a one-time code, trade a right code for a grant.

All state lives in the shared KV (bot/kv.py) so several service processes behind a load balancer, or a
restart, see the same codes, failure counts and locks. Keys hold hashes, never raw ID numbers or codes.
Counting failures per case+person (not per verification) is what makes the three-tries rule hold: asking
for a new code does not reset it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from bot.privacy import mask_phone
from services.courtdata.errors import ApiError, mismatch
from services.sms import SmsError

IDENTIFIERS = ("id_number", "credit_code", "license_number")


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


def find_match(case: dict, name: str, kind: str, number: str) -> Match | None:
    """The party, legal representative, agent or lawyer on `case` with this name and number, if any."""
    if kind == "id_number":
        return _match_id(case, name, number)
    if kind == "credit_code":
        return next((Match(p["role"], name, p["phone"]) for p in case["parties"]
                     if p["kind"] == "organisation" and (p["name"], p["credit_code"]) == (name, number)), None)
    return next((Match(r["role"], name, r["phone"]) for r in case["representatives"]
                 if r["kind"] == "lawyer" and (r["name"], r["license_number"]) == (name, number)), None)


class Verifier:
    """The one-time-code workflow over a KV store and an SMS gateway."""

    def __init__(self, kv, sms, settings, clock=time.time) -> None:
        self.kv, self.sms, self.s, self.clock = kv, sms, settings, clock

    def subject(self, case_number: str, kind: str, number: str) -> str:
        return _digest(case_number, kind, number)

    def _remaining(self, key: str) -> int:
        until = self.kv.get(key)
        return max(1, int(float(until) - self.clock() + 0.999)) if until else 0

    def ensure_unlocked(self, subject: str) -> None:
        left = self._remaining(f"cd:lock:{subject}")
        if left:
            raise ApiError(423, "locked", f"验证码错误次数过多，该案件的查询已暂时锁定，请{-(-left // 60)}分钟后再试。",
                           retry_after=left)

    def _throttle_sms(self, subject: str) -> None:
        if self.s.resend_seconds > 0:
            key = f"cd:resend:{subject}"
            if not self.kv.set_if_absent(key, str(self.clock() + self.s.resend_seconds), self.s.resend_seconds):
                left = self._remaining(key)
                raise ApiError(429, "too_soon", f"验证码已发送，请{left}秒后再重新获取。", retry_after=left)
        day = time.strftime("%Y%m%d", time.localtime(self.clock()))
        if self.kv.incr(f"cd:sms:{subject}:{day}", 86400) > self.s.sms_daily_limit:
            raise ApiError(429, "sms_daily_limit", "今天获取验证码的次数已达上限，请明天再试或到诉讼服务中心办理。",
                           retry_after=86400)

    def start(self, case: dict, name: str, kind: str, number: str) -> dict:
        """Text a code to the matched person's phone on file; raise ApiError for anyone else."""
        subject = self.subject(case["case_number"], kind, number)
        self.ensure_unlocked(subject)
        match = find_match(case, name, kind, number)
        if match is None:
            raise mismatch()
        self._throttle_sms(subject)
        code = f"{secrets.randbelow(10 ** 6):06d}"
        verification_id = secrets.token_urlsafe(16)
        record = {"case_number": case["case_number"], "subject": subject, "role": match.role,
                  "code": _digest(verification_id, code)}
        self.kv.set(f"cd:ver:{verification_id}", json.dumps(record, ensure_ascii=False), self.s.otp_ttl)
        text = (f"【{self.s.sms_sign}】验证码{code}，用于查询案件{case['case_number']}的进度，"
                f"{self.s.otp_ttl // 60}分钟内有效。请勿告知他人；如非本人操作，请忽略本短信。")
        try:
            self.sms.send(match.phone, text, "otp")
        except SmsError:
            self.kv.delete(f"cd:ver:{verification_id}")
            raise ApiError(503, "sms_unavailable", "短信发送失败，请稍后再试。") from None
        return {"verification_id": verification_id, "masked_phone": mask_phone(match.phone),
                "expires_in": self.s.otp_ttl, "resend_after": max(0, self.s.resend_seconds)}

    def check(self, verification_id: str, code: str) -> dict:
        """A right code yields an access token; the third wrong one locks the case for this person."""
        raw = self.kv.get(f"cd:ver:{verification_id}")
        if raw is None:
            raise ApiError(410, "verification_expired", "验证码已失效，请重新获取。")
        record = json.loads(raw)
        subject = record["subject"]
        self.ensure_unlocked(subject)
        if not hmac.compare_digest(record["code"], _digest(verification_id, code)):
            failures = self.kv.incr(f"cd:fail:{subject}", self.s.lock_seconds)
            if failures >= self.s.max_attempts:
                self.kv.set(f"cd:lock:{subject}", str(self.clock() + self.s.lock_seconds), self.s.lock_seconds)
                self.kv.delete(f"cd:fail:{subject}")
                self.kv.delete(f"cd:ver:{verification_id}")
                self.ensure_unlocked(subject)
            left = self.s.max_attempts - failures
            raise ApiError(403, "wrong_code", f"验证码不正确，还可以再试{left}次。", attempts_left=left)
        self.kv.delete(f"cd:ver:{verification_id}")
        self.kv.delete(f"cd:fail:{subject}")
        token = secrets.token_urlsafe(32)
        grant = {"case_number": record["case_number"], "subject": subject, "role": record["role"]}
        self.kv.set(f"cd:tok:{_digest(token)}", json.dumps(grant, ensure_ascii=False), self.s.token_ttl)
        return {"access_token": token, "token_type": "party", "expires_in": self.s.token_ttl,
                "case_number": record["case_number"], "role": record["role"]}

    def grant(self, token: str, case_number: str) -> dict:
        """The grant behind `token` for this case; 401 when missing or expired, 403 for another case."""
        raw = self.kv.get(f"cd:tok:{_digest(token)}") if token else None
        if raw is None:
            raise ApiError(401, "verification_required", "查看案件进度需要先完成身份验证（验证已过期或未完成）。")
        grant = json.loads(raw)
        if grant["case_number"] != case_number:
            raise ApiError(403, "forbidden", "您的身份验证不适用于该案件。")
        return grant
