"""Policy packs: one YAML file per locality's policy (format described in
docs/policy-packs.md). A pack is validated when it loads; every error names
the file and the line, in Chinese, so whoever edits a pack can fix it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gongzhi.standards.metrics import METRICS

PACK_DIR = Path(__file__).with_name("packs")
FORMAT = 1
RULE_ID = re.compile(r"^P-[A-Z]+-\d+$")
OPS = {">=", "<=", ">", "<", "==", "between"}
LEVELS = {"community", "street", "district"}
AREAS = {"urban", "rural"}
COMMUNITY_TYPES = {"ordinary", "unit", "market_town"}
# where a community lies in its city (places.CityZone, from its street or district); unknown: not recorded
ZONES = {"central", "outer", "unknown"}
# how a target counts: the share of communities that meet the indicator(s), or one figure over the
# whole scope (sum of numerators ÷ sum of denominators, e.g. a city-wide "per 10,000 residents")
TARGET_OVER = {"communities", "scope"}
# posts paid per person (P-FUND-4), counted from the worker ledger
POSTS = ("one_shoulder", "secretary_or_director", "deputy_director")
# the community-worker yearly review (P-EVAL-3) where a pack has no `worker_review` section: no seed gives
# numbers, so the platform reads 主要权重 as 0.6 (docs/standards.md)
DEFAULT_WORKER_REVIEW = {"residents": 0.6, "street": 0.4, "min_responses": 10}


class PackError(ValueError):
    pass


# -- YAML with line numbers -------------------------------------------------------
class LineDict(dict):
    line: int = 0
    key_lines: dict


class LineList(list):
    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader, node):
    result = LineDict()
    result.line, result.key_lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise PackError(f"{loader.name}:{key_node.start_mark.line + 1}: 键「{key}」重复")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


# -- the pack ------------------------------------------------------------------------
@dataclass
class Pack:
    id: str
    title: str
    source: dict
    path: Path
    readings: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    grading: dict = field(default_factory=dict)
    funding: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    unverifiable: list = field(default_factory=list)
    # the clause of the source that abolishes 一票否决 (P-DUTY-4), when it does
    no_veto: str = ""
    # what the validator found doubtful but not wrong (shown by the pack viewer), e.g. a required
    # indicator under a source that forbids vetoes with no reading that explains it
    warnings: list = field(default_factory=list)
    # the community-worker yearly review (P-EVAL-3), when the pack sets its weights:
    # {"residents": 0.6, "street": 0.4, "min_responses": 10}; None: the platform default applies
    worker_review: dict | None = None
    # the village cadres' democratic review (P-GOV-11) and the party-activist review (P-GOV-10), when the pack
    # sets their lines: {"approval": ["satisfied", "basic"], "flag_at_most": 60, "activist_at_most": 60}
    cadre_review: dict | None = None
    text: str = ""  # the YAML it was parsed from: a run keeps it, so its rules never change under it

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def worker_review_shown(self) -> dict:
        """The review's weights for the pack viewer: the pack's own or the platform default."""
        weights = self.worker_review or DEFAULT_WORKER_REVIEW
        return {**weights, "default": self.worker_review is None, "residents_percent": round(weights["residents"] * 100),
                "street_percent": round(weights["street"] * 100)}

    def indicator(self, indicator_id: str) -> dict:
        return next(i for i in self.indicators if i["id"] == indicator_id)


class _Checker:
    """Walks the loaded YAML; `fail` raises with file and line."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, node, message: str, key: str | None = None):
        line = getattr(node, "line", 0)
        if key is not None and isinstance(node, LineDict):
            line = node.key_lines.get(key, line)
        raise PackError(f"{self.path}:{line}: {message}")

    def mapping(self, node, where: str) -> LineDict:
        if not isinstance(node, LineDict):
            self.fail(node, f"{where} 应为键值表")
        return node

    def sequence(self, parent: LineDict, key: str, *, required: bool = False) -> LineList:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(parent, f"缺少「{key}」")
            return LineList()
        if not isinstance(value, LineList):
            self.fail(parent, f"「{key}」应为列表", key)
        return value

    def text(self, parent: LineDict, key: str, *, required: bool = True) -> str:
        value = parent.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(parent, f"缺少「{key}」", key)
            return ""
        if not isinstance(value, (str, int)):
            self.fail(parent, f"「{key}」应为文字", key)
        return str(value)

    def number(self, parent: LineDict, key: str, *, required: bool = True, minimum: float | None = 0):
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(parent, f"缺少「{key}」", key)
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(parent, f"「{key}」应为数字,现为「{value}」", key)
        if minimum is not None and value < minimum:
            self.fail(parent, f"「{key}」不能小于 {minimum}", key)
        return value

    def rule(self, parent: LineDict) -> str:
        rule = self.text(parent, "rule")
        if not RULE_ID.match(rule):
            self.fail(parent, f"「rule」应为政策目录编号(如 P-FAC-2),现为「{rule}」", "rule")
        return rule

    def applies_to(self, parent: LineDict) -> dict:
        node = parent.get("applies_to", LineDict())
        node = self.mapping(node, "「applies_to」") if node else LineDict()
        level = node.get("level", "community")
        if level not in LEVELS:
            self.fail(node, f"「level」应为 {'/'.join(sorted(LEVELS))}", "level")
        areas = node.get("area", ["urban", "rural"])
        areas = [areas] if isinstance(areas, str) else list(areas)
        if not areas or set(areas) - AREAS:
            self.fail(node, f"「area」应为 urban 和/或 rural,现为「{areas}」", "area")
        streets = [str(s) for s in node.get("streets", [])]
        not_streets = [str(s) for s in node.get("not_streets", [])]
        if streets and not_streets:
            self.fail(node, "「streets」和「not_streets」只能选一个", "not_streets")
        types = node.get("types", sorted(COMMUNITY_TYPES))
        types = [types] if isinstance(types, str) else list(types)
        if not types or set(types) - COMMUNITY_TYPES:
            self.fail(node, f"「types」应为 {'/'.join(sorted(COMMUNITY_TYPES))} 中的一个或几个,现为「{types}」", "types")
        zones = node.get("zone", sorted(ZONES))
        zones = [zones] if isinstance(zones, str) else list(zones)
        if not zones or set(zones) - ZONES:
            self.fail(node, f"「zone」应为 {'/'.join(sorted(ZONES))} 中的一个或几个,现为「{zones}」", "zone")
        return {"level": level, "area": areas, "streets": streets, "not_streets": not_streets, "types": types,
                "zone": zones}

    def comparison(self, node: LineDict) -> dict:
        """{op, value} or {op: between, min, max}: what a value must satisfy."""
        op = node.get("op")
        if op not in OPS:
            self.fail(node, f"「op」应为 {' '.join(sorted(OPS))} 之一,现为「{op}」", "op")
        if op == "between":
            low, high = self.number(node, "min", minimum=None), self.number(node, "max", minimum=None)
            if high < low:
                self.fail(node, f"「max」({high})不能小于「min」({low})", "max")
            return {"op": op, "min": low, "max": high, "value": None}
        return {"op": op, "value": self.number(node, "value", minimum=None)}

    def tiers(self, parent: LineDict, key: str, value_key: str | None, parse=None) -> list[dict]:
        """Half-open bands [from, to): sorted, no gap, no overlap; the last may be open.
        Each band carries `value_key` (a number) or whatever `parse(row)` returns."""
        rows = self.sequence(parent, key, required=True)
        if not rows:
            self.fail(parent, f"「{key}」不能为空", key)
        bands = []
        for i, row in enumerate(rows):
            row = self.mapping(row, f"「{key}」第 {i + 1} 档")
            low = self.number(row, "from", minimum=None)
            high = self.number(row, "to", required=False, minimum=None)
            extra = parse(row) if parse else {value_key: self.number(row, value_key)}
            if high is not None and high <= low:
                self.fail(row, f"第 {i + 1} 档的 to({high})应大于 from({low})", "to")
            if bands:
                previous = bands[-1]
                if previous["to"] is None:
                    self.fail(row, f"第 {i} 档没有上限,其后不能再有档位", "from")
                if low > previous["to"]:
                    self.fail(row, f"档位有空缺:{previous['to']} 到 {low} 之间不属于任何一档", "from")
                if low < previous["to"]:
                    self.fail(row, f"档位重叠:第 {i + 1} 档从 {low} 开始,但上一档到 {previous['to']} 为止", "from")
            bands.append({"from": low, "to": high, **extra})
        return bands


