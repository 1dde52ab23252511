"""The burden dashboard: per community and department, this year and the year before, and the xlsx
that holds the same rows."""
import datetime as dt
from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.admission import services


def test_dashboard_counts_and_xlsx(client, adm):
    post = adm.minzheng.assignments.get()
    services.data_request_create(by=adm.minzheng, post=post, item=adm.assist, title="摸底",
                                 fields=[{"label": "", "metric": "residents"}, {"label": "需求人数", "metric": ""}],
                                 due_on=timezone.localdate() + dt.timedelta(days=3), communities=[adm.comm_a])
    req = services.request_file(by=adm.minzheng, post=post, kind="assist", title="探访", reason="r", legal_basis="l",
                                community_does="d", frequency="monthly", hours_per_community_year=50,
                                funding_yuan=100, communities=[adm.comm_a])
    services.request_decide(request=req, version=1, decision="pass", reason="", by=adm.admin)
    services.request_decide(request=req, version=2, decision="approve", reason="", by=adm.admin)
    client.force_login(adm.community_worker_a)
    r = client.get("/duties/burden/")
    rows = r.context["rows"]
    assert [(x["community"], x["items"], x["hours"], x["data_requests"], x["from_registry"], x["typed"])
            for x in rows] == [("东虹社区", 3, 250.0, 1, 1, 0)]  # the approved item reaches A only
    assert "南岳社区" not in r.content.decode()
    client.force_login(adm.community_worker_b)
    assert [x["items"] for x in client.get("/duties/burden/").context["rows"]] == [2]
    client.force_login(adm.admin)
    r = client.get("/duties/burden/")
    depts = {d["department"]: d for d in r.context["departments"]}
    assert depts["市民政局"]["requests"] == 1 and depts["市民政局"]["approved"] == 1
    assert depts["市民政局"]["from_registry"] == 1
    x = client.get("/duties/burden/?format=xlsx&year=abc")
    book = load_workbook(BytesIO(b"".join(x.streaming_content)))
    assert book.sheetnames == ["社区", "部门"]
    names = [row[0] for row in book["社区"].iter_rows(min_row=2, values_only=True)]
    assert names.count("东虹社区") == 2 and names.count("南岳社区") == 2  # this year and the year before
