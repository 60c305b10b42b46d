"""Deterministic generator of the demo court data: `python -m services.courtdata.demo [--out PATH]`.

The same seed and `--as-of` date always give the same file byte for byte, so the committed
demo_data.json can be regenerated and diffed. Well-known identities for walk-throughs are fixed in
demo_fixed.py; everything else is drawn from a seeded random generator. All people, companies and law
firms are fictitious; ID numbers and credit codes carry valid check characters so the assistant's
validators accept them.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

from kernel.nlu.creditcode import ALPHABET, make_credit_code
from kernel.nlu.idcard import make_id
from services.courtdata import demo_pools as pools
from services.courtdata.demo_cases import CaseFactory
from services.courtdata.demo_debtors import DebtorFactory
from services.courtdata.demo_fixed import add_fixed_records

SEED = 20261128
AS_OF = date(2026, 11, 28)
DEFAULT_OUT = Path(__file__).with_name("demo_data.json")
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "150",
    "151",
    "152",
    "155",
    "156",
    "158",
    "159",
    "177",
    "180",
    "185",
    "186",
    "187",
    "188",
    "189",
]


class People:
    """Makes unique fictitious people, organisations, lawyers and judges from one random source."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng, self.as_of = rng, as_of
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.codes: set[str] = set()
        self.org_names: set[str] = set()

    def name(self, sex: str) -> str:
        rng = self.rng
        surname = rng.choice(pools.COMPOUND_SURNAMES) if rng.random() < 0.02 else rng.choice(pools.SURNAMES)
        chars = pools.MALE_CHARS if sex == "男" else pools.FEMALE_CHARS
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
        return self.name(sex) if surname + given in pools.RESERVED_NAMES else surname + given

    def phone(self, fixed: str | None = None) -> str:
        value = fixed or ""
        while not value or value in self.phones:
            value = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
        self.phones.add(value)
        return value

    def id_number(self, sex: str, born: date | None = None, region: str | None = None) -> str:
        while True:
            birth = born or self.as_of - timedelta(days=self.rng.randint(22 * 365, 72 * 365))
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)
            value = make_id(region or self.rng.choice(pools.BIRTH_REGIONS), birth, seq)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def person(
        self,
        name: str | None = None,
        sex: str | None = None,
        born: date | None = None,
        region: str | None = None,
        phone: str | None = None,
    ) -> dict:
        sex = sex or self.rng.choice(["男", "女"])
        return {
            "kind": "person",
            "name": name or self.name(sex),
            "sex": sex,
            "id_number": self.id_number(sex, born, region),
            "phone": self.phone(phone),
        }

    def credit_code(self, prefix: str, region: str) -> str:
        while True:
            body = "MA0" + "".join(self.rng.choice(ALPHABET) for _ in range(5))
            code = make_credit_code(region, body, dept=prefix[0], category=prefix[1])
            if code not in self.codes:
                self.codes.add(code)
                return code

    def organisation(
        self,
        name: str | None = None,
        region: str | None = None,
        representative: dict | None = None,
        phone: str | None = None,
    ) -> dict:
        while not name or name in self.org_names:
            first, second = self.rng.sample(pools.ORG_WORDS, 2)
            name = (
                "北京"
                + first
                + second
                + self.rng.choice(pools.ORG_INDUSTRIES)
                + self.rng.choice(pools.ORG_FORMS)
            )
        self.org_names.add(name)
        rep = representative or self.person()
        region = region or self.rng.choice(list(pools.DISTRICT_NAMES))
        return {
            "kind": "organisation",
            "name": name,
            "credit_code": self.credit_code("91", region),
            "legal_representative": {
                "name": rep["name"],
                "id_number": rep["id_number"],
                "phone": rep["phone"],
            },
            "phone": phone or rep["phone"],
        }

    def authority(self, region: str) -> dict:
        name = "北京市" + pools.DISTRICT_NAMES[region] + self.rng.choice(pools.AUTHORITIES)
        if name in self.org_names:
            name = name.replace("北京市", "北京市人民政府")
        rep = self.person()
        self.org_names.add(name)
        return {
            "kind": "organisation",
            "name": name,
            "credit_code": self.credit_code("11", region),
            "legal_representative": {
                "name": rep["name"],
                "id_number": rep["id_number"],
                "phone": rep["phone"],
            },
            "phone": rep["phone"],
        }

    def lawyer(
        self,
        name: str | None = None,
        sex: str | None = None,
        license_number: str | None = None,
        firm: str | None = None,
        phone: str | None = None,
    ) -> dict:
        sex = sex or self.rng.choice(["男", "女"])
        number = license_number or (
            f"1101{self.rng.randint(1, 2)}{self.rng.randint(2005, 2023)}"
            f"{1 if sex == '男' else 0}{self.rng.randrange(10**7):07d}"
        )
        return {
            "kind": "lawyer",
            "name": name or self.name(sex),
            "license_number": number,
            "law_firm": firm or f"北京市{self.rng.choice(pools.LAW_FIRMS)}律师事务所",
            "phone": self.phone(phone),
        }


