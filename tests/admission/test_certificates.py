"""Certificates: only kinds on the locality's list, refusals naming the office instead, numbered
PDFs from the registry, and a public check that shows nothing of the holder."""
import pytest

from gongzhi.admission import certificates
from gongzhi.admission.models import Certificate
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessLog


@pytest.fixture
def kinds(adm):
    certificates.kind_add(locality=adm.district, name="居住证明", allowed=True, legal_basis="组织法第三条",
                          template="兹证明{姓名}系{社区}在册居民。")
    certificates.kind_add(locality=adm.district, name="亲属关系证明", allowed=False,
                          refuse_reason="社区无法核实亲属关系", instead_office="户籍所在地公安派出所")
    return adm


def _issue(w, **kw):
    data = {"community": w.comm_a, "kind_name": "居住证明", "household_number": "HA1", "name": "张三",
            "purpose": "办理入学", "by": w.community_worker_a}
    data.update(kw)
    return certificates.issue(**data)


def test_issue_numbers_per_community_and_year_with_a_random_code(kinds):
    a, b = _issue(kinds), _issue(kinds)
    assert a.number.endswith("-00001") and b.number.endswith("-00002") and a.number.startswith(kinds.comm_a.code)
    assert len(a.code) == 12 and a.code != b.code and set(a.code) <= set(certificates.CODE_ALPHABET)
    assert a.text == "兹证明张三系东虹社区在册居民。"


@pytest.mark.parametrize("kw, message", [
    ({"kind_name": "亲属关系证明"}, "社区不出具「亲属关系证明」:社区无法核实亲属关系。请到户籍所在地公安派出所办理"),
    ({"kind_name": "无犯罪记录证明"}, "「无犯罪记录证明」不在本地区社区可出具的证明目录中"),
    ({"name": "王五", "household_number": "HB1"}, "在本社区的在册居民中找不到户号 HB1 的「王五」"),
    ({"purpose": ""}, "请填写证明用途"), ({"kind_name": ""}, "请选择或填写证明名称"),
])
def test_refusals_say_why_and_change_nothing(kinds, kw, message):
    with pytest.raises(RuleError, match=message):
        _issue(kinds, **kw)
    assert not Certificate.objects.exists()


def test_kind_rules(kinds):
    with pytest.raises(RuleError, match="须写明理由和应由何处出具"):
        certificates.kind_add(locality=kinds.district, name="出生证明", allowed=False)
    with pytest.raises(RuleError, match="目录中已有"):
        certificates.kind_add(locality=kinds.district, name="居住证明", allowed=True)


def test_pages_pdf_and_void(client, kinds):
    client.force_login(kinds.community_worker_a)
    r = client.post("/duties/certificates/", {"kind_name": "亲属关系证明", "household_number": "HA1", "name": "张三",
                                              "purpose": "x"})
    assert r.status_code == 422 and "户籍所在地公安派出所" in r.content.decode()
    r = client.post("/duties/certificates/", {"kind_name": "居住证明", "household_number": "HA1", "name": "张三",
                                              "purpose": "办理入学"})
    cert = Certificate.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/duties/certificates/{cert.pk}/"
    pdf = client.get(f"/duties/certificates/{cert.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(target=f"社区证明 {cert.number}").exists()
    client.force_login(kinds.community_worker_b)
    assert client.get(f"/duties/certificates/{cert.pk}/").status_code == 404
    client.force_login(kinds.community_worker_a)
    client.post(f"/duties/certificates/{cert.pk}/void/", {"reason": ""})
    assert not Certificate.objects.get().voided
    client.post(f"/duties/certificates/{cert.pk}/void/", {"reason": "信息有误"})
    assert Certificate.objects.get().voided


def test_public_verification_shows_nothing_personal(client, kinds):
    cert = _issue(kinds)
    client.logout()
    page = client.get(f"/duties/verify/?code={cert.code.lower()}").content.decode()
    assert "该证明由社区出具,有效" in page and cert.number in page and "居住证明" in page
    for personal in ("张三", "HA1", "办理入学", "13812345678"):
        assert personal not in page
    page = client.get("/duties/verify/", {"code": cert.code, "name": "张三"}).content.decode()
    assert "与证明上的姓名一致" in page and "张三" in page  # the name the checker typed, nothing more
    page = client.get("/duties/verify/", {"code": cert.code, "name": "李四"}).content.decode()
    assert "不一致" in page
    assert "未找到" in client.get("/duties/verify/?code=AAAAAAAAAAAA").content.decode()
    certificates.void(certificate=cert, reason="信息有误", by=kinds.community_worker_a)
    assert "该证明已作废" in client.get(f"/duties/verify/?code={cert.code}").content.decode()
