"""The identity reader on the formats citizens use: the name comes back exactly as written."""

from __future__ import annotations

import pytest

from kernel.nlu.identity import CREDIT_KIND, ID_KIND, LICENCE_KIND, read_identity, read_name
from tests.demo_people import FORMATS, LABELS, debtors, verifiers

ID = "11010519880615245X"
CREDIT = "91110105MA01WRGG96"
LICENCE = "11011201810112345"

CASES = [
    # (message, name, kind, value)
    ("陈思远 11010519880615245X", "陈思远", ID_KIND, ID),
    ("11010519880615245X 陈思远", "陈思远", ID_KIND, ID),
    ("陈思远，11010519880615245X", "陈思远", ID_KIND, ID),
    ("姓名陈思远 证件号11010519880615245X", "陈思远", ID_KIND, ID),
    ("姓名：陈思远，身份证号：11010519880615245X", "陈思远", ID_KIND, ID),
    ("我叫陈思远，身份证11010519880615245X", "陈思远", ID_KIND, ID),
    ("我是陈思远身份证号是11010519880615245X", "陈思远", ID_KIND, ID),
    ("本人陈思远 110105 19880615 245x", "陈思远", ID_KIND, ID),
    ("名字：陈思远；证件号码：11010519880615245X", "陈思远", ID_KIND, ID),
    ("陈思远的身份证是11010519880615245X", "陈思远", ID_KIND, ID),
    ("陳思遠 11010519880615245X", "陈思远", ID_KIND, ID),
    ("陈思远11010519880615245X", "陈思远", ID_KIND, ID),
    ("你好，我是当事人陈思远，11010519880615245X，麻烦了", "陈思远", ID_KIND, ID),
    ("胡波刚 11010519880615245X", "胡波刚", ID_KIND, ID),
    ("石秀秀 11010519880615245X", "石秀秀", ID_KIND, ID),
    ("司马相如 11010519880615245X", "司马相如", ID_KIND, ID),
    ("欧阳娜娜，身份证号11010519880615245X", "欧阳娜娜", ID_KIND, ID),
    ("查文静 11010519880615245X", "查文静", ID_KIND, ID),
    ("阿依古丽·买买提 11010519880615245X", "阿依古丽·买买提", ID_KIND, ID),
    ("帮我查一下王伟 11010519780315149X", "王伟", ID_KIND, "11010519780315149X"),
    ("被执行人是王伟，身份证11010519780315149X", "王伟", ID_KIND, "11010519780315149X"),
    ("算了，先帮我查下王伟是不是老赖，身份证11010519780315149X", "王伟", ID_KIND, "11010519780315149X"),
    ("帮我查下王伟，身份证11010519780315149X", "王伟", ID_KIND, "11010519780315149X"),  # not 下王伟
    ("查下王伟是不是老赖", "王伟", None, None),
    ("我是不是失信人原了 蒋玲 11011719940403408x", "蒋玲", ID_KIND, "11011719940403408X"),
    ("我是不是失信人原了蒋玲11011719940403408x", "蒋玲", ID_KIND, "11011719940403408X"),  # as normalised
    # a correction of the number alone carries no name (the form keeps the one given before)
    ("身份证输错了 应该是11010519780315149X", None, ID_KIND, "11010519780315149X"),
    ("应该是11010519780315149X", None, ID_KIND, "11010519780315149X"),
    ("查文静是不是老赖", "查文静", None, None),
    ("唐洋凯 电话１８５１３９８７７４８", "唐洋凯", None, None),
    ("唐洋凯电话18513987748", "唐洋凯", None, None),
    ("北京星河云帆科技有限公司 91110105MA01WRGG96", "北京星河云帆科技有限公司", CREDIT_KIND, CREDIT),
    (
        "单位名称：北京星河云帆科技有限公司，统一社会信用代码：91110105MA01WRGG96",
        "北京星河云帆科技有限公司",
        CREDIT_KIND,
        CREDIT,
    ),
    (
        "公司叫北京星河云帆科技有限公司，信用代码91110105MA01WRGG96",
        "北京星河云帆科技有限公司",
        CREDIT_KIND,
        CREDIT,
    ),
    ("91110105MA01WRGG96 北京星河云帆科技有限公司", "北京星河云帆科技有限公司", CREDIT_KIND, CREDIT),
    ("老板让我查查咱公司有没有被限高😅 北京星河云帆科技有限公司", "北京星河云帆科技有限公司", None, None),
    ("有个客户北京星河云帆科技有限公司一直欠货款", "北京星河云帆科技有限公司", None, None),
    (
        "北京星河云帆科技有限公司 是不是在失信list上，credit code 91110105MA01WRGG96",
        "北京星河云帆科技有限公司",
        CREDIT_KIND,
        CREDIT,
    ),
    ("周婷 执业证号11011201810112345", "周婷", LICENCE_KIND, LICENCE),
    ("周婷律师 执业证号11011201810112345", "周婷", LICENCE_KIND, LICENCE),
    ("我是律师周婷，执业证11011201810112345", "周婷", LICENCE_KIND, LICENCE),
    ("周婷 律师执业证号11011201810112345", "周婷", LICENCE_KIND, LICENCE),
    ("北京星河云帆科技有限公司，法定代表人张建国，身份证11010519880615245X", "张建国", ID_KIND, ID),
    ("（2026）京0105民初8848号 陈思远 11010519880615245X", "陈思远", ID_KIND, ID),
    ("陈思远 11010519880615245X 电话13900001001", "陈思远", ID_KIND, ID),
    ("我老公叫张建国，身份证11010519880615245X", "张建国", ID_KIND, ID),
    ("11010519880615245X", None, ID_KIND, ID),
    ("我想查一下我的案子", None, None, None),
    ("谢谢 11010519880615245X", None, ID_KIND, ID),
]


