"""The well-known demo identities and cases used by the README walk-throughs and the tests.

They are created before the random bulk so their case numbers and phone numbers are reserved. The
identities (names, IDs, phones) are listed in docs/court-data.md; change them there too.
"""

from __future__ import annotations

from datetime import date, datetime

from services.courtdata import demo_pools as pools


def node(name: str, day: str, detail: str, hearing: tuple[datetime, str] | None = None) -> dict:
    return {"name": name, "date": day, "detail": detail, "_hearing": hearing}


def judge(cases, court: str, division: str) -> dict:
    return next(j for j in cases.judges if j["court_code"] == court and j["division"] == division)


def add_fixed_records(cases, debtors, people) -> None:
    """Walk-through cases (person, organisation, lawyer) and list entries (same name, deleted, org)."""
    _person_case(cases, people)
    _organisation_cases(cases, people)
    _contract_examples(cases, people)
    _listed(cases, debtors, people)


def _person_case(cases, people) -> None:
    chen = people.person("陈思远", "男", date(1988, 6, 15), "110105", "13900001001")
    zhao = people.person("赵立新", "男", date(1979, 9, 2), "110105", "13900001002")
    j = judge(cases, "京0105", "民事审判第一庭")
    hearing = (datetime(2026, 12, 10, 9, 30), "第十二法庭")
    cases.new_case(
        "京0105",
        "民初",
        date(2026, 10, 9),
        [{"role": "原告", **chen}, {"role": "被告", **zhao}],
        case_number="（2026）京0105民初8848号",
        cause="民间借贷纠纷",
        procedure="简易程序",
        outcome=None,
        judge=j,
        representatives=[],
        nodes=[
            node("立案", "2026-10-09", "法院已立案受理本案"),
            node("分案", "2026-10-12", f"本案已分配至{j['division']}，由{j['name']}法官承办"),
            node("送达", "2026-10-23", "已向各方当事人送达起诉状副本、应诉通知书、举证通知书等诉讼文书"),
            node("开庭排期", "2026-11-05", "本案定于2026年12月10日 09:30在第十二法庭开庭审理"),
            node("庭审", "2026-12-10", "本案已在第十二法庭开庭审理", hearing),
        ],
        total=(60, False),
    )


def _organisation_cases(cases, people) -> None:
    li = people.person("李建国", "男", date(1972, 4, 18), "110105", "13900002001")
    xinghe = people.organisation("北京星河云帆科技有限公司", "110105", li)
    sun = people.person("孙海燕", "女", date(1981, 12, 3), "110113", "13900002002")
    hengtong = people.organisation("北京恒通达商贸有限公司", "110113", sun)
    zhou = people.lawyer("周婷", "女", "11011201810112345", "北京市明正律师事务所", "13900003001")
    other = people.lawyer("韩卫东", "男", "11011200910154321", "北京市衡平律师事务所", "13900003002")
    base = date(2026, 2, 10)
    j1 = judge(cases, "京0113", "民事审判第二庭")
    cases.new_case(
        "京0113",
        "民初",
        base,
        [{"role": "原告", **hengtong}, {"role": "被告", **xinghe}],
        case_number="（2026）京0113民初3107号",
        cause="买卖合同纠纷",
        procedure="普通程序",
        outcome="判决",
        judge=j1,
        representatives=[
            {**zhou, "role": "委托诉讼代理人", "represents": ["P2"]},
            {**other, "role": "委托诉讼代理人", "represents": ["P1"]},
        ],
        nodes=[
            node("立案", "2026-02-10", "法院已立案受理本案"),
            node("分案", "2026-02-12", f"本案已分配至{j1['division']}，由{j1['name']}法官承办"),
            node("送达", "2026-03-03", "已向各方当事人送达起诉状副本、应诉通知书、举证通知书等诉讼文书"),
            node("开庭排期", "2026-03-20", "本案定于2026年4月22日 09:00在第五法庭开庭审理"),
            node("庭审", "2026-04-22", "本案已在第五法庭开庭审理"),
            node("宣判", "2026-07-03", "本案已宣判，裁判文书已送达各方当事人"),
            node("结案", "2026-07-03", "本案已审结（判决）"),
            node("上诉", "2026-07-15", "当事人已提起上诉，案卷将移送北京市第三中级人民法院"),
        ],
        total=(150, False),
    )
    j2 = judge(cases, pools.INTERMEDIATE, "民事审判第二庭")
    cases.new_case(
        pools.INTERMEDIATE,
        "民终",
        date(2026, 9, 14),
        [{"role": "上诉人（原审被告）", **xinghe}, {"role": "被上诉人（原审原告）", **hengtong}],
        case_number="（2026）京03民终512号",
        cause="买卖合同纠纷",
        procedure="第二审程序",
        outcome=None,
        judge=j2,
        origin_case_number="（2026）京0113民初3107号",
        representatives=[
            {**zhou, "role": "委托诉讼代理人", "represents": ["P1"]},
            {**other, "role": "委托诉讼代理人", "represents": ["P2"]},
        ],
        nodes=[
            node("立案", "2026-09-14", "法院已立案受理本案"),
            node("分案", "2026-09-16", f"本案已分配至{j2['division']}，由{j2['name']}法官承办"),
            node("送达", "2026-09-29", "已向各方当事人送达上诉状副本、应诉通知书等诉讼文书"),
            node("开庭排期", "2026-10-16", "本案定于2026年11月12日 14:00在第七法庭开庭审理"),
            node("庭审", "2026-11-12", "本案已在第七法庭开庭审理"),
            node("宣判", "2026-12-08", "本案已宣判，裁判文书已送达各方当事人"),
        ],
        total=(85, False),
    )


