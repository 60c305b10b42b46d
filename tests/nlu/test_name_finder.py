"""person_name / org_name by rule (kernel.nlu.name_finder): what a citizen's message yields.

Rows are messages of the kinds the NER missed or cut wrong (names inside longer sentences,
compound surnames, a name followed by 上次), and the look-alikes that are no names (王法官,
我们公司, a court). None of these texts is in data/nlu or the evaluation sets.
"""

from __future__ import annotations

import pytest

from kernel.nlu.name_finder import (
    NameSpan,
    find_names,
    find_org_names,
    find_person_names,
    merge_names,
    valid_org,
    valid_person,
)

P, ORG = "person_name", "org_name"

NAMES = [
    # organisations inside sentences: the ending, and a start after the pronoun / verb / role word
    ("我们成都锦程装饰工程有限公司被人告了", [(ORG, "成都锦程装饰工程有限公司")]),
    ("我跟杭州顺丰速运有限公司打官司，现在到哪一步了", [(ORG, "杭州顺丰速运有限公司")]),
    ("我想起诉北京链家房地产经纪有限公司", [(ORG, "北京链家房地产经纪有限公司")]),
    ("我和重庆长安汽车股份有限公司的案子", [(ORG, "重庆长安汽车股份有限公司")]),
    ("我们是河南省周口市川汇区金穗种植专业合作社", [(ORG, "河南省周口市川汇区金穗种植专业合作社")]),
    ("我公司与广州市白云区鑫鑫五金加工厂的合同纠纷", [(ORG, "广州市白云区鑫鑫五金加工厂")]),
    ("成都市武侯区老马家火锅店欠我工资", [(ORG, "成都市武侯区老马家火锅店")]),
    ("我在中国工商银行北京朝阳支行的存款被冻结了", [(ORG, "中国工商银行北京朝阳支行")]),
    ("对方是北京鑫源餐饮管理有限公司朝阳分公司", [(ORG, "北京鑫源餐饮管理有限公司朝阳分公司")]),
    ("我女儿在北京市第八十中学读书", [(ORG, "北京市第八十中学")]),
    (
        "我是北京大成律师事务所的律师，代理原告上海宝钢集团有限公司",
        [(ORG, "北京大成律师事务所"), (ORG, "上海宝钢集团有限公司")],
    ),
    ("请帮忙check一下深圳市大疆创新科技有限公司的case进度", [(ORG, "深圳市大疆创新科技有限公司")]),
    # persons: compound surnames first, the context, and the cut before what follows a name
    ("帮我查一下我儿子诸葛文杰那个案子", [(P, "诸葛文杰")]),
    ("法官助理陈晓上次加了我微信", [(P, "陈晓")]),
    ("查询皇甫立新的失信信息", [(P, "皇甫立新")]),
    ("我老婆欧阳倩在不在失信名单上", [(P, "欧阳倩")]),
    ("书记员赵丽上午给我打电话了", [(P, "赵丽")]),
    ("我前夫张志强一直不给抚养费", [(P, "张志强")]),
    ("我女儿刘思琪的案子什么时候开庭", [(P, "刘思琪")]),
    ("我是申请人李明，被执行人王小虎一直不还钱", [(P, "李明"), (P, "王小虎")]),
    ("张伟有没有被列入失信", [(P, "张伟")]),
    ("我叫王小明，身份证110105199003071234", [(P, "王小明")]),
    ("请查询被执行人冯家豪的失信情况", [(P, "冯家豪")]),
    ("老人家说他叫马德福，儿子马建国欠了别人钱", [(P, "马德福"), (P, "马建国")]),
    ("承办法官是刘晓燕，她一直不接电话", [(P, "刘晓燕")]),
    ("麻烦联系一下承办法官黄涛", [(P, "黄涛")]),
    ("我家那口子刘红梅被人骗了", [(P, "刘红梅")]),
    ("申请执行人邓超与被执行人郑爽民间借贷纠纷", [(P, "邓超"), (P, "郑爽")]),
    ("我叫热依拉·买买提", [(P, "热依拉·买买提")]),
    ("何秀梅", [(P, "何秀梅")]),
    (
        "原告:欧阳震华,被告:南京新百药业有限公司",
        [(P, "欧阳震华"), (ORG, "南京新百药业有限公司")],
    ),
    (
        "被执行人：湖南湘江建设集团有限公司，法定代表人：曹建明",
        [(ORG, "湖南湘江建设集团有限公司"), (P, "曹建明")],
    ),
    ("不是王刚，是王钢，钢铁的钢", [(P, "王刚"), (P, "王钢")]),
    ("我叫Tony王，中文名王涛", [(P, "王涛")]),
    ("被告是腾讯公司", [(ORG, "腾讯公司")]),
    ("我的案子原告是上海浦东新区张江镇社区卫生服务中心", [(ORG, "上海浦东新区张江镇社区卫生服务中心")]),
    (
        "申请执行人：中国建设银行股份有限公司北京西单支行",
        [(ORG, "中国建设银行股份有限公司北京西单支行")],
    ),
    # a name before its title or its papers; dialect; after an ID number
    ("赵敏律师，执业证号11011201810112345", [(P, "赵敏")]),
    ("孙强身份证110106198308117471", [(P, "孙强")]),
    ("我系陈家乐，想问下我嘅案子", [(P, "陈家乐")]),
    ("帮我查一哈王小波是不是老赖", [(P, "王小波")]),
    ("110106198308117471黄志强", [(P, "黄志强")]),
    ("我替我闺女孟佳琪问问她的官司", [(P, "孟佳琪")]),
    # no names: titles, generic organisations, courts, words that begin with a surname
    ("王法官说下周开庭", []),
    ("李律师让我来问一下", []),
    ("张书记员给我打过电话", []),
    ("我们公司被告了", []),
    ("那家店不给退钱", []),
    ("对方公司一直拖着", []),
    ("物业公司起诉我欠物业费", []),
    ("哪个医院的儿科晚上有急诊", []),
    ("手机银行密码忘了怎么办", []),
    ("原告是朝阳区人民法院吗", []),
    ("北京市第三中级人民法院在哪", []),
    ("请问马上开庭吗", []),
    ("我是不是被限制高消费了", []),
    ("二审改判了，上诉费退不退", []),
    ("投诉书记员迟迟不送达文书", []),
    ("谢谢", []),
    ("我想查一下高某的失信情况", []),
    ("根据公司法股东要承担什么责任", []),
    # look-alikes from real legal questions: a number before 周岁 / 万, a verb, a sentence before 公司
    ("未满14周岁偷1500元会有案底吗", []),
    ("按约定应付利息12万，A让我替他支付12万利息", []),
    ("是否可以申请冻结合作社账号", []),
    ("但是由于公司最近突然查犯罪记录", []),
    ("但是租房公司的人一直不退钱", []),
    ("我与一个男的谈恋爱，在这期间他借了我十万块钱", []),
]


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_names_found_in_a_message(text: str, expected: list[tuple[str, str]]) -> None:
    found = find_names(text)
    assert sorted((s.label, s.value) for s in found) == sorted(expected)
    for span in found:  # offsets point at the value in the message
        assert text[span.start : span.end] == span.value


