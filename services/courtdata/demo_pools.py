"""Static vocabularies for the demo data generator: courts, divisions, names, causes.

All people, companies and law firms built from these pools are fictitious. Only courts are real: Beijing
No. 3 Intermediate People's Court and the six district courts under it (朝阳, 通州, 顺义, 怀柔, 平谷, 密云 —
东城 belongs to No. 2 Intermediate Court, so it is not here).
"""

from __future__ import annotations

INTERMEDIATE = "京03"
COURTS = [
    {
        "code": "京03",
        "name": "北京市第三中级人民法院",
        "level": "intermediate",
        "parent": "京",
        "region_code": "110105",
    },
    {
        "code": "京0105",
        "name": "北京市朝阳区人民法院",
        "level": "basic",
        "parent": "京03",
        "region_code": "110105",
    },
    {
        "code": "京0112",
        "name": "北京市通州区人民法院",
        "level": "basic",
        "parent": "京03",
        "region_code": "110112",
    },
    {
        "code": "京0113",
        "name": "北京市顺义区人民法院",
        "level": "basic",
        "parent": "京03",
        "region_code": "110113",
    },
    {
        "code": "京0116",
        "name": "北京市怀柔区人民法院",
        "level": "basic",
        "parent": "京03",
        "region_code": "110116",
    },
    {
        "code": "京0117",
        "name": "北京市平谷区人民法院",
        "level": "basic",
        "parent": "京03",
        "region_code": "110117",
    },
    {
        "code": "京0118",
        "name": "北京市密云区人民法院",
        "level": "basic",
        "parent": "京03",
        "region_code": "110118",
    },
]
PROSECUTORS = {
    "京03": "北京市人民检察院第三分院",
    "京0105": "北京市朝阳区人民检察院",
    "京0112": "北京市通州区人民检察院",
    "京0113": "北京市顺义区人民检察院",
    "京0116": "北京市怀柔区人民检察院",
    "京0117": "北京市平谷区人民检察院",
    "京0118": "北京市密云区人民检察院",
}
# Other Beijing districts, used only for where people were born (first six ID digits).
BIRTH_REGIONS = [
    "110101",
    "110102",
    "110105",
    "110106",
    "110107",
    "110108",
    "110112",
    "110113",
    "110114",
    "110115",
    "110116",
    "110117",
    "110118",
    "130102",
    "130602",
    "370102",
    "410105",
    "120101",
]

DIVISIONS = {
    "civil": ["民事审判第一庭", "民事审判第二庭", "民事审判第三庭"],
    "review": ["审判监督庭"],
    "enforcement": ["执行局"],
    "objection": ["执行裁判庭"],
    "criminal": ["刑事审判庭"],
    "administrative": ["行政审判庭"],
}

# Names of the walk-through identities (demo_fixed.py): random people never get them, so the docs stay exact.
RESERVED_NAMES = {"陈思远", "赵立新", "李建国", "孙海燕", "周婷", "韩卫东", "王伟", "刘强", "高志勇"}

SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
COMPOUND_SURNAMES = ["欧阳", "上官", "司徒", "诸葛"]
MALE_CHARS = list(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林洋志建国新立成海东文博晨阳峰亮振宏泽睿远家"
)
FEMALE_CHARS = list("芳娜敏静丽艳娟霞秀玲桂英燕婷雪琳慧颖倩洁梅莉红萍晶月欣悦佳琪雅璐瑶蕾丹妍薇楠茜")

