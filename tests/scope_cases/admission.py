"""Admission's share of the scope matrix: community B's admission request (filed by a department
post at street B), its document, and a data request asked of community B."""
import datetime as dt

ENDPOINTS = {
    "admission:request": ("GET", lambda w: f"/duties/requests/{w.adm_request_b.pk}/"),
    "admission:request_decide": ("POST", lambda w: f"/duties/requests/{w.adm_request_b.pk}/decide/"),
    "admission:request_withdraw": ("POST", lambda w: f"/duties/requests/{w.adm_request_b.pk}/withdraw/"),
    "admission:request_document": ("GET", lambda w: f"/duties/requests/{w.adm_request_b.pk}/documents/"
                                                    f"{w.adm_request_b.documents.get().pk}/"),
    "admission:data": ("GET", lambda w: f"/duties/data/{w.adm_data_b.pk}/"),
    "admission:data_answer": ("POST", lambda w: f"/duties/data/{w.adm_data_b.pk}/answer/"),
    "admission:data_void": ("POST", lambda w: f"/duties/data/{w.adm_data_b.pk}/void/"),
    "admission:demand": ("GET", lambda w: f"/duties/demands/{w.adm_demand_b.pk}/"),
    "admission:demand_clear": ("POST", lambda w: f"/duties/demands/{w.adm_demand_b.pk}/clear/"),
    "admission:report": ("GET", lambda w: f"/duties/reports/{w.adm_report_b.pk}/"),
    "admission:report_handle": ("POST", lambda w: f"/duties/reports/{w.adm_report_b.pk}/handle/"),
    # the admin's: every other role is refused
    "admission:rules": ("POST", lambda w: "/duties/rules/"),
    "admission:item_new": ("POST", lambda w: "/duties/items/new/"),
    "admission:item_edit": ("POST", lambda w: f"/duties/items/{w.adm_item.pk}/edit/"),
    "admission:item_void": ("POST", lambda w: f"/duties/items/{w.adm_item.pk}/void/"),
    "admission:categories": ("POST", lambda w: "/duties/categories/"),
    "admission:basis_void": ("POST", lambda w: f"/duties/categories/{w.adm_basis.pk}/void/"),
    "admission:certificate": ("GET", lambda w: f"/duties/certificates/{w.adm_cert_b.pk}/"),
    "admission:certificate_pdf": ("GET", lambda w: f"/duties/certificates/{w.adm_cert_b.pk}/certificate.pdf"),
    "admission:certificate_void": ("POST", lambda w: f"/duties/certificates/{w.adm_cert_b.pk}/void/"),
    "admission:contract": ("GET", lambda w: f"/duties/contracts/{w.adm_contract_b.pk}/"),
    "admission:contract_accept": ("POST", lambda w: f"/duties/contracts/{w.adm_contract_b.pk}/accept/"),
    "admission:contract_void": ("POST", lambda w: f"/duties/contracts/{w.adm_contract_b.pk}/void/"),
    "admission:evaluation_open": ("POST", lambda w: "/duties/evaluation/open/"),
    "admission:evaluation_rate": ("POST", lambda w: "/duties/evaluation/rate/"),
    "admission:certificate_kinds": ("POST", lambda w: "/duties/certificates/kinds/"),
    "admission:certificate_kind_void": ("POST", lambda w: f"/duties/certificates/kinds/{w.adm_cert_b.kind_id}/void/"),
}
LISTS = {
    "admission:home": "/duties/",
    "admission:requests": "/duties/requests/",
    "admission:data_requests": "/duties/data/",
    # the forms offer only the communities under the caller's own post
    "admission:request_new": "/duties/requests/new/",
    "admission:data_new": "/duties/data/new/",
    "admission:certificates": "/duties/certificates/",
    "admission:contracts": "/duties/contracts/",
    "admission:burden": "/duties/burden/",
    "admission:evaluation": "/duties/evaluation/",
    "admission:contract_new": "/duties/contracts/new/",
    "admission:demands": "/duties/demands/?cleared=1",
    "admission:demand_new": "/duties/demands/new/",
    "admission:reports": "/duties/reports/",
    "admission:report_new": "/duties/reports/new/",
}
OTHER = {
    # the district's lists are public by design (tests/admission/test_lists.py::test_public_page_…)
    "admission:item", "admission:public_lists", "admission:public_list",
    # public, shows no personal data (tests/admission/test_certificates.py::test_public_verification_…)
    "admission:verify",
}
BODY = {"decision": "refuse", "kind_name": "居住证明", "household_number": "HB1", "purpose": "篡改", "allowed": "yes", "passed": "yes", "direction": "s2c", "q0": "5", "q1": "5", "q2": "5", "q3": "5", "opens_on": "2026-01-01", "closes_on": "2026-12-31", "provider": "篡改", "price_yuan": "1", "category_code": "sanitation", "reason": "篡改", "outcome": "unfounded", "response": "篡改", "rules_id": "zhuhai-2010", "v_0": "7",
        "kind": "duty", "legal_basis": "篡改", "department": "篡改", "community_does": "篡改"}


