"""The data file: the committed demo data is what the generator writes, is rich enough for every
walk-through, and a broken file stops the service with a message that says where."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import date

import pytest

from services.courtdata import CourtStore, DataFileError
from services.courtdata.demo import generate
from services.courtdata.settings import DEFAULT_FILE


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_committed_file_is_the_generators_output(data):
    assert generate() == data, "demo_data.json is stale: run python -m services.courtdata.demo"


def test_demo_data_covers_the_courts_and_case_types(data):
    cases = data["cases"]
    assert len(cases) >= 200
    types = Counter(c["type_code"] for c in cases)
    assert {"民初", "民终", "民申", "执", "执恢", "执异", "刑初", "刑终", "行初", "行终"} <= set(types)
    assert {c["court_code"] for c in cases} == {
        "京03",
        "京0105",
        "京0112",
        "京0113",
        "京0116",
        "京0117",
        "京0118",
    }
    assert all(c["parent"] == "京03" for c in data["courts"] if c["level"] == "basic")
    assert sum(1 for c in cases if c["next_hearing"]) >= 10
    assert any(n["name"] == "执行款发放" for c in cases for n in c["nodes"])
    kinds = Counter(p["kind"] for c in cases for p in c["parties"])
    assert kinds["person"] > 100 and kinds["organisation"] > 50
    assert sum(1 for c in cases for r in c["representatives"] if r["kind"] == "lawyer") > 50


def test_demo_list_has_same_names_organisations_and_deletions(data):
    entries = data["dishonest_debtors"]
    assert len(entries) >= 100
    people_per_name = Counter()
    for name in {e["name"] for e in entries if e["kind"] == "person"}:
        people_per_name[name] = len({e["id_number"] for e in entries if e["name"] == name})
    assert people_per_name["王伟"] == 2 and sum(1 for n in people_per_name.values() if n > 1) >= 3
    assert sum(e["kind"] == "organisation" for e in entries) >= 20
    deleted = [e for e in entries if e["deleted"]]
    assert len(deleted) >= 10 and all(e["deleted_date"] >= e["publish_date"] for e in deleted)


def test_open_cases_planned_within_their_limits(store):
    """A case still open on as_of is either within its statutory limit or has an approved extension."""
    from services.courtdata.views import time_limit

    as_of = date.fromisoformat(store.meta["as_of"])
    for case in store.cases.values():
        limit = time_limit(case, as_of)
        if limit is not None:
            assert limit["days_left"] >= 0, case["case_number"]


def broken(data: dict, change) -> dict:
    """A small valid slice of the demo file (checking all of it takes seconds), then one change."""
    copied = copy.deepcopy(
        {**data, "cases": data["cases"][:12], "dishonest_debtors": data["dishonest_debtors"][:5]}
    )
    CourtStore.from_dict(copied)
    change(copied)
    return copied


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["cases"][0].pop("parties"), "cases[0]: 'parties' is a required property"),
        (lambda d: d["cases"][3]["nodes"][0].update(name="判刑"), "cases[3].nodes[0].name"),
        (lambda d: d["cases"].append(copy.deepcopy(d["cases"][0])), "appears twice"),
        (
            lambda d: (
                d["cases"][5]["parties"][0].update(
                    kind="person", id_number="110105198806152451", sex="男", legal_representative=None
                )
                or d["cases"][5]["parties"][0].pop("legal_representative")
                or d["cases"][5]["parties"][0].pop("credit_code", None)
            ),
            "校验位",
        ),
        (lambda d: d["cases"][7].update(judge_id="J99"), "unknown judge"),
        (lambda d: d["cases"][9].update(case_number="（2026）京03民终1号"), "disagree"),
        (lambda d: d["dishonest_debtors"][0].pop("conduct"), "dishonest_debtors[0]: 'conduct' is a required"),
    ],
)
def test_broken_file_names_the_record_and_field(data, change, message):
    with pytest.raises(DataFileError) as caught:
        CourtStore.from_dict(broken(data, change), "demo.json")
    assert message in str(caught.value)


def test_missing_and_unparsable_files(tmp_path):
    with pytest.raises(DataFileError, match="not found"):
        CourtStore.from_file(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"cases": [', encoding="utf-8")
    with pytest.raises(DataFileError, match="line 1"):
        CourtStore.from_file(bad)
