"""Staff accounts: argon2-hashed passwords, roles, the demo accounts, and logins in the audit log."""

from __future__ import annotations

import hashlib
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..db.models import AuditEntry, StaffUser
from ..db.sessions import end_user_sessions
from ..domain import lifecycle as lc
from ..domain.access import AccessDenied, Actor
from ..domain.clock import utcnow
from ..domain.routing import JudgeAccount
from ..domain.validation import InvalidInput, judge_id_field
from ..settings import DeskSettings
from .presenters import user_view

MIN_PASSWORD = 8
# (username, display name, role, court-data judge id). The judges are the 承办法官 of two walk-through cases
# of the court demo data (services/courtdata/demo_data.json): 易泽俊 (J0105-01) has （2026）京0105民初8848号,
# 邹丹 (J0105-09) the enforcement case （2023）京0105执5678号; linked by id, 联系法官 and 信用修复 orders on
# those cases reach their accounts. See docs/workorders.md.
DEMO_STAFF = (
    ("clerk", "周敏", lc.CLERK, None),
    ("judge_yi", "易泽俊", lc.JUDGE, "J0105-01"),
    ("judge_zou", "邹丹", lc.JUDGE, "J0105-09"),
    ("supervisor", "孙立", lc.SUPERVISOR, None),
    ("admin", "系统管理员", lc.ADMIN, None),
)