def build(w):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.admission import services
    from tests.factories import user
    services.rules_choose(locality=w.district, rules_id="yixing-2019", by=w.admin)
    w.adm_item = services.item_add(locality=w.district, by=w.admin, kind="assist", takeup="", title="协助社会救助",
                                   legal_basis="社会救助暂行办法", department="民政局", community_does="协助受理",
                                   funding_yuan="1000", funding_note="", hours_per_year="")
    w.adm_basis = services.basis_set(category_code="dispute", item=w.adm_item, by=w.admin)
    dept_b = user("adm_dept_b", "department", w.street_b)
    RoleAssignment.objects.filter(user=dept_b).update(department="城管局")
    post = RoleAssignment.objects.get(user=dept_b)
    w.adm_request_b = services.request_file(
        by=dept_b, post=post, kind="assist", title="王五楼道巡查", reason="王五反映楼道堆物",
        legal_basis="消防法", community_does="王五所在楼栋每周巡查", frequency="monthly",
        hours_per_community_year=10, funding_yuan=100, communities=[w.comm_b],
        files=[SimpleUploadedFile("王五.pdf", b"%PDF-1.4 x")])
    street_b_officer = user("adm_street_b", "street", w.street_b)
    w.adm_data_b = services.data_request_create(
        by=dept_b, post=post, item=w.adm_item, title="王五所在社区低保情况",
        fields=[{"label": "", "metric": "residents"}, {"label": "王五家庭人数", "metric": ""}],
        due_on=timezone.localdate() + dt.timedelta(days=5), communities=[w.comm_b])
    from gongzhi.admission import demands
    w.adm_demand_b = demands.demand_register(
        by=street_b_officer, post=RoleAssignment.objects.get(user=street_b_officer), kind="meeting",
        title="王五楼栋议事会", item=w.adm_item, frequency="monthly", hours_per_community_year=6,
        communities=[w.comm_b], starts_on=timezone.localdate(), note="王五家门口")
    w.adm_report_b = demands.report_file(
        by=w.community_worker_b, post=RoleAssignment.objects.get(user=w.community_worker_b), department="城管局",
        kind="ledger", title="王五门前三包台账", details="王五反映每天拍照", demanded_on=timezone.localdate())
    from gongzhi.admission import certificates
    certificates.kind_add(locality=w.district, name="居住证明", allowed=True)
    w.adm_cert_b = certificates.issue(community=w.comm_b, kind_name="居住证明", household_number=w.hh_b1.number,
                                      name="王五", purpose="王五办理入学", by=w.community_worker_b)
    street_b = street_b_officer
    w.adm_contract_b = services.contract_create(
        by=street_b, post=RoleAssignment.objects.get(user=street_b), community=w.comm_b, title="王五助餐服务",
        provider="南岳社区居委会", price_yuan=100, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
        deliverables="王五家送餐")
    from gongzhi.admission import evaluation
    today = timezone.localdate()
    evaluation.round_open(locality=w.district, year=today.year, opens_on=today, closes_on=today, by=w.admin)
    evaluation.evaluate(post=RoleAssignment.objects.get(user=w.community_worker_b), year=today.year,
                        direction="c2d", target_place=None, target_department="民政局", scores=[5, 5, 5],
                        comment="王五所在社区的意见", by=w.community_worker_b)


def snapshot():
    from gongzhi.admission.models import (
        AdmissionRequest, AdmissionStep, CategoryBasis, Certificate, CertificateKind, DataAnswer, DataRequest,
        Demand, Evaluation, EvaluationRound, ListItem, LocalityRules, OffListReport, ServiceContract,
    )
    return (list(AdmissionRequest.objects.order_by("pk").values_list("pk", "state", "stage", "version")),
            AdmissionStep.objects.count(),
            list(ListItem.objects.order_by("pk").values_list("pk", "version", "voided", "title")),
            list(CategoryBasis.objects.order_by("pk").values_list("pk", "voided")),
            list(DataRequest.objects.order_by("pk").values_list("pk", "state")),
            list(DataAnswer.objects.order_by("pk").values_list("pk", "submitted", "values")),
            list(LocalityRules.objects.order_by("pk").values_list("pk", "rules_id")),
            list(Certificate.objects.order_by("pk").values_list("pk", "voided")),
            list(CertificateKind.objects.order_by("pk").values_list("pk", "voided")),
            list(ServiceContract.objects.order_by("pk").values_list("pk", "state")),
            list(Evaluation.objects.order_by("pk").values_list("pk", "score")),
            list(EvaluationRound.objects.order_by("pk").values_list("pk", "year")),
            list(Demand.objects.order_by("pk").values_list("pk", "cleared", "version")),
            list(OffListReport.objects.order_by("pk").values_list("pk", "state", "version")))
