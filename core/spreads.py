"""分别 lists: which figure of "A、B和C分别增长3.1%、5.2%、6.0%" belongs to which name.

Report prose lists the subjects first and their figures after a distributive cue in the same
order. Pairing them is a Chinese text rule of its own, apart from :mod:`core.text`'s sentence,
year, number and place rules; the cue and lead words come from the lexicon's data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import YEAR_WORD

#: Separators of the names before 分别 and of the figures after it.
_SPREAD_NAMES = re.compile(r"、|以及|和|与|及")
_SPREAD_FIGURES = re.compile(r"、|和|与|及")
_SPREAD_FIGURE = re.compile(r"[-+]?\d[\d,.]*(?:%|‰|个百分点|[^\d\s]{0,5})")
#: clause marks; not a thousands comma ("1,280万元")
_SPREAD_CLAUSE = re.compile(r"[，；;：:。！？!?\n]|(?<!\d),|,(?!\d{3}(?!\d))")


@dataclass(frozen=True)
class Spread:
    """ "A、B和C…分别增长3.1%、5.2%、6.0%": each name's figure, as offsets into the text.

    Report prose lists the subjects first and their figures after 分别 in the same order; a
    question asks one of them ("B增长多少"), and quoting the whole clause answers with three
    figures. ``names`` are the listed items as written (the first may carry the clause's
    lead, "2021年全县第一产业"; the last the words all share, "第三产业增加值"); ``cores`` the
    parallel part of each ("第一产业", "第三产业"); ``tail`` the shared words after the last
    core ("增加值"); ``verb`` the words between the cue and the first figure ("增长")."""

    names: tuple[str, ...]
    cores: tuple[str, ...]
    tail: str
    verb: str
    figures: tuple[tuple[int, int], ...]

    def phrase(self, i: int) -> str:
        """What item ``i`` names in full: "第二产业增加值"."""
        name = self.names[0] if i == 0 else self.cores[i]
        # the words after a count are all the items' kind ("三大主导产业"), not this one's
        return name if _COUNT_TAIL.match(self.tail) else name + self.tail

    def readings(self) -> list[str]:
        """Each item named in full, with the first item's opening words before the others
        ("粮食播种面积和总产量" also reads "粮食总产量"), for a check of the metric named."""
        out = [self.phrase(i) for i in range(len(self.names))]
        first, core = self.names[0], self.cores[-1]
        if len(self.names) == 2:
            out += [first[:k] + core + self.tail for k in range(1, len(first) - len(core) + 1)]
        return out


def spreads(
    text: str, start: int, end: int, cues: tuple[str, ...], leads: tuple[str, ...] = ()
) -> list[Spread]:
    """The 分别 groups of the sentence ``text[start:end]`` whose names and figures pair up one
    to one; a group with no names of its own ("…分别达到4.5万元和2.3万元，分别增长4.8%和6.9%")
    pairs its figures with the names before it. ``leads`` are words that open a clause
    without naming an item ("全县", "其中"): left out of the first name."""
    out: list[Spread] = []
    pattern = "|".join(map(re.escape, cues))
    if not pattern:
        return out
    for cue in re.finditer(pattern, text[start:end]):
        at, after = start + cue.start(), start + cue.end()
        lead = max((m.end() for m in _SPREAD_CLAUSE.finditer(text, start, at)), default=start)
        stop = _SPREAD_CLAUSE.search(text, after, end)
        figs = _spread_figures(text, after, stop.start() if stop else end)
        if not figs:
            continue
        verb, spans = figs
        names = [n.strip() for n in _SPREAD_NAMES.split(text[lead:at])]
        names[0] = _without_lead(names[0], leads)
        listed = _listed_before(text, start, lead) if len(names) < 2 and not out else []
        if len(listed) == len(spans):
            # "分布在A镇、B乡、C镇3个乡镇，茶园面积分别为…": the names are the clause before,
            # the 分别 clause's own words ("茶园面积") what each figure measures
            first = listed[0][-min(map(len, listed[1:])) :]  # without its opening words
            cores = [first, *listed[1:]]
            out.append(Spread(tuple(cores), tuple(cores), names[0], verb, tuple(spans)))
            continue
        if len(names) < 2 and out:
            prev = out[-1]
            names, cores, tail = list(prev.names), list(prev.cores), prev.tail
        elif len(names) < 2 or not all(names) or max(map(len, names)) > 24:
            continue
        else:
            cores, tail = _cores(names)
        if len(names) == len(spans):
            out.append(Spread(tuple(names), tuple(cores), tail, verb, tuple(spans)))
    return out


#: the shared words after the last name open with its count ("…装备制造三大主导产业")
_COUNT_TAIL = re.compile(r"(?:等|[\d一二三四五六七八九十两]+\s*[大个项类家条所座])")


def _cores(names: list[str]) -> tuple[list[str], str]:
    """The parallel part of each name and the words the last one adds for all.

    Names of one length ("第一产业、第二产业、第三产业增加值") split at that length; names of
    several lengths ("新材料、食品加工、装备制造三大主导产业") at the count that opens the
    shared words, so no name is cut inside ("食品加")."""
    size = min(map(len, names))
    last = names[-1]
    at = next((m.start() for m in _COUNT_TAIL.finditer(last) if m.start() >= size), None)
    if at is None:
        cores = [names[0][-size:], *(n[:size] for n in names[1:-1]), last[:size]]
        return cores, last[size:]
    width = max([at, *(len(n) for n in names[1:-1])])
    return [names[0][-width:], *names[1:-1], last[:at]], last[at:]


#: a count closing a list of names ("…上坳乡6个乡镇", "…等3个村")
_LIST_COUNT = re.compile(r"等?\s*[\d一二三四五六七八九十两]+\s*个[\u4e00-\u9fff]{1,3}$")


def _listed_before(text: str, start: int, lead: int) -> list[str]:
    """The names the clause before ``lead`` lists ("雾溪镇、青岙乡、…上坳乡6个乡镇"), the first
    with its opening words; empty when it lists fewer than two."""
    if lead <= start:
        return []
    before = max((m.end() for m in _SPREAD_CLAUSE.finditer(text, start, lead - 1)), default=start)
    clause = _LIST_COUNT.sub("", text[before : lead - 1].strip())
    names = [n.strip() for n in re.split(r"、|以及|和|与|及", clause)]
    if len(names) < 2 or not all(names) or max(map(len, names[1:])) > 12:
        return []
    return names


def _without_lead(name: str, leads: tuple[str, ...]) -> str:
    """``name`` without the years and lead words it opens with ("2021年全县第一产业")."""
    while True:
        rest = YEAR_WORD.sub("", name, count=1) if YEAR_WORD.match(name) else name
        rest = next((rest[len(w) :] for w in leads if rest.startswith(w)), rest)
        if rest == name:
            return name
        name = rest


def _spread_figures(text: str, start: int, end: int) -> tuple[str, list[tuple[int, int]]] | None:
    """The verb and the figure spans of "增长3.1%、5.2%和6.0%" in ``text[start:end]``; None when
    a piece is no figure."""
    first = re.search(r"\d", text[start:end])
    if not first:
        return None
    verb = text[start : start + first.start()].strip()
    if len(verb) > 16:  # "实现社会消费品零售总额"
        return None
    spans: list[tuple[int, int]] = []
    pos = start + first.start()
    for piece in _SPREAD_FIGURES.split(text[pos:end]):
        m = _SPREAD_FIGURE.fullmatch(piece.strip())
        if not m:
            return None
        s = text.index(piece, pos) + (len(piece) - len(piece.lstrip()))
        spans.append((s, s + len(piece.strip())))
        pos = s + len(piece.strip())
    return (verb, spans) if len(spans) >= 2 else None


__all__ = ["Spread", "spreads"]
