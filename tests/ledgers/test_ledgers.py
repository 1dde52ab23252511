"""Community ledgers: who may read and write them, what is refused and why,
voiding instead of deleting, stale edits refused, history kept."""
import datetime as dt

import pytest

from gongzhi.ledgers import services
from gongzhi.ledgers.models import Meeting, Training, Volunteer, Worker
from tests.factories import id_number


def test_community_worker_records_a_meeting_and_voids_it(client, world):
    client.force_login(world.community_worker_a)
    url = f"/ledgers/{world.comm_a.code}/meetings/new/"
    r = client.post(url, {"kind": "residents", "held_on": "2025-01-10", "title": "年初居民会议", "attendees": 120})
    assert r.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.community == world.comm_a and meeting.history.first().history_user == world.community_worker_a
    page = client.get(f"/ledgers/{world.comm_a.code}/?tab=meetings&year=2025").content.decode()
    assert "年初居民会议" in page and "居民会议 1 次" in page
    r = client.post(f"/ledgers/{world.comm_a.code}/meetings/{meeting.pk}/void/", {"reason": ""})
    meeting.refresh_from_db()
    assert meeting.voided == ""
    client.post(f"/ledgers/{world.comm_a.code}/meetings/{meeting.pk}/void/", {"reason": "日期录错"})
    meeting.refresh_from_db()
    assert meeting.voided == "日期录错" and Meeting.objects.count() == 1


def test_bad_input_is_refused_in_chinese(client, world):
    client.force_login(world.community_worker_a)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = client.post(f"/ledgers/{world.comm_a.code}/disclosures/new/",
                    {"kind": "finance", "published_on": future, "title": "预告"})
    assert r.status_code == 400 and "「公开日期」不能晚于今天" in r.content.decode()
    r = client.post(f"/ledgers/{world.comm_a.code}/elections/new/",
                    {"held_on": "2024-05-01", "method": "direct", "voters": 10, "turnout": 11})
    assert r.status_code == 400 and "参选人数不能多于登记选民数" in r.content.decode()
    r = client.post(f"/ledgers/{world.comm_a.code}/nonsense/new/", {})
    assert r.status_code == 404


def test_training_only_for_the_communitys_serving_workers(client, world):
    mine = Worker.objects.create(community=world.comm_a, name="主任", committee_post="director")
    theirs = Worker.objects.create(community=world.comm_b, name="王五", committee_post="director")
    client.force_login(world.community_worker_a)
    url = f"/ledgers/{world.comm_a.code}/trainings/new/"
    r = client.post(url, {"worker": theirs.pk, "held_on": "2025-03-01", "days": 2, "title": "轮训"})
    assert r.status_code == 400 and not Training.objects.exists()
    r = client.post(url, {"worker": mine.pk, "held_on": "2025-03-01", "days": 0, "title": "轮训"})
    assert r.status_code == 400 and "培训天数应在 0.5 到 60 天之间" in r.content.decode()
    assert client.post(url, {"worker": mine.pk, "held_on": "2025-03-01", "days": 2.5, "title": "轮训"}).status_code == 302
    assert Training.objects.get().community == world.comm_a


def test_a_stale_worker_form_is_refused(client, world):
    worker = services.worker_add(community=world.comm_a, data={"name": "赵六", "committee_post": "member"})
    services.worker_update(worker=worker, version=1, data={"certificate": "assistant"})
    client.force_login(world.community_worker_a)
    r = client.post(f"/ledgers/{world.comm_a.code}/workers/{worker.pk}/",
                    {"name": "赵六", "committee_post": "director", "full_time": "on", "version": 1})
    assert r.status_code == 409 and "已被他人修改" in r.content.decode()
    worker.refresh_from_db()
    assert worker.committee_post == "member" and worker.certificate == "assistant" and worker.version == 2
    with pytest.raises(services.LedgerError, match="离任日期不能早于任职日期"):
        services.worker_update(worker=worker, version=2,
                               data={"since": dt.date(2024, 1, 1), "left_on": dt.date(2023, 1, 1)})


def test_volunteers_are_found_by_id_number_in_the_community(client, world):
    client.force_login(world.community_worker_a)
    url = f"/ledgers/{world.comm_a.code}/volunteers/new/"
    r = client.post(url, {"id_number": id_number(), "registered_on": "2025-01-01"})
    assert r.status_code == 400 and "本社区没有在册居民" in r.content.decode()
    own = world.res_a1
    from gongzhi.core import crypto
    number = crypto.decrypt(own.id_number_enc)
    assert client.post(url, {"id_number": number.lower(), "registered_on": "2025-01-01"}).status_code == 302
    r = client.post(url, {"id_number": number, "registered_on": "2025-02-01"})
    assert r.status_code == 400 and "已是注册志愿者" in r.content.decode()
    foreign = crypto.decrypt(world.res_b1.id_number_enc)
    r = client.post(url, {"id_number": foreign, "registered_on": "2025-01-01"})
    assert r.status_code == 400 and "王五" not in r.content.decode()
    volunteer = Volunteer.objects.get()
    client.post(f"/ledgers/{world.comm_a.code}/volunteers/{volunteer.pk}/leave/")
    volunteer.refresh_from_db()
    assert volunteer.left_on == dt.date.today()


@pytest.mark.parametrize("who, status", [
    ("street_officer_a", 200),
    ("grid_worker_a1", 404),  # may read ledgers, but the grid post does not cover the community
    ("department", 403),  # departments hold no ledger capability at all (P-DUTY-5)
    ("community_worker_a", 200)])
def test_who_reads_and_who_writes(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(f"/ledgers/{world.comm_a.code}/").status_code == status
    before = Meeting.objects.count()
    r = client.post(f"/ledgers/{world.comm_a.code}/meetings/new/",
                    {"kind": "residents", "held_on": "2025-01-10", "title": "会议"})
    if who == "community_worker_a":
        assert r.status_code == 302
    else:  # street officers read the books but do not keep them (no EDIT_LEDGERS post: refused outright)
        assert r.status_code == 403 and Meeting.objects.count() == before


def test_guessing_another_communitys_row_through_ones_own_code_fails(client, world):
    theirs = Worker.objects.create(community=world.comm_b, name="王五", committee_post="director")
    meeting = Meeting.objects.create(community=world.comm_b, kind="residents", held_on="2025-01-01", title="王五会")
    client.force_login(world.community_worker_a)
    assert client.get(f"/ledgers/{world.comm_a.code}/workers/{theirs.pk}/").status_code == 404
    assert client.post(f"/ledgers/{world.comm_a.code}/meetings/{meeting.pk}/void/",
                       {"reason": "x"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.voided == ""
