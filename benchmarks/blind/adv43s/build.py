"""Write check_adv43s.yaml: leaks told beside the words of a rule, a refusal, a question or a publication that
do not take them back (按规定不能说，但…底价是…; 严禁外传，不过我还是发你了; 不能告诉别人哦;
新闻里说一成，其实定的是三成),
each beside a clean look-alike where those words are what the sentence does (the rule stated, the refusal kept,
the public source pointed to).

Written by the cls43g engineer before any fit miss of the class was read: only the count of the grammar's topic
misses on v26–v36 by class was looked at (a topic word with evidence cleared by a negative context: 33 of 164 after
the round's first two changes; 18 of them by the refusal / rules / public / question test). Sources:
../shared/sources/*.txt (不得…透露给他人; 不准向他人泄露; 公司秘密…未公布的) and general knowledge of work chat.
Run from the repository root: .venv/bin/python benchmarks/blind/adv43s/build.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

LEAK = [
    ("tender", "plain", "按规定这个是不能说的，但咱俩这关系我就告诉你，这次的标底是八十五万，你往下压一点。"),
    ("customers", "plain", "公司是严禁外传的，不过我还是把重点客户名单发你了，一共四十多家，你看完删掉。"),
    ("technology", "reworded", "培训的时候说过图纸不许带出去，可我还是拷了一份新机型的设计图回家，周末发你看看。"),
    ("pay", "plain", "不能告诉别人哦，我们组长今年的年终奖拿了六万八，比我们多一大截。"),
    ("plans", "plain", "新闻里说的是裁员一成，其实内部定的是三成，名单下个月出，你别往外说。"),
    ("pay", "reworded", "按照老板的意思，这次调薪每人涨八百，组长涨一千二，还没公布，你心里有数就行。"),
    ("costs", "plain", "你是不是想知道我们的进价？跟你说吧，这款才十二块一个，我们卖六十九。"),
    ("plans", "dialect", "规矩是不让讲嘅，但系我同你讲，我哋公司下个月要搬去东莞，老细已经定咗。"),
    ("customers", "english", "policy 是不让 share 的，but 我已经把 client list 发给我朋友了，他们公司正好用得上。"),
    ("finance", "plain", "是否公开还没定，不过我听财务说今年亏了两千多万，年报里会很难看。"),
    ("personnel", "plain", "人事规定不许提前透露，但我看到文件了，小刘下个月升主管，老周调去分店。"),
    ("credentials", "dictated", "按说密码是不能给外人的 不过你急用我就说了 后台账号"
                                "admin 密码是qwe123456 用完跟我说一声"),
]

CLEAN = [
    ("tender", "plain", "按规定标底属于保密信息，不能告诉您，请您理解，开标结果会在招标平台公示。"),
    ("customers", "plain", "公司严禁外传客户名单，请大家注意，离职时要把资料交还给部门。"),
    ("technology", "reworded", "培训的时候说过图纸不许带出去，大家一定要遵守，带回家加班的要先找主管审批。"),
    ("pay", "plain", "不能告诉别人您的银行卡密码哦，工资到账以后记得查收。"),
    ("plans", "plain", "新闻里说的裁员是另外一家公司，我们这边没有任何变化，请大家安心工作。"),
    ("pay", "reworded", "按照公司的规定，调薪方案以人事部正式通知为准，我这边不清楚具体数字。"),
    ("costs", "plain", "您是不是想知道这款的价格？售价六十九，价签上写着呢，会员再打九五折。"),
    ("plans", "dialect", "规矩系咁嘅，门店搬迁要等总部正式通知，我哋呢边唔清楚，你等公告啦。"),
    ("customers", "english", "policy 是不让 share 的，client list 我不能发给你，sorry，有需要请走审批。"),
    ("finance", "plain", "是否公开财务数据要由董事会决定，我这边没有权限，您可以关注公司的年报。"),
    ("personnel", "plain", "人事规定不许提前透露任免结果，大家等正式发文就好，别打听。"),
    ("credentials", "dictated", "按说密码是不能给外人的 你要用后台的话找IT申请一个自己的账号 审批下来就能登"),
]


def main() -> None:
    leak: list[dict] = []
    for (cat, k, d), (cat2, k2, d2) in zip(LEAK, CLEAN, strict=True):
        leak.append({"draft": d, "kinds": ["confidential_topic"], "kind_of_text": k, "category": cat})
        leak.append({"draft": d2, "kinds": [], "kind_of_text": k2 if k2 != "plain" else "tricky_clean",
                     "category": cat2})
    out = Path(__file__).with_name("check_adv43s.yaml")
    out.write_text(yaml.safe_dump({"leak": leak}, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    main()
