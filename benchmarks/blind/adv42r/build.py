"""Write check_adv42r.yaml: plans (经营计划与会议决定) and customers (客户名单与联系方式) drafts in work-chat
voices, leaking and clean look-alikes of the same shape beside each.

Written by the clsr42 engineer before any fit miss of either category was read (only the count of topic
misses by category on v26–v34 was looked at, to choose the categories). Run from the repository root:
.venv/bin/python benchmarks/blind/adv42r/build.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

# Plans and decisions not yet carried out or announced (员工保密管理制度 保密范围: 经营计划、决策事项、会议决定),
# told out to a friend, a relative, a customer, a rival or a public chat, in everyday, dialect, English-mixed,
# dictated and long voices; the leak of a long draft sits in its middle.
PLANS_LEAK = [
    ("plain", "跟你说个事，我们这家店下个月底就不开了，老板已经定了，你办的卡赶紧来用掉。"),
    ("plain", "姐，我们公司今年要跟城东那家物流合成一家，上周高层开会定的，外面还没人知道。"),
    ("plain", "老同学，我们厂明年要搬到安徽去，这边的车间全部撤掉，你们那边要是招人可以留意一下。"),
    ("reworded", "今天上午领导们开会拍的板，五月一号起全线产品提价百分之八，你要囤货就这几天赶紧下单。"),
    ("reworded", "我偷偷说啊，我们总部打算把华北区的三个仓库卖给别人，合同都快签了。"),
    ("dialect", "俺跟你讲，俺们超市过了年就要关门咧，老板说干不下去了，你可别往外嚷嚷。"),
    ("dialect", "阿妹，我哋公司下个月要裁走一半人，老细琴日开会讲嘅，你唔好同人讲住。"),
    ("dialect", "侬晓得伐，阿拉公司明年要上市了，券商已经进场了，侬要买股票早点准备。"),
    ("english", "Bro 跟你 share 一下，我们 company 下个季度要 launch 新的会员 plan，"
                "年费从 199 降到 99，还没 announce。"),
    ("english", "FYI 我们 board 昨天 approve 了 acquisition，要收购隔壁那家连锁，next month 签约，keep it low。"),
    ("english", "跟客户说一声也无妨吧，我们 Q3 要 shut down 北区两个门店，staff 都要 relocate。"),
    ("spaces", "我 们 店 下 个 月 要 涨 价 了 ， 会 议 上 定 的 ， 你 先 别 跟 别 人 说 。"),
    ("dictated", "那个跟你讲一下啊我们公司准备下半年把客服中心整个外包出去 老板上周开会已经拍板了 "
                 "你们那边要是想接可以先准备准备"),
    ("dictated", "喂老张你听我说我们集团那个重组方案定了啊 物流板块要单独拆出去卖 这事还没公开你心里有数就行"),
    ("plain", "我们领导说了，明年一季度在你们小区对面开新店，选址都看好了，你要不要先来应聘？"),
    ("plain", "听我们店长说，年后总部要把这条街的三家店合成一家，剩下的员工分流到别的区。"),
    ("plain", "王哥，今天的会定了，下个月开始我们跟顺达那边的合作就终止了，你们可以趁机去谈。"),
    ("long", "周末聚会我可能去不了了，这阵子忙疯了。你也知道我在的那家连锁健身房，最近气氛很怪，"
             "前天区域经理来开了个闭门会，说是今年年底之前要把老城区的四家门店全部关掉，会员转到新区的旗舰店，"
             "器材能搬的搬，搬不走的直接卖了。这个消息公司还没对外公布，连教练都只知道一半。你要是有认识的人"
             "在我们老城区店办了年卡，可以提醒他们早点想办法。反正我这边先找找下家，你们公司还招人吗？"),
    ("long", "李姐你好，上次说的那个事我打听到了。我们医院今年下半年要跟市二院合并，院长办公会已经通过了，"
             "就等卫健委批下来。合并以后我们这边的体检中心会撤掉，业务都并到二院那边去。你们做体检耗材的，"
             "可以提前去跟二院的采购那边打个招呼。这个事千万别说是我讲的，正式文件还没发。我们科室的人心里"
             "都没底，不知道以后怎么安排，有消息我再跟你说。"),
    ("long", "Hi Kevin，周五的饭局改到下周吧。顺便跟你说一下，我们这边 management meeting 上周已经定了，"
             "明年起不再续签你们竞争对手那家的代理合同，打算换一家新的 distributor，价格底线是返点不超过百分之五。"
             "你们如果有兴趣，可以在十二月之前递个方案过来。这个 decision 还没有 announce，别跟别人提。"
             "其他的事情周五再聊。"),
    ("reworded", "给你透个风，明年起我们学校的学费要涨三成，校务会刚定的，招生简章还没印。"),
    ("plain", "表弟，你那个装修队别接我们小区的活了，物业开会决定下个月整栋楼要拆了重建。"),
]

# The same shapes with nothing undisclosed: a plan already announced to customers, a task about a plan
# (the matter named, not its content), a question or a refusal, another firm's public news, a customer's
# own plan, one's own holiday.
PLANS_CLEAN = [
    ("plain", "您好，本店将于下月底停业装修，储值卡余额可以到万达店继续使用，公告已经贴在门口了。"),
    ("plain", "姐，下午三点的部门会挪到四点了，会议室换成二楼小会议室，你跟大家说一下。"),
    ("plain", "老同学，我下个月搬家到安徽去了，以后回来再约你吃饭。"),
    ("reworded", "今天上午开会讨论了明年的活动方案，还没定下来，你先把去年的资料整理一份给我。"),
    ("reworded", "关于公司合并的传闻我们这边没有收到任何通知，请以官方公告为准。"),
    ("dialect", "俺跟你讲，你那个会员卡过年期间照样能用，超市正常营业，不关门。"),
    ("dialect", "阿妹，琴日个会讲咗啲乜？我冇去到，你有冇做笔记，发俾我睇下。"),
    ("dialect", "侬好，阿拉店里格活动是官网上公布的，满两百减三十，侬可以看看。"),
    ("english", "Hi team，下周一 9:30 开 Q3 planning meeting，大家提前准备一下各自的 update。"),
    ("english", "Sorry，公司的 acquisition 这类问题我们客服不清楚，请关注官网 announcement。"),
    ("english", "Reminder：新店 opening 的活动海报已经发布在公众号了，大家可以转发到朋友圈。"),
    ("spaces", "我 们 店 涨 价 的 通 知 已 经 贴 出 来 了 ， 您 可 以 去 门 口 看 一 下 。"),
    ("dictated", "那个跟你讲一下啊明天上午的会我去不了 你帮我请个假 会议纪要出来了发我一份就行"),
    ("dictated", "喂老张你听我说那个新闻你看了没隔壁那家连锁说是被收购了 报纸上都登了 跟我们没啥关系"),
    ("plain", "我们领导说了，周末大扫除，每个人负责自己的柜台，垃圾统一扔后门。"),
    ("plain", "您好，您提到的搬迁问题，根据已经公示的方案，补偿标准可以在街道办网站查询。"),
    ("plain", "王哥，今天的会你帮我签个到，我在外面跑客户，晚点回来。"),
    ("long", "周末聚会我可能去不了了，这阵子忙疯了。你也知道我在的那家连锁健身房，最近要搞店庆，"
             "店长让我们每个人每天在朋友圈转发活动海报，海报上写着年卡八折、私教课买十送二，官网和门口的"
             "易拉宝都有。我每天还要带新会员参观，下班都九点多了。等忙完这阵子我请你吃饭，你看下个月初行不行？"),
    ("long", "李姐你好，上次说的那个事我问了。我们医院今年的体检套餐价格表已经挂在官网上了，公众号也推过，"
             "入职体检是一百八，带妇科的是三百二。你们单位要是团检，可以打体检中心的预约电话，人数多的话"
             "会安排专门的时间段。具体流程体检中心的老师会跟你说，我这边就帮不上太多了。"),
    ("long", "Hi Kevin，周五的饭局改到下周吧。我这边 management meeting 要开一整天，结束得晚。"
             "你上次说的那个 distributor 的事，我没参与，也不清楚，你直接问采购部的同事比较好。"
             "其他的事情下周再聊，祝周末愉快。"),
    ("reworded", "您好，学校下学期的收费标准以教育局公示为准，招生简章下个月在官网发布。"),
    ("plain", "表弟，你那个装修队最近接活多吗？我家厨房想翻新一下，你帮我看看。"),
]

# Customer lists and customers' contacts and dealings (客户名单、联系人、联系方式、交易情况) told out to a rival,
# a friend, a former colleague, a new employer or a public chat; in the same voices.
CUSTOMERS_LEAK = [
    ("plain", "我们店最大的几个买家是恒通、华鑫和东港物流，每个月各进二三十万的货，你去找他们准有戏。"),
    ("plain", "我走之前把我们公司的客户表拷了一份，三百多家，带电话和采购负责人，你要的话我发你。"),
    ("plain", "跟你说，华信那边管采购的是刘经理，手机我发你了，他们一年在我们这儿拿一百多万的货。"),
    ("reworded", "你做保险的话可以去找我们银行的那几个存款大户，名字和电话我抄给你了。"),
    ("reworded", "我们健身房办了私教的那些人我整理了个表格，姓名、手机号、买了多少课时都有，给你们新店用。"),
    ("dialect", "老表，俺们厂的主顾就那几家，城南建材跟宏达机械占了一大半，你去找他们老板一说一个准。"),
    ("dialect", "我同你讲，我哋间铺嘅熟客有几个好大手笔，陈生每个月都过万，电话我WhatsApp俾你。"),
    ("dialect", "侬要做生意伐，阿拉店里格老顾客名字电话我侪有，几百个，侬要我就拷一份拨侬。"),
    ("english", "Hey，我把我们 top 20 的 client list 发你邮箱了，里面有 contact 和 annual spend，别说是我给的。"),
    ("english", "FYI 我们最大的 account 是 Sunrise Group，每年 order 五百万左右，"
                "buyer 是 Linda Wang，你可以去 approach。"),
    ("english", "跳槽过去之后我手上那些 key accounts 的 contact 都带过去了，你们 sales team 可以直接打。"),
    ("spaces", "我 们 的 大 客 户 是 宏 远 集 团 ， 采 购 是 张 总 ， 电 话 我 发 你 。"),
    ("dictated", "喂你记一下啊我们这边买得最多的是金诚装饰 他们老板姓周 手机我微信发你 一年大概进八十多万 你去聊聊"),
    ("dictated", "那个我跟你说我们楼盘登记过的意向客户我都导出来了差不多两千个 名字电话都有 你们中介可以拿去打"),
    ("plain", "你们公司卖净水器的？我们小区业主群里的名单我有，四百多户，门牌和电话都在，便宜点给你。"),
    ("plain", "我们诊所的老病人里有十几个是做生意的大老板，名单我整理好了，你们做理财的可以去联系。"),
    ("plain", "新公司那边问我要以前的客户，我就把以前对接的几家厂的联系人和采购量发过去了。"),
    ("long", "好久不见，上次你说想自己出来做办公用品，我一直记着。我这几年在公司跑业务，手里攒了不少资源。"
             "开发区那几家大厂都是我们的老主顾，像锦程电子每个季度要订两万多块钱的耗材，行政的周姐管这个，"
             "她的手机和微信我都有，下午发给你。还有几家学校也是我们在供，名单我也可以一起整理出来。"
             "你先别声张，我还没离职，等你那边稳了我再过去帮你。"),
    ("long", "王总您好，感谢上次的招待。您说的渠道的事情我回来想了想，可以帮忙。我们公司在华东的经销商"
             "一共二十六家，其中销量最大的是杭州的永顺和苏州的天成，两家加起来占了我们一半的出货，"
             "对接人分别是孙经理和何经理，联系方式我都附在下面的表格里了。这些资料公司是不让外传的，"
             "您看过之后就删掉吧。有什么需要您再吩咐。"),
    ("long", "Hi Grace，上次 dinner 聊的那个 idea 我觉得可以做。我们 agency 现在服务的品牌里面，"
             "有三家是快消行业的 top player，每年 marketing budget 都在千万以上，联系人是他们的 brand manager，"
             "名字和 WeChat 我整理在附件里了。你那边新公司成立之后可以直接去 pitch，我这边不方便出面。"
             "有问题随时 call 我。"),
    ("reworded", "我们物业管的那几栋楼，哪几户是老板、开什么车、家里几口人，我都有数，你们搞推销的要不要？"),
    ("plain", "我们培训班的家长联系表你拿去吧，一百多个孩子的家长电话，你那边开课的时候可以打。"),
]

# The same shapes with nothing undisclosed: a customer served about their own account, a single customer's
# call-back asked of a colleague, a count or a public reference, a refusal, a list named as a task.
CUSTOMERS_CLEAN = [
    ("plain", "您好，您是我们店的金卡会员，这个月消费满五千可以升级钻石卡，积分明细在小程序里能查。"),
    ("plain", "客户表的模板我改好了，放在共享盘里，你帮我看看字段还缺什么。"),
    ("plain", "刘经理您好，您上个月的订单已经全部发货，物流单号我发您微信了，请注意查收。"),
    ("reworded", "不好意思，其他客户的信息我们不能提供，这是公司规定，请您理解。"),
    ("reworded", "健身房的私教课程表已经更新了，您可以在小程序里预约自己的课时。"),
    ("dialect", "老表，俺们厂这个月订单多得很，忙得脚不沾地，过两天再请你喝酒。"),
    ("dialect", "陈生，你嘅会员积分今个月到期，记得早啲嚟换礼品呀。"),
    ("dialect", "侬好，侬个订单阿拉已经发货了，快递单号侬手机短信里有。"),
    ("english", "Hi Tom，明天 client meeting 的会议室我订好了，记得带 laptop 和投影线。"),
    ("english", "Sorry，我们不能 share 其他 client 的 information，this is company policy。"),
    ("english", "Reminder：CRM 系统今晚十点维护，大家提前把 client 的跟进记录保存一下。"),
    ("spaces", "您 好 ， 您 的 会 员 卡 余 额 还 有 三 百 元 ， 有 效 期 到 年 底 。"),
    ("dictated", "喂你记一下啊明天上午有个客户来提货 你在仓库等一下 单子我放你桌上了"),
    ("dictated", "那个我跟你说我们楼盘的开盘时间官网上公布了下个月八号 您到时候带身份证来售楼处就行"),
    ("plain", "您好，我们小区业主群的入群方式在物业公告栏上有二维码，您扫一下就行。"),
    ("plain", "我们诊所周六照常开门，老病人复诊请提前一天电话预约。"),
    ("plain", "新公司那边入职手续办完了，以后有空出来聚聚，老同事们都挺想你的。"),
    ("long", "好久不见，上次你说想自己出来做办公用品，我一直记着。我这几年在公司跑业务，也算摸清了一些门道："
             "一是要勤跑，二是售后要跟上，三是账期别放太长。开发区那边厂子多，你可以自己去一家一家拜访，"
             "递个名片就行，不要怕被拒。等你开张了我去给你捧场，祝你生意兴隆。"),
    ("long", "王总您好，感谢上次的招待。您说的渠道的事情我回来跟领导汇报了，我们公司的经销商政策是统一"
             "对外公布的，招商手册和申请表在官网上可以下载，您按要求准备材料提交就行，区域经理会在五个工作日内"
             "联系您。其他客户的情况我这边不方便透露，还请您理解。有什么需要您再吩咐。"),
    ("long", "Hi Grace，上次 dinner 聊的那个 idea 我觉得可以做。你可以先从自己熟悉的行业入手，"
             "网上有很多公开的行业报告，头部品牌的名字大家都知道，关键是你的方案要有亮点。"
             "我这边工作上有 conflict，不方便参与，但 deck 写好了我可以帮你看看。有问题随时 call 我。"),
    ("reworded", "我们物业管的那几栋楼，这周要清洗水箱，麻烦你在每个单元门口贴个通知。"),
    ("plain", "我们培训班的家长群已经建好了，您扫码进群就能收到孩子的上课通知。"),
]


def main() -> None:
    leak: list[dict] = []
    for cat, clean, leaking in (("plans", PLANS_CLEAN, PLANS_LEAK), ("customers", CUSTOMERS_CLEAN, CUSTOMERS_LEAK)):
        for (k, d), (k2, d2) in zip(leaking, clean, strict=False):
            leak.append({"draft": d, "kinds": ["confidential_topic"], "kind_of_text": k, "category": cat})
            leak.append({"draft": d2, "kinds": [], "kind_of_text": k2 if k2 != "plain" else "tricky_clean",
                         "category": cat})
    out = Path(__file__).with_name("check_adv42r.yaml")
    out.write_text(yaml.safe_dump({"leak": leak}, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    main()
