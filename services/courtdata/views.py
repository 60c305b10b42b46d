"""What each endpoint shows of a record: the public summary, the verified party's progress, list entries.

These are the only places where stored fields become API fields, so masking happens here: ID numbers are
masked everywhere, phone numbers of parties are never returned (only the court's office lines are).
"""

from __future__ import annotations

from datetime import date, datetime

from kernel.privacy import mask_id
from services.courtdata.time_limits import GENERAL_NOTE, rule_for

TYPE_NAMES = {
    "民初": "民事一审",
    "民终": "民事二审",
    "民申": "民事申请再审审查",
    "民再": "民事再审",
    "执": "首次执行",
    "执恢": "恢复执行",
    "执异": "执行异议",
    "执复": "执行复议",
    "执保": "财产保全执行",
    "刑初": "刑事一审",
    "刑终": "刑事二审",
    "行初": "行政一审",
    "行终": "行政二审",
}
STAGES = {
    "立案": "已立案",
    "分案": "已分案，等待送达",
    "送达": "已送达诉讼文书",
    "开庭排期": "已排期，等待开庭",
    "庭审": "已开庭审理，等待宣判",
    "询问": "已询问，等待裁定",
    "听证": "已听证，等待裁定",
    "宣判": "已宣判",
    "裁定": "已作出裁定",
    "结案": "已结案",
    "上诉": "已结案，当事人已上诉",
    "执行立案": "已立案，等待执行",
    "执行措施": "执行中（已采取执行措施）",
    "财产处置": "执行中（财产处置）",
    "执行款发放": "执行中（执行款发放）",
}
CST = "+08:00"


def stage_of(case: dict) -> str:
    """A plain-Chinese stage from the latest progress node (the case's outcome for closed cases)."""
    last = case["nodes"][-1]["name"]
    if last == "结案" and case.get("outcome") in ("终结本次执行程序", "执行完毕", "执行和解", "调解", "撤诉"):
        return f"已结案（{case['outcome']}）"
    return STAGES.get(last, last)


def is_closed(case: dict) -> bool:
    return any(n["name"] == "结案" for n in case["nodes"])


def summary(case: dict, store) -> dict:
    """What anyone may know: court, type, stage, filing date."""
    return {
        "case_number": case["case_number"],
        "court": store.court_name(case["court_code"]),
        "court_code": case["court_code"],
        "type_code": case["type_code"],
        "case_type": TYPE_NAMES.get(case["type_code"], case["type_code"]),
        "stage": stage_of(case),
        "status": "已结案"
        if is_closed(case)
        else "执行中"
        if case["type_code"] in ("执", "执恢")
        else "审理中",
        "filing_date": case["filing_date"],
    }


def _judge(store, judge_id: str) -> dict:
    judge = store.judges[judge_id]
    return {
        "name": judge["name"],
        "title": judge.get("title", "审判员"),
        "division": judge["division"],
        "court": store.court_name(judge["court_code"]),
        "office_phone": judge["office_phone"],
        "assistant": dict(judge["assistant"]),
        "clerk": dict(judge["clerk"]),
    }


def _party(party: dict) -> dict:
    out = {"party_id": party["party_id"], "role": party["role"], "kind": party["kind"], "name": party["name"]}
    if party["kind"] == "person":
        out["id_number_masked"] = mask_id(party["id_number"])
    else:
        out["credit_code"] = party["credit_code"]
        out["legal_representative"] = party["legal_representative"]["name"]
    return out


def _representative(rep: dict, parties: dict[str, str]) -> dict:
    return {
        "name": rep["name"],
        "kind": rep["kind"],
        "role": rep["role"],
        "law_firm": rep.get("law_firm"),
        "represents": [parties[p] for p in rep["represents"]],
    }


def _next_hearing(case: dict, now: datetime) -> dict | None:
    hearing = case.get("next_hearing")
    if not hearing:
        return None
    time = hearing["time"] if hearing["time"].endswith(CST) else hearing["time"] + CST
    if datetime.fromisoformat(time) < now:
        return None  # a hearing in the past is not the next one
    return {"time": time, "courtroom": hearing["courtroom"], "kind": hearing.get("kind", "开庭")}


def time_limit(case: dict, today: date) -> dict | None:
    """The statutory limit of an open case, with the deadline and days left; None once closed or if none applies."""
    rule = rule_for(case["type_code"], case["procedure"])
    if rule is None or is_closed(case):
        return None
    deadline = rule.deadline(date.fromisoformat(case["filing_date"]))
    extension = case.get("time_limit_extension")
    effective = date.fromisoformat(extension["extended_to"]) if extension else deadline
    return {
        "procedure": case["procedure"],
        "limit": rule.label,
        "start_date": case["filing_date"],
        "deadline": deadline.isoformat(),
        "extended_to": extension["extended_to"] if extension else None,
        "extension_reason": extension["reason"] if extension else None,
        "days_left": (effective - today).days,
        "basis": rule.basis,
        "extension_rule": rule.extension or None,
        "note": GENERAL_NOTE,
    }


def progress(case: dict, store, now: datetime) -> dict:
    """Everything a verified party may see (法释〔2018〕7号 Art. 7), with ID numbers masked."""
    names = {p["party_id"]: p["name"] for p in case["parties"]}
    closing = next((n["date"] for n in case["nodes"] if n["name"] == "结案"), None)
    return {
        **summary(case, store),
        "cause": case["cause"],
        "procedure": case["procedure"],
        "nodes": [
            {"name": n["name"], "date": n["date"], "detail": n.get("detail", "")} for n in case["nodes"]
        ],
        "next_hearing": _next_hearing(case, now),
        "judge": _judge(store, case["judge_id"]),
        "time_limit": time_limit(case, now.date()),
        "parties": [_party(p) for p in case["parties"]],
        "representatives": [_representative(r, names) for r in case["representatives"]],
        "prosecutor": case.get("prosecutor"),
        "origin_case_number": case.get("origin_case_number"),
        "outcome": case.get("outcome") if closing else None,
        "closed_date": closing,
    }


def debtor_entry(entry: dict) -> dict:
    """Every field the SPC publishes, the ID masked; a deleted entry says it is no longer on the list."""
    person = entry["kind"] == "person"
    return {
        "entry_id": entry["entry_id"],
        "kind": entry["kind"],
        "name": entry["name"],
        "sex": entry.get("sex") if person else None,
        "age": entry.get("age") if person else None,
        "id_number_masked": mask_id(entry["id_number"]) if person else None,
        "credit_code": None if person else entry["credit_code"],
        "legal_representative": None if person else entry["legal_representative"],
        "court": entry["court"],
        "province": entry["province"],
        "case_number": entry["case_number"],
        "basis_document_number": entry["basis_document_number"],
        "basis_issuer": entry["basis_issuer"],
        "filing_date": entry["filing_date"],
        "obligation": entry["obligation"],
        "performance": entry["performance"],
        "performed_part": entry["performed_part"],
        "unperformed_part": entry["unperformed_part"],
        "conduct": entry["conduct"],
        "publish_date": entry["publish_date"],
        "on_list": not entry["deleted"],
        "deleted_date": entry.get("deleted_date"),
        "deletion_reason": entry.get("deletion_reason"),
    }
