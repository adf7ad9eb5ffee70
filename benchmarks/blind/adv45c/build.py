"""Write check_adv45c.yaml: confidential-topic leaks of the four kinds round 43 named as the grammar's remaining
recall gap, each beside a clean look-alike of the same shape:

- english: the matter told in whole office-English phrases (salary band, client list, roadmap, headcount cut,
  send you the deck) with Chinese glue;
- dictated: long drafts dictated through speech-to-text, no punctuation or only spaces, the topic word far from
  the figure or the hush;
- relay: a colleague passing a thing along to another (转发, 截个图, 拍给你, 发你邮箱) that is not theirs to see or
  that goes on outside (公司内其他不相关的员工 is an outsider to a secret: 员工保密制度 第二条);
- everyday: the matter told in everyday words with no category word and no secrecy cue (a plan, a person's move,
  a figure, a weak point, who goes where and when).

Written by the cls45r engineer before any fit miss of these kinds was read: only the round-44 notes (the four
kinds' names) were known. Sources: ../shared/sources/*.txt 保密范围 / 公司秘密 lists (薪资福利标准, 客户名单、联系人,
发展规划、营销计划、价格与成本计划, 尚未公布的人事任免, 招标项目的标底, 各类统计数据, 公司的安全防范状况) and
general office English. Run from the repository root: .venv/bin/python benchmarks/blind/adv45c/build.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

LEAK = [
    # english
    ("english", "pay",
     "跟你讲下，我们 team 的 salary band 刚调完，senior 那档 base 是 35k，加 bonus 能到五十多万，这个你自己知道"
     "就好。"),
    ("english", "customers",
     "我把我们的 client list 导成 excel 了，contact person 和手机都在里面，等下 send you，你们那边 sales 可以直"
     "接打。"),
    ("english", "plans",
     "Our product roadmap for next year: Q1 关掉线下两个 store，Q3 launch 会员 app，这份 deck 先别 share 出去。"),
    ("english", "personnel", "HR 那边 confirm 了，下个月 headcount 要 cut 百分之十五，名单上有你们组的 Jason 和 Amy。"),
    ("english", "costs",
     "Our cost price 其实才十二块一件，对外 quote 的是三十八，margin 很高，你 negotiate 的时候心里有数。"),
    ("english", "tender",
     "这次 bidding 我们的 final price 是 four point two million，比上次低 8%，你帮我跟你们老板 mention 一下。"),
    ("english", "finance", "Q3 的 revenue 只有 plan 的六成，loss 大概两百万，board 还没 announce，你懂的。"),
    # dictated
    ("dictated", "pay",
     "喂小刘啊我跟你说一下那个今年调薪的结果出来了我们部门普调百分之八老陈他们几个骨干单独加了两千你先别到处讲"),
    ("dictated", "customers",
     "那个我这边呢整理了一下我们店的老会员大概三百多个名字电话生日都有我发到你微信了你那边新店开业可以用上"),
    ("dictated", "plans",
     "对对就是那个事 公司打算下半年把城南那家店关掉 人员并到总店 房租合同到期就不续了 这个月底开会定 你先心里有"
     "个数"),
    ("dictated", "personnel",
     "嗯你听我说啊就是小周那个事基本定了他下个月调去深圳分公司当副经理然后他现在这个位置让阿梅接人事那边还没发"
     "通知"),
    ("dictated", "tender",
     "喂王总啊我们这次投标的报价我跟你透个底 总价大概一千三百八十万左右 工期报的是十个月 你们那边报的时候可以参"
     "考一下"),
    ("dictated", "security",
     "你们晚上过来的话走后门就行 那边的摄像头上个月就坏了一直没修 保安十二点以后就回宿舍睡觉了 没人管的"),
    ("dictated", "finance",
     "然后就是上个季度的数字我看了一下 营业额一共四百二十万 比去年同期少了三成 净利润基本是亏的 这个还没报上去"),
    # relay
    ("relay", "pay", "姐，财务那边的全员工资表我截了个图拍给你了，每个人拿多少都在上面，你看完删掉啊。"),
    ("relay", "customers", "老李，我把咱们部门的客户通讯录转发到你私人邮箱了，你下周去新公司报到的时候用得上。"),
    ("relay", "plans",
     "刚开完会，明年的开店计划和预算我拍下来了，发你微信，你转给你那个做地产的朋友看看哪些铺位合适。"),
    ("relay", "personnel", "我把这次考核的排名和要劝退的那几个人的名单截图发你了，别转给别人，他们自己还不知道。"),
    ("relay", "technology", "新品的配方和每道工序的温度我都拍给你了，发你邮箱了，你拿去给你表哥的厂里试试。"),
    ("relay", "tender", "招标的底价表我截了个图，你转给恒通那边的业务员，让他们报价压在这个下面。"),
    ("relay", "credentials", "后台管理员的账号密码我发你邮箱了，你离职以后也能登上去看订单。"),
    # everyday
    ("everyday", "plans", "跟你说个事，我们这边年后就不做零售了，门店全部转成仓库，过完十五就开始搬。"),
    ("everyday", "personnel", "老张做到这个月底就走了，他那摊子下个月交给小吴，上面已经跟他谈过了。"),
    ("everyday", "finance", "今年我们厂一共才挣了八十来万，老板说再这样下去明年要卖厂了。"),
    ("everyday", "security", "我们店晚上十点以后就剩一个人看着，后面那个门一直是虚掩着的，钥匙就挂在门边上。"),
    ("everyday", "plans", "下礼拜三大老板要带人过来看我们这个点，要是看中了年底就把隔壁那家吃下来。"),
    ("everyday", "costs", "这批货我们进来才六块五，标二十九卖，你要的话我按八块给你，别让我们经理知道。"),
    ("everyday", "personnel", "周一开始你们组要走三个人，名字我看到了，有你认识的那个小胖。"),
]

CLEAN = [
    # english
    ("english", "pay", "跟你讲下，我们 team 的 salary 发放日改到每月十号了，payslip 会发到邮箱，有问题找 HR。"),
    ("english", "customers", "我把 client list 的 template 发群里了，大家把自己负责的 account 填一下，Friday 之前交。"),
    ("english", "plans", "Our roadmap review meeting 改到周四下午三点，会议室 3B，记得带 laptop。"),
    ("english", "personnel", "HR 那边 confirm 了，新来的 intern 下周一 onboard，你帮忙带一下，先让他熟悉 system。"),
    ("english", "costs", "这个 order 的 invoice 我 send you 了，付款的时候 check 一下 amount，有问题 call 我。"),
    ("english", "tender", "这次 bidding 的 kickoff 定在下周二，资料清单在 shared folder，大家按 checklist 准备。"),
    ("english", "finance", "Q3 的 results 已经在官网 announce 了，媒体那边有问题统一找 PR 回复。"),
    # dictated
    ("dictated", "pay", "喂小刘啊我跟你说一下那个工资条这个月会晚两天发系统在升级你跟组里的人说一声别着急"),
    ("dictated", "customers",
     "那个我这边呢整理了一下明天要回访的名单大概三十个都是上周办卡的你照着打电话问问用得怎么样"),
    ("dictated", "plans", "对对就是那个事 周五下午的部门会挪到三点 会议室在二楼 你把上个月的工作总结带上 别忘了"),
    ("dictated", "personnel", "嗯你听我说啊就是小周那个事他请了三天假下周一回来这几天他的班你帮忙顶一下"),
    ("dictated", "tender",
     "喂王总啊我们这次投标的文件已经按公告要求装订好了 明天上午九点前送到交易中心 您那边还有什么要补的吗"),
    ("dictated", "security", "你们晚上过来的话走后门就行 前门九点就锁了 到了给保安室打个电话 他会给你开门"),
    ("dictated", "finance",
     "然后就是上个季度的报销单我看了一下 有几张发票抬头写错了 你让他们重新开一下 月底前交给财务"),
    # relay
    ("relay", "pay", "姐，你这个月的工资条我截了个图拍给你了，你看下加班费对不对。"),
    ("relay", "customers", "老李，今天这位客户的预约单我转发到你邮箱了，他下午两点到，你接待一下。"),
    ("relay", "plans", "刚开完会，下周的值班安排我拍下来了，发你微信，你转到咱们组群里。"),
    ("relay", "personnel", "我把这周的排班表截图发你了，你看看周六能不能跟我换一下。"),
    ("relay", "technology", "新品的使用说明书我拍给你了，发你邮箱了，顾客问的时候照着讲。"),
    ("relay", "tender", "招标公告我截了个图，你转给行政那边，让他们准备营业执照复印件。"),
    ("relay", "credentials", "会议室投影仪的使用步骤我发你邮箱了，明天培训的时候你帮我开一下。"),
    # everyday
    ("everyday", "plans", "跟你说个事，我们这边年后就开始营业了，初八上班，过完十五恢复正常时间。"),
    ("everyday", "personnel", "老张这周休年假，他那摊子这几天交给小吴，有事找小吴就行。"),
    ("everyday", "finance", "今年我们厂组织了一次春游，老板说明年还要去远一点的地方。"),
    ("everyday", "security", "我们店晚上十点关门，您要取东西的话请在九点半之前过来，后门不开。"),
    ("everyday", "plans", "下礼拜三区里要来检查卫生，大家把自己的柜台收拾干净，过期的东西清掉。"),
    ("everyday", "costs", "这款我们店标价二十九，今天会员打八折，您办张卡就能用。"),
    ("everyday", "personnel", "周一开始你们组要来三个实习生，名字我发群里了，你们安排一下座位。"),
]


def main() -> None:
    out = {"leak": [], "check": []}
    for kind, cat, draft in LEAK:
        out["leak"].append({"draft": draft, "kinds": ["confidential_topic"], "kind_of_text": kind, "category": cat})
    for kind, cat, draft in CLEAN:
        out["leak"].append({"draft": draft, "kinds": [], "kind_of_text": kind, "category": cat})
    path = Path(__file__).with_name("check_adv45c.yaml")
    path.write_text(yaml.safe_dump({"leak": out["leak"]}, allow_unicode=True, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    main()