def build_judges(people: People) -> list[dict]:
    """Two judges per division per court (three in the intermediate court's civil divisions)."""
    judges = []
    for court_index, court in enumerate(pools.COURTS):
        serial = 0
        for category, divisions in pools.DIVISIONS.items():
            for division in divisions:
                per_division = 3 if court["code"] == pools.INTERMEDIATE and category == "civil" else 2
                for _ in range(per_division):
                    serial += 1
                    line = f"010-5555{court_index + 1}{serial:03d}"
                    judges.append(
                        {
                            "judge_id": f"J{court['code'][1:]}-{serial:02d}",
                            "court_code": court["code"],
                            "name": people.name(people.rng.choice(["男", "女"])),
                            "title": "审判员",
                            "division": division,
                            "category": category,
                            "office_phone": line,
                            "assistant": {
                                "name": people.name(people.rng.choice(["男", "女"])),
                                "office_phone": line,
                            },
                            "clerk": {
                                "name": people.name(people.rng.choice(["男", "女"])),
                                "office_phone": line,
                            },
                        }
                    )
    return judges


def generate(seed: int = SEED, as_of: date = AS_OF) -> dict:
    """The whole demo file as a dict (see docs/court-data.md for the schema)."""
    rng = random.Random(seed)
    people = People(rng, as_of)
    judges = build_judges(people)
    cases = CaseFactory(rng, as_of, people, judges)
    debtors = DebtorFactory(rng, as_of, people, cases)
    add_fixed_records(cases, debtors, people)
    cases.generate_bulk()
    debtors.from_cases(cases.cases)
    debtors.fill(minimum=120)
    for judge in judges:
        judge.pop("category")
    return {
        "schema_version": 1,
        "meta": {
            "demo": True,
            "as_of": as_of.isoformat(),
            "seed": seed,
            "generated_by": "python -m services.courtdata.demo",
            "note": "演示数据：人员、单位、律师事务所均为虚构，证件号码仅校验位有效。",
        },
        "courts": [{k: v for k, v in c.items() if k != "region_code"} for c in pools.COURTS],
        "judges": judges,
        "cases": sorted(cases.cases, key=lambda c: (c["filing_date"], c["case_number"])),
        "dishonest_debtors": sorted(debtors.entries, key=lambda d: d["entry_id"]),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the deterministic demo court data file.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=AS_OF,
        help="the 'today' of the data: later nodes are planned, not yet happened",
    )
    args = parser.parse_args(argv)
    data = generate(args.seed, args.as_of)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out}: {len(data['cases'])} cases, {len(data['dishonest_debtors'])} dishonest-debtor entries"
    )


if __name__ == "__main__":
    main()