def _contract_examples(cases, people) -> None:
    """The case numbers quoted in the language contract exist, so examples resolve to something real."""
    j = judge(cases, pools.INTERMEDIATE, "民事审判第一庭")
    cases.new_case(
        pools.INTERMEDIATE,
        "民终",
        date(2022, 3, 14),
        None,
        case_number="（2022）京03民终1234号",
        cause="民间借贷纠纷",
        procedure="第二审程序",
        outcome="判决",
        judge=j,
        origin_case_number="（2021）京0105民初17788号",
        nodes=[
            node("立案", "2022-03-14", "法院已立案受理本案"),
            node("分案", "2022-03-16", f"本案已分配至{j['division']}，由{j['name']}法官承办"),
            node("送达", "2022-03-30", "已向各方当事人送达上诉状副本、应诉通知书等诉讼文书"),
            node("开庭排期", "2022-04-11", "本案定于2022年5月10日 09:30在第三法庭开庭审理"),
            node("庭审", "2022-05-10", "本案已在第三法庭开庭审理"),
            node("宣判", "2022-06-08", "本案已宣判，裁判文书已送达各方当事人"),
            node("结案", "2022-06-10", "本案已审结（判决）"),
        ],
        total=(90, False),
    )
    cases.numbers.add("（2021）京0105民初17788号")
    je = judge(cases, pools.INTERMEDIATE, "执行局")
    cases.new_case(
        pools.INTERMEDIATE,
        "执恢",
        date(2021, 4, 6),
        None,
        case_number="（2021）京03执恢12号",
        cause="建设工程施工合同纠纷",
        procedure="执行实施",
        outcome="执行完毕",
        judge=je,
        origin_case_number="（2019）京03执45号",
        nodes=[
            node("执行立案", "2021-04-06", "法院已受理恢复执行申请并立案"),
            node(
                "执行措施", "2021-04-19", "已通过网络执行查控系统查询被执行人财产，并对银行存款采取冻结措施"
            ),
            node("财产处置", "2021-06-02", "已对查封的财产启动网络司法拍卖"),
            node("执行款发放", "2021-08-23", "执行款已发放给申请执行人"),
            node("结案", "2021-09-06", "本案已执行完毕"),
        ],
        total=(150, False),
    )
    cases.numbers.add("（2019）京03执45号")


def _enforcement(
    cases,
    court: str,
    number: str,
    filing: str,
    debtor: dict,
    origin: str,
    cause: str,
    outcome: str,
    nodes: list[dict],
    people,
) -> dict:
    creditor = people.person()
    cases.numbers.add(origin)
    return cases.new_case(
        court,
        "执",
        date.fromisoformat(filing),
        [{"role": "申请执行人", **creditor}, {"role": "被执行人", **debtor}],
        case_number=number,
        cause=cause,
        procedure="执行实施",
        outcome=outcome,
        judge=judge(cases, court, "执行局"),
        origin_case_number=origin,
        representatives=[],
        nodes=nodes,
        total=(180, False),
    )


