"""Every cell of (status × action × role): the allowed steps go where the spec says, all others are refused."""

from __future__ import annotations

import itertools

import pytest

from services.desk.domain import lifecycle as lc

ROLES = (lc.SYSTEM, lc.CLERK, lc.JUDGE, lc.SUPERVISOR, lc.ADMIN)

# The spec of the lifecycle, written out independently of the module's table:
# (from, action) -> (to, roles allowed, reason required)
SPEC = {
    ("新建", "派发"): ("已派发", {"系统", "接线员", "督查"}, False),
    ("已退回", "派发"): ("已派发", {"接线员", "督查"}, False),
    ("新建", "受理"): ("处理中", {"接线员", "督查"}, False),
    ("已退回", "受理"): ("处理中", {"接线员", "督查"}, False),
    ("已派发", "受理"): ("处理中", {"法官", "督查"}, False),
    ("已派发", "退回"): ("已退回", {"法官", "督查"}, True),
    ("处理中", "退回"): ("已退回", {"法官", "接线员", "督查"}, True),
    ("处理中", "答复"): ("已答复", {"法官", "接线员", "督查"}, False),
    ("已答复", "回访"): ("已回访", {"接线员", "督查"}, False),
    ("已回访", "关闭"): ("已关闭", {"接线员", "督查"}, False),
    ("已答复", "关闭"): ("已关闭", {"督查"}, True),
    ("新建", "关闭"): ("已关闭", {"接线员", "督查"}, True),
    ("已退回", "关闭"): ("已关闭", {"接线员", "督查"}, True),
    ("已答复", "重开"): ("处理中", {"法官", "接线员", "督查"}, True),
    ("已回访", "重开"): ("处理中", {"接线员", "督查"}, True),
    ("已关闭", "重开"): ("处理中", {"接线员", "督查"}, True),
}

ALL_CELLS = list(itertools.product(lc.STATUSES, lc.ACTIONS, ROLES))
ALLOWED = [(s, a, r) for s, a, r in ALL_CELLS if (s, a) in SPEC and r in SPEC[(s, a)][1]]
WRONG_ROLE = [(s, a, r) for s, a, r in ALL_CELLS if (s, a) in SPEC and r not in SPEC[(s, a)][1]]
NO_SUCH_STEP = [(s, a, r) for s, a, r in ALL_CELLS if (s, a) not in SPEC]


def test_the_module_table_is_the_spec():
    table = {(t.source, t.action): (t.target, set(t.roles), t.note_required) for t in lc.TRANSITIONS}
    assert table == SPEC


@pytest.mark.parametrize(("status", "action", "role"), ALLOWED)
def test_allowed_step_goes_to_the_spec_target(status, action, role):
    target, _, _ = SPEC[(status, action)]
    assert lc.find(status, action, role, note="原因").target == target


@pytest.mark.parametrize(("status", "action", "role"), WRONG_ROLE)
def test_step_refused_for_role_not_listed(status, action, role):
    with pytest.raises(lc.RoleNotAllowed, match=role):
        lc.find(status, action, role, note="原因")


@pytest.mark.parametrize(("status", "action", "role"), NO_SUCH_STEP)
def test_step_not_in_table_refused_with_status_named(status, action, role):
    with pytest.raises(lc.TransitionError) as info:
        lc.find(status, action, role, note="原因")
    assert not isinstance(info.value, lc.RoleNotAllowed)
    assert status in str(info.value) and action in str(info.value)


@pytest.mark.parametrize(("status", "action"), [k for k, v in SPEC.items() if v[2]])
@pytest.mark.parametrize("note", [None, "", "   "])
def test_reason_required_steps_refuse_a_blank_note(status, action, note):
    role = sorted(SPEC[(status, action)][1])[0]
    with pytest.raises(lc.NoteRequired, match="说明"):
        lc.find(status, action, role, note=note)


@pytest.mark.parametrize(("status", "action"), [k for k, v in SPEC.items() if not v[2]])
def test_other_steps_need_no_note(status, action):
    role = sorted(SPEC[(status, action)][1])[0]
    assert lc.find(status, action, role).target == SPEC[(status, action)][0]


def test_unknown_action_is_named():
    with pytest.raises(lc.TransitionError, match="未知的操作“删除”"):
        lc.find("新建", "删除", lc.CLERK)


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        ("新建", "接线员", ["派发", "受理", "关闭"]),
        ("已派发", "法官", ["受理", "退回"]),
        ("处理中", "法官", ["退回", "答复"]),
        ("已答复", "接线员", ["回访", "重开"]),
        ("已答复", "督查", ["回访", "关闭", "重开"]),
        ("已关闭", "法官", []),
        ("处理中", "管理员", []),
    ],
)
def test_allowed_actions_for_the_desk_buttons(status, role, expected):
    assert lc.allowed_actions(status, role) == expected


def test_every_status_is_reachable_and_closed_can_be_reopened():
    reachable = {"新建"}
    for _ in range(len(lc.STATUSES)):
        reachable |= {t.target for t in lc.TRANSITIONS if t.source in reachable}
    assert reachable == set(lc.STATUSES)
    assert lc.find("已关闭", "重开", lc.SUPERVISOR, "群众不满意").target == "处理中"
