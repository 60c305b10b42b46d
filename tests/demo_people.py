"""Who may verify for which demo case, with the phone their code goes to, and the debtor entries.

Read from services/courtdata/demo_data.json so that property tests draw from the real demo data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA = json.loads(
    (Path(__file__).resolve().parents[1] / "services/courtdata/demo_data.json").read_text("utf-8")
)
ID_KIND, CREDIT_KIND, LICENCE_KIND = "id_number", "credit_code", "license_number"
LABELS = {ID_KIND: "身份证号", CREDIT_KIND: "统一社会信用代码", LICENCE_KIND: "执业证号"}
#: Ways citizens write a name and an identifier (the identity step must read every one).
FORMATS = (
    "{name} {value}",
    "{value} {name}",
    "{name}，{value}",
    "姓名{name} 证件号{value}",
    "我叫{name}，{label}{value}",
    "{label}：{value}，名字：{name}",
    "本人{name}，{label}是{value}",
    "你好，我是{name}，{value}，麻烦查一下",
    "{name}的{label}是{value}",
)


@dataclass(frozen=True)
class Verifier:
    case_number: str
    name: str
    kind: str
    value: str
    phone: str

    def written(self, form: str) -> str:
        return form.format(name=self.name, value=self.value, label=LABELS[self.kind])


def verifiers() -> list[Verifier]:
    found = []
    for case in DATA["cases"]:
        number = case["case_number"]
        for party in case["parties"]:
            if party["kind"] == "person":
                found.append(Verifier(number, party["name"], ID_KIND, party["id_number"], party["phone"]))
            else:
                found.append(
                    Verifier(number, party["name"], CREDIT_KIND, party["credit_code"], party["phone"])
                )
                rep = party.get("legal_representative")
                if rep:
                    found.append(Verifier(number, rep["name"], ID_KIND, rep["id_number"], rep["phone"]))
        for rep in case.get("representatives") or []:
            if rep.get("license_number"):
                found.append(Verifier(number, rep["name"], LICENCE_KIND, rep["license_number"], rep["phone"]))
            elif rep.get("id_number"):
                found.append(Verifier(number, rep["name"], ID_KIND, rep["id_number"], rep["phone"]))
    return found


def debtors() -> list[dict]:
    return DATA["dishonest_debtors"]
