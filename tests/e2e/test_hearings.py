"""A hearing (听证会, P-GOV-3) on a phone (390 px): from the page of a topic handed to a department's work
order, the community worker calls a hearing of it (the matter and the department preset), records what
was fed back to the department, and the topic page shows its hearing."""
import datetime as dt

from django.utils import timezone

from gongzhi.governance.models import Session, SessionState
from gongzhi.ledgers.models import Meeting
from tests.e2e.conftest import fits_phone, login
from tests.governance.matters import TRANSPORT, government_matter


def test_worker_hears_a_matter_on_a_phone(page, live_server, live_world):
    w = live_world
    matter = government_matter(w, w.comm_a, "公交站点迁移", handed=timezone.localdate() - dt.timedelta(days=3))
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/governance/{matter.pk}/")
    page.locator("[data-testid=topic-hearings]", has_text="尚未召开听证会").wait_for()
    fits_phone(page)
    page.click("a.button >> text=召开听证会")
    assert page.locator("#id_form").input_value() == "hearing"
    page.fill("#id_starts_at", (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_deputies", "市人大代表吴某")
    fits_phone(page)
    page.click("button >> text=发出通知")
    page.locator("[data-testid=hearing-matters]", has_text="公交站点迁移").wait_for()
    assert TRANSPORT in page.locator("[data-testid=hearing-department]").inner_text()
    fits_phone(page)
    page.click("text=记录协商结果")
    page.locator("[data-testid=hearing-department]", has_text=TRANSPORT).wait_for()
    page.fill("#id_outcome", "多数居民希望保留原站点")
    page.fill("#id_fed_back", "请保留原站点,增设候车亭")
    fits_phone(page)
    page.click("button >> text=保存并写入会议台账")
    page.locator("[data-testid=session-outcome]", has_text="增设候车亭").wait_for()
    session = Session.objects.get(form="hearing")
    assert session.state == SessionState.HELD
    assert Meeting.objects.filter(source="governance.session", source_pk=session.pk, kind="hearing").exists()
    page.goto(f"{live_server.url}/governance/{matter.pk}/")
    page.locator("[data-testid=topic-hearings]", has_text=session.title).wait_for()
    fits_phone(page)
