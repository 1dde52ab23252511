"""Admission requests: the locality's procedure, decisions with reasons, approval into the list,
refusal seen by the department, bad input refused and nothing written."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.admission import services
from gongzhi.admission.models import AdmissionRequest, AdmissionStep, ListItem, RequestState
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.workorders.models import Notification


def _file(w, **kw):
    data = {"kind": "assist", "title": "协助开展独居老人探访", "reason": "独居老人安全风险高",
            "legal_basis": "老年人权益保障法", "community_does": "每月探访一次", "frequency": "monthly",
            "hours_per_community_year": "96", "funding_yuan": "6000", "all_communities": True}
    data.update(kw)
    return services.request_file(by=w.minzheng, **data)


def test_yixing_procedure_legal_review_then_standing_meeting_then_the_list(adm):
    req = _file(adm)
    assert req.state == RequestState.REVIEW and req.stage_label == "法制办审核" and req.stage_due
    assert req.stage_office == "市政府法制办"
    with pytest.raises(RuleError, match="不是最后一个环节"):
        services.request_decide(request=req, version=req.version, decision="approve", reason="", by=adm.admin)
    req = services.request_decide(request=req, version=req.version, decision="pass", reason="依据充分", by=adm.admin)
    assert req.stage_label == "常务会议研究"
    req = services.request_decide(request=req, version=req.version, decision="approve", reason="同意", by=adm.admin)
    assert req.state == RequestState.APPROVED
    item = ListItem.objects.get(admission=req)
    assert (item.kind, item.number, item.funding_yuan, item.source) == ("assist", 2, 6000, "admission")
    assert list(req.steps.values_list("action", flat=True)) == ["file", "pass", "approve"]
    assert Notification.objects.filter(user=adm.minzheng, text__contains="已获批准").exists()
    with pytest.raises(RuleError, match="该申请已已批准|不能再审核"):
        services.request_decide(request=req, version=req.version, decision="refuse", reason="x", by=adm.admin)


def test_refusal_needs_a_reason_and_the_department_sees_it(client, adm):
    req = _file(adm)
    with pytest.raises(RuleError, match="不予批准须写明理由"):
        services.request_decide(request=req, version=req.version, decision="refuse", reason=" ", by=adm.admin)
    assert AdmissionRequest.objects.get(pk=req.pk).state == RequestState.REVIEW
    services.request_decide(request=req, version=req.version, decision="refuse", reason="属于部门自身职责", by=adm.admin)
    client.force_login(adm.minzheng)
    page = client.get(f"/duties/requests/{req.pk}/").content.decode()
    assert "未批准的理由" in page and "属于部门自身职责" in page
    assert not ListItem.objects.filter(title="协助开展独居老人探访").exists()


def test_stale_decision_is_a_conflict(adm):
    req = _file(adm)
    services.request_decide(request=req, version=req.version, decision="pass", reason="", by=adm.admin)
    with pytest.raises(ConflictError):
        services.request_decide(request=req, version=1, decision="refuse", reason="x", by=adm.admin)


@pytest.mark.parametrize("kw, message", [
    ({"funding_yuan": "0"}, "权随责走、费随事转"), ({"funding_yuan": ""}, "权随责走、费随事转"),
    ({"hours_per_community_year": "0"}, "工作量"), ({"hours_per_community_year": "许多"}, "工作量"),
    ({"title": "协助城市管理巡查"}, "不得将社区作为「城市管理」"), ({"frequency": "daily"}, "请选择频次"),
    ({"all_communities": False}, "请选择涉及的社区"), ({"reason": ""}, "请填写申请理由"),
    ({"kind": "other"}, "请选择清单"), ({"takeup": "may"}, "不分须承接"),
])
def test_bad_requests_are_refused_in_chinese_and_nothing_is_written(adm, kw, message):
    with pytest.raises(RuleError, match=message):
        _file(adm, **kw)
    assert not AdmissionRequest.objects.exists() and not AdmissionStep.objects.exists()


def test_zhuhai_annual_plan_and_leading_group(adm):
    services.rules_choose(locality=adm.district, rules_id="zhuhai-2010", by=adm.admin)
    with pytest.raises(RuleError, match="须承接和可承接"):
        _file(adm)
    with pytest.raises(RuleError, match="计划年度"):
        _file(adm, takeup="may")
    with pytest.raises(RuleError, match="计划年度"):
        _file(adm, takeup="may", plan_year="2100")
    from django.utils import timezone
    req = _file(adm, takeup="may", plan_year=str(timezone.localdate().year))
    assert req.stage_label == "年度计划方案汇总" and req.procedure[-1]["label"] == "社区建设领导小组审批"
    assert [s["code"] for s in req.procedure] == ["annual_plan", "leading_group"]
    # the request keeps the rules it was filed under when the locality changes its rules
    services.rules_choose(locality=adm.district, rules_id="yixing-2019", by=adm.admin)
    req.refresh_from_db()
    assert req.procedure[-1]["label"] == "社区建设领导小组审批"


def test_documents_are_checked_and_only_the_department_and_admin_read_them(client, adm):
    with pytest.raises(RuleError, match="格式不支持"):
        _file(adm, files=[SimpleUploadedFile("a.exe", b"MZ" + b"0" * 20)])
    req = _file(adm, files=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4 test")])
    doc = req.documents.get()
    url = f"/duties/requests/{req.pk}/documents/{doc.pk}/"
    client.force_login(adm.minzheng)
    assert client.get(url).status_code == 200
    client.force_login(adm.admin)
    assert client.get(url).status_code == 200
    client.force_login(adm.department)  # another department post (no department name)
    assert client.get(url).status_code == 404
    client.force_login(adm.community_worker_a)
    assert client.get(url).status_code == 403


def test_department_applies_and_admin_decides_through_the_pages(client, adm):
    client.force_login(adm.minzheng)
    body = {"kind": "assist", "title": "协助开展独居老人探访", "reason": "风险高", "legal_basis": "老年人权益保障法",
            "community_does": "每月探访", "frequency": "monthly", "hours_per_community_year": "96",
            "funding_yuan": "", "communities": [adm.comm_a.code]}
    r = client.post("/duties/requests/new/", body)
    assert r.status_code == 422 and "费随事转" in r.content.decode()
    r = client.post("/duties/requests/new/", dict(body, funding_yuan="6000"))
    assert r.status_code == 302
    req = AdmissionRequest.objects.get()
    assert list(req.communities.all()) == [adm.comm_a]
    client.force_login(adm.admin)
    r = client.post(f"/duties/requests/{req.pk}/decide/", {"decision": "refuse", "reason": "", "version": req.version})
    assert r.status_code == 422 and "须写明理由" in r.content.decode()
    r = client.post(f"/duties/requests/{req.pk}/decide/", {"decision": "pass", "reason": "", "version": req.version})
    assert r.status_code == 302
    assert AdmissionRequest.objects.get().stage == 1
    client.force_login(adm.minzheng)
    assert client.post(f"/duties/requests/{req.pk}/decide/", {"decision": "approve", "version": 2}).status_code == 403
