"""Case collection (P-EVAL-8): streets and districts submit before the
deadline, experts score the three criteria, the organiser shortlists, visits
and selects, and the selected cases come out as one book."""
import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from gongzhi.core.scope import Scope
from gongzhi.standards import cases
from gongzhi.standards.manifest import SUBMIT_CASES
from gongzhi.standards.models import CaseSubmission, ExpertScore

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
REAL_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
            b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND"
            b"\xaeB`\x82")
TEXT = "东虹社区推行“院落议事会”,居民自己定规矩。\n议事会每月召开一次,议题由居民提出。"


@pytest.fixture
def call(world):
    return cases.call_create(place=world.district, title="城乡社区治理和服务创新优秀案例征集",
                             deadline=dt.date.today() + dt.timedelta(days=10),
                             topics=["健全基层协商民主机制", "完善社区服务体系"], experts=[world.admin], by=world.admin)


def _submit(client, call, place, **extra):
    data = {"place": place.code, "title": "院落议事会", "topic": "健全基层协商民主机制", "text": TEXT, **extra}
    return client.post(f"/standards/cases/{call.pk}/", data)


def test_a_street_submits_with_attachments_and_the_word_count(client, world, call):
    client.force_login(world.street_officer_a)
    r = _submit(client, call, world.comm_a, files=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")])
    assert r.status_code == 302
    case = CaseSubmission.objects.get()
    assert case.place == world.comm_a and case.words == cases.count_words(TEXT) == 34
    assert case.attachments.get().content_type == "image/png"
    r = _submit(client, call, world.comm_a, files=[SimpleUploadedFile("a.exe", b"MZ" + b"0" * 30)])
    assert r.status_code == 400 and "格式不支持" in r.content.decode() and CaseSubmission.objects.count() == 1


@pytest.mark.parametrize("who, place, status", [
    ("street_officer_a", "comm_b", 400),  # another street's community is not among the choices
    ("community_worker_a", "comm_a", 403),  # cases come from districts and streets
])
def test_who_may_submit_what(client, world, call, who, place, status):
    client.force_login(getattr(world, who))
    r = _submit(client, call, getattr(world, place))
    assert r.status_code == status and not CaseSubmission.objects.exists()


def test_nothing_is_taken_after_the_deadline(world, call):
    scope = Scope.for_user_capability(world.street_officer_a, SUBMIT_CASES)
    with pytest.raises(cases.CaseError, match="案例征集已于 .* 截止"):
        cases.case_submit(call=call, scope=scope, place=world.street_a, title="迟到", topic="完善社区服务体系",
                          text=TEXT, by=world.street_officer_a, today=call.deadline + dt.timedelta(days=1))


def test_review_visit_select_and_compile(client, world, call, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scope_a = Scope.for_user_capability(world.street_officer_a, SUBMIT_CASES)
    case = cases.case_submit(call=call, scope=scope_a, place=world.comm_a, title="院落议事会",
                             topic="健全基层协商民主机制", text=TEXT, by=world.street_officer_a,
                             files=[SimpleUploadedFile("现场.png", REAL_PNG, content_type="image/png")])
    with pytest.raises(cases.CaseError, match="您不是本次征集的评审专家"):
        cases.case_score(case=case, expert=world.street_officer_a, scientific=8, innovative=8, practical=8)
    client.force_login(world.admin)
    url = f"/standards/cases/{call.pk}/{case.pk}/"
    assert client.post(url, {"form": "score", "scientific": 11, "innovative": 8, "practical": 9}).status_code == 400
    assert client.post(url, {"form": "score", "scientific": 8, "innovative": 9, "practical": 7}).status_code == 302
    assert client.post(url, {"form": "score", "scientific": 9, "innovative": 9, "practical": 7}).status_code == 302
    assert ExpertScore.objects.get().total == 25  # a second review replaces the first
    r = client.post(url, {"form": "visit", "visited_on": "2026-01-05", "authenticity": "true", "effect": 8,
                          "satisfaction": 93, "findings": "议事记录齐全"})
    assert r.status_code == 400 and "只有入围实地察看的案例" in r.content.decode()
    assert client.get(f"/standards/cases/{call.pk}/book.pdf").status_code == 302  # nothing selected yet
    client.post(f"{url}shortlisted/", {"version": 1})
    client.post(url, {"form": "visit", "visited_on": "2026-01-05", "authenticity": "true", "effect": 8,
                      "satisfaction": 93, "findings": "议事记录齐全"})
    r = client.post(f"{url}selected/", {"version": 1})  # stale
    case.refresh_from_db()
    assert case.state == "shortlisted"
    client.post(f"{url}selected/", {"version": 2})
    case.refresh_from_db()
    assert case.state == "selected" and case.visits.get().satisfaction == 93
    pdf = client.get(f"/standards/cases/{call.pk}/book.pdf")
    reader = PdfReader(BytesIO(pdf.content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "案例汇编" in text and "院落议事会" in text and "议事会每月召开一次" in text
    images = {img.name for page in reader.pages for img in page.images}
    assert len(images) == 1  # the case's photo is printed in the book (pages share the resource)


def test_another_street_sees_neither_the_case_nor_its_file(client, world, call):
    scope_a = Scope.for_user_capability(world.street_officer_a, SUBMIT_CASES)
    png = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    case = cases.case_submit(call=call, scope=scope_a, place=world.street_a, title="街道案例",
                             topic="完善社区服务体系", text=TEXT, files=[png], by=world.street_officer_a)
    from tests.factories import user
    officer_b = user("street_b", "street", world.street_b)
    client.force_login(officer_b)
    assert "街道案例" not in client.get(f"/standards/cases/{call.pk}/").content.decode()
    assert client.get(f"/standards/cases/{call.pk}/{case.pk}/").status_code == 404
    file_id = case.attachments.get().pk
    assert client.get(f"/standards/cases/{call.pk}/{case.pk}/files/{file_id}/").status_code == 404
    # moving a case needs ORGANISE_CASES, refused before any case is looked up (so nothing is revealed)
    assert client.post(f"/standards/cases/{call.pk}/{case.pk}/rejected/", {"version": 1}).status_code == 403
    client.force_login(world.street_officer_a)
    assert client.get(f"/standards/cases/{call.pk}/{case.pk}/files/{file_id}/").status_code == 200
    assert client.post(f"/standards/cases/{call.pk}/{case.pk}/rejected/", {"version": 1}).status_code == 403
