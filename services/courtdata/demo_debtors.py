"""Dishonest-debtor entries (失信被执行人名单) for the demo data, with every field the SPC publishes.

Entries come from the enforcement cases in the data (so a case and its listing agree) and from extra
enforcement cases elsewhere in the district; some share a name with another listed person, some were
deleted after the debtor performed (the court deletes within three working days of performance).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from services.courtdata import demo_pools as pools
from services.courtdata.demo_cases import workday
from services.courtdata.validation import parse_case

COURT_NAMES = {c["code"]: c["name"] for c in pools.COURTS}
DELETION_REASONS = {
    "performed": "被执行人已履行生效法律文书确定的义务",
    "settled": "被执行人与申请执行人达成执行和解协议并经申请执行人确认履行完毕",
    "withdrawn": "申请执行人书面申请删除失信信息",
    "expired": "纳入失信被执行人名单的期限届满",
}


def age_on(id_number: str, day: date) -> int:
    born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class DebtorFactory:
    """Builds list entries; `add` is also used for the fixed walk-through identities."""

    def __init__(self, rng: random.Random, as_of: date, people, cases) -> None:
        self.rng, self.as_of, self.people, self.cases = rng, as_of, people, cases
        self.entries: list[dict] = []
        self.listed: set[tuple[str, str]] = set()

    def add(
        self,
        debtor: dict,
        *,
        case_number: str,
        filing: date,
        basis_number: str,
        cause: str,
        creditor: str,
        amount: int,
        publish: date,
        performed: int = 0,
        conduct: str | None = None,
        deleted: date | None = None,
        deletion: str = "performed",
        basis_issuer: str | None = None,
    ) -> dict:
        court = parse_case(case_number)[0].court_code
        person = debtor["kind"] == "person"
        unperformed = amount - performed
        entry = {
            "entry_id": f"D{len(self.entries) + 1:04d}",
            "kind": debtor["kind"],
            "name": debtor["name"],
            "sex": debtor["sex"] if person else None,
            "age": age_on(debtor["id_number"], publish) if person else None,
            "id_number": debtor["id_number"] if person else None,
            "credit_code": None if person else debtor["credit_code"],
            "legal_representative": None if person else debtor["legal_representative"]["name"],
            "court": COURT_NAMES[court],
            "court_code": court,
            "province": "北京",
            "case_number": case_number,
            "basis_document_number": basis_number,
            "basis_issuer": basis_issuer or self.issuer(basis_number),
            "filing_date": filing.isoformat(),
            "obligation": f"于判决生效之日起十日内向{creditor}"
            + pools.OBLIGATIONS.get(cause, "支付款项{amount}元").format(amount=amount),
            "performance": "部分未履行" if performed else "全部未履行",
            "performed_part": f"已履行{performed}元" if performed else "无",
            "unperformed_part": f"{unperformed}元及相应利息",
            "conduct": conduct or self.conduct(),
            "publish_date": publish.isoformat(),
            "deleted": deleted is not None,
            "deleted_date": deleted.isoformat() if deleted else None,
            "deletion_reason": DELETION_REASONS[deletion] if deleted else None,
        }
        self.entries.append(entry)
        self.listed.add((case_number, debtor["name"]))
        return entry

    @staticmethod
    def issuer(basis_number: str) -> str:
        parsed, _ = parse_case(basis_number)
        if parsed is None:
            return "北京仲裁委员会"
        return COURT_NAMES.get(parsed.court_code, "北京市高级人民法院")

    def conduct(self) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            return pools.DISHONEST_CONDUCT[0]
        if roll < 0.8:
            return pools.DISHONEST_CONDUCT[3]
        return self.rng.choice(pools.DISHONEST_CONDUCT)

    def amount(self, organisation: bool) -> int:
        return self.rng.randint(5, 900) * (10000 if organisation else 1000)

    def from_cases(self, cases: list[dict]) -> None:
        """List the debtors of enforcement cases that ended without payment, or paid after listing."""
        for case in cases:
            if case["type_code"] not in ("执", "执恢"):
                continue
            closing = {n["name"]: date.fromisoformat(n["date"]) for n in case["nodes"]}.get("结案")
            filing = date.fromisoformat(case["filing_date"])
            creditor = next(p["name"] for p in case["parties"] if p["role"] == "申请执行人")
            for debtor in [p for p in case["parties"] if p["role"] == "被执行人"]:
                if (case["case_number"], debtor["name"]) in self.listed or self.rng.random() > 0.75:
                    continue
                publish = workday(filing + timedelta(days=self.rng.randint(30, 120)))
                deleted = None
                if case["outcome"] in ("执行完毕", "执行和解") and closing:
                    deleted = workday(closing + timedelta(days=self.rng.randint(1, 3)))
                if (
                    publish > self.as_of
                    or (deleted and deleted <= publish)
                    or (deleted and deleted > self.as_of)
                ):
                    continue
                amount = self.amount(debtor["kind"] == "organisation")
                basis = case["origin_case_number"] or self.basis_number(filing, case["court_code"])
                self.add(
                    debtor,
                    case_number=case["case_number"],
                    filing=filing,
                    basis_number=basis,
                    cause=case["cause"],
                    creditor=creditor,
                    amount=amount,
                    publish=publish,
                    performed=self.performed(amount),
                    deleted=deleted,
                    deletion="performed" if case["outcome"] == "执行完毕" else "settled",
                )

    def performed(self, amount: int) -> int:
        return 0 if self.rng.random() < 0.7 else amount * self.rng.randint(1, 6) // 10

    def basis_number(self, filing: date, court: str) -> str:
        year = filing.year - self.rng.randint(0, 1)
        if self.rng.random() < 0.15:
            return f"（{year}）京仲裁字第{self.rng.randint(1, 3000):04d}号"
        return self.cases.case_number(court, "民初", year)

    def fill(self, minimum: int) -> None:
        """Extra entries from enforcement cases not in the data, some sharing a listed person's name."""
        basic = [c["code"] for c in pools.COURTS]
        while len(self.entries) < minimum:
            court = self.rng.choice(basic)
            filing = self.as_of - timedelta(days=self.rng.randint(90, 1300))
            organisation = self.rng.random() < 0.3
            debtor = (
                self.people.organisation() if organisation else self.people.person(name=self.shared_name())
            )
            creditor = (self.people.organisation() if self.rng.random() < 0.4 else self.people.person())[
                "name"
            ]
            publish = workday(filing + timedelta(days=self.rng.randint(30, 150)))
            deleted = None
            if self.rng.random() < 0.15:
                deleted = workday(publish + timedelta(days=self.rng.randint(60, 600)))
                if deleted > self.as_of:
                    deleted = None
            amount = self.amount(organisation)
            self.add(
                debtor,
                case_number=self.cases.case_number(court, "执", filing.year),
                filing=filing,
                basis_number=self.basis_number(filing, court),
                cause=self.rng.choice(pools.MONEY_CAUSES),
                creditor=creditor,
                amount=amount,
                publish=publish,
                performed=self.performed(amount),
                deleted=deleted,
                deletion=self.rng.choice(["performed", "performed", "settled", "withdrawn"]),
            )

    def shared_name(self) -> str | None:
        """Now and then reuse a listed person's name: same name, different person."""
        people = [
            e["name"] for e in self.entries if e["kind"] == "person" and e["name"] not in pools.RESERVED_NAMES
        ]
        return self.rng.choice(people) if people and self.rng.random() < 0.12 else None
