"""The counting night's sheet (计票汇总表): a street (or a community) downloads one xlsx with a block of
rows for every polling station of its running elections that has no count yet, types each station's
paper count into it, and uploads it back; `services.tallies_enter` writes every station at once with
the same rules as the one-station form, or nothing.

One row per figure, so the sheet is typed top to bottom and sorts and filters in Excel:

    投票点编号 | 社区(村) | 投票点 | 轮次 | 项目 | 职务 | 姓名 | 候选人编号 | 登记投票人数 | 票数

项目 is 收回选票 / 无效票 (one row each per station), 候选人 (one row per candidate of the round,
named by 候选人编号) or 另选他人 (written-in names: two empty rows per station, more may be added).
A station whose 收回选票 is left empty is not counted yet and is skipped whole. Every refusal names the
file's row and column; the file is read by people.import_sources' hostile-file reader.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Count, F, Q

from gongzhi.core.validators import has_control_characters
from gongzhi.elections.models import Candidate, Election, Post, State, Station, Tally, Voter
from gongzhi.people.import_rows import _FULLWIDTH

HEADER = ("投票点编号", "社区(村)", "投票点", "轮次", "项目", "职务", "姓名", "候选人编号", "登记投票人数", "票数")
REQUIRED = ("投票点编号", "轮次", "项目", "职务", "姓名", "候选人编号", "票数")
BALLOTS, INVALID, CANDIDATE, WRITE_IN = "收回选票", "无效票", "候选人", "另选他人"
ITEMS = (BALLOTS, INVALID, CANDIDATE, WRITE_IN)
WRITE_IN_ROWS = 2  # empty written-in rows per station in the template
MAX_ERRORS = 20  # shown at once; the rest are counted
POST_BY_LABEL = {label: value for value, label in Post.choices}

ERR_COLUMNS = "{file} 缺少列:{columns}(请使用本页下载的计票汇总表)"
ERR_STATION = "不是您可以录入的投票点(编号 {value})"
ERR_TALLIED = "{station}的第 {round} 轮计票结果已录入;如需修改,请到该选举页面修改"
ERR_ROUND = "{community}当前是第 {round} 轮,本行是第 {got} 轮的,请重新下载计票汇总表"
ERR_ITEM = "只能是 收回选票、无效票、候选人 或 另选他人"
ERR_NUMBER = "须为不小于 0 的整数"
ERR_TWICE = "{station}的「{item}」出现了两次(另见第 {row} 行)"
ERR_CANDIDATE = "不是{community}第 {round} 轮的候选人(编号 {value})"
ERR_POST = "请填写 主任、副主任 或 委员"
ERR_WRITE_IN_NAME = "另选他人有票数,请填写姓名"
ERR_NAME_LONG = "姓名不能超过 50 个字"
ERR_CONTROL = "含有不可见的控制字符"
ERR_NO_BALLOTS = "{station}已填写票数,请在第 {row} 行填写收回选票"
ERR_EMPTY = "{file} 中没有填写收回选票的投票点,没有录入任何结果"


class TallySheetError(ValueError):
    """The file is refused whole: `lines` are the reasons, each naming the row and the column."""

    def __init__(self, lines: list[str], more: int = 0):
        self.lines, self.more = lines, more
        super().__init__(";".join(lines) + (f";另有 {more} 处错误" if more else ""))


def counting(elections) -> list[Election]:
    """The running elections (voting or run-off) of `elections` (already scoped), with their stations and
    how many have their current round counted, for the counting page."""
    return list(elections.filter(state__in=(State.VOTING, State.RUNOFF)).annotate(
        n_stations=Count("stations", distinct=True),
        n_tallied=Count("stations__tallies", filter=Q(stations__tallies__round=F("round")), distinct=True),
    ).order_by("street__code", "community__code", "body"))


def pending_stations(elections) -> list[Station]:
    """Stations of running `elections` without a count for their election's current round."""
    running = elections.filter(state__in=(State.VOTING, State.RUNOFF))
    stations = list(Station.objects.filter(election__in=running).select_related("election__community")
                    .order_by("election__street__code", "election__community__code", "election_id", "id"))
    done = set(Tally.objects.filter(station__in=stations).values_list("station_id", "round"))
    return [s for s in stations if (s.pk, s.election.round) not in done]


