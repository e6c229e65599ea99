"""Hypothesis strategies for report-like text, shared by the cleaning and splitting properties.

The generated reports have the shapes the sample corpus has (一、/（一）/1./（1） headings,
sentences ending in 。；！？, numbers such as ``7.5%`` and ``工业4.0``, full-width digits, long
lines holding a whole paragraph, blank lines) with boilerplate lines mixed in. Content is built
so that nothing in it is legitimately removable: every sentence is unique (so no duplicate
rule fires) and the vocabulary avoids the navigation and download-site keywords, so any content
character that goes missing is a defect, not a heuristic doing its job.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

# Report vocabulary without any character of the noise keywords' first words (点/此/关/上/下/档…)
# or of the title words (报告/总结/汇报), and without redaction marks (x, X, *).
BODY = (
    "经济社会发展稳步推进建设项目投资增长产业农村城市生态环境民生保障教育医疗就业收入企业创新"
    "科技改革开放服务质量效率安全文化旅游交通水利能源财政税收金融市场消费基础设施乡村振兴治理"
    "体系能力现代化重全面深化持续提升加快完善落实强化巩固拓展优"
)
# Numbers and mixed-script tokens that must never be cut in half.
NUMBERS = [
    "7.5%",
    "1.2万元",
    "４.５％",
    "工业4.0",
    "PM2.5",
    "5G",
    "GDP",
    "2021年",
    "36.8亿元",
    "１２３",
    "100%",
    "0.35",
    "5G NR",  # a space between ASCII words is not a sentence break
    "App Store",
]
TERMINATORS = ["。", "；", "！", "？", "。", "。", "。”", "）。"]
TITLES = [
    "2021年紫金县政府工作报告",
    "2020年泗水镇政府工作报告",
    "2019年某镇工作总结",
    "2018年上半年重点项目建设工作总结",
]
CN_NUMERALS = "一二三四五六七八九十"
# Lines every cleaning rule removes whole, wherever they stand (no neighbour needed).
NOISE = [
    "-",
    "—",
    "2025-07-08",
    "2025年7月8日 10:00",
    "发布时间：2021-03-01",
    "- 3 -",
    "第3页",
    "3/12",
    "有想补充的信息?点我投稿",
    "- 联系我们",
    "- 1、下载文档前请自行甄别文档内容的完整性,平台不提供额外的编辑服务。",
    "##paidend##",
    "上一篇：工作总结",
]


@dataclass
class Report:
    """A generated report: the source with noise, and what of it is content."""

    source: str  # what gets cleaned: content lines with noise lines mixed in
    content: str  # the same without the noise lines
    sentences: list[str]  # every body sentence, as written (each unique)


def _phrase(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=BODY, min_size=min_size, max_size=max_size)


@st.composite
def _sentence(draw: st.DrawFn, long: bool = False) -> str:
    """One sentence: words, numbers and commas, then a terminator."""
    parts: list[str] = []
    n = draw(st.integers(15, 45)) if long else draw(st.integers(1, 5))
    for _ in range(n):
        if draw(st.integers(0, 3)) == 0:
            parts.append(draw(st.sampled_from(NUMBERS)))
        else:
            parts.append(draw(_phrase(2, 14)))
        # Long sentences sometimes lack commas, so the splitter has to cut between characters.
        parts.append(draw(st.sampled_from(["，", "", "，", "、"] if not long else ["", "，"])))
    body = "".join(parts).rstrip("，、")
    return body + draw(st.sampled_from(TERMINATORS))


def _heading(level: int, index: int) -> st.SearchStrategy[str]:
    numeral = CN_NUMERALS[index % 10]
    marker = {
        1: f"{numeral}、",
        2: f"（{numeral}）",
        3: f"{index % 9 + 1}.",
        4: f"（{index % 9 + 1}）",
    }[level]
    ending = st.sampled_from(["", "", "。"]) if level >= 2 else st.just("")
    return st.builds(lambda p, e: marker + p + e, _phrase(4, 16), ending)


@st.composite
def reports(draw: st.DrawFn, noise: bool = True) -> Report:
    """A report-like text: a title, headings, paragraphs of unique sentences, blank lines."""
    lines: list[str] = []
    sentences: list[str] = []
    seen: set[str] = set()
    titles = draw(st.permutations(TITLES))  # several reports in one file, each title once
    for block in range(draw(st.integers(1, 8))):
        if titles and draw(st.integers(0, 2)) == 0:
            lines.append(titles.pop())
        if draw(st.booleans()):
            lines.append(draw(_heading(draw(st.integers(1, 4)), block)))
        for _ in range(draw(st.integers(0, 3))):
            paragraph: list[str] = []
            for _ in range(draw(st.integers(1, 10))):
                sentence = draw(_sentence(long=draw(st.integers(0, 9)) == 0))
                # compared without spaces and punctuation, as the cleaner's duplicate rule does:
                # two sentences that differ only in their terminator are one copied twice
                key = "".join(ch for ch in sentence if ch.isalnum())
                # a sentence inside another one is a copy the cleaner may drop: skip those;
                # so is a space-separated block ("…5G" of "…5G NR…") met before, which the
                # cleaner reads as a web page's repeated block
                blocks = ("".join(ch for ch in b if ch.isalnum()) for b in sentence.split())
                keys = [key, *(b for b in blocks if b)]
                if any(
                    k in seen or any(k in s or s in k for s in seen if len(s) >= 6) for k in keys
                ):
                    continue
                seen.update(keys)
                sentences.append(sentence)
                paragraph.append(sentence)
            if paragraph:
                sep = draw(st.sampled_from(["", "", " ", "\u3000"]))
                lines.append(sep.join(paragraph))
            if draw(st.integers(0, 2)) == 0:
                lines.append(draw(st.sampled_from(["", "  "])))  # blank line
    content = "\n".join(lines)
    if noise:
        mixed: list[str] = []
        for line in lines:
            if draw(st.integers(0, 4)) == 0:
                mixed.append(draw(st.sampled_from(NOISE)))
            mixed.append(line)
        source = "\n".join(mixed)
    else:
        source = content
    return Report(source=source, content=content, sentences=sentences)