# Parsed packs by path, with the text they came from: pages load packs on every
# request, and reading a file is cheap where parsing and checking it is not.
_parsed: dict[Path, tuple[str, Pack]] = {}


def load_pack(path: Path | str) -> Pack:
    """The pack in `path`, checked; the same object again while the file is unchanged
    (callers treat packs as read-only)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError(f"{path}: 无法读取({exc.strerror})") from None
    cached = _parsed.get(path)
    if cached is not None and cached[0] == text:
        return cached[1]
    pack = _parse(path, text)
    _parsed[path] = (text, pack)
    return pack


def _parse(path: Path, text: str) -> Pack:
    try:
        loader = _Loader(text)
        loader.name = str(path)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PackError(f"{path}:{mark.line + 1 if mark else 0}: YAML 格式错误:{exc.problem}") from None
    check = _Checker(path)
    data = check.mapping(data, "政策包")
    if data.get("format") != FORMAT:
        check.fail(data, f"「format」应为 {FORMAT}", "format")
    pack_id = check.text(data, "id")
    if pack_id != path.stem:
        check.fail(data, f"「id」({pack_id})应与文件名({path.stem})一致", "id")
    source = check.mapping(data.get("source"), "「source」") if "source" in data else check.fail(data, "缺少「source」")
    for key in ("document", "locality"):
        check.text(source, key)
    check.number(source, "year", minimum=1949)
    pack = Pack(id=pack_id, title=check.text(data, "title"), source=dict(source), path=path, text=text)

    pack.no_veto = check.text(data, "no_veto", required=False)
    for node in check.sequence(data, "readings"):
        node = check.mapping(node, "「readings」条目")
        own = node.get("own", False)
        if not isinstance(own, bool):
            check.fail(node, "「own」应为 true(内容由本包自定,文件没有写)或 false", "own")
        pack.readings.append({"rule": check.rule(node), "clause": check.text(node, "clause"),
                              "reading": check.text(node, "reading"), "own": own})

    seen = set()
    for node in check.sequence(data, "indicators"):
        node = check.mapping(node, "「indicators」条目")
        indicator_id = check.text(node, "id")
        if indicator_id in seen:
            check.fail(node, f"指标「{indicator_id}」重复", "id")
        seen.add(indicator_id)
        metric = check.text(node, "metric")
        if metric not in METRICS:
            check.fail(node, f"未知的指标数据「{metric}」(可用的见各模块 metrics.py 注册的指标)", "metric")
        compare = check.mapping(node.get("compare"), "「compare」") if "compare" in node else \
            check.fail(node, "缺少「compare」")
        if "by" in compare:
            # the threshold depends on the community's size: a tier table over another metric
            by = check.text(compare, "by")
            if by not in METRICS:
                check.fail(compare, f"未知的指标数据「{by}」(可用的见各模块 metrics.py 注册的指标)", "by")
            bands = check.tiers(compare, "tiers", None, parse=check.comparison)
            threshold = {"op": "tiers", "value": None, "by": by, "bands": bands}
        else:
            threshold = check.comparison(compare)
        applies_to = check.applies_to(node)
        window = None
        if "window" in node:
            # part of the year only (e.g. 年初 / 年末): a period metric counts what happened in these months
            if not METRICS[metric].period:
                check.fail(node, f"「window」只适用于按年度统计的指标数据,「{metric}」不是", "window")
            w = check.mapping(node["window"], "「window」")
            first, last = check.number(w, "from", minimum=1), check.number(w, "to", minimum=1)
            if not (isinstance(first, int) and isinstance(last, int) and first <= last <= 12):
                check.fail(w, "「window」应为月份 from—to(1—12 的整数,from 不大于 to)", "from")
            window = (first, last)
        # no value (无数据) fails the indicator and keeps its weight, unless the pack says a community with
        # no value is not judged by it (P-GOV-3: no matter that needs the government, nothing to hear)
        no_value = node.get("no_value", "fails")
        if no_value not in ("fails", "not_applicable"):
            check.fail(node, "「no_value」应为 fails(无数据算未达标,默认)或 not_applicable(无数据的社区不适用)",
                       "no_value")
        if METRICS[metric].level == "street" and applies_to["level"] == "community":
            check.fail(node, f"指标数据「{metric}」按街道(镇)计算,「applies_to」应写 level: street", "metric")
        pack.indicators.append({
            "id": indicator_id, "rule": check.rule(node), "title": check.text(node, "title"), "metric": metric,
            "min": None, "max": None, **threshold, "applies_to": applies_to,
            "weight": check.number(node, "weight"), "clause": check.text(node, "clause", required=False),
            "window": window, "no_value": no_value})

    grading = data.get("grading")
    if grading is not None:
        grading = check.mapping(grading, "「grading」")
        for grade in ("示范", "合格"):
            level = grading.get(grade)
            if level is None:
                check.fail(grading, f"「grading」缺少「{grade}」")
            level = check.mapping(level, f"「{grade}」")
            required = [str(r) for r in level.get("require", [])]
            for r in required:
                if r not in seen:
                    check.fail(level, f"「require」中的指标「{r}」不存在", "require")
            pack.grading[grade] = {"min_score": check.number(level, "min_score"), "require": required}
        if pack.grading["示范"]["min_score"] < pack.grading["合格"]["min_score"]:
            check.fail(grading, "「示范」的 min_score 不能低于「合格」", "示范")

    funding_ids = set()
    for node in check.sequence(data, "funding"):
        node = check.mapping(node, "「funding」条目")
        rule_id = check.text(node, "id")
        if rule_id in funding_ids:
            check.fail(node, f"经费规则「{rule_id}」重复", "id")
        funding_ids.add(rule_id)
        kind = node.get("kind", "annual")
        if kind not in ("annual", "one_off"):
            check.fail(node, "「kind」应为 annual(每年)或 one_off(一次性)", "kind")
        ways = [k for k in ("amount", "per_100_households", "tiers", "per_post") if k in node]
        if len(ways) != 1:
            check.fail(node, "经费规则须有且只有一种算法:amount、per_100_households、tiers 或 per_post", "id")
        entry = {"id": rule_id, "rule": check.rule(node), "title": check.text(node, "title"), "kind": kind,
                 "applies_to": check.applies_to(node), "condition": check.text(node, "condition", required=False),
                 "clause": check.text(node, "clause", required=False)}
        if ways[0] == "amount":
            entry["amount"] = check.number(node, "amount")
        elif ways[0] == "per_100_households":
            entry["per_100_households"] = check.number(node, "per_100_households")
            pro_rata = node.get("pro_rata", True)
            if not isinstance(pro_rata, bool):
                check.fail(node, "「pro_rata」应为 true 或 false", "pro_rata")
            entry["pro_rata"] = pro_rata
        elif ways[0] == "per_post":
            # pay per person by post, a year each (P-FUND-4): counted from the worker ledger
            posts = check.mapping(node["per_post"], "「per_post」")
            for post in posts:
                if post not in POSTS:
                    check.fail(posts, f"「per_post」的岗位应为 {'/'.join(POSTS)},现为「{post}」", post)
                check.number(posts, post)
            entry["per_post"] = dict(posts)
        else:
            entry["tiers"] = check.tiers(node, "tiers", "amount")
        for key in ("shares", "new_community_shares"):
            shares = node.get(key)
            if shares is None:
                continue
            shares = check.mapping(shares, f"「{key}」")
            for payer in shares:
                check.number(shares, payer)
            if abs(sum(shares.values()) - 1) > 1e-9:
                check.fail(shares, f"「{key}」各方比例之和应为 1", None)
            entry[key] = dict(shares)
        pack.funding.append(entry)

    for node in check.sequence(data, "targets"):
        pack.targets.append(_target(check, check.mapping(node, "「targets」条目"), pack))

    for node in check.sequence(data, "unverifiable"):
        node = check.mapping(node, "「unverifiable」条目")
        needs = node.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        if not isinstance(needs, list) or not all(isinstance(n, str) and n.strip() for n in needs):
            check.fail(node, "「needs」应为所需数据名称的列表(如 [听证会记录])", "needs")
        pack.unverifiable.append({"rule": check.rule(node), "why": check.text(node, "why"), "needs": list(needs)})

    if "worker_review" in data:
        pack.worker_review = _worker_review(check, data, pack_id)
    if "cadre_review" in data:
        pack.cadre_review = _cadre_review(check, data, pack_id)

    if pack.no_veto:
        # P-DUTY-4: a required indicator decides a grade alone, a de facto 一票否决, unless a reading says why not
        explained = any(r["rule"] == "P-DUTY-4" for r in pack.readings)
        for grade, level in pack.grading.items():
            if level["require"] and not explained:
                pack.warnings.append(
                    f"文件取消了“一票否决”({pack.no_veto}),但「{grade}」要求「{'」「'.join(level['require'])}」"
                    f"必须达标:一项不达标就定不了这一等级。请去掉要求,或在 P-DUTY-4 的解读中说明为何不是一票否决。")
    return pack


def _worker_review(check: _Checker, data: LineDict, pack_id: str) -> dict:
    """`worker_review: {residents, street, min_responses}`: the weights of the community-worker yearly
    review (P-EVAL-3, 000 六(三)). Residents' satisfaction is the main weight: `residents` > 0.5."""
    node = check.mapping(data["worker_review"], "「worker_review」")
    for key in node:
        if key not in ("residents", "street", "min_responses"):
            check.fail(node, f"「worker_review」不认识「{key}」(可用:residents、street、min_responses)", key)
    residents = check.number(node, "residents")
    street = check.number(node, "street")
    if residents <= 0.5 or residents > 1:
        check.fail(node, f"政策包「{pack_id}」的「worker_review.residents」为 {residents}:群众满意度须占主要权重,"
                         f"应大于 0.5、不超过 1(P-EVAL-3)/ pack {pack_id}: worker_review.residents must be "
                         f"> 0.5 and <= 1 (residents' satisfaction is the main weight)", "residents")
    if abs(residents + street - 1) > 1e-9:
        check.fail(node, f"政策包「{pack_id}」的「worker_review」residents({residents})与 street({street})之和应为 1"
                         f" / pack {pack_id}: worker_review.residents + street must be 1", "street")
    minimum = node.get("min_responses", 10)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        check.fail(node, f"政策包「{pack_id}」的「worker_review.min_responses」应为正整数,现为「{minimum}」"
                         f" / pack {pack_id}: worker_review.min_responses must be a positive integer", "min_responses")
    return {"residents": residents, "street": street, "min_responses": minimum}


