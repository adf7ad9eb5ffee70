"""Write check_adv42m.yaml: secrecy markings (密级标志, 内部资料) handed on in work-chat voices, each beside a clean
look-alike of the same shape.

Written by the clsr42 engineer before any fit marking miss was read (only their count on v26–v34, 27, was
looked at). Run from the repository root: .venv/bin/python benchmarks/blind/adv42m/build.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

# A document marked with a level or as internal, handed on or its content passed out: the marking said in
# fresh words (where it is printed, a stamp, a watermark), dictated, English-mixed, dialect, long.
LEAK = [
    ("plain", "那份右上角印着机密两个字的方案我拍了几张发你了，你看完删掉。"),
    ("plain", "标着绝密的那几页我截图放你网盘里了，密码还是老的。"),
    ("english", "那个 deck 首页写着 Confidential，我直接 forward 给你了，别外传哈。"),
    ("dictated", "喂你记一下啊那个文件封面盖了秘密的章 我已经复印了一份给你放前台了 你下班顺路拿一下"),
    ("dialect", "阿哥，呢份文件上面印住机密，我影咗相WhatsApp俾你，睇完删咗佢。"),
    ("plain", "这个表格的页眉写的是内部资料，我导出来发你邮箱了，你们公司参考一下。"),
    ("plain", "盖着机密章的会议纪要我扫描成PDF了，微信发你了。"),
    ("reworded", "这套图纸每页都有秘密级的水印，我用手机拍了传给你了。"),
    ("long", "老王你好，上次说的那事我帮你问了。我们这边的方案昨天下发了，文件抬头印着“机密”，"
             "里面写得很细，我就把第三部分拍下来发你了，你自己看就行，别转给别人。其他的等我周末回去"
             "跟你当面说，到时候一起吃个饭。"),
    ("english", "FYI 附件是 internal use only 的 pricing sheet，我发你私人邮箱了，看完 delete。"),
    ("plain", "文件袋上贴着绝密封条的那份，我拆开拍了照片，发到咱们同学群里了。"),
    ("dictated", "那个文件啊上面写着机密级 我给你念一下第二段 说是明年要在南边再建两个厂"),
]

# The same shapes with nothing marked handed on: a document said not to be classified, a question about how
# marked papers are kept, a marking word in another sense (a password box, a book title), a marked file
# returned through the proper channel.
CLEAN = [
    ("plain", "那份方案右上角没有密级标志，是公开版，我拍了几张发你了，你参考一下。"),
    ("plain", "标着绝密的文件要放进保密柜，钥匙交给机要员保管，你下午来领一下钥匙。"),
    ("english", "那个 deck 不是 confidential 的，官网上就能下载，我直接 forward 给你了。"),
    ("dictated", "喂你记一下啊盖了秘密章的文件都要登记 你下午把登记本拿到机要室交给刘姐"),
    ("dialect", "阿哥，你部手机嘅密码我唔知呀，你自己问下售后啦。"),
    ("plain", "这个表格是对外公开的宣传资料，可以直接发给客户，没问题。"),
    ("plain", "盖着机密章的会议纪要我已经交回机要室了，登记本上签了字。"),
    ("reworded", "涉密图纸的借阅要走审批，你先在OA上提申请，批了再去档案室。"),
    ("long", "老王你好，上次说的那事我帮你问了。我们这边关于涉密文件的规定是：带密级的材料一律不能拍照，"
             "不能用微信传，要看得到保密室去看。你们单位要是有类似的需要，可以找你们的保密办问问具体流程。"
             "其他的等我周末回去跟你当面说，到时候一起吃个饭。"),
    ("english", "FYI 培训材料里讲了，标着 internal use only 的文件不能发到私人邮箱，大家注意。"),
    ("plain", "书店新到了一本《秘密花园》，填色书，顾客要的话在二楼儿童区。"),
    ("dictated", "那个文件啊上面没写密级 就是一般的通知 我给你念一下第二段 说是下周三停水"),
]


def main() -> None:
    leak: list[dict] = []
    for (k, d), (k2, d2) in zip(LEAK, CLEAN, strict=True):
        leak.append({"draft": d, "kinds": ["secret_marker"], "kind_of_text": k, "category": "marking"})
        leak.append({"draft": d2, "kinds": [], "kind_of_text": k2 if k2 != "plain" else "tricky_clean",
                     "category": "marking"})
    out = Path(__file__).with_name("check_adv42m.yaml")
    out.write_text(yaml.safe_dump({"leak": leak}, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    main()
