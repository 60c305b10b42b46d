"""The word tables behind `kernel.nlu.name_finder`: surnames, organisation endings, the words around names.

Kept apart from the rules so that a missed name is usually fixed by one word added here, with a
row in tests/nlu/test_names.py that shows it.
"""

from __future__ import annotations

# ---------------------------------------------------------------- persons

#: Compound surnames (复姓): the identity reader's (a test keeps them so) and a few more, without 子车
#: (儿子车祸); tried before single ones, so 诸葛文杰 is not 葛文杰. Not imported from
#: kernel/nlu/identity.py: that module is the actions', and would then retrain the model when it changes.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 慕容 东方 皇甫 令狐 尉迟 夏侯 端木 公孙 长孙 宇文 司徒 西门 独孤 南宫 轩辕 "
    "司空 万俟 闻人 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 钟离 百里 东郭 呼延 赫连 完颜 拓跋 "
    "第五 梁丘 左丘 公羊 谷梁 南门 东门 羊舌 微生 归海 段干 闾丘 乐正 巫马 漆雕 壤驷 公良 "
    "司寇 亓官 仲孙 叔孙".split()
)

#: Single surnames of 百家姓 in common use. Narrower than the identity reader's table (which reads a
#: segment that is already only a name): in running text these are left out on purpose, because in running text they are
#: far more often a word than a surname: 和 时 明 原 查 那 来 都 国 平 相 初 门 云 信 由 但 干 公 利
#: 海 花 强 区 位 满 乐 南 成 能 要 法 把 被 让 给 对 向 於 阿 那 官 司 双 第.
SINGLE_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶牟艾尤阳穆农卓古吉缪简"
    "车项连芦麦褚娄窦戚岑景党宫卜冷晏席卫米柏宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋刁沙荣巫寇桑郎甄"
    "丛仲虞敖巩佘池麻苑迟邝封谈匡鞠惠荆冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺楼闻厉伊仝郜阚权帅屠豆朴"
    "盖练廉禹井祖漆巴丰支卿狄计索宣晋扈晁芮普阙浦戈伏鹿薄邸雍辜羊乌裘亓修邰赫杭况宿鲜印逯隆茹诸战"
    "慕危玉银亢嵇湛戎勾茅呼居揭尉冶斯束檀衣展阴昝智幸奉植衡富尧闭郦褚湛荀"
)

#: Characters that are almost never part of a given name: particles, pronouns, verbs and the court's
#: own words. A candidate's given name may not contain them (王法官 has no given name 法官).
NON_GIVEN = frozenset(
    "的了是在有吗呢吧啊哦呀嘛么不没也都就还又被把让给说要想去来到打找问这那个们什怎哪谁几少和跟与及或"
    "对向从于所而但却再已曾将会能该应得地着过后里外内每各某其此另法官院律师案判诉执告查询号码证电话手机"
    "元块钱欠款姓名叫你我他她它您咱俺偶岁吗啥呗哈嗯哎喂请帮谢好吧是否吗呐罢啦咯么嘛哟噢之乎者也以"
    "一六七八九十百千零两"
)

#: Words a name is cut before (陈晓上次 → 陈晓): tried where the second given character would start.
FOLLOWING = (
    "上次 上个 上周 上月 上午 上回 上面 上了 下午 下次 下周 家里 家人 家的 现在 今天 昨天 明天 前天 去年 今年 "
    "有没有 有限 先生 女士 小姐 同志 老师 之前 以前 以后 那边 这边 那里 这里 东西 当时 一直 已经 欠我 好像 "
    "身份 身分 执业 证件 律师 法官 书记员 是不是 在不在 能不能 会不会 要不要 老是 总是 因为 所以 如果 但是 可是 住在 民间 民事 民初 民终 纠纷 合同 借贷 离婚 一案"
).split()

#: Verbs that follow a name far more often than they end one (王刚借了…, 李娜拿走…): never the
#: second given character.
NOT_SECOND_GIVEN = frozenset("借拿骗买卖签写带跑躲死走回收交做办逃转拖赖罚抓偷抢住用吃喝看听让叫给")

#: A name does not end in these (王家 is a family, 冯家豪 a name).
NOT_LAST = frozenset("家们里上下")

#: A surname followed by one of these is a form of address, not a name (王法官, 李律师, 张书记员).
TITLES = (
    "法官 律师 书记员 书记 助理 老师 先生 女士 小姐 师傅 经理 主任 局长 院长 庭长 警官 同志 阿姨 大爷 大妈 叔叔 "
    "老板 总 会计 医生 科长 处长 队长 村长 支书 哥 姐 某 氏 姓 员 工 总经理 董事长 厂长 所长 检察官 调解员 "
    "执行员 法警 专员 主管 大姐 大哥 老太 老头 奶奶 爷爷 伯伯"
).split()

