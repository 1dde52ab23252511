"""The pack viewer: every rule of a locality's pack with its source clause and
the readings it takes, and the funding calculator for a planned community."""
from django.http import Http404
from django.shortcuts import render

from gongzhi.core.permissions import requires
from gongzhi.places.models import Level, Place
from gongzhi.standards import assess, funding, packs
from gongzhi.standards.manifest import VIEW_PACKS
from gongzhi.standards.metrics import METRICS


LEVELS = {"community": "社区(村)", "street": "街道(镇)", "district": "区(县)"}
AREAS = {"urban": "城市", "rural": "农村"}
TYPES = {"ordinary": "普通型", "unit": "单位型", "market_town": "集镇型"}
ZONES = {"central": "中心城区", "outer": "远城区", "unknown": "城区类别未登记"}


def applies_text(where: dict, *, level: bool = True) -> str:
    """Who a rule applies to, in words: 社区(村)· 城市 · 仅普通型."""
    parts = [LEVELS[where["level"]]] if level else []
    if len(where["area"]) == 1:
        parts.append(AREAS[where["area"][0]])
    elif not level:
        parts.append("城乡")
    if len(where["types"]) < len(TYPES):
        parts.append("仅" + "、".join(TYPES[t] for t in where["types"]))
    zones = where.get("zone", list(ZONES))
    if len(zones) < len(ZONES):
        parts.append("、".join(ZONES[z] for z in zones))
    if where["streets"]:
        parts.append("仅" + "、".join(where["streets"]))
    if where["not_streets"]:
        parts.append("不含" + "、".join(where["not_streets"]))
    return " · ".join(parts)


def standard_text(indicator: dict) -> str:
    """The comparison in words; a size-dependent one lists its bands."""
    unit = METRICS[indicator["metric"]].unit
    if indicator["op"] != "tiers":
        return f"{assess.threshold(indicator)[1]} {unit}"
    by = METRICS[indicator["by"]]
    bands = []
    for b in indicator["bands"]:
        span = f"{b['from']:g} {by.unit}以上" if b["to"] is None else f"{b['from']:g}—{b['to']:g}(不含){by.unit}"
        bands.append(f"{by.title} {span}:{assess.threshold({**b})[1]} {unit}")
    return ";".join(bands)


@requires(VIEW_PACKS)
def pack_list(request):
    rows = [packs.load_pack(p) for p in sorted(packs.PACK_DIR.glob("*.yaml"))]
    return render(request, "standards/pack_list.html", {"packs": rows})


@requires(VIEW_PACKS)
def pack_detail(request, pack_id):
    try:
        pack = packs.load(pack_id)
    except packs.PackError:
        raise Http404("没有这个政策包") from None
    return render_pack(request, pack)


def render_pack(request, pack, **extra):
    """The pack viewer for `pack` (today's file, or the version a run kept), with the funding calculator."""
    indicators = [{**i, "metric_title": METRICS[i["metric"]].title, "unit": METRICS[i["metric"]].unit,
                   "standard": standard_text(i), "applies": applies_text(i["applies_to"])
                   + (";无数据的社区不适用" if i.get("no_value") == "not_applicable" else ""),
                   "window_text": f"仅计 {i['window'][0]}—{i['window'][1]} 月" if i.get("window") else ""}
                  for i in pack.indicators]
    funding_rules = [{**f, "applies": applies_text(f["applies_to"], level=False)} for f in pack.funding]
    # a grade's required indicators by their titles, not their ids
    titles = {i["id"]: i["title"] for i in pack.indicators}
    grading = [{"grade": grade, "min_score": g["min_score"], "require": [titles.get(r, r) for r in g["require"]]}
               for grade, g in pack.grading.items()]
    result, error = None, None
    # the street is chosen from a list: the pack's own names, then the registry's streets
    known = list(Place.objects.filter(level=Level.STREET).order_by("code").values_list("name", flat=True))
    street_choices = list(dict.fromkeys(funding.pack_streets(pack) + known)) if funding.pack_streets(pack) else []
    per_post = any("per_post" in f for f in pack.funding)
    if request.GET.get("households"):
        try:
            households = _whole(request.GET["households"], funding.ERR_HOUSEHOLDS)
            posts = {p: _whole(request.GET.get(f"posts_{p}") or "0", funding.ERR_POSTS) for p in funding.POSTS} \
                if per_post else None
            result = funding.funding_for(pack, funding.Community(
                households, request.GET.get("area", "urban"), request.GET.get("street", "").strip(),
                new=request.GET.get("new") == "1", posts=posts), known_streets=known)
        except ValueError as exc:
            error = str(exc)
    return render(request, "standards/pack_detail.html", {
        "pack": pack, "indicators": indicators, "funding_rules": funding_rules, "grading": grading,
        "result": result, "error": error, "street_choices": street_choices, "per_post": per_post,
        "post_fields": [(p, funding.POST_TITLES[p], request.GET.get(f"posts_{p}", "")) for p in funding.POSTS],
        "has_new_rule": any(f.get("new_community_shares") for f in pack.funding),
        "q": request.GET, **extra}, status=400 if error else 200)


def _whole(text: str, message: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(message) from None