def test_token_boundaries_keep_a_stop_character_inside_a_word() -> None:
    # without a segmentation 和 is a stop word; the tokens say it belongs to 和顺里
    text = "我跟北京和顺里医院的纠纷"
    tokens = ["我", "跟", "北京", "和顺里", "医院", "的", "纠纷"]
    bounds, offset = {0}, 0
    for token in tokens:
        offset += len(token)
        bounds.add(offset)
    assert [s.value for s in find_org_names(text, bounds)] == ["北京和顺里医院"]
    assert [s.value for s in find_org_names(text)] == []


def test_a_person_inside_an_organisation_is_part_of_it() -> None:
    text = "被告是王府井百货有限公司"
    assert [(s.label, s.value) for s in find_names(text)] == [(ORG, "王府井百货有限公司")]
    assert find_person_names("被告是王府井") != []  # alone, the same letters would be a name


@pytest.mark.parametrize(
    ("value", "person", "org"),
    [
        ("陈晓", True, False),
        ("诸葛文杰", True, False),
        ("王法官", False, False),
        ("陈晓上", False, False),
        ("北京华信建材有限公司", False, True),
        ("物业公司", False, False),
        ("朝阳区人民法院", False, False),
    ],
)
def test_shape_checks_that_filter_the_ner(value: str, person: bool, org: bool) -> None:
    assert valid_person(value) is person
    assert valid_org(value) is org


def _span(start: int, end: int, label: str, text: str) -> NameSpan:
    return NameSpan(start, end, label, text[start:end])


def test_merge_rules_win_the_model_fills_the_rest() -> None:
    text = "法官助理陈晓上次说北京华信建材有限公司的人没来，对方叫莫言"
    rules = [_span(4, 6, P, text)]  # 陈晓
    model = [
        _span(4, 7, P, text),  # 陈晓上: overlaps the rule's name, dropped
        _span(9, 19, ORG, text),  # an organisation the rules did not give: kept
        _span(27, 29, P, text),  # 莫言: kept
        _span(0, 2, P, text),  # 法官: not shaped like a name, dropped
    ]
    merged = merge_names(rules, model)
    assert [s.value for s in merged] == ["陈晓", "北京华信建材有限公司", "莫言"]


def test_merge_keeps_a_longer_model_organisation_that_contains_the_rules() -> None:
    text = "对方是北京鑫源餐饮管理有限公司朝阳分公司"
    rules = [_span(3, 15, ORG, text)]
    model = [_span(3, len(text), ORG, text)]
    assert [s.value for s in merge_names(rules, model)] == ["北京鑫源餐饮管理有限公司朝阳分公司"]


def test_every_compound_surname_of_the_identity_reader_is_known_here() -> None:
    from kernel.nlu.identity import COMPOUND_SURNAMES as IDENTITY
    from kernel.nlu.name_tables import COMPOUND_SURNAMES

    assert IDENTITY - {"子车"} <= COMPOUND_SURNAMES