def _listed(cases, debtors, people) -> None:
    """Same-name pair 王伟 ×2 (both listed), 刘强 (deleted after paying), an organisation."""
    measures = "已通过网络执行查控系统查询被执行人财产，并对银行存款采取冻结措施"
    terminated = "经穷尽财产调查措施，未发现被执行人有可供执行的财产，本院裁定终结本次执行程序；发现财产后可申请恢复执行"
    wang_a = people.person("王伟", "男", date(1978, 3, 15), "110105", "13900004001")
    wang_b = people.person("王伟", "男", date(1985, 11, 20), "110112", "13900004002")
    liu = people.person("刘强", "男", date(1977, 2, 8), "110113", "13900005001")
    gao = people.person("高志勇", "男", date(1969, 7, 30), "110105", "13900006001")
    dingsheng = people.organisation("北京鼎盛嘉业建筑工程有限公司", "110105", gao)
    rows = [
        (
            wang_a,
            "京0105",
            "（2023）京0105执5678号",
            "2023-03-02",
            "（2022）京0105民初23456号",
            "民间借贷纠纷",
            [
                node("执行立案", "2023-03-02", "法院已受理执行申请并立案"),
                node("执行措施", "2023-03-20", measures),
                node("结案", "2023-08-25", terminated),
            ],
            "终结本次执行程序",
            dict(amount=200000, publish=date(2023, 5, 10)),
        ),
        (
            wang_b,
            "京0112",
            "（2025）京0112执1986号",
            "2025-06-16",
            "（2025）京0112民初4021号",
            "房屋租赁合同纠纷",
            [
                node("执行立案", "2025-06-16", "法院已受理执行申请并立案"),
                node("执行措施", "2025-06-30", measures),
                node("结案", "2025-12-01", terminated),
            ],
            "终结本次执行程序",
            dict(amount=86000, performed=20000, publish=date(2025, 9, 8), conduct=pools.DISHONEST_CONDUCT[3]),
        ),
        (
            liu,
            "京0113",
            "（2024）京0113执2231号",
            "2024-04-08",
            "（2023）京0113民初9120号",
            "装饰装修合同纠纷",
            [
                node("执行立案", "2024-04-08", "法院已受理执行申请并立案"),
                node("执行措施", "2024-04-22", measures),
                node("结案", "2024-09-30", terminated),
            ],
            "终结本次执行程序",
            dict(amount=135000, publish=date(2024, 6, 20), deleted=date(2026, 6, 18)),
        ),
        (
            dingsheng,
            pools.INTERMEDIATE,
            "（2025）京03执88号",
            "2025-02-17",
            "（2024）京03民初156号",
            "建设工程施工合同纠纷",
            [
                node("执行立案", "2025-02-17", "法院已受理执行申请并立案"),
                node("执行措施", "2025-03-03", measures),
                node("结案", "2025-08-29", terminated),
            ],
            "终结本次执行程序",
            dict(
                amount=4800000,
                performed=1200000,
                publish=date(2025, 4, 21),
                conduct=pools.DISHONEST_CONDUCT[2],
            ),
        ),
    ]
    for debtor, court, number, filing, origin, cause, nodes, outcome, listing in rows:
        case = _enforcement(cases, court, number, filing, debtor, origin, cause, outcome, nodes, people)
        debtors.add(
            debtor,
            case_number=number,
            filing=date.fromisoformat(filing),
            basis_number=origin,
            cause=cause,
            creditor=case["parties"][0]["name"],
            **listing,
        )
    _liu_resumed(cases, liu, people)


def _liu_resumed(cases, liu: dict, people) -> None:
    """刘强 paid in resumed enforcement; the court deleted his entry three working days later."""
    creditor = next(c for c in cases.cases if c["case_number"] == "（2024）京0113执2231号")["parties"][0]
    cases.new_case(
        "京0113",
        "执恢",
        date(2026, 5, 6),
        [{**creditor, "role": "申请执行人"}, {"role": "被执行人", **liu}],
        case_number="（2026）京0113执恢77号",
        cause="装饰装修合同纠纷",
        procedure="执行实施",
        outcome="执行完毕",
        judge=judge(cases, "京0113", "执行局"),
        origin_case_number="（2024）京0113执2231号",
        representatives=[],
        nodes=[
            node("执行立案", "2026-05-06", "法院已受理恢复执行申请并立案"),
            node("执行措施", "2026-05-20", "已冻结被执行人新发现的银行存款"),
            node("执行款发放", "2026-06-10", "执行款已发放给申请执行人"),
            node("结案", "2026-06-15", "本案已执行完毕"),
        ],
        total=(40, False),
    )