ORG_WORDS = [
    "星河",
    "云帆",
    "恒通",
    "鼎盛",
    "嘉业",
    "华信",
    "博远",
    "瑞丰",
    "金桥",
    "宏图",
    "天成",
    "聚德",
    "永安",
    "祥和",
    "智联",
    "锐思",
    "德润",
    "安泰",
    "汇通",
    "启明",
    "新程",
    "蓝海",
    "绿源",
    "正方",
    "诚达",
    "通泰",
    "康宁",
    "远航",
    "卓越",
    "长河",
    "明川",
    "青禾",
    "海岳",
    "朗润",
    "弘毅",
    "景行",
    "知远",
    "嘉禾",
    "晟达",
]
ORG_INDUSTRIES = [
    "科技",
    "商贸",
    "建筑工程",
    "物业管理",
    "房地产开发",
    "餐饮管理",
    "文化传媒",
    "汽车销售",
    "信息技术",
    "装饰工程",
    "物流",
    "医疗器械",
    "教育咨询",
    "农业发展",
    "供应链管理",
]
ORG_FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
LAW_FIRMS = ["明正", "衡平", "守信", "知行", "至诚", "简衡", "弘理", "砺言", "正则", "同舟", "明镜", "持正"]
AUTHORITIES = [
    "人力资源和社会保障局",
    "市场监督管理局",
    "城市管理综合行政执法局",
    "住房和城乡建设委员会",
    "规划和自然资源委员会分局",
    "人民政府",
]
DISTRICT_NAMES = {
    "110105": "朝阳区",
    "110112": "通州区",
    "110113": "顺义区",
    "110116": "怀柔区",
    "110117": "平谷区",
    "110118": "密云区",
}

CIVIL_CAUSES = [
    "民间借贷纠纷",
    "买卖合同纠纷",
    "房屋租赁合同纠纷",
    "劳动争议",
    "机动车交通事故责任纠纷",
    "物业服务合同纠纷",
    "建设工程施工合同纠纷",
    "金融借款合同纠纷",
    "房屋买卖合同纠纷",
    "服务合同纠纷",
    "追索劳动报酬纠纷",
    "信用卡纠纷",
    "继承纠纷",
    "离婚纠纷",
    "装饰装修合同纠纷",
]
MONEY_CAUSES = [
    "民间借贷纠纷",
    "买卖合同纠纷",
    "房屋租赁合同纠纷",
    "建设工程施工合同纠纷",
    "金融借款合同纠纷",
    "服务合同纠纷",
    "追索劳动报酬纠纷",
    "装饰装修合同纠纷",
]
CRIMINAL_CAUSES = [
    "盗窃罪",
    "诈骗罪",
    "危险驾驶罪",
    "故意伤害罪",
    "合同诈骗罪",
    "帮助信息网络犯罪活动罪",
    "非法吸收公众存款罪",
]
ADMIN_CAUSES = ["工伤认定", "行政处罚", "政府信息公开", "行政强制拆除", "行政复议"]

# The six circumstances of Art. 1 of the SPC provisions on publishing the dishonest-debtor list.
DISHONEST_CONDUCT = [
    "有履行能力而拒不履行生效法律文书确定义务",
    "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    "违反财产报告制度",
    "违反限制消费令",
    "无正当理由拒不履行执行和解协议",
]
OBLIGATIONS = {
    "民间借贷纠纷": "偿还借款本金{amount}元及利息",
    "买卖合同纠纷": "支付货款{amount}元及逾期付款违约金",
    "房屋租赁合同纠纷": "支付拖欠租金{amount}元并腾退房屋",
    "建设工程施工合同纠纷": "支付工程款{amount}元及利息",
    "金融借款合同纠纷": "偿还借款本金{amount}元、利息及罚息",
    "服务合同纠纷": "支付服务费{amount}元",
    "追索劳动报酬纠纷": "支付拖欠工资{amount}元",
    "装饰装修合同纠纷": "返还装修款{amount}元",
}
CHINESE_NUMERALS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def courtroom_name(number: int) -> str:
    """第十二法庭 style courtroom names (1-29)."""
    tens, ones = divmod(number, 10)
    text = ("" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMERALS[tens] + "十")) + (
        CHINESE_NUMERALS[ones] if ones else ""
    )
    return f"第{text}法庭"
