"""Certificate pages: the community's issue form and list, one certificate and its PDF, voiding,
the admin's list of kinds, and the public verification page."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import Role
from gongzhi.admission import certificates, selectors
from gongzhi.admission.manifest import ISSUE_CERTIFICATES, KEEP_DUTIES
from gongzhi.admission.models import CertificateKind
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import public, requires
from gongzhi.core.templatetags.gongzhi_print import PLATFORM, printing_unit

NOT_FOUND = selectors.NOT_FOUND


def _communities(scope):
    return [a.place for a in scope.assignments if a.role == Role.COMMUNITY]


@requires(ISSUE_CERTIFICATES)
def certificate_list(request):
    communities = _communities(request.scope)
    community = next((c for c in communities if c.code == (request.POST.get("community") or "")), communities[0])
    locality = selectors.district_of(community)
    error, status = "", 200
    if request.method == "POST":
        try:
            cert = certificates.issue(community=community, kind_name=request.POST.get("kind_name", ""),
                                      household_number=request.POST.get("household_number", ""),
                                      name=request.POST.get("name", ""), purpose=request.POST.get("purpose", ""),
                                      by=request.user)
        except RuleError as exc:
            error, status = str(exc), 422
        else:
            messages.success(request, f"已出具证明 {cert.number}")
            return redirect("admission:certificate", cert.pk)
    kinds = list(selectors.certificate_kinds(locality))
    return render(request, "admission/certificates.html", {
        "items": selectors.certificates_in(request.scope)[:100], "allowed": [k for k in kinds if k.allowed],
        "refused": [k for k in kinds if not k.allowed], "communities": communities, "community": community,
        "error": error, "posted": request.POST if error else {}}, status=status)


def _access(scope, pk):
    cert = selectors.certificates_in(scope).filter(pk=pk).first()
    if cert is None:
        raise Http404(NOT_FOUND)
    return cert


@requires(ISSUE_CERTIFICATES)
def certificate_detail(request, pk):
    cert = _access(request.scope, pk)
    return render(request, "admission/certificate.html", {"cert": cert})


@requires(ISSUE_CERTIFICATES)
def certificate_pdf(request, pk):
    from weasyprint import HTML
    cert = _access(request.scope, pk)
    html = render_to_string("admission/certificate_print.html", {
        "cert": cert, "platform": PLATFORM, "unit": printing_unit(request.scope), "printed_at": timezone.localtime(),
        "verify_url": request.build_absolute_uri("/duties/verify/")})
    access_log_write(user=request.user, action=AccessAction.EXPORT, target=f"社区证明 {cert.number}",
                     detail=f"证明 PDF({cert.kind.name})", request=request)
    return HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf", headers={
        "Content-Disposition": content_disposition_header(True, f"证明-{cert.number}.pdf")})


@requires(ISSUE_CERTIFICATES)
@require_POST
def certificate_void(request, pk):
    cert = _access(request.scope, pk)
    try:
        certificates.void(certificate=cert, reason=request.POST.get("reason", ""), by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "证明已作废,核验页面将显示“已作废”")
    return redirect("admission:certificate", cert.pk)


@requires(KEEP_DUTIES)
def certificate_kinds(request):
    locality = selectors.localities(request.scope)[0]
    error, status = "", 200
    if request.method == "POST":
        try:
            certificates.kind_add(locality=locality, name=request.POST.get("name", ""),
                                  allowed=request.POST.get("allowed") == "yes",
                                  legal_basis=request.POST.get("legal_basis", ""),
                                  refuse_reason=request.POST.get("refuse_reason", ""),
                                  instead_office=request.POST.get("instead_office", ""),
                                  template=request.POST.get("template", ""))
        except RuleError as exc:
            error, status = str(exc), 422
        else:
            messages.success(request, "已加入证明目录")
            return redirect("admission:certificate_kinds")
    kinds = CertificateKind.objects.filter(locality=locality).order_by("voided", "-allowed", "name")
    return render(request, "admission/certificate_kinds.html", {"kinds": kinds, "locality": locality,
                                                                 "error": error}, status=status)


@requires(KEEP_DUTIES)
@require_POST
def certificate_kind_void(request, pk):
    kind = CertificateKind.objects.filter(pk=pk, locality__in=selectors.localities(request.scope)).first()
    if kind is None:
        raise Http404(NOT_FOUND)
    try:
        certificates.kind_void(kind=kind, reason=request.POST.get("reason", ""))
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已从目录中作废")
    return redirect("admission:certificate_kinds")


@public
def verify(request):
    code = certificates.normalise_code(request.GET.get("code", ""))
    name = (request.GET.get("name") or "")[:40]
    result = certificates.verify(code, name) if code else None
    return render(request, "admission/verify.html", {"code": code, "name": name, "result": result,
                                                     "asked": bool(code)})
