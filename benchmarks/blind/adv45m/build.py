"""Write check_adv45m.yaml: secrecy markings both ways — a level or internal label given to the document at hand
in forms the marking grammar may not read (mid-sentence, with 级/为, traditional, English headers, 仅供内部…,
涉密, ☆ and other brackets, dictated), and clean drafts where a level word or label is everyday speech, prose
about markings, a refusal or a question, a title, a product name, generic English, or a level lifted.

Written by the cls45m engineer before any fit marking miss or false alarm was read (from the brief's list of
kinds, ../shared/sources/*.txt's 密级 wording and general Chinese usage). Run from the repository root:
.venv/bin/python benchmarks/blind/adv45m/build.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

# A document at hand carries a level or an internal label (the writer says so while handing it on, heading
# it, or telling the reader how to treat it).
LEAK = [
    # a level told mid-sentence, with 级 or 为
    ("plain", "刚才群里转的那个整改方案其实是机密级的，你先撤回一下，我去跟主任确认。"),
    ("plain", "下午评审会要用的材料我放你抽屉里了，封皮上有一行小字写着绝密，看完锁进柜子。"),
    ("plain", "这份调研报告的密级定为秘密，保密期限五年，我先发到你内网邮箱。"),
    ("reworded", "老周，你桌上那摞图纸被科里划成机密了，今天别带回家加班。"),
    ("long", "各位班组长：明天上午九点在三楼小会议室开季度碰头会，请提前十分钟到场签到。会上要发的考核细则"
             "这次定为机密级，每人一份、会后当场收回，请大家不要拍照，也不要把内容转述给组员。另外，停车场东侧"
             "在修路，开车来的同事请从北门进。"),
    # traditional characters
    ("traditional", "這份報價單屬於機密文件，請勿轉給客戶，謝謝配合。"),
    ("traditional", "【絕密】明年門市調整名單，閱後即刪。"),
    ("traditional", "阿明，頭先傳你嘅嗰份係內部資料，睇完唔好再轉出去呀。"),
    # English headers
    ("english", "CONFIDENTIAL\n各位同事：本季度门店考核结果初稿见附件，请在周五前反馈意见。"),
    ("english", "Strictly Confidential — 内部评估报告初稿，请各部门负责人审阅后交回。"),
    ("english", "INTERNAL ONLY：新版投诉处理话术草案，先别发到门店群里。"),
    ("english", "这个 file 是 confidential 的，你 review 完直接 delete 掉，别存本地。"),
    # 仅供内部 … and 涉密 in other wording
    ("plain", "附件里的流程图仅供内部讨论用，不要发给供应商那边。"),
    ("plain", "这份排班表只供内部使用，别贴到大厅的公告栏上。"),
    ("plain", "小李，你上午拿走的那几页是涉密材料，用完马上还回档案室。"),
    ("plain", "这个U盘里的东西涉密，千万别插到外网电脑上。"),
    # ☆ and other brackets
    ("disguised", "☆秘密☆ 第三季度网点调整意见（征求意见稿），请各支行行长提出修改意见。"),
    ("disguised", "〔机密〕关于调整分拣线夜班人员配置的通知"),
    ("disguised", "「绝密」二期工程进度汇报，请勿外传。"),
    ("disguised", "（机密）供应商年度评分汇总表，请采购部核对。"),
    ("disguised", "[秘密] 下周三号楼会议室的使用安排，各组长自己看，别往下发。"),
    ("disguised", "★內部資料★ 本月促銷底價表，門店店長留存。"),
    # dictated
    ("dialect", "这份是机密的 你看完就放回去 别拍照哈"),
    ("dialect", "那个报告啊是绝密级的 我就跟你说个大概 你别往外说"),
    ("dialect", "刚发你的那个文档是内部资料 不要往外发哈 群里也别发"),
    ("dialect", "喂 小王啊 我跟你说一下 桌上那个蓝色文件夹里的东西是秘密级的 你别让来访的人看到"),
    ("dialect", "呢份嘢係機密嚟㗎，睇完就還返俾我。"),
    # a level with 级 given to a thing handed over, English-mixed, long
    ("plain", "你要的那份秘密级的会议纪要我已经扫描好了，微信发你了。"),
    ("english", "deck 第一页我标了 Confidential，你转给客户之前先删掉那一页。"),
    ("long", "张姐，昨天您让我找的那几份材料我在档案室翻到了，其中两份封面盖了机密章，按规定不能带出档案室，"
             "我就在里面用手机拍了几页发您微信了，您看完记得删掉。另外一份是公开的年报，我直接复印了一份放您"
             "桌上了。下周一我再去把借阅登记补上。"),
    ("plain", "这批样品检测报告属于公司秘密级资料，别在客户面前打开。"),
    ("plain", "密级：机密★3年\n关于下半年网点撤并的初步设想"),
]

# Clean: the level word or label in its everyday or generic sense, prose about markings, a refusal or a
# question, a title, a product name, generic English, a level lifted or lowered with nothing told.
CLEAN = [
    # everyday / generic sense
    ("tricky_clean", "我们公司对商业机密的保护很重视，入职时每个人都签了保密协议。"),
    ("tricky_clean", "做我们这行，保守秘密是基本要求，客户的事不能在外面聊。"),
    ("tricky_clean", "绝密情报：今天食堂有红烧肉，去晚了就没了哈哈。"),
    ("tricky_clean", "取件的话走内部通道比较快，从后门进来左转就是。"),
    ("tricky_clean", "这种小事不算什么机密，您放心问，我知道的都告诉您。"),
    ("tricky_clean", "搞得这么神神秘秘的，不就是换个工位嘛，有啥秘密的。"),
    # prose about markings and levels
    ("tricky_clean", "绝密级事项的保密期限一般不超过三十年，机密级不超过二十年，秘密级不超过十年。"),
    ("tricky_clean", "新来的同事要学一下标密的流程，文件起草完要先报保密员定密。"),
    ("tricky_clean", "密级标志要标在文件首页的左上角，这个上次培训时讲过。"),
    ("tricky_clean", "机密级的文件只能在涉密计算机上处理，这一点大家一定要记住。"),
    # a refusal or a question
    ("tricky_clean", "这个是不是机密文件？我不太确定能不能发给外包的同事，你帮我问问。"),
    ("tricky_clean", "请问客户要的那份合同算不算内部资料？可以直接给他复印吗？"),
    ("tricky_clean", "抱歉，涉密材料我们不能通过微信发送，请您带证件到现场查阅。"),
    ("tricky_clean", "不好意思，您问的这个属于内部资料，我这边没办法提供，请您理解。"),
    # titles of trainings or regulations
    ("tricky_clean", "下周三下午两点有《保密法》和涉密人员管理培训，请各部门派一人参加。"),
    ("tricky_clean", "《机密文件管理办法》修订稿已经挂在OA上征求意见了，大家有想法可以提。"),
    ("tricky_clean", "本周的学习内容是《秘密级载体管理规定》第二章，学完在群里打卡。"),
    # product names
    ("tricky_clean", "我们店的招牌菜是“绝密烤鸡翅”，今天第二份半价。"),
    ("tricky_clean", "这款机密保险箱（家用款）现在做活动，比平时便宜两百，您要看看吗？"),
    ("tricky_clean", "您要的那款 Victoria's Secret 的身体乳我们店没货，可以帮您调货。"),
    # English used generically
    ("english", "谢谢你 confidential 的 feedback，我们会认真考虑的。"),
    ("english", "您的咨询内容我们会 keep confidential，请放心。"),
    ("english", "老王爱吃辣是个 open secret 啦，聚餐别点太清淡的。"),
    ("english", "secret 这个词怎么读？孩子英语作业里有，家长问的。"),
    # a level lifted or lowered, talked about with nothing told
    ("tricky_clean", "这批老档案已经解密了，可以对外提供查阅，您带身份证来就行。"),
    ("tricky_clean", "那份通知已降为内部公开，各门店可以自己打印张贴。"),
    ("tricky_clean", "去年那份方案的密级已经解除了，现在按普通文件管理。"),
    ("tricky_clean", "这个文件不涉密，可以直接发给客户，不用走审批。"),
    # dictated, traditional
    ("dialect", "那个保密培训的课件啊 里面讲了机密级和秘密级的区别 你有空看看"),
    ("traditional", "機密文件應如何保管？請參考員工手冊第三章。"),
    ("dialect", "我问一下哈 这个算不算绝密的 算的话我就不发群里了"),
    ("long", "各位新同事好，欢迎加入。入职第一周请完成三项培训：消防安全、服务礼仪和保密常识。保密常识课会讲"
             "到国家秘密分为绝密、机密、秘密三级，以及内部资料的管理办法，课后有一个小测验。培训地点在二楼"
             "多功能厅，具体时间以人事发的通知为准。"),
]


# Marked titles whose subject is a plan: the fit writers label the subject a disclosed topic too.
TITLED_PLAN = ("第三季度网点调整意见", "下半年网点撤并的初步设想")


def main() -> None:
    leak: list[dict] = []
    for k, d in LEAK:
        kinds = ["secret_marker", "confidential_topic"] if any(t in d for t in TITLED_PLAN) else ["secret_marker"]
        leak.append({"draft": d, "kinds": kinds, "kind_of_text": k, "category": "marking"})
    for k, d in CLEAN:
        leak.append({"draft": d, "kinds": [], "kind_of_text": k, "category": "marking"})
    out = Path(__file__).with_name("check_adv45m.yaml")
    out.write_text(yaml.safe_dump({"leak": leak}, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    main()
