"""Who is asking, read from what the citizen wrote: a name or organisation plus an identifier.

Every identity step (case progress, debtor lookup, work order) reads the message with `read_identity`.
It is deterministic on purpose: a statistical tagger once read 陈思远 as 陈思 after a fresh training, and a
lookup then answered 信息不匹配 to the real party, or "not on the list" for a listed debtor. So the name
is always a span the citizen wrote, never shortened or padded: identifiers, case numbers and phones are
cut out, label words (姓名, 我叫, 公司叫, 律师, 执业证号 …) are stripped, and what remains must look like
a person's name (two to four characters, a known surname, compound surnames and · allowed) or an
organisation's (ending in 有限公司, 集团, 合作社, 事务所, 中心, 厂, 店, 医院, 学校 …).

The text is normalised first (Traditional → Simplified, full-width digits), so 陳思遠 reads as 陈思远.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernel.nlu.extract import CASE_NUMBER, CREDIT_CODE, ID_NUMBER, PHONE, analyse
from kernel.nlu.name_finder import find_org_names
from kernel.nlu.normalize import normalize

ID_KIND, CREDIT_KIND, LICENCE_KIND = "id_number", "credit_code", "license_number"

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫 西门 轩辕 "
    "呼延 澹台 公冶 申屠 太叔 闻人 万俟 钟离 宗政 濮阳 淳于 单于 赫连 拓跋 百里 东郭 左丘 谷梁 "
    "第五 梁丘 羊舌 微生 公羊 巫马 乐正 漆雕 壤驷 段干 司空 司寇 亓官 仲孙 叔孙 子车".split()
)
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万"
    "钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁"
    "尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺"
    "楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮"
    "都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼"
    "居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由赖覃蓟訾阮钮龚嵇邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴郁胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公".replace(
        " ", ""
    )
)
ORG_ENDINGS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "分公司",
    "公司",
    "集团",
    "合作社",
    "联合社",
    "事务所",
    "中心",
    "研究院",
    "研究所",
    "设计院",
    "医院",
    "卫生院",
    "诊所",
    "学校",
    "学院",
    "大学",
    "中学",
    "小学",
    "幼儿园",
    "银行",
    "支行",
    "分行",
    "信用社",
    "商行",
    "商店",
    "超市",
    "酒店",
    "饭店",
    "宾馆",
    "店",
    "厂",
    "场",
    "站",
    "人民政府",
    "政府",
    "办事处",
    "管理局",
    "局",
    "厅",
    "办公室",
    "管委会",
    "委员会",
    "协会",
    "学会",
    "商会",
    "基金会",
    "委员会",
    "村委会",
    "居委会",
    "物业",
    "工作室",
    "门市部",
    "经营部",
    "商贸部",
)
COURT_WORDS = re.compile(r"法院|法庭|人民法院")
# Words that start a segment but are not part of the name: labels and the little phrases around them.
PREFIX = re.compile(
    r"^(?:(?:您好|你好|好的|嗯|哦|对|是的|请问|麻烦您|麻烦|请帮我|请|帮忙|帮我|帮俺|我想|我要|先|再|"
    r"查一下|查下|查查|查询|查|看一下|看下|问一下|问下|我们|俺|咱|"
    r"本人的?|我的|我)[，,\s]*)*"
    r"(?:(?:我|本人|我们|俺)?(?:的)?(?:真实)?(?:姓名|名字|名称|全名|全称)(?:是|叫|为)?|"
    r"(?:我们|我|俺|本)?(?:公司|单位|企业|厂|店)(?:的)?(?:名称|名字|全称|名)?(?:是|叫|为)?|"
    r"法定代表人(?:是|叫)?|法人(?:代表)?(?:是|叫)?|被执行人(?:是|叫)?|当事人(?:是|叫)?|联系人(?:是|叫)?|"
    r"(?:本案的?)?(?:原告|被告|上诉人|被上诉人|申请人|被申请人|申请执行人|第三人|代理人|委托人|家属)(?:是|叫)?|"
    r"代理律师|委托律师|律师|我是律师|"
    r"我叫|我是|我系|我叫做|本人是|本人叫|本人|叫做|叫|是|系)*"
)
SUFFIX = re.compile(
    r"(?:(?:的)?(?:代理)?律师|本人|先生|女士|同志|(?:的)?(?:联系)?(?:电话|手机)(?:号码?|是)?|"
    r"(?:的)?(?:居民)?(?:身份证|身分证|证件|执业证|律师证|统一社会信用代码|社会信用代码|信用代码|营业执照|号码|号)+"
    r"(?:号码?|码)?(?:是|为)?|(?:我的|的))+$"
)
# A segment with one of these is a sentence or a label, not a name. Single characters are only the
# particles that no given name uses; words catch the rest (查, 麻 and 辛 are surnames too).
NOT_NAME = re.compile(
    r"[我你您他她它们的了吗呢吧啊呀么嘛哦嗯呗啦？?]|一下|进度|案件|案子|案号|法官|法院|开庭|判决|执行|失信|名单|"
    r"公司|单位|谢谢|你好|您好|再见|查询|请问|怎么|什么|多少|能不能|可以|身份|号码|证号|证件|执业|代码|验证|短信|"
    r"电话|手机|留言|投诉|举报|人工|客服|律师|先生|女士|本人|没有|不是|就是|还是|已经|一直|这个|那个|哪个|辛苦|"
    r"麻烦|打扰|马上|方便|明白|时间|全部|不好意思|同志|师傅|老师|领导|姑娘|小伙|姓名|名字|修改|更改|改成|换成|确认|提交|"
    # roles in a case ("我是原告的代理律师": 原 is a surname, 原告 is not a name)
    r"原告|被告|上诉|申请人|第三人|代理|当事|委托|家属|"
    # a correction's own words ("身份证输错了 应该是1101…": 应 is a surname, 应该是 is not a name)
    r"应该|应当|输错|写错|打错|弄错|错了|正确|重新"
)
# "公司叫星河云帆": after an organisation label, the rest of the segment is the organisation's name.
ORG_LABEL = re.compile(
    r"^(?:我们|我|俺|本)?(?:的)?(?:公司|单位|企业|厂|店)(?:的)?(?:名称|名字|全称|名)?(?:是|叫|为)"
)
SEPARATORS = re.compile(r"[\s,，。.;；:：、!！?？/\\|()（）\[\]【】<>《》\"“”'‘’~～\-—_=+*#@&%$^]+")
LICENCE = re.compile(r"(?<![0-9A-Za-z])(\d{17})(?![0-9A-Za-z])")
# "查失信被执行人 王伟": a space between two runs of Chinese text separates them (normalising would drop it);
# a space inside a name ("陈 思远") is left to the normaliser, which joins it.
SPACED = re.compile(r"(?<=[\u4e00-\u9fa5]{2})[ \t\u3000]+(?=[\u4e00-\u9fa5]{2})")
# A name inside a sentence, between a lead-in and a tail: "我想查下李磊国系咪老赖", "被执行人王伟有没有…".
# A zero-width search, so that overlapping lead-ins are all tried ("帮我查下王伟": 查 + 下王伟, then 查下 + 王伟).
LEAD_IN = r"查一下|查下|查查|查询|帮我查|看看|看下|看一下|瞅瞅|瞧瞧|一下|问下|问一下|被执行人|老赖|联系人|名叫|叫|是"
EMBEDDED = re.compile(
    rf"(?=(?:{LEAD_IN}|^)([\u4e00-\u9fa5]{{2,4}}?)(?=系|是不是|是否|有没有|在不在|上没上|有无|的|欠|被|还|在|$))"
)
HAN_NAME = re.compile(r"[\u4e00-\u9fa5]{2,4}|[\u4e00-\u9fa5]{1,6}·[\u4e00-\u9fa5]{1,8}")


@dataclass(frozen=True)
class Identity:
    """What one message says about who is asking. `name` is a span of the (normalised) message."""

    name: str | None = None
    kind: str | None = None  # id_number | credit_code | license_number
    value: str | None = None
    is_org: bool = False

    @property
    def complete(self) -> bool:
        return bool(self.name and self.kind and self.value)


@dataclass(frozen=True)
class _Segment:
    text: str
    start: int
    end: int


def read_identity(text: str) -> Identity:
    """The name (or organisation) and the identifier written in `text`, each None when absent."""
    clean = normalize(SPACED.sub("，", text or ""))
    entities, _ = analyse(clean)
    cut = [
        (e["start"], e["end"])
        for e in entities
        if e["entity"] in (CASE_NUMBER, ID_NUMBER, CREDIT_CODE, PHONE)
    ]
    kind, value, where = _identifier(clean, entities)
    if kind == LICENCE_KIND and where:
        cut.append(where)
    name, is_org = best_name(clean, cut, where)
    return Identity(name, kind, value, is_org)


def read_name(text: str) -> str | None:
    """Only a name (person or organisation), for a step that asked for one."""
    return read_identity(text).name


def _identifier(text: str, entities: list[dict]) -> tuple[str | None, str | None, tuple[int, int] | None]:
    for entity in entities:
        if entity["entity"] in (ID_NUMBER, CREDIT_CODE):
            kind = ID_KIND if entity["entity"] == ID_NUMBER else CREDIT_KIND
            return kind, entity["value"], (entity["start"], entity["end"])
    taken = [(e["start"], e["end"]) for e in entities]
    for found in LICENCE.finditer(text):
        if not any(found.start() < e and s < found.end() for s, e in taken):
            return LICENCE_KIND, found.group(1), found.span()
    return None, None, None


def best_name(
    text: str, cut: list[tuple[int, int]], anchor: tuple[int, int] | None
) -> tuple[str | None, bool]:
    """The name-like segment nearest the identifier (or the only one when there is no identifier)."""
    candidates = _candidates(text, cut, anchor, strict=True)
    if not candidates and anchor is not None:  # beside an identifier, a surname missing from our table
        candidates = _candidates(text, cut, anchor, strict=False)
    if not candidates:
        return None, False
    if anchor is None and len({c[3] for c in candidates}) > 1 and not any(c[4] for c in candidates):
        return None, False  # two different person names and nothing to tell them apart: ask, don't guess
    _, _, _, name, is_org = min(candidates)
    return name, is_org


def _candidates(text: str, cut: list[tuple[int, int]], anchor: tuple[int, int] | None, strict: bool) -> list:
    candidates = []
    for segment in _segments(text, cut):
        name, is_org = _as_name(segment.text, strict)
        if name:
            offset = segment.text.find(name)
            candidates.append(
                (
                    _distance(segment.start + offset, segment.start + offset + len(name), anchor),
                    not is_org,
                    segment.start,
                    name,
                    is_org,
                )
            )
    return candidates


def _distance(start: int, end: int, anchor: tuple[int, int] | None) -> int:
    if anchor is None:
        return 0
    return max(anchor[0] - end, start - anchor[1], 0)


def _segments(text: str, cut: list[tuple[int, int]]) -> list[_Segment]:
    """Pieces of `text` between separators, identifiers and runs of Latin letters or digits."""
    marked = list(text)
    for start, end in cut:
        marked[start:end] = [" "] * (end - start)
    blanked = re.sub(r"[0-9A-Za-z]+", lambda m: " " * len(m.group()), "".join(marked))
    segments, pos = [], 0
    for piece in SEPARATORS.split(blanked):
        start = blanked.find(piece, pos) if piece else pos
        if piece:
            segments.append(_Segment(piece, start, start + len(piece)))
            pos = start + len(piece)
    return segments


def _as_name(segment: str, strict: bool = True) -> tuple[str | None, bool]:
    """(name, is_org) when the segment, without its label words, is a name; (None, False) otherwise."""
    org = _org_name(segment)
    if org:
        return org, True
    core = SUFFIX.sub("", PREFIX.sub("", segment, count=1))
    if core != segment:
        core = SUFFIX.sub("", PREFIX.sub("", core, count=1))  # "我是律师周婷": the label came in two parts
    if not is_person_name(core, strict):
        core = _after_marker(segment) or _embedded(segment) or _after_particle(segment) or core
    whole_ok, core_ok = is_person_name(segment, strict), core != segment and is_person_name(core, strict)
    if whole_ok and (not core_ok or len(segment) <= 3 or segment[:2] in COMPOUND_SURNAMES):
        return segment, False  # 查文静 is a name, not 查 + 文静
    return (core, False) if core_ok else (None, False)


def _after_marker(segment: str) -> str | None:
    """ "我老公叫张建国", "被执行人是王伟": the name after the last 叫 / 是."""
    for marker in ("叫", "是"):
        at = segment.rfind(marker)
        tail = SUFFIX.sub("", segment[at + 1 :]) if at >= 0 else ""
        if is_person_name(tail):
            return tail
    return None


# "我是不是失信人原了 蒋玲 1101…": the name right after a sentence's closing particle, before the identifier.
AFTER_PARTICLE = re.compile(r"[了的吗呢啊吧呀嘛]([\u4e00-\u9fa5]{2,3})$")


def _after_particle(segment: str) -> str | None:
    found = AFTER_PARTICLE.search(segment)
    return found.group(1) if found and is_person_name(found.group(1)) else None


def _embedded(segment: str) -> str | None:
    """The first name-shaped span; where a later one ends with it, after a lead-in word ("查下王伟是不是…":
    查下王伟 would be a name too, 查 being a surname), the later one."""
    found = [(m.start(1), m.group(1)) for m in EMBEDDED.finditer(segment) if is_person_name(m.group(1))]
    for start, name in found:
        for later, inner in found:
            lead = name[: later - start]
            if later > start and name.endswith(inner) and re.fullmatch(f"(?:{LEAD_IN})+", lead):
                return inner
        return name
    return None


def _org_name(segment: str) -> str | None:
    label = ORG_LABEL.search(segment)
    if label and len(segment) - label.end() >= 2:
        return segment[label.end() :]
    ends = sorted({segment.rfind(e) + len(e) for e in ORG_ENDINGS if e in segment}, reverse=True)
    for end in ends:  # the furthest ending first: 北京市人民政府朝阳区…保障局, not 北京市人民政府
        core = PREFIX.sub("", segment[:end], count=1)
        core = re.sub(r"^(?:我们|我|俺|在|是|叫|的)+", "", core)
        if len(core) >= 4 and not COURT_WORDS.search(core) and len(core) <= 60:
            return _trim_lead(core)
    return None


def _trim_lead(core: str) -> str:
    """The name without the words that led up to it ("有个客户北京鼎盛嘉业…有限公司" → 北京鼎盛嘉业…):
    the name finder's walk back to a stop word and its place-name start decide where the name begins."""
    found = [span for span in find_org_names(core) if span.end == len(core) and span.start > 0]
    return found[-1].value if found else core


def is_person_name(text: str, strict: bool = True) -> bool:
    """Two to four characters with a known surname (compound ones too), or a name with ·.

    Not strict: two or three characters with any first character (a surname missing from the table)."""
    if not text or not HAN_NAME.fullmatch(text):
        return False
    if "·" in text:
        return True
    given = text[2:] if text[:2] in COMPOUND_SURNAMES else text[1:] if text[0] in SURNAMES else None
    if given is None and not strict and len(text) <= 3:
        given = text[1:]
    if not given or not 1 <= len(given) <= 3:
        return False
    return not NOT_NAME.search(text)