@pytest.mark.parametrize(("text", "name", "kind", "value"), CASES)
def test_reads_name_and_identifier_as_written(text, name, kind, value):
    got = read_identity(text)
    assert (got.name, got.kind, got.value) == (name, kind, value)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("陈思远", "陈思远"),
        ("我叫陈思远", "陈思远"),
        ("姓名：欧阳娜娜", "欧阳娜娜"),
        ("是胡波刚", "胡波刚"),
        ("北京星河云帆科技有限公司", "北京星河云帆科技有限公司"),
        ("王伟", "王伟"),
        ("好的", None),
        ("不查了", None),
        ("法律援助怎么申请", None),
        ("北京市第三中级人民法院", None),
        ("算了", None),
        ("您好，我是原告的代理律师，需与承办法官沟通延期开庭事宜", None),  # a role, not a name
        ("我是被告家属", None),
        ("不是，我不找法官", None),
        ("马上", None),
        ("辛苦了", None),
    ],
)
def test_a_name_alone(text, name):
    assert read_name(text) == name


def test_an_organisation_is_marked_as_such():
    assert read_identity("北京星河云帆科技有限公司 91110105MA01WRGG96").is_org
    assert not read_identity("陈思远 11010519880615245X").is_org


def _demo_identities():
    """Every person, legal representative, organisation, lawyer and debtor of the demo data."""
    found = {(v.name, v.kind, v.value) for v in verifiers()}
    found |= {
        (d["name"], ID_KIND if d["kind"] == "person" else CREDIT_KIND, d["id_number"] or d["credit_code"])
        for d in debtors()
    }
    return sorted(found)


def test_every_demo_identity_in_every_format_reads_back_exactly():
    failures = []
    identities = _demo_identities()
    for name, kind, value in identities:
        for form in FORMATS:
            text = form.format(name=name, value=value, label=LABELS[kind])
            got = read_identity(text)
            if (got.name, got.kind, got.value) != (name, kind, value):
                failures.append((text, got))
    assert len(identities) > 300
    assert not failures, f"{len(failures)} of {len(identities) * len(FORMATS)}: {failures[:10]}"


def test_beside_an_identifier_a_surname_missing_from_the_table_still_reads():
    assert read_identity("禤子健 11010519880615245X").name == "禤子健"
    assert read_name("禤子健") is None  # alone, with no identifier, it is not taken for a name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "帮我查一下北京鼎盛嘉业建筑工程有限公司是不是失信企业，我们下个月要跟他们签合同",
            "北京鼎盛嘉业建筑工程有限公司",
        ),
        ("查失信被执行人 王伟", "王伟"),
        ("我想查下李磊国系咪老赖，佢身份证係130602196009275732", "李磊国"),
        ("韩平 身分证110114198909269999", "韩平"),
        ("我是原告戴红敏，证件号110107198301282622", "戴红敏"),
        ("联系人王慧", "王慧"),
        ("我系丁琳妍，身份证110114195512261207", "丁琳妍"),
        ("被执行人王伟有没有上名单", "王伟"),
    ],
)
def test_names_inside_sentences(text, name):
    assert read_identity(text).name == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("請問北京鼎盛晟達醫療器械有限公司是不是失信被執行人？", "北京鼎盛晟达医疗器械有限公司"),
        ("帮俺瞅瞅武飞龙是不是上失信了，身份证号110107199110247044", "武飞龙"),
        ("帮我check一下田雅欣有没有被列入失信blacklist，ID是110102199608292123", "田雅欣"),
    ],
)
def test_names_in_questions(text, name):
    assert read_identity(text).name == name