#: Words before a name that make it one (我叫…, 被执行人…, 我儿子…, 法官助理…).
LEFT_STRONG = (
    "我是 我叫 他叫 她叫 叫 名叫 叫做 名字是 名字叫 名字 姓名是 姓名 本人 原告 被告 原告是 被告是 第三人 "
    "被执行人 申请人 申请执行人 被申请人 当事人 上诉人 被上诉人 对方 对方是 前夫 前妻 儿子 女儿 老公 丈夫 "
    "妻子 老婆 爱人 爸爸 我爸 我妈 妈妈 父亲 母亲 哥哥 我哥 姐姐 我姐 弟弟 我弟 妹妹 我妹 表弟 表哥 表姐 "
    "表妹 堂弟 堂哥 堂姐 堂妹 女婿 儿媳 侄子 外甥 孙子 朋友 同事 同学 邻居 亲戚 老乡 法官助理 书记员 法官 "
    "助理 法定代表人 法人 代理人 律师 代理律师 委托人 查 查查 查一下 查下 查询 核查 看看 查一查 举报 投诉 "
    "起诉 告 有没有 联系 人员 债务人 借款人 欠款人 员工 保姆 司机 房东 租客 孩子 小孩 家属 "
    "我系 查一哈 查哈 瞅瞅 name name是 Name Name是 小姨 大姨 姨妈 姑妈 舅妈 小舅子 二叔 三叔 闺女 儿媳妇 外甥 外甥女 中文名 真名 全名 大名 本名 不是 ，是 ,是 老板 那口子 前男友 前女友 男朋友 女朋友 男友 女友 姐夫 妹夫 嫂子 弟媳 小叔子 小姑子 大伯 叔叔 舅舅 姑姑 阿姨 公公 婆婆 岳父 岳母 丈母娘 老丈人 外公 外婆 爷爷 奶奶 姥姥 姥爷 孙女 外孙 侄女 外甥女 负责人 联系人 联络人 法务 经理 会计 老赖 包工头 工头 工友 战友 师傅 徒弟 学生 病人 患者 经办人 承办人 承办法官 是叫 就是 客户 合伙人 股东 担保人 老板是 老板叫"
).split()

#: Words before a name that make it one only with a right context too (我们村里的周永福欠了…).
LEFT_WEAK = "的 是 和 跟 与 给 让 把 及 或 帮 问 替 同 叫了 诉 一下 一哈 瞅瞅 系".split()

#: Words after a name that make it one (…有没有失信, …的案子, …，身份证…).
RIGHT = (
    "是不是 有没有 在不在 是否 的案子 的案件 那个案子 的官司 的代理人 的委托代理人 的家属 的律师 的儿子 "
    "的女儿 的爱人 的妻子 的丈夫 的老婆 的老公 的父亲 的母亲 的失信 的情况 的信息 的身份证 身份证 欠 被 "
    "告我 起诉我 上了 还钱 还不 拖欠 借了 借我 不还 跟我 和我 离婚 是老赖 失信了 被限 被列 被法院 被起诉 被执行 被人 是被执行人 是失信 "
    "的执行 的判决 的开庭 的离婚 的借款 的欠款 的合同 的纠纷 的电话 的手机 的名下 的财产 的房子 的车 "
    "打官司 纠纷 借钱 借款 欠钱 欠款 那个案子 这个案子 那个人 这个人 这人 那人 那边 家里 名下 现在 一直 "
    "老是 总是 因为 已经 系咪 系唔系 系不系 律师 法官 先生 女士 老师 书记员 助理 经理 同志 执业证 身分证 证件 "
    "手机 电话 联系电话"
).split()

# ---------------------------------------------------------------- organisations

