"""Cases for the demo data: numbers, parties, judges and progress timelines that stay consistent.

A timeline is planned in full from the filing date (within the statutory limit, a few cases over it with an
approved extension) and then cut at the data's `as_of` date: nodes after it have not happened yet, and a
scheduled hearing after it becomes the case's next hearing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import chinese_calendar

from services.courtdata import demo_pools as pools
from services.courtdata.time_limits import rule_for

TYPE_CATEGORY = {
    "民初": "civil",
    "民终": "civil",
    "民申": "review",
    "执": "enforcement",
    "执恢": "enforcement",
    "执异": "objection",
    "刑初": "criminal",
    "刑终": "criminal",
    "行初": "administrative",
    "行终": "administrative",
}
ROLES = {
    "民初": ("原告", "被告"),
    "民终": ("上诉人（原审被告）", "被上诉人（原审原告）"),
    "民申": ("再审申请人", "被申请人"),
    "执": ("申请执行人", "被执行人"),
    "执恢": ("申请执行人", "被执行人"),
    "执异": ("异议人（案外人）", "申请执行人", "被执行人"),
    "刑初": ("被告人",),
    "刑终": ("上诉人（原审被告人）",),
    "行初": ("原告", "被告"),
    "行终": ("上诉人（原审原告）", "被上诉人（原审被告）"),
}
BASIC_PLAN = {"民初": 16, "执": 4, "执恢": 1, "执异": 1, "刑初": 2}
INTERMEDIATE_PLAN = {
    "民初": 14,
    "民终": 34,
    "民申": 10,
    "执": 8,
    "执恢": 3,
    "执异": 8,
    "刑初": 5,
    "刑终": 7,
    "行初": 4,
    "行终": 6,
}
SEQ_MAX = {("basic", "民初"): 40000, ("basic", "执"): 20000, ("intermediate", "民终"): 12000}
HEARING_TIMES = ["09:00", "09:30", "10:00", "14:00", "14:30", "15:00"]
# Share of the planned duration spent before each node (the first node is the filing itself).
TRIAL_WEIGHTS = [
    ("分案", 0.03),
    ("送达", 0.12),
    ("开庭排期", 0.12),
    ("庭审", 0.33),
    ("宣判", 0.30),
    ("结案", 0.10),
]
REVIEW_WEIGHTS = [("分案", 0.05), ("送达", 0.15), ("HEARING", 0.40), ("裁定", 0.30), ("结案", 0.10)]


# Official holiday calendars are used up to this year (chinese-calendar 1.11 has them); later days fall back
# to Monday–Friday, so a library that learns next year's holidays does not change the committed file.
CALENDAR_LAST_YEAR = 2026


def workday(day: date) -> date:
    """The first working day on or after `day` (Chinese holiday calendar where it is fixed)."""
    while True:
        if day.year <= CALENDAR_LAST_YEAR:
            if chinese_calendar.is_workday(day):
                return day
        elif day.weekday() < 5:
            return day
        day += timedelta(days=1)


def fmt_cn(when: datetime) -> str:
    return f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"


class CaseFactory:
    """Builds case records and keeps case numbers unique across cases and debtor entries."""

    def __init__(self, rng: random.Random, as_of: date, people, judges: list[dict]) -> None:
        self.rng, self.as_of, self.people, self.judges = rng, as_of, people, judges
        self.cases: list[dict] = []
        self.numbers: set[str] = set()
        self.lawyers = [people.lawyer() for _ in range(40)]

    # -- numbers, judges, parties ------------------------------------------------------------------
    def case_number(self, court: str, type_code: str, year: int, seq: int | None = None) -> str:
        level = "intermediate" if court == pools.INTERMEDIATE else "basic"
        top = SEQ_MAX.get((level, type_code), 3000 if level == "basic" else 1500)
        while True:
            number = f"（{year}）{court}{type_code}{seq or self.rng.randint(1, top)}号"
            if number not in self.numbers:
                self.numbers.add(number)
                return number
            if seq is not None:
                raise ValueError(f"case number {number} used twice")

    def judge_for(self, court: str, type_code: str) -> dict:
        category = TYPE_CATEGORY[type_code]
        return self.rng.choice(
            [j for j in self.judges if j["court_code"] == court and j["category"] == category]
        )

    def party(self, role: str, org_share: float) -> dict:
        entity = self.people.organisation() if self.rng.random() < org_share else self.people.person()
        return {"role": role, **entity}

    def parties_for(self, type_code: str, court: str) -> list[dict]:
        roles = ROLES[type_code]
        if type_code in ("刑初", "刑终"):
            count = 2 if self.rng.random() < 0.15 else 1
            return [{"role": roles[0], **self.people.person()} for _ in range(count)]
        if type_code in ("行初", "行终"):
            region = pools.COURTS[[c["code"] for c in pools.COURTS].index(court)]["region_code"]
            if court == pools.INTERMEDIATE:
                region = self.rng.choice(list(pools.DISTRICT_NAMES))
            return [self.party(roles[0], 0.3), {"role": roles[1], **self.people.authority(region)}]
        parties = [self.party(roles[0], 0.3), self.party(roles[1], 0.45)]
        if len(roles) == 3:
            parties.append(self.party(roles[2], 0.4))
        elif self.rng.random() < 0.15:
            parties.append(self.party(roles[1], 0.45))
        return parties

    def representatives_for(self, type_code: str, parties: list[dict]) -> list[dict]:
        reps = []
        for party in parties:
            criminal = type_code.startswith("刑")
            if self.rng.random() < (0.7 if criminal else 0.45):
                lawyer = self.rng.choice(self.lawyers)
                reps.append(
                    {
                        **lawyer,
                        "role": "辩护人" if criminal else "委托诉讼代理人",
                        "represents": [party["party_id"]],
                    }
                )
            elif party["kind"] == "person" and self.rng.random() < 0.1:
                agent = self.people.person()
                reps.append(
                    {
                        **agent,
                        "kind": "agent",
                        "relation": "近亲属",
                        "role": "委托诉讼代理人",
                        "represents": [party["party_id"]],
                    }
                )
        return reps

    # -- timelines ---------------------------------------------------------------------------------
    def planned_days(self, type_code: str, procedure: str) -> tuple[int, bool]:
        rule = rule_for(type_code, procedure)
        limit = rule.approx_days() if rule else 180
        if rule and rule.extension_days and self.rng.random() < 0.08:
            return limit + int(rule.extension_days * self.rng.uniform(0.2, 0.8)), True
        return max(8, int(limit * self.rng.uniform(0.35, 0.95))), False

    def steps(self, filing: date, total: int, weights: list[tuple[str, float]]) -> list[tuple[str, date]]:
        day, out = filing, []
        for name, share in weights:
            day = day + timedelta(days=max(1, round(total * share * self.rng.uniform(0.7, 1.3))))
            if name in ("庭审", "HEARING", "宣判", "裁定", "结案"):
                day = workday(day)
            out.append((name, day))
        return out

    def hearing_at(self, day: date, court: str) -> tuple[datetime, str]:
        hh, mm = self.rng.choice(HEARING_TIMES).split(":")
        rooms = 29 if court == pools.INTERMEDIATE else 24
        return datetime(day.year, day.month, day.day, int(hh), int(mm)), pools.courtroom_name(
            self.rng.randint(1, rooms)
        )

    def trial_plan(self, case: dict, judge: dict, total: int) -> list[dict]:
        outcome = case["outcome"]
        when, room = None, None
        nodes = [{"name": "立案", "date": case["filing_date"], "detail": "法院已立案受理本案"}]
        for name, day in self.steps(date.fromisoformat(case["filing_date"]), total, TRIAL_WEIGHTS):
            if outcome == "撤诉" and name in ("开庭排期", "庭审", "宣判"):
                continue
            if outcome == "调解" and name == "宣判":
                continue
            detail = TRIAL_DETAIL.get((case["type_code"][0], name), TRIAL_DETAIL.get(name, "")).format(
                division=judge["division"], judge=judge["name"]
            )
            if name == "开庭排期":
                hearing_day = day + timedelta(days=max(1, round(total * 0.33)))
                when, room = self.hearing_at(workday(hearing_day), case["court_code"])
                detail = f"本案定于{fmt_cn(when)}在{room}开庭审理"
            if name == "庭审" and when is not None:
                day = when.date()
                detail = f"本案已在{room}开庭审理"
            if name == "结案":
                detail = CLOSING_DETAIL.get((case["type_code"], outcome), CLOSING_DETAIL[outcome])
            nodes.append(
                {
                    "name": name,
                    "date": day.isoformat(),
                    "detail": detail,
                    "_hearing": (when, room) if name == "庭审" else None,
                }
            )
        if outcome == "判决" and case["type_code"] in ("民初", "刑初", "行初") and self.rng.random() < 0.25:
            last = date.fromisoformat(nodes[-1]["date"])
            nodes.append(
                {
                    "name": "上诉",
                    "date": (last + timedelta(days=self.rng.randint(5, 14))).isoformat(),
                    "detail": "当事人已提起上诉，案卷将移送"
                    + (
                        "北京市高级人民法院"
                        if case["court_code"] == pools.INTERMEDIATE
                        else "北京市第三中级人民法院"
                    ),
                }
            )
        return nodes

    def review_plan(self, case: dict, judge: dict, total: int) -> list[dict]:
        hearing_name = "询问" if case["type_code"] == "民申" else "听证"
        nodes = [{"name": "立案", "date": case["filing_date"], "detail": "法院已立案受理"}]
        for name, day in self.steps(date.fromisoformat(case["filing_date"]), total, REVIEW_WEIGHTS):
            if name == "HEARING":
                when, room = self.hearing_at(day, case["court_code"])
                nodes.append(
                    {
                        "name": hearing_name,
                        "date": day.isoformat(),
                        "detail": f"已在{room}组织{hearing_name}",
                        "_hearing": (when, room),
                    }
                )
                continue
            detail = REVIEW_DETAIL[name].format(
                division=judge["division"],
                judge=judge["name"],
                ruling=REVIEW_RULING[case["type_code"]][case["outcome"]],
            )
            nodes.append({"name": name, "date": day.isoformat(), "detail": detail})
        return nodes

    def enforcement_plan(self, case: dict, total: int) -> list[dict]:
        filing, outcome = date.fromisoformat(case["filing_date"]), case["outcome"]
        weights = {
            "执行完毕": [("执行措施", 0.1), ("财产处置", 0.45), ("执行款发放", 0.3), ("结案", 0.15)],
            "终结本次执行程序": [("执行措施", 0.15), ("结案", 0.85)],
            "执行和解": [("执行措施", 0.2), ("结案", 0.6)],
        }[outcome]
        if outcome == "执行完毕" and self.rng.random() < 0.5:
            weights = [("执行措施", 0.15), ("执行款发放", 0.6), ("结案", 0.25)]
        nodes = [{"name": "执行立案", "date": filing.isoformat(), "detail": "法院已受理执行申请并立案"}]
        for name, day in self.steps(filing, total, weights):
            detail = CLOSING_DETAIL[outcome] if name == "结案" else ENFORCEMENT_DETAIL[name]
            nodes.append({"name": name, "date": day.isoformat(), "detail": detail})
        return nodes

    # -- assembling --------------------------------------------------------------------------------
    def procedure_for(self, court: str, type_code: str) -> str:
        if type_code in ("民终", "刑终", "行终"):
            return "第二审程序"
        if type_code == "民申":
            return "再审审查"
        if type_code in ("执", "执恢"):
            return "执行实施"
        if type_code == "执异":
            return "执行异议审查"
        if court == pools.INTERMEDIATE:
            return "普通程序"
        roll = self.rng.random()
        if type_code == "民初":
            return "简易程序" if roll < 0.6 else "小额诉讼程序" if roll < 0.7 else "普通程序"
        return "简易程序" if roll < 0.4 else "普通程序"

    def outcome_for(self, type_code: str) -> str:
        roll = self.rng.random()
        category = TYPE_CATEGORY[type_code]
        if category == "enforcement":
            return "执行完毕" if roll < 0.4 else "终结本次执行程序" if roll < 0.85 else "执行和解"
        if category in ("review", "objection"):
            return "驳回" if roll < 0.7 else "支持"
        if type_code.startswith("刑"):
            return "判决"
        if type_code.startswith("行"):
            return "判决" if roll < 0.7 else "撤诉"
        return "判决" if roll < 0.65 else "调解" if roll < 0.9 else "撤诉"

    def random_filing(self) -> date:
        ago = self.rng.randint(3, 150) if self.rng.random() < 0.55 else self.rng.randint(150, 1000)
        return workday(self.as_of - timedelta(days=ago))

    def new_case(
        self,
        court: str,
        type_code: str,
        filing: date | None = None,
        parties: list[dict] | None = None,
        **fields,
    ) -> dict:
        """Plan a whole case, cut it at `as_of`, store it and return it."""
        filing = filing or self.random_filing()
        judge = self.judge_for(court, type_code) if "judge" not in fields else fields.pop("judge")
        parties = parties or self.parties_for(type_code, court)
        for index, party in enumerate(parties, 1):
            party["party_id"] = f"P{index}"
        case = {
            "case_number": fields.pop("case_number", None) or self.case_number(court, type_code, filing.year),
            "court_code": court,
            "type_code": type_code,
            "cause": self.cause_for(type_code),
            "procedure": self.procedure_for(court, type_code),
            "filing_date": filing.isoformat(),
            "judge_id": judge["judge_id"],
            "parties": parties,
            "representatives": [],
            "outcome": self.outcome_for(type_code),
            "origin_case_number": None,
            "prosecutor": None,
            "time_limit_extension": None,
            "next_hearing": None,
        }
        case.update({k: v for k, v in fields.items() if k not in ("nodes", "total")})
        case["representatives"] = (
            fields["representatives"]
            if "representatives" in fields
            else self.representatives_for(type_code, parties)
        )
        if type_code.startswith("刑"):
            case["prosecutor"] = pools.PROSECUTORS[court]
        total, extended = fields.get("total") or self.planned_days(type_code, case["procedure"])
        nodes = fields.get("nodes") or self.plan(case, judge, total)
        self.finish(case, nodes, extended)
        self.cases.append(case)
        return case

    def plan(self, case: dict, judge: dict, total: int) -> list[dict]:
        category = TYPE_CATEGORY[case["type_code"]]
        if category == "enforcement":
            return self.enforcement_plan(case, total)
        if category in ("review", "objection"):
            return self.review_plan(case, judge, total)
        return self.trial_plan(case, judge, total)

    def finish(self, case: dict, nodes: list[dict], extended: bool) -> None:
        """Cut the plan at as_of, derive the next hearing, extension and outcome."""
        done = [n for n in nodes if date.fromisoformat(n["date"]) <= self.as_of]
        upcoming = [n for n in nodes if date.fromisoformat(n["date"]) > self.as_of]
        hearing = next((n.get("_hearing") for n in upcoming if n.get("_hearing")), None)
        scheduled = any(n["name"] in ("开庭排期", "送达") for n in done)
        if hearing and scheduled and upcoming and upcoming[0].get("_hearing"):
            when, room = hearing
            kind = {"庭审": "开庭"}.get(upcoming[0]["name"], upcoming[0]["name"])
            case["next_hearing"] = {
                "time": when.strftime("%Y-%m-%dT%H:%M:00+08:00"),
                "courtroom": room,
                "kind": kind,
            }
        case["nodes"] = [{k: v for k, v in n.items() if not k.startswith("_")} for n in done]
        closed = any(n["name"] == "结案" for n in done)
        if not closed:
            case["outcome"] = None
        rule = rule_for(case["type_code"], case["procedure"])
        if extended and rule and rule.extension:
            deadline = rule.deadline(date.fromisoformat(case["filing_date"]))
            if date.fromisoformat(nodes[-1]["date"]) > deadline and deadline <= self.as_of:
                approver = "北京市高级人民法院" if case["type_code"][0] in "刑行" else "本院院长"
                case["time_limit_extension"] = {
                    "extended_to": max(
                        deadline + timedelta(days=rule.extension_days), date.fromisoformat(nodes[-1]["date"])
                    ).isoformat(),
                    "reason": f"案情复杂，经{approver}批准延长期限",
                }

    def cause_for(self, type_code: str) -> str:
        if type_code.startswith("刑"):
            return self.rng.choice(pools.CRIMINAL_CAUSES)
        if type_code.startswith("行"):
            return self.rng.choice(pools.ADMIN_CAUSES)
        if TYPE_CATEGORY[type_code] in ("enforcement", "objection"):
            return self.rng.choice(pools.MONEY_CAUSES)
        return self.rng.choice(pools.CIVIL_CAUSES)

    # -- bulk ---------------------------------------------------------------------------------------
    def generate_bulk(self) -> None:
        """The planned counts per court and type, plus appeals and enforcement that follow from them."""
        for court in pools.COURTS:
            plan = INTERMEDIATE_PLAN if court["code"] == pools.INTERMEDIATE else BASIC_PLAN
            for type_code, count in plan.items():
                for _ in range(count):
                    filing = self.random_filing()
                    self.new_case(
                        court["code"],
                        type_code,
                        filing,
                        **self.origin_fields(court["code"], filing, type_code),
                    )
            if court["code"] in ("京0105", "京0112"):
                for _ in range(2):
                    self.new_case(court["code"], "行初")
        for case in [
            c for c in self.cases if c["type_code"] == "民初" and c["court_code"] != pools.INTERMEDIATE
        ]:
            self.follow_up(case)

    def origin_fields(self, court: str, filing: date, type_code: str) -> dict:
        """A plausible origin case number for types that always have one (not necessarily in the data)."""
        basic = self.rng.choice([c["code"] for c in pools.COURTS if c["level"] == "basic"])
        origin = {
            "民终": (basic, "民初"),
            "刑终": (basic, "刑初"),
            "行终": (basic, "行初"),
            "民申": (court, "民终"),
            "执": (court, "民初"),
            "执恢": (court, "执"),
            "执异": (court, "执"),
        }.get(type_code)
        if origin is None:
            return {}
        year = filing.year - self.rng.randint(1 if type_code in ("执恢", "民申") else 0, 2)
        return {"origin_case_number": self.case_number(origin[0], origin[1], year)}

    def follow_up(self, case: dict) -> None:
        """An appeal to 京03 after a 上诉 node, or enforcement after a money judgment."""
        nodes = {n["name"]: date.fromisoformat(n["date"]) for n in case["nodes"]}
        plaintiff = next(p for p in case["parties"] if p["role"] == "原告")
        defendant = next(p for p in case["parties"] if p["role"] == "被告")
        strip = ("party_id", "role")
        if "上诉" in nodes:
            filing = nodes["上诉"] + timedelta(days=self.rng.randint(15, 40))
            if filing <= self.as_of:
                parties = [
                    {**{k: v for k, v in defendant.items() if k not in strip}, "role": "上诉人（原审被告）"},
                    {
                        **{k: v for k, v in plaintiff.items() if k not in strip},
                        "role": "被上诉人（原审原告）",
                    },
                ]
                self.new_case(
                    pools.INTERMEDIATE,
                    "民终",
                    filing,
                    parties,
                    cause=case["cause"],
                    origin_case_number=case["case_number"],
                )
        elif case["outcome"] == "判决" and case["cause"] in pools.MONEY_CAUSES and self.rng.random() < 0.35:
            filing = nodes["结案"] + timedelta(days=self.rng.randint(20, 90))
            if filing <= self.as_of:
                parties = [
                    {**{k: v for k, v in plaintiff.items() if k not in strip}, "role": "申请执行人"},
                    {**{k: v for k, v in defendant.items() if k not in strip}, "role": "被执行人"},
                ]
                self.new_case(
                    case["court_code"],
                    "执",
                    filing,
                    parties,
                    cause=case["cause"],
                    origin_case_number=case["case_number"],
                )


TRIAL_DETAIL = {
    "分案": "本案已分配至{division}，由{judge}法官承办",
    "送达": "已向各方当事人送达起诉状（上诉状）副本、应诉通知书、举证通知书等诉讼文书",
    ("刑", "送达"): "已向被告人送达起诉书（上诉状）副本，并告知其诉讼权利",
    ("刑", "宣判"): "本案已公开宣判，判决书已送达被告人及公诉机关",
    "开庭排期": "",
    "庭审": "本案已开庭审理",
    "宣判": "本案已宣判，裁判文书已送达各方当事人",
}
REVIEW_DETAIL = {
    "分案": "本案已分配至{division}，由{judge}法官承办",
    "送达": "已向各方当事人送达受理通知书及申请书副本",
    "裁定": "本院已作出裁定：{ruling}",
    "结案": "本案已审查终结",
}
REVIEW_RULING = {
    "民申": {"驳回": "驳回再审申请", "支持": "本案由本院再审"},
    "执异": {"驳回": "驳回异议", "支持": "中止对执行标的的执行"},
}
ENFORCEMENT_DETAIL = {
    "执行措施": "已通过网络执行查控系统查询被执行人财产，并对银行存款采取冻结措施",
    "财产处置": "已对查封的财产启动网络司法拍卖",
    "执行款发放": "执行款已发放给申请执行人",
}
CLOSING_DETAIL = {
    "判决": "本案已审结（判决）",
    "调解": "经法院主持调解，双方达成调解协议，本案以调解方式结案",
    "撤诉": "原告申请撤诉，法院裁定准许，本案结案",
    ("民终", "撤诉"): "上诉人申请撤回上诉，法院裁定准许，本案结案",
    ("行终", "撤诉"): "上诉人申请撤回上诉，法院裁定准许，本案结案",
    ("民终", "调解"): "经法院主持调解，双方达成调解协议，本案以调解方式结案，原判决视为撤销",
    "执行完毕": "本案已执行完毕",
    "终结本次执行程序": "经穷尽财产调查措施，未发现被执行人有可供执行的财产，本院裁定终结本次执行程序；发现财产后可申请恢复执行",
    "执行和解": "双方当事人达成执行和解协议并已履行完毕，本案结案",
    "驳回": "本案已审查终结",
    "支持": "本案已审查终结",
}