CADRE_VERDICTS = ("satisfied", "basic")  # what may count as approval (不满意 never does)


def _cadre_review(check: _Checker, data: LineDict, pack_id: str) -> dict:
    """`cadre_review: {approval, flag_at_most, activist_at_most}`: which verdicts of the village cadres'
    democratic review count as approval (满意 always, 基本满意 if listed), the approval (%) at or under which
    a cadre is flagged to the town, and the approval (%) at or under which a party-activist candidate is
    refused (P-GOV-10, “不超过60%”). Read by gongzhi.cadres through standards.cadre_rules."""
    node = check.mapping(data["cadre_review"], "「cadre_review」")
    for key in node:
        if key not in ("approval", "flag_at_most", "activist_at_most"):
            check.fail(node, f"「cadre_review」不认识「{key}」(可用:approval、flag_at_most、activist_at_most)", key)
    approval = check.sequence(node, "approval", required=True)
    if not approval or any(v not in CADRE_VERDICTS for v in approval) or "satisfied" not in approval \
            or len(set(approval)) != len(approval):
        check.fail(node, f"政策包「{pack_id}」的「cadre_review.approval」应列出计入满意率的评议意见:satisfied(满意,"
                         f"必须有)和可选的 basic(基本满意),现为「{list(approval)}」", "approval")
    lines = {}
    for key in ("flag_at_most", "activist_at_most"):
        value = check.number(node, key)
        if value > 100:
            check.fail(node, f"政策包「{pack_id}」的「cadre_review.{key}」是百分比,应在 0—100 之间,现为 {value}", key)
        lines[key] = value
    return {"approval": list(approval), **lines}


