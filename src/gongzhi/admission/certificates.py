"""Community certificates (社区证明, P-DUTY-5): the locality's list of what a community may certify;
anything else is refused with the reason and the office that issues it instead. A certificate is
issued from the registry (the resident is found in the caller's community, never typed), numbered
per community and year, and carries a random verification code anyone can check on a public page.

The public check shows what the paper already shows the checker (kind, community, number, date,
valid or voided) and never the holder's name or address; the checker may type the name printed on
the paper and is told only whether it matches."""
from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.admission.models import Certificate, CertificateKind
from gongzhi.admission.services import clean_text
from gongzhi.core.errors import RuleError
from gongzhi.people.models import PersonStatus

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 12  # 60 bits: not guessable by trying

ERR_KIND_REFUSED = "社区不出具「{name}」:{reason}。请到{office}办理"
ERR_KIND_UNKNOWN = ("「{name}」不在本地区社区可出具的证明目录中,社区不予出具"
                    "(清理规范要求社区出具的各类证明,004 §3(一))")
ERR_KIND_NAME = "请选择或填写证明名称"
ERR_RESIDENT = "在本社区的在册居民中找不到户号 {number} 的「{name}」,请核对"
ERR_PURPOSE = "请填写证明用途"
ERR_KIND_EXISTS = "目录中已有「{name}」"
ERR_KIND_REFUSE_FIELDS = "不予出具的证明须写明理由和应由何处出具"
ERR_VOID_REASON = "作废须写明理由"
ERR_VOIDED = "该证明已作废"


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:32]


def kind_for(locality, name: str) -> CertificateKind:
    """The kind a community may issue, or RuleError saying why not and where to go instead."""
    name = (name or "").strip()
    if not name:
        raise RuleError(ERR_KIND_NAME)
    kind = CertificateKind.objects.filter(locality=locality, name=name, voided=False).first()
    if kind is None:
        raise RuleError(ERR_KIND_UNKNOWN.format(name=name[:60]))
    if not kind.allowed:
        raise RuleError(ERR_KIND_REFUSED.format(name=kind.name, reason=kind.refuse_reason, office=kind.instead_office))
    return kind


@transaction.atomic
def kind_add(*, locality, name: str, allowed: bool, legal_basis: str = "", refuse_reason: str = "",
             instead_office: str = "", template: str = "") -> CertificateKind:
    name = clean_text(name, "证明名称", limit=60)
    if CertificateKind.objects.filter(locality=locality, name=name).exists():
        raise RuleError(ERR_KIND_EXISTS.format(name=name))
    refuse_reason = clean_text(refuse_reason, "不予出具的理由", limit=300, required=False)
    instead_office = clean_text(instead_office, "应由何处出具", limit=100, required=False)
    if not allowed and not (refuse_reason and instead_office):
        raise RuleError(ERR_KIND_REFUSE_FIELDS)
    template = clean_text(template, "证明正文", limit=1000, required=False) or \
        "兹证明{姓名}系本社区在册居民,现居住于{住址}。"
    return CertificateKind.objects.create(
        locality=locality, name=name, allowed=allowed, legal_basis=clean_text(legal_basis, "依据", limit=300,
                                                                             required=False),
        refuse_reason=refuse_reason, instead_office=instead_office, template=template if allowed else "")


@transaction.atomic
def kind_void(*, kind: CertificateKind, reason: str) -> CertificateKind:
    kind = CertificateKind.objects.select_for_update().get(pk=kind.pk)
    if kind.voided:
        raise RuleError(ERR_VOIDED)
    if not (reason or "").strip():
        raise RuleError(ERR_VOID_REASON)
    kind.voided, kind.void_reason = True, clean_text(reason, "作废理由", limit=300)
    kind.save()
    return kind


def find_resident(community, *, household_number: str, name: str):
    from gongzhi.people.models import Resident
    resident = Resident.objects.select_related("household", "dwelling", "community").filter(
        community=community, status=PersonStatus.ACTIVE, name=(name or "").strip(),
        household__number=(household_number or "").strip()).first()
    if resident is None:
        raise RuleError(ERR_RESIDENT.format(number=(household_number or "").strip()[:20] or "(未填)",
                                            name=(name or "").strip()[:20] or "(未填)"))
    return resident


def _text(kind, resident, community) -> str:
    address = getattr(getattr(resident, "dwelling", None), "address", "") or \
        getattr(getattr(resident.household, "dwelling", None), "address", "") or community.name
    return (kind.template.replace("{姓名}", resident.name).replace("{社区}", community.name)
            .replace("{住址}", address))


