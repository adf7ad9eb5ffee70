"""Write check_adv43e.yaml: leaks that name their topic with a category word but tell it in words the grammar
reads no disclosure in (a weakness said as 摆设 / 形同虚设, a code told by what it equals — 老板生日, 默认的, 六个八 —,
a move or a plan told as done, a thing kept on one's own phone or taken along), each beside a clean look-alike of
the same shape (a question, a rule, a fault reported, a public change, a reader's own code).

Written by the cls43g engineer before any fit miss of the class was read: only the count of the grammar's topic
misses on v26–v36 by class was looked at (a topic word, no disclosure evidence: 46 of 200; security 10, plans 9,
credentials 7, technology 6, customers 5, personnel 5). Sources: ../shared/sources/*.txt (公司的安全防范状况及存在
问题; 保险柜密码, 电脑开启密码; 尚未确定的公司重要人事调整; 尚未付诸实施的经营决策) and general knowledge of work chat.
Run from the repository root: .venv/bin/python benchmarks/blind/adv43e/build.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

LEAK = [
    ("security", "plain", "跟你说，我们仓库后面那几个摄像头就是摆设，线根本没接，晚上从那边进没人知道。"),
    ("security", "reworded", "我们超市的防盗门禁形同虚设，警报响了也没人管，收银的都习惯了。"),
    ("security", "dialect", "俺们厂的保安夜里都在岗亭睡觉，十二点以后大门口压根没人瞅。"),
    ("security", "dictated", "那个库房的锁早就坏了一推就开 东西随便拿 你们要是缺料自己过来搬就行"),
    ("security", "english", "我们 office 的 CCTV 其实只是个壳，没有录像功能，so don't worry about it。"),
    ("credentials", "plain", "财务室那台电脑的开机密码就是老板的生日，你试一下就能进。"),
    ("credentials", "plain", "我们后台的管理员密码一直是默认的，从来没改过，六个八，你登上去看看就知道了。"),
    ("credentials", "reworded", "保险柜的密码跟店里座机号后六位一样，你自己对一下就开了。"),
    ("credentials", "dialect", "阿拉店里的wifi密码侬晓得伐，就是门口招牌上的电话号码，连上就好用了。"),
    ("personnel", "plain", "老王那个主管的位置已经给小李了，周五前就要交接，人事还没发文，你先别跟别人讲。"),
    ("personnel", "reworded", "这次考核我们科垫底的那两个，年后都要走人，领导心里已经有名字了。"),
    ("plans", "plain", "咱们门店明年要并掉三家，我这家也在里面，你要是想盘铺面可以等等。"),
    ("plans", "reworded", "今年的涨价幅度已经拍板了，都是百分之十二，三月一号执行，你家要进货赶在这之前。"),
    ("technology", "plain", "我们那款酱的关键就是最后加的那一勺虾油和一点点陈皮，别家怎么都学不会，你回去试试。"),
    ("technology", "english", "我们 model 的 training data 其实就是爬了竞品的 review，我把 script 发你 GitHub 了。"),
    ("customers", "plain", "我们店的老客户我都存在自己手机里了，下个月跳槽过去的时候直接一个个打过去。"),
]

CLEAN = [
    ("security", "plain", "跟你说，我们仓库后面那几个摄像头是不是摆设啊？你帮我问问保卫科什么时候来检查一下。"),
    ("security", "reworded", "我们超市的防盗门禁坏了，我已经报修了，师傅下午过来，这期间收银台多注意一下。"),
    ("security", "dialect", "俺们厂的保安辛苦，夜里还要巡逻，你们食堂给他们留点夜宵。"),
    ("security", "dictated", "那个库房的锁有点涩 你开的时候用点力 拿完东西记得登记再锁好"),
    ("security", "english", "我们 office 的 CCTV 明天上午要升级，维修的师傅九点到，请 admin 同事配合一下。"),
    ("credentials", "plain", "财务室那台电脑的开机密码请不要设成生日，信息科会统一检查。"),
    ("credentials", "plain", "系统提示您的密码还是默认的，为了安全请您登录后尽快修改。"),
    ("credentials", "reworded", "保险柜的密码由财务主管一人保管，别人问起一律不说，你也不要打听。"),
    ("credentials", "dialect", "阿拉店里的wifi密码贴在收银台边上，客人问就指给伊看。"),
    ("personnel", "plain", "老王升主管的通知昨天已经在全员大会上宣布了，下周一正式交接，大家恭喜他。"),
    ("personnel", "reworded", "这次考核的结果以人事部正式通知为准，我这边也不清楚，你别打听了。"),
    ("plans", "plain", "您好，咱们门店的营业时间明年起改为早九点到晚九点，公告已经贴出来了。"),
    ("plans", "reworded", "今年的快递费上涨是邮政公司公布的，我们店的价格不变，您放心。"),
    ("technology", "plain", "这款酱的做法在包装背面写着呢，最后加一勺香油就行，您回去试试。"),
    ("technology", "english", "我们 model 的 training data 都是公开数据集，paper 里写得很清楚，你可以去看。"),
    ("customers", "plain", "你手机里存的那些客户联系方式离职前记得删掉，按规定要交给接手的同事。"),
]


def main() -> None:
    leak: list[dict] = []
    for (cat, k, d), (cat2, k2, d2) in zip(LEAK, CLEAN, strict=True):
        leak.append({"draft": d, "kinds": ["confidential_topic"], "kind_of_text": k, "category": cat})
        leak.append({"draft": d2, "kinds": [], "kind_of_text": k2 if k2 != "plain" else "tricky_clean",
                     "category": cat2})
    out = Path(__file__).with_name("check_adv43e.yaml")
    out.write_text(yaml.safe_dump({"leak": leak}, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    main()