def template_rows(stations: list[Station]):
    """The template's rows for `stations` (pending_stations): a block per station."""
    election_ids = {s.election_id for s in stations}
    candidates: dict[int, list[Candidate]] = {}
    for c in Candidate.objects.filter(election_id__in=election_ids).order_by("post", "id"):
        candidates.setdefault(c.election_id, []).append(c)
    signed = dict(Voter.objects.filter(station__in=stations, active=True, voted=True).order_by().values("station_id")
                  .annotate(n=Count("id")).values_list("station_id", "n"))
    post_order = {p: i for i, p in enumerate(Post.values)}
    for s in stations:
        e = s.election
        head = (s.pk, e.community.name, s.name, e.round)
        yield head + (BALLOTS, "", "", "", signed.get(s.pk, 0), None)
        yield head + (INVALID, "", "", "", None, None)
        for c in sorted((c for c in candidates.get(e.pk, ()) if c.round == e.round),
                        key=lambda c: (post_order[c.post], c.pk)):
            yield head + (CANDIDATE, c.get_post_display(), c.name, c.pk, None, None)
        for _ in range(WRITE_IN_ROWS):
            yield head + (WRITE_IN, "", "", "", None, None)


@dataclass
class _Block:
    station: Station
    row: int  # first row of the station in the file
    ballots: tuple[int, int] | None = None  # (value, row)
    invalid: tuple[int, int] | None = None
    votes: dict = field(default_factory=dict)  # candidate id -> (votes, row)
    write_ins: list = field(default_factory=list)  # (name, post, votes)
    any_votes_row: int | None = None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).translate(_FULLWIDTH).strip()


