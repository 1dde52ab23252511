"""Admission's figures for the standards engine agree with the burden dashboard."""
import datetime as dt

from django.utils import timezone

from gongzhi.admission import certificates, evaluation, services
from gongzhi.accounts.models import RoleAssignment
from gongzhi.admission.models import DataAnswer
from gongzhi.core.metrics import Context
from gongzhi.standards.metrics import METRICS


def test_burden_and_evaluation_metrics(adm):
    today = timezone.localdate()
    services.data_request_create(by=adm.minzheng, post=adm.minzheng.assignments.get(), item=adm.assist, title="摸底",
                                 fields=[{"label": "", "metric": "residents"}, {"label": "需求", "metric": ""}],
                                 due_on=today + dt.timedelta(days=3), communities=[adm.comm_a, adm.comm_b])
    answer = DataAnswer.objects.get(community=adm.comm_a)
    services.data_answer(answer=answer, values={"1": "4"}, by=adm.community_worker_a)
    certificates.kind_add(locality=adm.district, name="居住证明", allowed=True)
    certificates.issue(community=adm.comm_a, kind_name="居住证明", household_number="HA1", name="张三", purpose="x",
                       by=adm.community_worker_a)
    evaluation.round_open(locality=adm.district, year=today.year, opens_on=today, closes_on=today, by=adm.admin)
    evaluation.evaluate(post=RoleAssignment.objects.get(user=adm.street_officer_a), year=today.year,
                        direction="s2c", target_place=adm.comm_a, target_department="", scores=[5, 5, 4, 4],
                        comment="", by=adm.street_officer_a)
    ctx = Context(year=today.year)
    a, b = adm.comm_a.pk, adm.comm_b.pk
    got = {name: METRICS[name].compute(ctx) for name in (
        "data_requests_received", "data_items_typed_by_community", "data_items_from_registry", "certificates_issued",
        "street_evaluation_score")}
    assert {k: (v[a], v[b]) for k, v in got.items()} == {
        "data_requests_received": (1, 1), "data_items_typed_by_community": (1, 0),
        "data_items_from_registry": (1, 1), "certificates_issued": (1, 0), "street_evaluation_score": (90.0, None)}
