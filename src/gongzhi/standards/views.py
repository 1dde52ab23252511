"""The pack viewer: every rule of a locality's pack with its source clause and
the readings it takes, and the funding calculator for a planned community."""
from django.http import Http404
from django.shortcuts import render

from gongzhi.core.permissions import require_staff
from gongzhi.standards import funding, packs
from gongzhi.standards.metrics import METRICS

OP_LABELS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}


@require_staff
def pack_list(request):
    rows = [packs.load_pack(p) for p in sorted(packs.PACK_DIR.glob("*.yaml"))]
    return render(request, "standards/pack_list.html", {"packs": rows})


@require_staff
def pack_detail(request, pack_id):
    try:
        pack = packs.load(pack_id)
    except packs.PackError:
        raise Http404("没有这个政策包") from None
    indicators = [{**i, "metric_title": METRICS[i["metric"]].title, "unit": METRICS[i["metric"]].unit,
                   "op_label": OP_LABELS[i["op"]]} for i in pack.indicators]
    result, error = None, None
    if request.GET.get("households"):
        try:
            households = int(request.GET["households"])
            result = funding.funding_for(pack, funding.Community(households, request.GET.get("area", "urban"),
                                                                 request.GET.get("street", "").strip()))
        except ValueError as exc:
            error = funding.ERR_HOUSEHOLDS if "invalid literal" in str(exc) else str(exc)
    return render(request, "standards/pack_detail.html", {
        "pack": pack, "indicators": indicators, "result": result, "error": error, "q": request.GET},
        status=400 if error else 200)