def _number(value) -> int | None:
    """A count as typed: empty is None; an integer ≥ 0 (also 12.0 or "１２") or ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        value = int(value)
    if isinstance(value, int):
        n = value
    else:
        text = _text(value)
        if not text.isascii() or not text.isdigit():
            raise ValueError
        n = int(text)
    if n < 0 or n > 10_000_000:
        raise ValueError
    return n


def read(path: Path, *, elections, display_name: str) -> list[dict]:
    """The entries for services.tallies_enter from the uploaded sheet at `path`, checked against the
    caller's running `elections` (already scoped to run_elections). TallySheetError names every
    problem found (row and column); ImportFileError for a file that cannot be read at all."""
    from gongzhi.people.import_sources import sheet_rows

    running = {e.pk: e for e in elections.filter(state__in=(State.VOTING, State.RUNOFF))}
    stations = {s.pk: s for s in Station.objects.filter(election_id__in=running)}
    for s in stations.values():
        s.election = running[s.election_id]
    tallied = set(Tally.objects.filter(station__in=stations.values()).values_list("station_id", "round"))
    candidates = {c.pk: c for c in Candidate.objects.filter(election_id__in=running)}

    errors: list[str] = []
    more = 0

    def refuse(row: int, column: str, text: str) -> None:
        nonlocal more
        if len(errors) < MAX_ERRORS:
            errors.append(f"第 {row} 行「{column}」:{text}" if column else f"第 {row} 行:{text}")
        else:
            more += 1

    rows = sheet_rows(path)
    index = None
    for number, values in rows:
        names = [_text(v).replace(" ", "") for v in values]
        missing = [h for h in REQUIRED if h not in names]
        if len(missing) < len(REQUIRED):  # the header row, found even below a title line
            if missing:
                raise TallySheetError([ERR_COLUMNS.format(file=display_name, columns="、".join(missing))])
            index = {h: names.index(h) for h in REQUIRED}
            break
    if index is None:
        raise TallySheetError([ERR_COLUMNS.format(file=display_name, columns="、".join(REQUIRED))])

    blocks: dict[int, _Block] = {}
    width = max(index.values()) + 1  # a row may stop short of the header's last column
    for number, values in rows:
        values = list(values) + [None] * width

        def cell(name):
            return values[index[name]]

        for name in REQUIRED:
            raw = cell(name)
            if isinstance(raw, str) and has_control_characters(raw):
                refuse(number, name, ERR_CONTROL)
                break
        else:
            _read_row(number, cell, stations, tallied, candidates, blocks, refuse)
    entries = []
    for block in blocks.values():
        st = block.station
        where = f"{st.election.community.name}{st.name}"
        if block.ballots is None:
            if block.any_votes_row is not None:
                refuse(block.any_votes_row, "", ERR_NO_BALLOTS.format(station=where, row=block.row))
            continue
        entries.append({"station": st, "ballots": block.ballots[0],
                        "invalid": block.invalid[0] if block.invalid else 0,
                        "votes": {cid: n for cid, (n, _) in block.votes.items()},
                        "write_ins": block.write_ins, "where": f"{where}(第 {block.row} 行起)"})
    if errors:
        raise TallySheetError(errors, more)
    if not entries:
        raise TallySheetError([ERR_EMPTY.format(file=display_name)])
    return entries


def _read_row(number, cell, stations, tallied, candidates, blocks, refuse) -> None:
    """One data row into its station's block; problems go to `refuse`."""
    raw_station = cell("投票点编号")
    try:
        station = stations.get(_number(raw_station))
    except ValueError:
        station = None
    if station is None:
        if _text(raw_station) or _text(cell("票数")):  # a row with nothing typed is not worth a word
            refuse(number, "投票点编号", ERR_STATION.format(value=_text(raw_station)[:20]))
        return
    e = station.election
    try:
        got_round = _number(cell("轮次"))
    except ValueError:
        got_round = None
    if got_round != e.round:
        refuse(number, "轮次", ERR_ROUND.format(community=e.community.name, round=e.round,
                                              got=_text(cell("轮次"))[:5] or "?"))
        return
    if (station.pk, e.round) in tallied:
        refuse(number, "投票点编号", ERR_TALLIED.format(station=f"{e.community.name}{station.name}", round=e.round))
        return
    block = blocks.setdefault(station.pk, _Block(station=station, row=number))
    item = _text(cell("项目"))
    if item not in ITEMS:
        refuse(number, "项目", ERR_ITEM)
        return
    try:
        votes = _number(cell("票数"))
    except ValueError:
        refuse(number, "票数", ERR_NUMBER)
        return
    where = f"{e.community.name}{station.name}"
    if item in (BALLOTS, INVALID):
        slot = "ballots" if item == BALLOTS else "invalid"
        if getattr(block, slot) is not None:
            refuse(number, "项目", ERR_TWICE.format(station=where, item=item, row=getattr(block, slot)[1]))
        elif votes is not None:
            setattr(block, slot, (votes, number))
        return
    if votes is not None and block.any_votes_row is None:
        block.any_votes_row = number
    if item == CANDIDATE:
        try:
            c = candidates.get(_number(cell("候选人编号")))
        except ValueError:
            c = None
        if c is None or c.election_id != e.pk or c.round != e.round:
            refuse(number, "候选人编号", ERR_CANDIDATE.format(community=e.community.name, round=e.round,
                                                         value=_text(cell("候选人编号"))[:20]))
        elif c.pk in block.votes:
            refuse(number, "候选人编号", ERR_TWICE.format(station=where, item=c.name, row=block.votes[c.pk][1]))
        else:
            block.votes[c.pk] = (votes or 0, number)
        return
    name = _text(cell("姓名"))
    if not votes and not name:
        return
    if not name:
        refuse(number, "姓名", ERR_WRITE_IN_NAME)
    elif len(name) > 50:
        refuse(number, "姓名", ERR_NAME_LONG)
    elif _text(cell("职务")) not in POST_BY_LABEL:
        refuse(number, "职务", ERR_POST)
    else:
        block.write_ins.append((name, POST_BY_LABEL[_text(cell("职务"))], votes or 0))