class StaffDirectory:
    """Reads and changes staff accounts; every change is audited."""

    def __init__(
        self, sessions: sessionmaker, settings: DeskSettings, hasher: PasswordHasher | None = None
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None  # made on the first failed login, not at start-up

    # ---------------------------------------------------------------- reading

    @staticmethod
    def linked_judges(session: Session) -> dict[str, JudgeAccount]:
        """Active judge accounts by their linked court-data judge id, for routing 联系法官 and 信用修复."""
        rows = session.execute(
            select(StaffUser.court_judge_id, StaffUser.id, StaffUser.display_name).where(
                StaffUser.role == lc.JUDGE, StaffUser.active, StaffUser.court_judge_id.is_not(None)
            )
        ).all()
        return {judge_id: JudgeAccount(user_id, name) for judge_id, user_id, name in rows}

    def actor(self, user_id: int) -> Actor | None:
        """The active user with this id as an Actor (None if gone or deactivated)."""
        with self._sessions() as session:
            user = session.get(StaffUser, user_id)
            return Actor.of(user) if user is not None and user.active else None

    def session_state(self, user_id: int) -> tuple[Actor, str] | None:
        """The active user and a fingerprint of their password hash, so a password reset ends old sessions."""
        with self._sessions() as session:
            user = session.get(StaffUser, user_id)
            if user is None or not user.active:
                return None
            return Actor.of(user), hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]

    def list_users(self, actor: Actor) -> list[dict[str, Any]]:
        """All accounts, for administrators; other staff get the active judges and supervisors (派发)."""
        with self._sessions() as session:
            query = select(StaffUser).order_by(StaffUser.id)
            if actor.role != lc.ADMIN:
                query = query.where(StaffUser.active, StaffUser.role.in_((lc.JUDGE, lc.SUPERVISOR)))
            return [user_view(u, self._settings.timezone) for u in session.execute(query).scalars()]

    # ---------------------------------------------------------------- logins

    def authenticate(self, username: str, password: str) -> Actor | None:
        """The actor if the password matches an active account; both outcomes are audited."""
        now = utcnow()
        with self._sessions.begin() as session:
            user = session.execute(
                select(StaffUser).where(StaffUser.username == (username or "").strip())
            ).scalar_one_or_none()
            if not self._verify(user, password or ""):
                session.add(
                    AuditEntry(
                        actor_name=(username or "")[:64],
                        action="登录失败",
                        object_type="账号",
                        object_ref=(username or "")[:64],
                        at=now,
                    )
                )
                return None
            if self._hasher.check_needs_rehash(user.password_hash):
                user.password_hash = self._hasher.hash(password)
            user.last_login_at = now
            session.add(
                AuditEntry(
                    actor_id=user.id,
                    actor_name=user.display_name,
                    action="登录",
                    object_type="账号",
                    object_ref=user.username,
                    at=now,
                )
            )
            return Actor.of(user)

    def _verify(self, user: StaffUser | None, password: str) -> bool:
        """Check the password; unknown users cost the same time, so logins do not reveal usernames."""
        try:
            if user is None or not user.active:
                self._dummy_hash = self._dummy_hash or self._hasher.hash("timing-equaliser")
                self._hasher.verify(self._dummy_hash, password)
                return False
            return self._hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # --------------------------------------------------------------- changes

    def create_user(
        self, actor: Actor | None, username: str, display_name: str, role: str, password: str
    ) -> dict[str, Any]:
        """A new account (administrators only; `actor` None is the start-up seeding)."""
        if actor is not None and actor.role != lc.ADMIN:
            raise AccessDenied("只有管理员可以管理账号")
        self._check_fields(username, display_name, role, password)
        now = utcnow()
        try:
            with self._sessions.begin() as session:
                user = StaffUser(
                    username=username.strip(),
                    display_name=display_name.strip(),
                    role=role,
                    password_hash=self._hasher.hash(password),
                    active=True,
                    created_at=now,
                )
                session.add(user)
                session.flush()
                session.add(
                    AuditEntry(
                        actor_id=actor.id if actor else None,
                        actor_name=actor.name if actor else "系统",
                        action="创建账号",
                        object_type="账号",
                        object_ref=user.username,
                        detail=role,
                        at=now,
                    )
                )
                return user_view(user, self._settings.timezone)
        except IntegrityError as exc:
            raise InvalidInput("username", "该用户名已存在") from exc

    def update_user(self, actor: Actor, user_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change display name, role, active flag or password (administrators only)."""
        if actor.role != lc.ADMIN:
            raise AccessDenied("只有管理员可以管理账号")
        now = utcnow()
        with self._sessions.begin() as session:
            user = session.get(StaffUser, user_id)
            if user is None:
                raise LookupError("未找到该账号")
            if user.id == actor.id and (
                changes.get("active") is False or changes.get("role", lc.ADMIN) != lc.ADMIN
            ):
                raise InvalidInput("role", "不能停用自己的账号或取消自己的管理员角色")
            self._apply_changes(user, changes)
            if "password" in changes or changes.get("active") is False:
                end_user_sessions(session, user.id)  # a reset password or a deactivation logs them out
            detail = "、".join(sorted(k for k in changes if k != "password")) or None
            if "password" in changes:
                detail = f"{detail + '、' if detail else ''}重置密码"
            session.add(
                AuditEntry(
                    actor_id=actor.id,
                    actor_name=actor.name,
                    action="修改账号",
                    object_type="账号",
                    object_ref=user.username,
                    detail=detail,
                    at=now,
                )
            )
            return user_view(user, self._settings.timezone)

    def link_judge(self, actor: Actor, user_id: int, judge_id: str | None) -> dict[str, Any]:
        """Link a judge account to the court data's judge id (None unlinks): 联系法官 and 信用修复 orders on
        that judge's cases reach this account. Administrators only; the id is checked for form, the account
        must be a judge, and one id links one account."""
        if actor.role != lc.ADMIN:
            raise AccessDenied("只有管理员可以管理账号")
        return self._link_judge(actor, user_id, judge_id)

    def _link_judge(self, actor: Actor | None, user_id: int, judge_id: str | None) -> dict[str, Any]:
        judge_id = judge_id_field({"court_judge_id": judge_id})
        try:
            with self._sessions.begin() as session:
                user = session.get(StaffUser, user_id)
                if user is None:
                    raise LookupError("未找到该账号")
                if judge_id and user.role != lc.JUDGE:
                    raise InvalidInput("court_judge_id", "只有法官账号可以关联承办法官编号")
                if judge_id:
                    self._check_unlinked(session, judge_id, user.id)
                user.court_judge_id = judge_id
                session.add(
                    AuditEntry(
                        actor_id=actor.id if actor else None,
                        actor_name=actor.name if actor else "系统",
                        action="关联法官编号",
                        object_type="账号",
                        object_ref=user.username,
                        detail=judge_id or "取消关联",
                        at=utcnow(),
                    )
                )
                return user_view(user, self._settings.timezone)
        except IntegrityError as exc:  # linked elsewhere at the same moment
            raise InvalidInput("court_judge_id", f"承办法官编号 {judge_id} 已关联其他账号") from exc

    @staticmethod
    def _check_unlinked(session: Session, judge_id: str, user_id: int) -> None:
        """One court-data judge id links one account: refuse with the account that holds it."""
        holder = session.execute(
            select(StaffUser.username).where(StaffUser.court_judge_id == judge_id, StaffUser.id != user_id)
        ).scalar_one_or_none()
        if holder is not None:
            raise InvalidInput("court_judge_id", f"承办法官编号 {judge_id} 已关联账号 {holder}")

    def _apply_changes(self, user: StaffUser, changes: dict[str, Any]) -> None:
        if "display_name" in changes:
            self._check_fields(user.username, changes["display_name"], user.role, None)
            user.display_name = changes["display_name"].strip()
        if "role" in changes:
            self._check_fields(user.username, user.display_name, changes["role"], None)
            user.role = changes["role"]
            if user.role != lc.JUDGE:
                user.court_judge_id = None  # a link only routes to judges; a former judge keeps none
        if "active" in changes:
            if not isinstance(changes["active"], bool):
                raise InvalidInput("active", "active 应为 true 或 false")
            user.active = changes["active"]
        if "password" in changes:
            self._check_fields(user.username, user.display_name, user.role, changes["password"])
            user.password_hash = self._hasher.hash(changes["password"])

    @staticmethod
    def _check_fields(username: Any, display_name: Any, role: Any, password: Any) -> None:
        if not isinstance(username, str) or not 2 <= len(username.strip()) <= 64:
            raise InvalidInput("username", "用户名应为2到64个字符")
        if not isinstance(display_name, str) or not 1 <= len(display_name.strip()) <= 64:
            raise InvalidInput("display_name", "姓名应为1到64个字符")
        if role not in lc.STAFF_ROLES:
            raise InvalidInput("role", f"角色应为以下之一：{'、'.join(lc.STAFF_ROLES)}")
        if password is not None and (not isinstance(password, str) or len(password) < MIN_PASSWORD):
            raise InvalidInput("password", f"密码至少{MIN_PASSWORD}位")

    def demo_password_accounts(self, passwords: tuple[str, ...]) -> list[str]:
        """Active demo accounts (DEMO_STAFF usernames) whose password is one of `passwords` (start-up check)."""
        names = [username for username, *_ in DEMO_STAFF]
        with self._sessions() as session:
            users = session.execute(
                select(StaffUser).where(StaffUser.username.in_(names), StaffUser.active)
            ).scalars()
            return [
                user.username
                for user in users
                if any(self._verify(user, password) for password in passwords if password)
            ]

    def seed_demo(self) -> bool:
        """Create the demo accounts on a database without any staff; True if it did."""
        with self._sessions() as session:
            if session.execute(select(func.count(StaffUser.id))).scalar_one() > 0:
                return False
        for username, display_name, role, judge_id in DEMO_STAFF:
            try:
                user = self.create_user(None, username, display_name, role, self._settings.demo_password)
            except InvalidInput:  # another process seeded it at the same moment
                continue
            if judge_id:
                self._link_judge(None, user["id"], judge_id)
        return True