#: Organisation endings: (ending, characters that may not follow it, strong?). 公司法 is the law,
#: 银行卡 a card, 厂长 a person. A weak ending (公司, 医院, 店 …) ends a name only when the body
#: starts with a place (北京和平里医院) or follows a word that announces a party (被告是…);
#: otherwise 哪个医院, 手机银行, 偷拿公司 would be names.
ORG_ENDINGS: tuple[tuple[str, str, bool], ...] = tuple(
    (ending, banned, strong)
    for group, banned, strong in (
        ("有限责任公司 股份有限公司 集团有限公司 集团股份有限公司 有限公司", "法债章", True),
        ("分公司 子公司 公司", "法债章", False),
        ("集团", "", True),
        ("专业合作社 合作社 联合社 律师事务所 会计师事务所 事务所", "", True),
        ("村民委员会 居民委员会 业主委员会", "", True),
        ("研究所 设计院 研究院 学院 大学 中学 小学 幼儿园 学校 医院 卫生院 诊所", "", False),
        ("养老院 敬老院 福利院 中心 协会 商会 基金会 联合会", "", False),
        ("银行 支行 分行 信用社", "卡账流", False),
        (
            "商行 门市部 经营部 营业部 工作室 超市 商场 酒店 饭店 宾馆 药店 药房 商店 分店 门店 店",
            "长主员铺面",
            False,
        ),
        ("加工厂 工厂 厂", "长里家房区", False),
        ("俱乐部 农场 养殖场 经销处 服务部 批发部 网吧", "", False),
    )
    for ending in group.split()
)

#: Words right before a name that announce a party, so that a weak ending is enough (被告是…医院).
ORG_LEFT = (
    "被告是 原告是 被告 原告 第三人 被执行人是 被执行人 申请人 被申请人 申请人是 单位是 单位叫 公司叫 公司是 "
    "名称 名称是 全称 全称是 叫做 名叫 对方是 我们是 起诉 举报 投诉"
).split()

#: What follows a first name to make it a branch of the same organisation (…有限公司朝阳分公司).
BRANCH_ENDINGS = "分公司 支行 分行 分店 营业部 分部 办事处 门店 分理处".split()

#: Words before an organisation name that are not part of it (我们…, 对方是…, 这家…, 装修公司…).
ORG_STOPS = (
    "我们 我 你们 你 他们 他 她 它 咱们 本人 自己 跟 和 与 同 及 以及 被 对 向 让 把 将 由 从 在 给 替 帮 "
    "是 叫 为 以 的 了 着 过 吗 呢 吧 啊 告 诉 起诉 查 查询 查查 核查 下 一下 看看 举报 投诉 代理 代表 "
    "这家 那家 哪家 这个 那个 一家 该 此 这 那 某家 签 合作 欠 申请 执行 联系 属于 作为 名义 "
    "原告 被告 第三人 被执行人 申请人 申请执行人 当事人 对方 合作方 甲方 乙方 客户 供货商 供应商 "
    "单位 公司 企业 用人单位 名称 全称 名字 叫做 律师 员工 老板 去 到 找 问 说 想 要 知道 楼下 附近 "
    "隔壁 对面 门口 就 都 也 还 又 请 哪个 这个 那个 一个 怎么 什么 麻烦 关于 因为 所以 但是 而且 或者 还是 就是 是不是 "
    "由于 全部 所有 请问 可以 要求 需要 应该 能否 是否 如何 没有 已经 一直 现在 然后 如果 虽然 并且 不予 上家 "
    "一 当时 之前 以后 通过 经过 进入 离开 加入 注册 成立 开了 开的 说是 听说 发现 认为 觉得"
).split()

#: Bodies made only of these are no name (物业公司, 装修公司, 对方的某某公司).
ORG_GENERIC = (
    "星级 宠物 手机 网上 物业 装修 装饰 保险 物流 快递 中介 房产 房地产 开发 开发商 建筑 工程 科技 网络 贸易 商贸 餐饮 管理 "
    "服务 汽车 运输 劳务 人力资源 培训 教育 外卖 家政 电力 自来水 燃气 通信 保安 搬家 租赁 信贷 贷款 小贷 "
    "担保 网贷 投资 理财 金融 医疗 美容 健身 旅游 旅行 航空 铁路 出租车 网约车 公交 4S 私立 民营 国有 "
    "某某 某 总 大 小 老 新 原 前 本 饭 酒 药 花 书 网 商 电子 服装 水果 家具 建材 文化 传媒 广告 "
    "咨询 设计 电器 食品 信息 技术 发展 实业 工业 商业 机械 化工 钢铁 能源 环保 农业 生物 制药 "
    "包工 总包 分包 承包 施工 劳务派遣 保洁 安保 维修 银 支 分 子 集团 一 各 这 那 私人 个体 黑 "
    "市 县 区 镇 村 乡 街道 社区 诉讼服务 人民 国家 当地 本地 外地 附近 楼下"
).split()

#: A name that contains one of these is a court (never an org_name) or part of one.
COURT_MARKS = ("法院", "法庭", "诉讼服务", "人民法")

