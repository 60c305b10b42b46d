"""Every row of the README's demo table, played in the web chat page on a phone (headless Chromium).

The REST side of the same rows is `tests/conversations/test_outside.py` (the `*-readme` conversations) and
`tests/e2e/test_lookups.py`; here each row is typed and tapped in the page, and its effect checked as there.
"""

from __future__ import annotations

import pytest

from tests.conversations.runner import HERE, load
from tests.conversations.web import play_in_page

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CASE, COMPANY_CASE = "（2026）京0105民初8848号", "（2026）京03民终512号"
ROWS = [c for c in load(HERE / "outside") if "readme" in c["id"]] + [
    {
        "id": "organisation-readme",
        "turns": ["查案件进度", COMPANY_CASE, "北京星河云帆科技有限公司 91110105MA01WRGG96", "{code}"],
        "expect": {"progress_of": COMPANY_CASE},
    },
    {
        "id": "lawyer-readme",
        "turns": ["查案件进度", COMPANY_CASE, "周婷 执业证号11011201810112345", "{code}"],
        "expect": {"progress_of": COMPANY_CASE},
    },
    {
        "id": "someone-else-readme",
        "turns": ["查案件进度", CASE, "刘强 110113197702089412"],
        "expect": {"no_otp": True, "no_progress": True},
    },
    {
        "id": "wrong-code-three-times-readme",
        # a party no other test or conversation uses: the lock it earns must refuse nobody else's lookups
        "turns": ["查案件进度", "（2024）京03民终3491号", "冯波 370102199408010839"] + ["{wrong_code}"] * 3,
        "expect": {"no_progress": True},
    },
]


@pytest.mark.parametrize("row", ROWS, ids=lambda c: c["id"])
def test_a_readme_row_in_the_web_page(stack, browser, row):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        outcome = play_in_page(stack, context.new_page(), row)
    finally:
        context.close()
    shown = "\n".join(f"  > {typed}\n    {said[:300]}" for typed, said in outcome.transcript)
    assert outcome.ok, f"{outcome.problems}\n{shown}"
    if row["id"] == "wrong-code-three-times-readme":
        assert "30" in outcome.transcript[-1][1]  # the lookup of that case is locked for 30 minutes