def _target(check: _Checker, node: LineDict, pack: Pack) -> dict:
    """A district/street target: `indicator` (or `indicators`, all of which a community must meet),
    `share_min`, and `over` (communities: the share of communities that meet it; scope: one figure,
    sum of numerators ÷ sum of denominators × scale, against the indicator's own standard)."""
    ids = [i["id"] for i in pack.indicators]
    if ("indicator" in node) == ("indicators" in node):
        check.fail(node, "目标须有且只有「indicator」或「indicators」之一", "indicator")
    if "indicator" in node:
        of = [check.text(node, "indicator")]
    else:
        of = [str(i) for i in check.sequence(node, "indicators", required=True)]
        if not of:
            check.fail(node, "「indicators」不能为空", "indicators")
    for i in of:
        if i not in ids:
            check.fail(node, f"目标引用的指标「{i}」不存在", "indicator" if "indicator" in node else "indicators")
    over = node.get("over", "communities")
    if over not in TARGET_OVER:
        check.fail(node, "「over」应为 communities(达标社区的比例)或 scope(全范围合计)", "over")
    target = {"rule": check.rule(node), "title": check.text(node, "title"), "indicator": of[0], "indicators": of,
              "over": over, "applies_to": check.applies_to(node), "share_min": None, "pooled": None}
    if over == "communities":
        target["share_min"] = check.number(node, "share_min")
        return target
    if len(of) != 1:
        check.fail(node, "全范围合计(over: scope)只能引用一个指标", "indicators")
    indicator = pack.indicator(of[0])
    if indicator["op"] == "tiers":
        check.fail(node, "全范围合计不能用于按规模分档的指标", "indicator")
    parts = {}
    for key in ("numerator", "denominator"):
        name = check.text(node, key)
        if name not in METRICS:
            check.fail(node, f"未知的指标数据「{name}」(可用的见各模块 metrics.py 注册的指标)", key)
        parts[key] = name
    parts["scale"] = check.number(node, "scale", minimum=0)
    target["pooled"] = parts
    return target


def pack_path(pack_id: str) -> Path:
    path = PACK_DIR / f"{pack_id}.yaml"
    # A name too long for the file system is no pack either (it would fail the look-up itself).
    if not re.fullmatch(r"[a-z0-9-]{1,100}", pack_id or "") or not path.exists():
        known = ", ".join(sorted(p.stem for p in PACK_DIR.glob("*.yaml")))
        raise PackError(f"没有政策包「{(pack_id or '')[:100]}」(已有:{known})")
    return path


def load(pack_id: str) -> Pack:
    return load_pack(pack_path(pack_id))


# Packs that runs kept, parsed once per content.
_kept: dict[str, Pack] = {}


def from_text(text: str, name: str) -> Pack:
    """A pack parsed from kept text (`name` stands in for the file in error messages)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest not in _kept:
        _kept[digest] = _parse(Path(name), text)
    return _kept[digest]


def current_sha256(pack_id: str) -> str | None:
    """The hash of the pack file as it is now; None when it is gone or unreadable."""
    try:
        return load(pack_id).sha256
    except PackError:
        return None