#: Province-level and large-city names: an organisation name usually starts with one, so a body
#: that holds one later (装修公司北京美家装饰…) starts there.
PLACES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 "
    "四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 成都 深圳 广州 杭州 南京 武汉 "
    "中国 西安 苏州 郑州 长沙 青岛 沈阳 大连 厦门 宁波 济南 哈尔滨 长春 福州 石家庄 合肥 南昌 昆明 贵阳 南宁 "
    "太原 兰州 廊坊 保定 唐山 东莞 佛山 无锡 常州 温州 珠海 烟台 潍坊 徐州 绍兴 嘉兴 金华 台州 泉州 "
    "乌鲁木齐 呼和浩特 银川 西宁 拉萨 海口 三亚 洛阳 襄阳 宜昌 株洲 湘潭 岳阳 衡阳 赣州 九江 芜湖 "
    "扬州 南通 盐城 淮安 连云港 镇江 泰州 宿迁 秦皇岛 邯郸 邢台 沧州 张家口 承德 衡水 大同 朝阳 海淀 "
    "丰台 东城 西城 通州 大兴 顺义 昌平 房山 门头沟 怀柔 密云 延庆 石景山 浦东 滨海"
).split()

#: Words a surname begins that are no name (高消费, 马上, 方面): checked on the candidate's start.
SURNAME_WORDS = (
    "许多 连累 周三 周四 周五 周六 周日 哈喽 哈罗 谈谈 房主 谢谢 周末 周一 陈述 高消费 高铁 高中 高院 高级 高利贷 高空 高速 高价 高于 高兴 方面 方式 方法 方便 方案 方向 马上 马路 万元 "
    "万块 万一 万多 钱款 钱包 钱财 何时 何地 何处 何况 何必 任何 任务 任意 于是 关于 关系 关注 关键 关联 关门 "
    "关心 金额 金钱 白天 白白 白色 江苏 江西 江湖 安徽 安全 安排 安置 安装 安静 安心 文件 文书 文字 文明 常见 "
    "常用 常常 石家庄 石头 武汉 武器 温州 温度 宁波 宁夏 宁愿 黄金 黄牛 黄色 龙头 华为 华北 华南 华东 林业 "
    "连续 连带 连同 连锁 全部 全额 全款 全都 全家 全体 全国 应该 应当 应诉 应急 包括 包工头 包工 包赔 包裹 "
    "简单 简易 简历 孙子 车辆 车祸 车子 车主 车库 房子 房产 房租 房东 房屋 房贷 房间 单位 单独 单身 单价 "
    "宋庄 朝阳 张贴 张口 余额 余款 严重 严格 严肃 左右 左边 管理 管辖 管道 解决 解除 解释 解答 程序 许可 曾经 "
    "苏州 施工 施行 毛病 齐全 申请 申诉 申报 申明 路上 路费 路口 辛苦 凌晨 费用 卫生 商量 商品 商铺 沙发 "
    "仲裁 麻烦 迟到 封条 谈话 谈判 劳动 劳务 楼下 楼上 权利 权益 权力 盖章 支付 支持 计算 计划 索赔 宣判 "
    "宣传 普通 修改 修理 印章 战争 危险 元旦 展开 智能 幸好 富有 闭庭 顾客 顾问 章程 符合 纪律 毕业 毕竟 "
    "季度 曲线 蓝色 游戏 牛肉 牛奶 颜色 庄稼 欧洲 欧元 付款 付费 付钱 夏天 夏季 范围 陆续 段落 雷电 史上 "
    "莫名 向前 向后 祝福 舒服 童年 梅花 姜还 程度 成功 田地 董事 潘家园 汤圆 包含 尚未 甘心 焦急 冷静 "
    "居住 揭发 衣服 阳光 阳台 古代 吉林 项目 景区 党员 宫殿 米饭 宗教 桂林 师傅 师范 荣誉 巩固 储蓄 "
    "石油 井水 巴士 丰富 丰台 普及 浦东 薄弱 母亲 母女 修正 鲜明 隆重 诸位 战略 危机 玉米 银行 银川 呼吁 "
    "幸福 富裕 闭嘴 邢台 邵阳 甘肃 农村 农业 农民 卓越 蒙古 毛坯 孔雀 康复 乔迁 岳父 岳母 童装 游客"
).split()

#: Words a stop word may not be cut out of when the walk back has no word segmentation to go by.
PROTECTED = tuple(PLACES) + tuple(
    "广告 和平 华为 同仁 向阳 为民 天下 东方 对外 与时 以诚 诚信 信达 在线 下沙 上城 家园 家居 家具 家政 "
    "万家 国家 大家 到家 之家 我家 金家 和谐 和睦 永和 中和 祥和 协和 太和 人和 平和 "
    "第一 一汽 统一 唯一 下属 天下 查干 利诉 被服 对接 是非 为先 与众 跟单 欠发达 的士 的确 了解 告别 诉求".split()
)
