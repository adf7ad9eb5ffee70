"""Write inbox_log.txt / inbox_labels.yaml: 200 unanswered-looking questions about the library
regulations (label: the article that answers them) and about nothing in it (label: none).

Templates over topic phrases written from the document's subjects, not from the matcher's output.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

TOPICS = {  # phrase -> article
    "周末开不开门": "第二十三条", "国庆节开放": "第二十三条", "进馆要不要钱": "第二十三条",
    "少儿馆暑假开放时间": "第二十七条", "儿童阅览区": "第二十七条",
    "盲人读者借书": "第二十八条", "老年人不会用自助机": "第二十八条",
    "出版社交存新书": "第十七条", "捐旧书给图书馆": "第十八条",
    "读者大声喧哗扰乱秩序": "第二十二条", "读者满意度调查": "第二十二条",
    "异地还书通借通还": "第二十四条", "网上预约借书送到家": "第二十四条",
    "工地流动图书服务": "第二十五条", "24小时自助借书机": "第二十五条",
    "电子书线上借阅": "第二十六条", "外文指示牌": "第二十九条",
    "帮读者查资料": "第三十条", "馆际互借": "第三十一条", "讲座收费": "第三十二条",
    "当志愿者": "第三十五条", "图书馆考核评价": "第三十六条", "旧书处理报废": "第二十条",
    "应急演练": "第二十一条", "古籍保护": "第十九条",
}
NOISE = ["借书逾期罚款", "读者证补办", "停车收费", "馆员排班", "年终奖", "wifi密码", "复印价格",
         "空调太冷", "食堂菜单", "打印机故障"]
FORMS = ["{x}吗", "请问{x}怎么规定的", "有读者问{x}", "{x}有没有规定", "{x}，条例里怎么说",
         "领导让我查一下{x}", "{x}咋整", "关于{x}想请教一下"]


def main() -> None:
    rng = random.Random(16)
    rows: list[tuple[str, str]] = []
    for phrase, article in TOPICS.items():
        for form in rng.sample(FORMS, 6):
            rows.append((form.format(x=phrase), article))
    for phrase in NOISE:
        for form in rng.sample(FORMS, 5):
            rows.append((form.format(x=phrase), "none"))
    rng.shuffle(rows)
    here = Path(__file__).parent
    (here / "inbox_log.txt").write_text("\n".join(q for q, _ in rows) + "\n", encoding="utf-8")
    (here / "inbox_labels.yaml").write_text(
        yaml.safe_dump([{"q": q, "article": a} for q, a in rows], allow_unicode=True), encoding="utf-8")


if __name__ == "__main__":
    main()
