"""Write check_adv42t.yaml: technology (技术资料: 配方、工艺、源代码、图纸、参数) drafts in work-chat voices, leaking
and clean look-alikes of the same shape beside each.

Written by the clsr42 engineer before any fit miss of the category was read (only the count of topic misses
by category on v26–v34 was looked at: technology third, 26). Run from the repository root:
.venv/bin/python benchmarks/blind/adv42t/build.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

# The organisation's own know-how told or handed out: a recipe's proportions, process settings, source code,
# a drawing, a model's parameters — to a friend, a rival, a former colleague, a public place.
LEAK = [
    ("plain", "你问我们家的卤汤怎么调的？八角三钱、桂皮两钱、冰糖半斤，再加一勺我们自己熬的老油，别跟别人讲。"),
    ("plain", "老同学，我们厂注塑那道工序的温度是二百一十五度，保压八秒，你们那边照这个调良品率就上去了。"),
    ("english", "我把我们 app 的 source code 推到我自己的 GitHub 了，repo 是 public 的，你直接 clone。"),
    ("dialect", "阿哥，我哋间厂嘅胶水配方系三份树脂一份固化剂，加百分之五嘅填料，你唔好同人讲。"),
    ("dictated", "喂我跟你说那个面包的方子是高筋粉五百克酵母六克糖四十克 发酵要四十分钟 这是我们店的秘方你别外传"),
    ("reworded", "我们那个推荐算法其实很简单，就是按最近七天的点击率乘零点七加上收藏率乘零点三，你们可以照着做。"),
    ("plain", "表哥，我把我们公司新款电机的图纸拷了一份，你们厂要仿的话先看看。"),
    ("english", "FYI 我们 model 的 training data 和 weights 我放 personal drive 了，link 发你，别 share。"),
    ("long", "好久没联系了，听说你去了对手那边。我们这边最近把焊接工艺改了，电流从一百八调到二百一，"
             "焊丝换成了一点二的，速度每分钟四十公分，返修率一下子降了一半。你们要是也有这个问题可以试试，"
             "就别说是我讲的。有空回来吃饭。"),
    ("plain", "我们奶茶的配比是茶汤一百五十毫升、奶六十毫升、糖浆二十五毫升，你开店照这个来，味道一模一样。"),
    ("dialect", "俺们厂那个染色的方子，一缸水放三斤染料两斤盐，温度八十度煮四十分钟，你可别往外说。"),
    ("english", "Hi Jack，我们的 PCB layout 文件我打包发你 Gmail 了，你们 team 参考一下，千万别说是我给的。"),
]

# The same shapes with nothing of the organisation's own know-how out: a public recipe or manual, a setting
# told to the colleague who runs the machine, a customer's own product, a question or a refusal, code that
# is open source.
CLEAN = [
    ("plain", "您问卤汤怎么调？这个是我们店的秘方，不方便说，您喜欢的话可以买一份带回去。"),
    ("plain", "小王，注塑机今天的温度按工艺卡上的来，开机前你先核一下，有问题找班长。"),
    ("english", "我们 app 用的是开源的 framework，source code 在 GitHub 上本来就是 public 的，你可以去看。"),
    ("dialect", "阿哥，你买嘅胶水说明书上面写住用法，三份树脂一份固化剂，你照住做就得。"),
    ("dictated", "喂我跟你说那个面包机的说明书上写了 高筋粉五百克酵母六克 您照着说明书放就行 不行再打我们售后"),
    ("reworded", "推荐算法的事情我不太懂，是技术部负责的，你要了解的话可以发邮件问他们。"),
    ("plain", "表哥，你家装修的图纸我帮你打印好了，放在门卫室，你下班去拿。"),
    ("english", "FYI 明天 model training 的 GPU 不够，我先 pause 一下，有问题找 IT。"),
    ("long", "好久没联系了，听说你去了新公司，恭喜啊。我们这边最近挺忙的，车间在搞技术改造，"
             "天天加班，新设备的操作培训也排满了。等忙过这阵子我们约个时间吃饭，你看下个月中旬怎么样？"),
    ("plain", "您好，我们奶茶的配料表贴在柜台上了，里面的成分和热量都有，您可以看一下。"),
    ("dialect", "俺们厂那个染色车间下周停电检修，你别过来了，过了周三再说。"),
    ("english", "Hi Jack，PCB 打样的订单我下好了，快递单号发你 Gmail 了，到了你签收一下。"),
]


def main() -> None:
    leak: list[dict] = []
    for (k, d), (k2, d2) in zip(LEAK, CLEAN, strict=True):
        leak.append({"draft": d, "kinds": ["confidential_topic"], "kind_of_text": k, "category": "technology"})
        leak.append({"draft": d2, "kinds": [], "kind_of_text": k2 if k2 != "plain" else "tricky_clean",
                     "category": "technology"})
    out = Path(__file__).with_name("check_adv42t.yaml")
    out.write_text(yaml.safe_dump({"leak": leak}, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    main()
