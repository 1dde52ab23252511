"""The volunteers' services on SQLite: registration writes the ledger row, sign-up and places,
check-in inside the window only, hours confirmed by the organiser up to the session's length,
cumulative hours and star levels, certificates of confirmed hours only, the time bank."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.ledgers import models as ledger_models
from gongzhi.volunteers import services, stars
from gongzhi.volunteers import selectors
from gongzhi.volunteers.models import (
    Activity, Certificate, PointAccount, PointEntry, SignUp, Volunteer, VolunteerYear,
)
from tests.factories import id_number, resident
from tests.volunteers.helpers import activity, more_volunteers, volunteer

pytestmark = pytest.mark.django_db


def snapshot():
    return (list(SignUp.objects.order_by("pk").values_list("pk", "state", "checked_in_at", "checked_out_at", "hours")),
            list(Volunteer.objects.order_by("pk").values_list("pk", "hours", "left_on")),
            list(Activity.objects.order_by("pk").values_list("pk", "taken", "state")),
            Certificate.objects.count(), PointEntry.objects.count(),
            list(PointAccount.objects.order_by("pk").values_list("pk", "balance")),
            ledger_models.Activity.objects.count(),
            list(VolunteerYear.objects.order_by("pk").values_list("pk", "hours", "records")))


def test_self_sign_up_writes_the_volunteer_ledger_and_a_points_account(world):
    v = services.volunteer_enrol(resident=world.res_a1, skills=["care", "it"], availability="weekend",
                                 self_signed=True, by=world.resident_user)
    assert v.community == world.comm_a and v.skill_labels == ["助老助残", "信息技术"]
    row = ledger_models.Volunteer.objects.get(resident=world.res_a1)
    assert row.community == world.comm_a and row.left_on is None
    assert PointAccount.objects.get(volunteer=v).balance == 0
    with pytest.raises(RuleError, match="已是注册志愿者"):
        services.volunteer_enrol(resident=world.res_a1, by=world.resident_user)


def test_worker_registers_by_id_number_only_in_their_community(world):
    number = id_number(dt.date(1990, 1, 1))
    r = resident(world.hh_a2, "赵六", id_number=number)
    v = services.volunteer_register_by_id(community=world.comm_a, id_number=number, by=world.community_worker_a)
    assert v.resident == r
    with pytest.raises(RuleError, match="南岳社区没有在册居民"):
        services.volunteer_register_by_id(community=world.comm_b, id_number=number, by=world.community_worker_b)
    with pytest.raises(RuleError, match="公民身份号码有误"):
        services.volunteer_register_by_id(community=world.comm_a, id_number="123", by=world.community_worker_a)
    with pytest.raises(RuleError, match="技能「x」不在技能列表中"):
        services.volunteer_enrol(resident=world.res_a2, skills=["x"])


def test_leaving_ends_the_ledger_row_and_rejoining_opens_it(world):
    v = volunteer(world)
    services.volunteer_leave(volunteer=v)
    assert ledger_models.Volunteer.objects.get(resident=world.res_a1).left_on is not None
    with pytest.raises(RuleError, match="已退出志愿者队伍"):
        services.signup(activity=activity(world), resident=world.res_a1)
    volunteer(world)
    assert ledger_models.Volunteer.objects.get(resident=world.res_a1).left_on is None


def test_sign_up_takes_a_place_and_the_last_place_goes_once(world):
    a = activity(world, places=1, hours_from_now=2)
    first, second = more_volunteers(world, 2)
    services.signup(activity=a, resident=first.resident)
    a.refresh_from_db()
    assert a.taken == 1 and a.places_left == 0
    before = snapshot()
    with pytest.raises(RuleError, match="名额已满"):
        services.signup(activity=a, resident=second.resident)
    with pytest.raises(RuleError, match="您已报名"):
        services.signup(activity=a, resident=first.resident)
    assert snapshot() == before
    services.signup_withdraw(activity=a, resident=first.resident)
    services.signup(activity=a, resident=second.resident)
    a.refresh_from_db()
    assert a.taken == 1


def test_sign_up_refuses_non_volunteers_other_communities_and_ended_activities(world):
    a = activity(world, hours_from_now=2)
    with pytest.raises(RuleError, match="还不是注册志愿者"):
        services.signup(activity=a, resident=world.res_a1)
    volunteer(world)
    b = activity(world, community=world.comm_b, organiser=world.community_worker_b, hours_from_now=2)
    with pytest.raises(RuleError, match="只能报名本社区的活动"):
        services.signup(activity=b, resident=world.res_a1)
    ended = activity(world, hours_from_now=-5, length=1)
    with pytest.raises(RuleError, match="已结束"):
        services.signup(activity=ended, resident=world.res_a1)


def test_check_in_only_inside_the_window_and_only_once(world):
    v = volunteer(world)
    a = activity(world, hours_from_now=2, length=2)
    services.signup(activity=a, resident=v.resident)
    before = snapshot()
    with pytest.raises(RuleError, match="现在还不能签到"):
        services.check_in(token=a.token, resident=v.resident)
    with pytest.raises(RuleError, match="已于 .* 结束,不能再签到"):
        services.check_in(token=a.token, resident=v.resident, now=a.ends_at + dt.timedelta(minutes=1))
    with pytest.raises(RuleError, match="请先签到再签退"):
        services.check_out(token=a.token, resident=v.resident, now=a.starts_at)
    assert snapshot() == before
    r = services.check_in(token=a.token, resident=v.resident, now=a.starts_at - dt.timedelta(minutes=10))
    assert r.checked_in_at is not None
    with pytest.raises(RuleError, match="不能重复签到"):
        services.check_in(token=a.token, resident=v.resident, now=a.starts_at)
    r = services.check_out(token=a.token, resident=v.resident, now=a.starts_at + dt.timedelta(minutes=100))
    assert services.suggested_hours(SignUp.objects.select_related("activity").get(pk=r.pk)) == Decimal("1.6")
    with pytest.raises(RuleError, match="二维码无效"):
        services.check_in(token="nonsense", resident=v.resident)
    other = resident(world.hh_a1, "未报名者", relation="10")
    volunteer(world, other)
    with pytest.raises(RuleError, match="没有报名"):
        services.check_in(token=a.token, resident=other, now=a.starts_at)


def test_hours_confirmed_by_the_organiser_never_over_the_session(world):
    v1, v2 = more_volunteers(world, 2)
    a = activity(world, hours_from_now=-4, length=3)
    s1 = SignUp.objects.create(activity=a, volunteer=v1, community=a.community, served_on=a.starts_at.date())
    s2 = SignUp.objects.create(activity=a, volunteer=v2, community=a.community, served_on=a.starts_at.date())
    before = snapshot()
    with pytest.raises(RuleError, match="只有本活动的组织者可以确认时长"):
        services.hours_confirm(activity=a, hours={s1.pk: "2"}, by=world.community_worker_b)
    # one bad value: nothing written, not even the good one
    with pytest.raises(RuleError, match="「志愿者1」的服务时长 3.5 小时超过本场活动的时长 3.0 小时"):
        services.hours_confirm(activity=a, hours={s1.pk: "2", s2.pk: "3.5"}, by=world.community_worker_a)
    with pytest.raises(RuleError, match="须是数字"):
        services.hours_confirm(activity=a, hours={s1.pk: "abc"}, by=world.community_worker_a)
    with pytest.raises(RuleError, match="不能为负数"):
        services.hours_confirm(activity=a, hours={s1.pk: "-1"}, by=world.community_worker_a)
    assert snapshot() == before
    services.hours_confirm(activity=a, hours={s1.pk: "2", s2.pk: "3"}, by=world.community_worker_a)
    v1.refresh_from_db()
    assert v1.hours == Decimal("2.0")
    assert PointAccount.objects.get(volunteer=v1).balance == 20
    row = ledger_models.Activity.objects.get(source="volunteers.activity", source_pk=a.pk)
    assert row.participants == 2 and row.hours == Decimal("5.0") and row.kind == "volunteer"
    with pytest.raises(RuleError, match="已确认为 2.0 小时"):
        services.hours_confirm(activity=a, hours={s1.pk: "1"}, by=world.community_worker_a)
    future = activity(world, hours_from_now=5)
    with pytest.raises(RuleError, match="尚未开始"):
        services.hours_confirm(activity=future, hours={}, by=world.community_worker_a)


def test_cumulative_hours_equal_the_sum_of_confirmed_records_and_give_the_star(world):
    v = volunteer(world)
    for i in range(5):
        a = activity(world, hours_from_now=-30 - 24 * i, length=20, title=f"第{i}场")
        s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
        services.hours_confirm(activity=a, hours={s.pk: "20"}, by=world.community_worker_a)
    v.refresh_from_db()
    total = SignUp.objects.filter(volunteer=v, hours__isnull=False).values_list("hours", flat=True)
    assert v.hours == sum(total) == Decimal(100)
    assert stars.star_of(v.hours) == 1 and stars.star_label(1) == "一星志愿者"
    assert selectors.hours_by_year(v) == selectors.hours_by_year_reference(v)
    assert selectors.rollup_drift() == []


def test_the_yearly_report_from_the_rollup_equals_the_plain_sums_and_a_rebuild_changes_nothing(world):
    from gongzhi.core.scope import Scope
    from gongzhi.volunteers.manifest import VIEW_VOLUNTEER_REPORT
    vols = more_volunteers(world, 3)
    for i, days in enumerate((3, 200, 400)):  # this year and, for some, last year
        a = activity(world, hours_from_now=-24 * days, length=4, title=f"第{i}场")
        rows = [SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
                for v in vols[: i + 1]]
        services.hours_confirm(activity=a, hours={s.pk: "2.5" for s in rows}, by=world.community_worker_a)
    scope = Scope.for_user_capability(world.community_worker_a, VIEW_VOLUNTEER_REPORT)
    this = timezone.localdate().year
    for year in (this, this - 1, this - 2):
        assert selectors.yearly_report(scope, year) == selectors.yearly_report_reference(scope, year)
    before = list(VolunteerYear.objects.order_by("volunteer_id", "year").values_list("volunteer_id", "year", "hours",
                                                                                       "records"))
    services.rollup_rebuild(community_ids=[world.comm_a.pk])
    assert list(VolunteerYear.objects.order_by("volunteer_id", "year").values_list(
        "volunteer_id", "year", "hours", "records")) == before


def test_star_levels_follow_the_thresholds_table():
    assert [stars.star_of(h) for h in (0, 99.9, 100, 299, 300, 600, 999, 1000, 1499, 1500, 9999)] == \
        [0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5]
    assert stars.next_star(250) == ("二星志愿者", Decimal(50))
    assert stars.next_star(1500) is None


def test_certificate_only_for_confirmed_hours_and_verified_publicly(world):
    v = volunteer(world)
    a = activity(world, hours_from_now=-4, length=3)
    done = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
    b = activity(world, hours_from_now=-30, length=3, title="助老送餐")
    pending = SignUp.objects.create(activity=b, volunteer=v, community=b.community, served_on=b.starts_at.date())
    with pytest.raises(RuleError, match="张三 没有经组织者确认的服务时长"):
        services.certificate_issue(volunteer=v, by=world.community_worker_a)
    services.hours_confirm(activity=a, hours={done.pk: "2.5"}, by=world.community_worker_a)
    before = snapshot()
    with pytest.raises(RuleError, match="「助老送餐」.*尚未经组织者确认,不能出具证明"):
        services.certificate_issue(volunteer=v, records=[done.pk, pending.pk], by=world.community_worker_a)
    assert snapshot() == before
    cert = services.certificate_issue(volunteer=v, by=world.community_worker_a)
    assert cert.hours == Decimal("2.5") and cert.records == 1
    seen = services.certificate_verify(cert.code.lower())
    assert seen["name"] == "张*" and seen["hours"] == Decimal("2.5") and not seen["voided"]
    assert "张三" not in str(seen)
    assert services.certificate_verify("AAAAAAAAAAAA") is None
    services.certificate_void(certificate=cert, reason="重复出具")
    assert services.certificate_verify(cert.code)["voided"] == "重复出具"


def test_mask_name():
    assert [services.mask_name(n) for n in ("王", "王五", "张三丰", "欧阳小明")] == ["王", "王*", "张*丰", "欧**明"]


def test_time_bank_is_double_entry_and_never_negative(world):
    v = volunteer(world)
    a = activity(world, hours_from_now=-4, length=3)
    s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
    services.hours_confirm(activity=a, hours={s.pk: "3"}, by=world.community_worker_a)
    offer = services.offer_add(community=world.comm_a, title="理发一次", points=20)
    services.points_spend(volunteer=v, offer=offer, by=world.resident_user, request_key="k1")
    assert PointAccount.objects.get(volunteer=v).balance == 10
    before = snapshot()
    with pytest.raises(RuleError, match="积分不足:「理发一次」需要 20 分,张三 现有 10 分"):
        services.points_spend(volunteer=v, offer=offer, by=world.resident_user, request_key="k2")
    with pytest.raises(RuleError, match="已经登记过"):
        services.points_spend(volunteer=v, offer=offer, by=world.resident_user, request_key="k1")
    assert snapshot() == before
    # every entry moves points between two accounts: all balances add up to zero, and each account's
    # balance is what its entries say
    assert sum(PointAccount.objects.values_list("balance", flat=True)) == 0
    for account in PointAccount.objects.all():
        credits = sum(account.credits.values_list("amount", flat=True))
        debits = sum(account.debits.values_list("amount", flat=True))
        assert account.balance == credits - debits
    entry = PointEntry.objects.first()
    with pytest.raises(ValueError, match="积分流水不可修改"):
        entry.memo = "改"
        entry.save()
    with pytest.raises(ValueError, match="积分流水不可删除"):
        entry.delete()
    other = services.offer_add(community=world.comm_b, title="南岳理发", points=1)
    with pytest.raises(RuleError, match="只能兑换本社区"):
        services.points_spend(volunteer=v, offer=other, by=world.resident_user)
    with pytest.raises(RuleError, match="所需积分须在"):
        services.offer_add(community=world.comm_a, title="x", points="0")


def test_cancelling_an_activity_voids_its_ledger_row(world):
    v = volunteer(world)
    a = activity(world, hours_from_now=-4, length=3)
    s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
    services.hours_confirm(activity=a, hours={s.pk: "1"}, by=world.community_worker_a)
    services.activity_cancel(activity=a, by=world.community_worker_a)
    assert ledger_models.Activity.objects.get(source="volunteers.activity").voided == "活动已取消"


def test_activity_rules(world):
    start = timezone.now()
    kw = dict(community=world.comm_a, title="t", location="l", places=5, organiser=world.community_worker_a)
    with pytest.raises(RuleError, match="结束时间须晚于开始时间"):
        services.activity_publish(starts_at=start, ends_at=start, **kw)
    with pytest.raises(RuleError, match="不能超过 24 小时"):
        services.activity_publish(starts_at=start, ends_at=start + dt.timedelta(hours=25), **kw)
    with pytest.raises(RuleError, match="招募人数"):
        services.activity_publish(starts_at=start, ends_at=start + dt.timedelta(hours=1), **{**kw, "places": 0})
    with pytest.raises(RuleError, match="只能登记在社区"):
        services.activity_publish(starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                  **{**kw, "community": world.grid_a1})
