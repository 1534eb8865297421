"""The words around the tables: a title, the statistics-period sentence and sections 一,
五 and 六.
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.testing.render.model import Block, Style, chooser

AGENCIES = (
    "某某区人民政府",
    "北京市朝阳区人民政府",
    "平潭综合实验区",
    "长春市交通运输局",
    "淮安市人民政府办公室",
    "广州市越秀区司法局",
    "湘潭县白石镇人民政府",
    "上海市人民政府办公厅",
    "佛山市南海区桂城街道办事处",
    "郑州市金水区市场监督管理局",
)
HEADINGS = {
    "proactive": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "appeals": "四、政府信息公开行政复议、行政诉讼情况",
}
OVERVIEW = (
    "{year}年，{short}坚持“以公开为常态、不公开为例外”原则，深入贯彻《条例》要求，切实聚焦公众关切，扎实做好政府信息公开工作。",
    "（一）持续深化主动公开。全年在门户网站主动公开政府信息{items}条，发布政策解读{reads}篇，及时回应社会关切。",
    "（二）规范办理依申请公开。严格落实《条例》规定，畅通申请渠道，优化办理流程，全年共受理政府信息公开申请{asked}件，均在法定期限内答复。",
    "（三）加强平台建设与监督保障。完善政府网站和政务新媒体管理，定期开展检查和业务培训，全年未发生责任追究情况。",
)
PROBLEMS = (
    "（一）存在的主要问题：政策解读形式不够丰富，部分单位公开内容更新不够及时。",
    "（二）改进措施：丰富解读形式，加强业务培训，强化考核评估，推动政务公开工作提质增效。",
)


def period(year: int) -> str:
    return f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"


def title(agency: str, year: int, style: Style) -> list[Block]:
    """The title with agency and year, on one line or with the agency on a line of its own."""
    heading = f"{year}年政府信息公开工作年度报告"
    if style.title_lines == 2:
        return [Block("title", agency), Block("title", heading)]
    return [Block("title", f"{agency}{heading}")]


def opening(agency: str, year: int, asked: int, style: Style) -> list[Block]:
    """The legal basis, the statistics period (first or last, as real reports vary) and
    一、总体情况.
    """
    rng = chooser(style, "prose")
    intro = "依据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定，编制本报告。"
    if rng.random() < 0.5:
        intro += period(year)
    short = "本机关" if agency.endswith(("局", "厅", "办公室")) else "我区"
    numbers = {
        "year": year,
        "short": short,
        "items": rng.choice((0, 12, 356, 4411, 26164)),
        "reads": rng.choice((0, 3, 64)),
        "asked": asked,
    }
    paras = [Block("para", p.format(**numbers)) for p in OVERVIEW]
    return [Block("para", intro), Block("heading", "一、总体情况")] + paras


def closing(year: int, fees: Mapping[str, int], style: Style) -> list[Block]:
    """五 (problems and improvements), 六 (fees, in prose) and, if not said at the start, the
    period.
    """
    rng = chooser(style, "prose")
    stated_first = rng.random() < 0.5
    blocks = [Block("heading", "五、存在的主要问题及改进情况")] + [
        Block("para", p) for p in PROBLEMS
    ]
    blocks.append(Block("heading", "六、其他需要报告的事项"))
    blocks.append(
        Block(
            "para",
            f"依据《政府信息公开信息处理费管理办法》，本年度发出收费通知{fees['notices']}件，"
            f"收费金额{fees['billed']}元，实际收取信息处理费{fees['collected']}元。",
        )
    )
    if not stated_first:
        blocks.append(
            Block("para", period(year) + "如对本报告有疑问，请与本机关政府信息公开工作机构联系。")
        )
    return blocks


def fees(style: Style) -> dict[str, int]:
    """Information-processing fees stated in 六: most agencies bill nothing."""
    rng = chooser(style, "fees")
    notices = rng.choice((0, 0, 0, 1, 2, 16))
    billed = notices * rng.choice((0, 100, 240))
    return {
        "notices": notices,
        "billed": billed,
        "collected": billed if rng.random() < 0.7 else billed // 2,
    }
