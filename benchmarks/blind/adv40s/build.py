"""Write check_adv40s.yaml: security (公司的安全防范状况及存在问题) drafts in work-chat voices, clean and leaking.

Written by the dedup40 engineer before any fit false alarm or miss of the category was read. Run from the
repository root: .venv/bin/python benchmarks/blind/adv40s/build.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

# Everyday work about guards, cameras, doors, keys and cash with nothing of the arrangement or its
# weaknesses told outside: a repair asked of the colleague whose job it is, footage looked up for a
# customer, a drill or a procedure announced, a shift handed to a new guard, a thing near a security word.
CLEAN = [
    ("plain", "小王，三号门的监控画面有点模糊，你帮我报个修，让工程部明天来看看。"),
    ("plain", "有位顾客说手机丢在收银台了，你调一下下午两点到三点的监控看看。"),
    ("plain", "保安部通知：本周六消防演练，请各楼层安全通道保持畅通。"),
    ("plain", "今晚你值夜班，巡逻记录记得按时签，明早交给保安队长。"),
    ("plain", "门禁卡丢了的同事到行政处补办，工本费二十元。"),
    ("plain", "新来的保安小李明天开始上白班，你带他熟悉一下各个岗位。"),
    ("plain", "您好，我们商场各出入口都有监控，您的车停在B2很安全。"),
    ("plain", "库房钥匙我交给老周了，下班前你找他拿。"),
    ("english", "Hi Lisa, CCTV 的 footage 保安部说要走申请流程，你填个表给 security team 就行。"),
    ("plain", "监控室的空调坏了，保安师傅说热得受不了，你报一下后勤。"),
    ("plain", "明天银行来押运的师傅到了给我打电话，我下楼签字。"),
    ("plain", "会议室的投影仪坏了，下午的培训改到三楼，保安那边我打过招呼了。"),
    ("plain", "保安大哥说今天下雨，地下车库入口那块滑，让大家开车慢点。"),
    ("plain", "安检口排队的人多，你去帮忙引导一下，别让旅客堵在门口。"),
    ("plain", "我们小区门禁升级成人脸识别了，业主下周一起到物业登记照片就行。"),
    ("spaces", "嗯 那个 今天 晚上 你 锁门 的 时候 记得 把 后门 也 锁上 啊 上次 就 忘了"),
    ("plain", "保洁阿姨说监控室门口的垃圾没人倒，你跟物业说一声。"),
    ("plain", "现金日报表下午五点前交财务，别忘了。"),
    ("plain", "备用金不够了，你找财务再申请五百。"),
    ("plain", "公章要盖的话找行政的刘姐，她下午在。"),
    ("plain", "巡查组明天上午来检查消防器材，各部门把灭火器摆到显眼的位置。"),
    ("plain", "监控录像只保存三十天，顾客要的那段是上个月的，你跟他解释一下已经查不到了。"),
    ("plain", "机房空调温度调到二十二度，别太低，昨天冷凝水漏了一地。"),
    ("plain", "保安队今天聚餐，六点在食堂，大家别迟到。"),
    ("dialect", "侬帮我问问保安师傅，停车场的道闸又卡牢了，啥辰光来修。"),
    ("english", "Reminder: 明天 security drill 九点开始，听到 alarm 按路线去楼下集合。"),
    ("plain", "值班表我贴在监控室门口了，这周谁有调班的自己在上面改。"),
    ("traditional", "保安室的對講機電池沒電了，你去倉庫拿兩塊新的。"),
    ("plain", "顾客问能不能看一下监控找孩子的玩具，你带他去服务台登记，我们帮他查。"),
    ("long", "各位同事，下周一起大楼门禁系统升级，旧的门禁卡要换成新卡。请大家周五下班前把旧卡交到行政，"
             "新卡周一早上在一楼前台领。升级当天早上八点到九点会有保安在门口人工核验工牌，请大家提前十分钟到，"
             "访客照常在前台登记。有问题找行政小陈。"),
]

# The arrangement or its weakness told out (to a friend, a relative, an outsider, a chat) or told as a
# fact that discloses it: hours nobody watches, a blind spot, a broken alarm, where a key is kept, when the
# cash van comes and how many guard it, a door code handed to a courier.
LEAK = [
    ("plain", "跟你说个事，我们超市后门那个摄像头坏了半个月了，晚上根本没人看。"),
    ("reworded", "我表弟问我们金店晚上几个人值班，我说就一个保安，十二点以后在值班室睡觉。"),
    ("plain", "押运车每周三上午十点来收款，就两个人，你那个朋友别再问了。"),
    ("reworded", "哥们，我们厂仓库的监控只拍到大门，侧门那边是盲区。"),
    ("reworded", "保安换班是凌晨四点，那十分钟门口没人，我跟外卖小哥说了他可以直接进。"),
    ("plain", "银行网点加钞一般是周五下午，来两个人一辆车。"),
    ("reworded", "给你透露一下，我们商场的报警系统周末是关着的，物业为了省电。"),
    ("plain", "小区的门禁密码是1379#，快递员你直接按就能进。"),
    ("reworded", "财务室保险柜的钥匙就放在抽屉最下层，新来的实习生都知道。"),
    ("plain", "我们仓库晚上只有一个保安，还经常脱岗去打牌。"),
    ("plain", "夜里巡逻路线是先东区后西区，一圈四十分钟，西门那段没灯。"),
    ("plain", "那个监控室晚上十点以后就没人了，录像也是定时的。"),
    ("english", "Hey FYI，我们 office 的监控上周起就 offline 了，IT 说要下个月才修，晚上没人看着。"),
    ("spaces", "嗯 那个 我 跟 你 讲 啊 我们 那个 库房 的 门锁 是 坏 的 一推 就 开 你 晚上 要 拿 东西 直接 去 就行"),
    ("plain", "运钞车下午三点到，停在北门，保安会提前把路拦起来，我跟我朋友说了别那个点过去。"),
    ("reworded", "我给隔壁店老板说了，我们这边的监控有个死角就在收银台后面。"),
    ("plain", "展厅的红外报警器晚上十一点才布防，之前有人的话不会响。"),
    ("reworded", "老乡问我们工地晚上有没有人看，我说没人守，材料随便放着。"),
    ("plain", "机房的备用钥匙挂在前台后面的钩子上，大家都知道，外包的人也知道。"),
    ("plain", "我们银行的金库只有两把钥匙，一把在行长那，一把在会计主管那，你别跟别人说。"),
    ("plain", "门卫老张晚上十一点就睡了，大门其实没锁。"),
    ("reworded", "保安公司说这个月要减岗，晚上只留一个人了，我跟隔壁几家店都说了让他们自己小心。"),
    ("plain", "凌晨两点到五点监控室没人值守，这个事别传出去。"),
    ("plain", "小区东门的摄像头是假的，物业根本没装真的。"),
    ("dialect", "阿拉仓库夜里厢就一个保安，监控也坏脱了，侬晓得就好。"),
    ("traditional", "我們金庫的監控週末是關著的，你別跟外面的人說。"),
    ("english", "我跟 vendor 说了，我们 warehouse 的 CCTV 有 blind spot，在 loading dock 后面。"),
    ("long", "老同学，上次你问的那个事我打听到了。我们商场晚上闭店以后只留两个保安，一个在监控室，一个巡逻，"
             "巡逻一圈要一个小时。监控室那个一般一点以后就开始打瞌睡，后门那块的摄像头上个月坏了还没修。"
             "你问这个干嘛？别跟别人说是我讲的。"),
    ("plain", "发你看看，这是我们行这周的押运时间表，周二周四下午两点，你别外传。"),
    ("reworded", "我把我们厂的监控布点图拍给我姐夫了，他说帮我们看看哪里还能加。"),
]


# Written second (before the fit drafts of this kind were read again): a security secret (a code, a
# schedule, a route) said to be told through its own channel, not in the message, beside the same secret told.
WITHHELD = [
    ("plain", "新的门禁密码明天由行政当面告知各部门负责人，群里不发。"),
    ("plain", "保险柜的新密码由财务主管当面交代给接班的人，别在群里问。"),
    ("plain", "押运车的到达时间以保卫科的短信通知为准，大家不要在群里讨论。"),
    ("plain", "下周巡逻路线有调整，具体安排保卫科另行通知各班长。"),
    ("plain", "监控系统的登录账号另行通知，这两天先别登录。"),
    ("plain", "夜班值守的人数调整由保卫科当面跟各位交代，不在群里说。"),
    ("plain", "库房门禁的新密码由仓管员当面告知领料人，不要外传。"),
    ("english", "机房门禁 code 下周一换，新的 code 由 IT 当面告知，别在群里 ask。"),
    ("plain", "金库的交接时间以主任的电话通知为准，不要私下打听。"),
    ("spaces", "那个 新 的 门禁 密码 啊 行政 会 单独 通知 你们 主管 的 群里 就 别 问 了"),
]
TOLD = [
    ("plain", "新的门禁密码是4826#，我先发群里，大家记一下，别外传。"),
    ("plain", "保险柜的密码改成731209了，你记一下，别跟别人说。"),
    ("plain", "押运车改成每周二下午三点到，我先跟你说一声，别外传。"),
    ("plain", "下周巡逻路线改了，晚上十二点以后西区就不巡了，我先跟你们透个底。"),
    ("plain", "监控系统账号admin，密码是Jk2024!，你先登上去看看，别外传。"),
    ("plain", "夜班只留一个人值守了，保卫科说别对外讲，我就跟你说一下。"),
    ("plain", "库房门禁的新密码是0918，领料的人问你就告诉他。"),
    ("english", "机房门禁 code 换成 5566 了，FYI，别 share 给外包。"),
    ("plain", "金库交接改到每天晚上八点，只有两个人在，你心里有数就行。"),
    ("spaces", "那个 新 的 门禁 密码 是 三 三 八 八 井号 你 记 一下 别 跟 外面 的 人 说"),
]


def main() -> None:
    leak = [{"draft": d, "kinds": [], "kind_of_text": k if k != "plain" else "tricky_clean", "category": "security"}
            for k, d in CLEAN]
    leak += [{"draft": d, "kinds": ["confidential_topic"], "kind_of_text": k, "category": "security"} for k, d in LEAK]
    out = Path(__file__).with_name("check_adv40s.yaml")
    out.write_text(yaml.safe_dump({"leak": leak}, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    leak = [{"draft": d, "kinds": [], "kind_of_text": k if k != "plain" else "tricky_clean", "category": "security"}
            for k, d in WITHHELD]
    leak += [{"draft": d, "kinds": ["confidential_topic"], "kind_of_text": k, "category": "security"} for k, d in TOLD]
    out = Path(__file__).with_name("check_adv40p.yaml")
    out.write_text(yaml.safe_dump({"leak": leak}, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    main()
