"""The records of the reference service, loaded from one JSON file and checked before it serves anything.

A bad file must stop the service at start with a message that names the record and the field, not answer
questions wrongly later: the JSON Schema (data_schema.json) checks shapes, `_check_references` the rules a
schema cannot express (unique numbers, references, check digits, dates in order).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jsonschema

from services.courtdata.validation import credit_code_error, id_number_error, parse_case

SCHEMA_PATH = Path(__file__).with_name("data_schema.json")
ENFORCEMENT_TYPES = {"执", "执恢"}
MAX_REPORTED = 8


class DataFileError(ValueError):
    """The court-data file cannot be served; the message lists what is wrong and where."""


def _where(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _schema_errors(data: object) -> list[str]:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_where(e.absolute_path)}: {e.message[:160]}" for e in errors]


def _check_people(where: str, record: dict, today: date, problems: list[str]) -> None:
    for key, check in (
        ("id_number", lambda v: id_number_error(v, today)),
        ("credit_code", credit_code_error),
    ):
        value = record.get(key)
        if value and check(value):
            problems.append(f"{where}.{key}: {check(value)}")
    rep = record.get("legal_representative")
    if isinstance(rep, dict) and id_number_error(rep["id_number"], today):
        problems.append(f"{where}.legal_representative.id_number: {id_number_error(rep['id_number'], today)}")


def _check_case(
    i: int, case: dict, courts: set[str], judges: set[str], today: date, problems: list[str]
) -> None:
    where = f"cases[{i}]"
    number, reason = parse_case(case["case_number"], today)
    if number is None or number.canonical != case["case_number"]:
        problems.append(
            f"{where}.case_number: {case['case_number']!r} is not a canonical case number ({reason})"
        )
    elif (number.court_code, number.type_code, number.year) != (
        case["court_code"],
        case["type_code"],
        int(case["filing_date"][:4]),
    ):
        problems.append(f"{where}: court_code/type_code/filing year disagree with {case['case_number']}")
    if case["court_code"] not in courts:
        problems.append(f"{where}.court_code: unknown court {case['court_code']!r}")
    if case["judge_id"] not in judges:
        problems.append(f"{where}.judge_id: unknown judge {case['judge_id']!r}")
    ids = [p["party_id"] for p in case["parties"]]
    if len(set(ids)) != len(ids):
        problems.append(f"{where}.parties: party_id values repeat")
    for j, party in enumerate(case["parties"]):
        _check_people(f"{where}.parties[{j}]", party, today, problems)
    for j, rep in enumerate(case["representatives"]):
        _check_people(f"{where}.representatives[{j}]", rep, today, problems)
        if not set(rep["represents"]) <= set(ids):
            problems.append(f"{where}.representatives[{j}].represents: unknown party_id")
    dates = [n["date"] for n in case["nodes"]]
    if dates != sorted(dates) or dates[0] < case["filing_date"]:
        problems.append(f"{where}.nodes: dates must not go backwards or precede filing_date")


def _check_references(data: dict, today: date) -> list[str]:
    problems: list[str] = []
    courts = {c["code"] for c in data["courts"]}
    judges = {j["judge_id"] for j in data["judges"]}
    seen: set[str] = set()
    for i, case in enumerate(data["cases"]):
        if case["case_number"] in seen:
            problems.append(f"cases[{i}].case_number: {case['case_number']} appears twice")
        seen.add(case["case_number"])
        _check_case(i, case, courts, judges, today, problems)
    entry_ids: set[str] = set()
    for i, entry in enumerate(data["dishonest_debtors"]):
        if entry["entry_id"] in entry_ids:
            problems.append(f"dishonest_debtors[{i}].entry_id: {entry['entry_id']} appears twice")
        entry_ids.add(entry["entry_id"])
        _check_people(f"dishonest_debtors[{i}]", entry, today, problems)
    return problems


@dataclass
class CourtStore:
    """Read-only records with the indexes the endpoints need."""

    meta: dict
    courts: dict[str, dict]
    judges: dict[str, dict]
    cases: dict[str, dict]
    debtors: list[dict] = field(default_factory=list)
    source: str = "<memory>"

    @classmethod
    def from_dict(cls, data: object, source: str = "<memory>", today: date | None = None) -> CourtStore:
        """Check `data` (schema, then cross-record rules) and index it; DataFileError if it is unusable."""
        problems = _schema_errors(data)
        if not problems:
            problems = _check_references(data, today or date.today())  # type: ignore[arg-type]
        if problems:
            shown = "\n  ".join(problems[:MAX_REPORTED])
            more = f"\n  … and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
            raise DataFileError(
                f"{source}: {len(problems)} problem(s) in the court-data file:\n  {shown}{more}"
            )
        assert isinstance(data, dict)
        return cls(
            meta=data["meta"],
            courts={c["code"]: c for c in data["courts"]},
            judges={j["judge_id"]: j for j in data["judges"]},
            cases={c["case_number"]: c for c in data["cases"]},
            debtors=list(data["dishonest_debtors"]),
            source=source,
        )

    @classmethod
    def from_file(cls, path: str | Path, today: date | None = None) -> CourtStore:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataFileError(f"{path}: court-data file not found (set COURTDATA_FILE)") from None
        except json.JSONDecodeError as exc:
            raise DataFileError(
                f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        return cls.from_dict(data, str(path), today)

    @property
    def is_demo(self) -> bool:
        return bool(self.meta.get("demo"))

    def case(self, case_number: str) -> dict | None:
        return self.cases.get(case_number)

    def court_name(self, code: str) -> str:
        return self.courts.get(code, {}).get("name", code)

    def find_debtors(
        self, name: str, id_number: str | None = None, credit_code: str | None = None
    ) -> list[dict]:
        """Entries for exactly this person or organisation: the name and the number must both match."""
        return [
            e
            for e in self.debtors
            if e["name"] == name
            and (
                (id_number and e.get("id_number") == id_number)
                or (credit_code and e.get("credit_code") == credit_code)
            )
        ]
