"""The street's self-governance table (governance/overview.py): per community, the modules'
registered figures computed by the database, only for the communities the caller's posts reach,
with totals, and the same rows as xlsx."""
import datetime as dt
from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.metrics import REGISTERED, Figures
from gongzhi.governance import services
from gongzhi.governance.models import Topic
from gongzhi.governance.overview import COLUMNS
from gongzhi.places.models import Place


def _raise(w, title, place=None):
    return services.topic_raise(place=place or w.comm_a, by=w.resident_user, category="facilities", title=title,
                                text="内容", raised_as="resident")


def test_every_column_is_a_registered_metric():
    """Every module of this layout is installed, so no column silently drops out of the table."""
    assert [c.metric for c in COLUMNS if c.metric not in REGISTERED] == []


def test_topics_answered_on_time_rate_counts_by_due_date(world):
    now = timezone.now()
    on_time, late, waiting = (_raise(world, t) for t in ("按时答复", "超时答复", "仍在等待"))
    Topic.objects.filter(pk=on_time.pk).update(state="declined", answer_due_at=now - dt.timedelta(days=2),
                                               answered_at=now - dt.timedelta(days=3))
    Topic.objects.filter(pk=late.pk).update(state="declined", answer_due_at=now - dt.timedelta(days=5),
                                            answered_at=now - dt.timedelta(days=1))
    Topic.objects.filter(pk=waiting.pk).update(state="waiting", answer_due_at=now - dt.timedelta(days=1))
    figures = Figures(Place.objects.filter(pk=world.comm_a.pk), year=now.year)
    a = world.comm_a.pk
    assert figures.get("topics_raised")[a] == 3
    assert (figures.get("topics_due")[a], figures.get("topics_answered_on_time")[a]) == (3, 1)
    assert figures.get("topics_answered_on_time_rate")[a] == 33.33
    assert figures.get("topics_overdue")[a] == 1


def test_street_sees_its_communities_and_the_totals(client, world):
    _raise(world, "东虹的议题")
    _raise(world, "南岳的议题", place=world.comm_b)
    client.force_login(world.street_officer_a)
    page = client.get("/governance/overview/").content.decode()
    assert "东虹社区" in page and "南岳社区" not in page and "合计" in page
    response = client.get("/governance/overview/?format=xlsx")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("社区", "街道(镇)", "议题(个)")
    assert [r[0] for r in rows[1:]] == ["东虹社区", "合计"] and rows[1][2] == 1 and rows[-1][2] == 1


def test_grid_worker_and_resident_are_refused(client, world):
    for who in (world.grid_worker_a1, world.resident_user):
        client.force_login(who)
        assert client.get("/governance/overview/").status_code == 403


def test_bad_year_falls_back_to_this_year(client, world):
    client.force_login(world.community_worker_a)
    for year in ("abc", "1900", "99999999999999999999"):
        response = client.get(f"/governance/overview/?year={year}")
        assert response.status_code == 200 and f"居民自治概况 {timezone.localdate().year} 年" in response.content.decode()


def test_answered_topics_show_on_the_disclosure_board_and_poster_without_names(client, world):
    topic = _raise(world, "单元门口增设雨棚")
    services.answer(topic_id=topic.pk, version=topic.version, kind="decline", text="经费已列入明年计划",
                    by=world.community_worker_a)
    page = client.get(f"/disclosure/board/{world.comm_a.code}/").content.decode()
    assert "居民议题答复" in page and "单元门口增设雨棚" in page and "经费已列入明年计划" in page
    assert world.resident_user.resident.name not in page
