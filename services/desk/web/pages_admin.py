"""Accounts (管理员: create, reset password, change role, deactivate), the audit log (督查, 管理员) and the
holiday schedule behind the working-day deadlines (管理员: which years are covered, from where)."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for

from ..domain import lifecycle as lc
from ..domain.access import AccessDenied
from ..domain.validation import InvalidInput
from .base import calendar_warnings, desk, now_local, store

AUDIT_LIMIT = 500


def _admin_only() -> None:
    if g.actor.role != lc.ADMIN:
        raise AccessDenied("只有管理员可以管理账号")


@desk.get("/users")
def users():
    _admin_only()
    return render_template("users.html", users=store().staff.list_users(g.actor), roles=lc.STAFF_ROLES)


@desk.post("/users")
def create_user():
    form = request.form
    user = store().staff.create_user(
        g.actor,
        form.get("username", ""),
        form.get("display_name", ""),
        form.get("role", ""),
        form.get("password", ""),
    )
    judge_id = form.get("court_judge_id", "").strip()
    if judge_id and user["role"] == lc.JUDGE:  # a refused id leaves the account made, unlinked, and says why
        user = store().staff.link_judge(g.actor, user["id"], judge_id)
    flash(f"已创建账号 {user['username']}（{user['role']}）", "ok")
    return redirect(url_for("desk.users"))


def _user_id() -> int:
    value = request.form.get("user_id", "")
    if not value.isdigit():
        raise LookupError("未找到该账号")
    return int(value)


@desk.post("/users/password")
def reset_password():
    user = store().staff.update_user(g.actor, _user_id(), {"password": request.form.get("password", "")})
    flash(f"已重置 {user['username']} 的密码，该账号原有登录已失效", "ok")
    return redirect(url_for("desk.users"))


@desk.post("/users/role")
def change_role():
    user = store().staff.update_user(g.actor, _user_id(), {"role": request.form.get("role", "")})
    flash(f"{user['username']} 的角色已改为{user['role']}", "ok")
    return redirect(url_for("desk.users"))


@desk.post("/users/judge")
def link_judge():
    """Link a judge account to the court data's judge id; orders on that judge's cases route to it."""
    judge_id = request.form.get("court_judge_id", "").strip() or None
    user = store().staff.link_judge(g.actor, _user_id(), judge_id)
    if judge_id:
        flash(f"{user['username']} 已关联承办法官编号 {judge_id}", "ok")
    else:
        flash(f"{user['username']} 已取消关联承办法官编号，其案件的工单将进入接线员池", "ok")
    return redirect(url_for("desk.users"))


@desk.post("/users/active")
def set_active():
    active = request.form.get("active") == "1"
    user = store().staff.update_user(g.actor, _user_id(), {"active": active})
    flash(f"已{'启用' if active else '停用'}账号 {user['username']}", "ok")
    return redirect(url_for("desk.users"))


@desk.get("/audit")
def audit():
    """督查 and 管理员: the audit log, filtered by order or account, date range and kind of action."""
    args = {k: (request.args.get(k) or "").strip()[:32] for k in ("number", "from", "to", "kind")}
    try:
        start = date.fromisoformat(args["from"]) if args["from"] else None
        end = date.fromisoformat(args["to"]) if args["to"] else None
    except ValueError as exc:
        raise InvalidInput("from", "日期格式应为 YYYY-MM-DD") from exc
    if start and end and start > end:
        raise InvalidInput("from", "开始日期不能晚于结束日期")
    entries = store().audit_log(
        g.actor, args["number"] or None, AUDIT_LIMIT, start=start, end=end, kind=args["kind"] or None
    )
    kinds = store().audit_kinds(g.actor)
    return render_template("audit.html", entries=entries, args=args, kinds=kinds, limit=AUDIT_LIMIT)


@desk.get("/holidays")
def holidays():
    if g.actor.role != lc.ADMIN:
        raise AccessDenied("只有管理员可以查看节假日安排")
    calendar = store().calendar
    this_year = now_local().date().year
    years = [
        {
            "year": year,
            "source": calendar.source_of(year) or "未录入（按周一至周五计算）",
            "covered": calendar.covers(year),
        }
        for year in sorted(set(calendar.covered_years()[-3:]) | {this_year - 1, this_year, this_year + 1})
    ]
    return render_template(
        "holidays.html", years=years, path=calendar.path, warnings=calendar_warnings(g.actor)
    )
