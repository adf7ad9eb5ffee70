"""Write check_adv43n.yaml: leaks whose matter is named without any category word (a project's code name, a
document's or a file's own name, 那个方案 / 这批数据 pointing back, a table of figures described, a contract's
terms, a leader's movements), each beside a clean look-alike of the same shape.

Written by the cls43g engineer before any fit miss of the class was read: only the count of the grammar's topic
misses on v26–v36 by class was looked at (no topic word of any category: 104 of 200). Sources:
../shared/sources/*.txt 保密范围 lists (项目信息: 即将开展的项目基本信息以及进展情况; 重要的合同、协议、意向书及可行性
报告、重要会议记录; 公司与外部高层人士的来往情况; 集团领导个人情况; 各类统计数据; 工艺技术资料和设备技术资料; 客户资料
(网络分布、名称、定单、特别要求)) and general knowledge of work chat. Run from the repository root:
.venv/bin/python benchmarks/blind/adv43n/build.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

# (category, kind_of_text, draft): the thing told is named by a code name, a document's or a file's name, a
# pointing-back demonstrative or what a table holds; told out to a friend, a rival, a former colleague or a
# public place, or hushed.
LEAK = [
    ("plans", "plain", "跟你说个事，我们那个“蓝鲸项目”下个月就要落地了，"
                       "甲方是省里那家银行，合同金额一千二百万，还没对外说。"),
    ("plans", "plain", "老同学，我们正在谈的那个并表的事基本成了，年底前完成，你们要是有股票的话心里有数。"),
    ("plans", "reworded", "那份可研报告我拍了几页发你了，里面有选址和投资回收期，你看完就删了吧，别说是我给的。"),
    ("plans", "dialect", "我同你讲，阿拉老板下礼拜三要去深圳见投资方，谈第二轮的事，侬覅讲出去。"),
    ("plans", "english", "FYI 我们 Project Phoenix 的 timeline 定了，"
                         "Q2 go live，budget 八百万，这个还是 internal only，别外传。"),
    ("plans", "dictated", "喂你听我说啊那个标了星的项目清单我看到了 下半"
                          "年要上的有六个 其中两个在你们区 你先别跟别人讲"),
    ("customers", "plain", "这批数据就是我们店三年来所有办过卡的人，姓名手机都在里面，我拷给你，你们新店开业用得上。"),
    ("customers", "plain", "上个月哪些单位在我们这订了货、订了多少、什么价，我做了个表，晚上发你私人邮箱。"),
    ("customers", "reworded", "那几家的采购我都熟，谁管签字、谁爱喝酒、什么时候"
                              "结款，我整理了一页纸，你拿去跑就行，别说是我给的。"),
    ("customers", "long", "周末我可能过不去了，这边交接还没完。你上次托我的事我办了：我们系统里那个“重点维护”的标签下有"
                          "四十多家单位，每家的对接人、手机、一年走多少量，我都导出来了，放在网盘里，链接和提取码"
                          "私信你。你用的时候悠着点，别一下子全打，容易被发现。等我这边手续办完咱们再聊。"),
    ("technology", "plain", "那个文件夹我打包了，里面是我们这两年调出来的全部参数和试验记录，你们那边直接照着做就行。"),
    ("technology", "reworded", "我们锅里到底放了啥、放多少、什么时候放，我写在纸上拍给你了，你别给别人看。"),
    ("technology", "english", "我把我们 repo 里 core 那个 module clone"
                              " 了一份给你，你们新公司直接用，记得把 comments 删掉。"),
    ("technology", "dictated", "那个表你收好啊 就是每道工序几度几分钟那张 我从车间墙上拍下来的 别传出去"),
    ("finance", "plain", "这张表是我们二十几家店上个季度每家的进账和开销，我从财务那拿的，你看一眼就知道哪家在亏。"),
    ("finance", "spaces", "上 个 月 我 们 门 店 一 共 进 了 三 百 六 十 万 ，"
                          " 比 去 年 少 了 两 成 ， 这 个 数 还 没 报 上 去 。"),
    ("personnel", "plain", "下个月谁走谁留的那张表我看到了，你们组有两个，名字我就不说了，你自己心里有数。"),
    ("plans", "long", "李姐，上次说的事有眉目了。我们这个片区的几家网点明年要重新划，老城那两家要并到新城那家去，"
                      "这个是上周一把手在小范围里说的，文件还没出。你们那边要是想在老城接铺面，现在可以开始看了。"
                      "千万别说是我透的，这个事现在知道的人不超过五个。"),
]

# The same shapes with nothing undisclosed: a project or file named for a colleague's task, a public notice, a
# refusal, one's own things, a table handed to the colleague who is to use it.
CLEAN = [
    ("plans", "plain", "跟你说一下，我们那个“蓝鲸项目”的周报今天下午四点前交，模板在共享盘里，你照着填就行。"),
    ("plans", "plain", "老同学，我们公司并购的新闻你应该在网上看到了吧，发布会上已经宣布了，最近挺忙的。"),
    ("plans", "reworded", "那份可研报告已经提交给评审组了，你帮我把页码和目录再核对一遍，下午我去打印。"),
    ("plans", "dialect", "我同你讲，阿拉老板下礼拜三要去深圳出差，侬有啥要签字的今朝就拿过来。"),
    ("plans", "english", "FYI 我们 Project Phoenix 的 weekly sync 改到周四下午三点了，会议室换成 3B，记得带电脑。"),
    ("plans", "dictated", "喂你听我说啊那个项目清单的模板我发你了 你把你们组的项目名称和负责人填一下 下班前给我"),
    ("customers", "plain", "这批数据是你自己的会员账户明细，积分和消费记录都在里面，您核对一下有没有问题。"),
    ("customers", "plain", "上个月的订货单我都核对完了，你明天上午跟仓库对一下发货时间就行。"),
    ("customers", "reworded", "那几家单位的事我不方便说，你要对接的话请找销售部的王经理，他会给你安排。"),
    ("customers", "long", "周末我可能过不去了，这边交接还没完。你上次问我们系统怎么用，其实很简单：登录以后在左边菜单"
                          "点“我的任务”，每天的回访提醒都在里面，打完电话记得在系统里点完成。我写了一份操作说明，"
                          "放在部门的共享盘里，你找不到就问小周。等我这边手续办完咱们再聊。"),
    ("technology", "plain", "那个文件夹我打包了，里面是这次培训的课件和签到表，你明天交给人事存档。"),
    ("technology", "reworded", "我们家过年包饺子放了啥、放多少，我写在纸上拍给你了，你照着试试。"),
    ("technology", "english", "我把 GitHub 上那个开源的 module clone 了一份给你，license 是 MIT，可以直接用。"),
    ("technology", "dictated", "那个表你收好啊 就是每台机器几点开几点关那张 贴在车间门口的 交接班的时候对一下"),
    ("finance", "plain", "这张表是我们二十几家店这个月的排班，你看一下哪家缺人，跟人事说一声。"),
    ("finance", "spaces", "上 个 月 我 们 门 店 一 共 来 了 三 千 多 位 顾 客 ， 大 家 辛 苦 了 ， 周 五 聚 餐 。"),
    ("personnel", "plain", "下个月的值班表我排好了，你们组有两个人周末要上班，名单在群公告里。"),
    ("plans", "long", "李姐，上次说的事有眉目了。我们这个片区的几家网点明年的营业时间都要调整，具体以官网公告为准，"
                      "公告上周已经发了。你们那边要是想办业务，最好赶在工作日上午来，人少一点。"
                      "有什么不清楚的随时问我。"),
]


def main() -> None:
    leak: list[dict] = []
    for (cat, k, d), (cat2, k2, d2) in zip(LEAK, CLEAN, strict=True):
        leak.append({"draft": d, "kinds": ["confidential_topic"], "kind_of_text": k, "category": cat})
        leak.append({"draft": d2, "kinds": [], "kind_of_text": k2 if k2 != "plain" else "tricky_clean",
                     "category": cat2})
    out = Path(__file__).with_name("check_adv43n.yaml")
    out.write_text(yaml.safe_dump({"leak": leak}, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    main()