@transaction.atomic
def issue(*, community, kind_name: str, household_number: str, name: str, purpose: str, by,
          now=None) -> Certificate:
    from gongzhi.admission.selectors import district_of
    now = now or timezone.now()
    kind = kind_for(district_of(community), kind_name)
    resident = find_resident(community, household_number=household_number, name=name)
    purpose = clean_text(purpose, "证明用途", limit=100)
    year = timezone.localtime(now).year
    prefix = f"{community.code}-{year}-"
    last = Certificate.objects.filter(number__startswith=prefix).select_for_update().order_by("-number").first()
    seq = int(last.number.rsplit("-", 1)[1]) + 1 if last else 1
    for _ in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    kind=kind, community=community, resident=resident, number=f"{prefix}{seq:05d}", code=code_new(),
                    text=_text(kind, resident, community), purpose=purpose, issued_by=by, issued_at=now)
        except IntegrityError:  # a number taken by a concurrent issue, or (never in practice) a code
            seq += 1
    raise RuleError("证明编号生成失败,请重试")


@transaction.atomic
def void(*, certificate: Certificate, reason: str, by) -> Certificate:
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if cert.voided:
        raise RuleError(ERR_VOIDED)
    if not (reason or "").strip():
        raise RuleError(ERR_VOID_REASON)
    cert.voided, cert.void_reason = True, clean_text(reason, "作废理由", limit=300)
    cert._history_user = by
    cert.save()
    return cert


def verify(code: str, name: str = "") -> dict | None:
    """What the public check may say about `code`: None when no certificate has it."""
    cert = Certificate.objects.select_related("kind", "community", "resident").filter(
        code=normalise_code(code)).first()
    if cert is None:
        return None
    result = {"kind": cert.kind.name, "community": cert.community.name, "number": cert.number,
              "issued_on": timezone.localtime(cert.issued_at).date(), "voided": cert.voided,
              "name_checked": bool((name or "").strip())}
    if result["name_checked"]:
        result["name_matches"] = secrets.compare_digest(name.strip().encode(), cert.resident.name.encode())
    return result


DEMO_KINDS = [  # (name, allowed, basis or reason, office instead, template)
    ("居住证明", True, "城市居民委员会组织法第三条(二)", "", "兹证明{姓名}系{社区}在册居民,现居住于{住址}。"),
    ("参加社区志愿服务证明", True, "志愿服务条例第二十条", "", "兹证明{姓名}系{社区}在册居民,参加本社区志愿服务。"),
    ("亲属关系证明", False, "社区无法核实亲属关系,属公安机关户籍登记事项", "户籍所在地公安派出所", ""),
    ("无犯罪记录证明", False, "社区不掌握犯罪记录", "公安机关", ""),
    ("出生证明", False, "由助产医疗机构依法签发", "出生医院", ""),
    ("婚姻状况证明", False, "婚姻登记信息由民政部门婚姻登记机关掌握", "婚姻登记机关", ""),
    ("健在证明", False, "养老金资格认证通过数据比对和自助认证办理,不需社区证明", "社会保险经办机构", ""),
]


def demo(ctx, district, admin, communities, rng, now) -> int:
    """Certificate kinds of the demo district and a few certificates issued in the account community."""
    from gongzhi.accounts.models import Role, User
    from gongzhi.people.models import Resident
    for name, allowed, basis, office, template in DEMO_KINDS:
        kind_add(locality=district, name=name, allowed=allowed, legal_basis=basis if allowed else "",
                 refuse_reason="" if allowed else basis, instead_office=office, template=template)
    made = 0
    for community in communities[:2]:
        worker = User.objects.filter(assignments__role=Role.COMMUNITY, assignments__place=community).first() or admin
        people = list(Resident.objects.filter(community=community, status=PersonStatus.ACTIVE)
                      .select_related("household").order_by("pk")[:40])
        chosen = rng.sample(people, min(3, len(people)))
        for days, resident in zip(sorted(rng.sample(range(1, 60), len(chosen)), reverse=True), chosen):
            issue(community=community, kind_name=rng.choice(["居住证明", "参加社区志愿服务证明"]),
                  household_number=resident.household.number, name=resident.name,
                  purpose=rng.choice(["办理入学手续", "办理居住证", "申请公租房"]), by=worker,
                  now=now - dt.timedelta(days=days))
            made += 1
    return made
