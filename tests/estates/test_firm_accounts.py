"""A property firm's own accounts: bound by the community or street to a provider post in its places,
they see the firm's estates under contract within the post, the complaints about them (never who
complained), the credit of the firm and its managers, and appeal the firm's blacklist entries online;
the district hears of the appeal and the firm of the decision."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.scope import Scope
from gongzhi.estates import credit, firms
from gongzhi.estates.manifest import MANAGE_ESTATES
from gongzhi.estates.models import AppealChannel, AppealState, BlacklistEntry, FirmStaff
from gongzhi.workorders.models import Notification
from tests import factories as f
from tests.estates.helpers import CODE_2, contract, estate_of, firm_and_manager

pytestmark = pytest.mark.django_db


def _firm_world(w):
    estate = estate_of(w.hh_a1)
    firm, manager = firm_and_manager()
    contract(w, estate, firm, manager)
    other, other_manager = firm_and_manager(code=CODE_2, name="宜兴市东方物业服务有限公司", manager="钱七")
    staff = f.user("wy_a", Role.PROVIDER, w.street_a, display_name="华立新")
    return estate, firm, manager, other, other_manager, staff


def _bind(w, firm, username="wy_a", by=None):
    by = by or w.community_worker_a
    return firms.staff_bind(firm=firm, username=username, scope=Scope.for_user_capability(by, MANAGE_ESTATES),
                            by=by)


def test_binding_needs_a_provider_post_in_the_binders_places(world):
    _, firm, _, _, _, staff = _firm_world(world)
    with pytest.raises(RuleError, match="没有名为「nobody」"):
        _bind(world, firm, "nobody")
    with pytest.raises(RuleError, match="不是服务机构人员账号"):
        _bind(world, firm, "cw_b")
    # the account's post is the street: the community worker's places do not hold it, the street's do
    with pytest.raises(RuleError, match="不在您管理的范围内"):
        _bind(world, firm, by=world.community_worker_a)
    bound = _bind(world, firm, by=world.street_officer_a)
    with pytest.raises(RuleError, match="已是「宜兴市阳光物业管理有限公司」的企业账号"):
        _bind(world, firm, by=world.street_officer_a)
    assert list(firms.firms_of(staff)) == [firm]
    firms.staff_end(staff=bound, by=world.street_officer_a)
    assert list(firms.firms_of(staff)) == [] and FirmStaff.objects.get().ended_on == timezone.localdate()
    _bind(world, firm, by=world.street_officer_a)  # bound again: a new row, the ended one kept
    assert FirmStaff.objects.count() == 2


def test_the_firm_page_shows_its_estates_complaints_and_credit_only(world, client):
    estate, firm, manager, other, _, staff = _firm_world(world)
    _bind(world, firm, by=world.street_officer_a)
    estate_b = estate_of(world.hh_b1)  # the same firm serves B, outside the account's street post
    contract(world, estate_b, firm, manager)
    credit.compute(year=timezone.localdate().year)
    client.force_login(staff)
    page = client.get("/estates/mine/")
    text = page.content.decode()
    assert page.status_code == 200 and firm.name in text and estate.name in text
    assert 'data-testid="credit-parts"' in text
    assert other.name not in text and estate_b.name not in text
    assert world.res_a1.name not in text  # who complained is never shown
    # an account bound to nothing is told so; staff without the capability are refused
    lone = f.user("wy_b", Role.PROVIDER, world.street_a)
    client.force_login(lone)
    assert 'data-testid="firm-unbound"' in client.get("/estates/mine/").content.decode()
    client.force_login(world.community_worker_a)
    assert client.get("/estates/mine/").status_code == 403


def test_online_appeal_reaches_the_district_and_the_decision_the_firm(world, client):
    _, firm, manager, other, other_manager, staff = _firm_world(world)
    _bind(world, firm, by=world.street_officer_a)
    listed = timezone.localdate() - dt.timedelta(days=5)
    entry = credit.blacklist_add(manager=manager, reason="多次拒不整改", listed_on=listed, by=world.admin)
    foreign = credit.blacklist_add(manager=other_manager, reason="无故撤场", listed_on=listed, by=world.admin)
    client.force_login(staff)
    # another firm's entry is not the account's to see or appeal
    assert client.post(f"/estates/mine/blacklist/{foreign.pk}/appeal/",
                       {"version": foreign.version, "appeal_text": "x"}).status_code == 404
    assert client.post("/estates/mine/blacklist/99999999999999999999/appeal/",
                       {"version": 1, "appeal_text": "x"}).status_code == 404
    empty = client.post(f"/estates/mine/blacklist/{entry.pk}/appeal/", {"version": entry.version, "appeal_text": " "})
    assert empty.status_code == 422 and "申诉理由" in empty.content.decode()
    stale = client.post(f"/estates/mine/blacklist/{entry.pk}/appeal/", {"version": entry.version + 5,
                                                                         "appeal_text": "已整改"})
    assert stale.status_code == 409
    assert BlacklistEntry.objects.get(pk=entry.pk).appeal_state == AppealState.NONE  # nothing of the refusals
    ok = client.post(f"/estates/mine/blacklist/{entry.pk}/appeal/", {"version": entry.version,
                                                                      "appeal_text": "已更换维保单位,整改完毕"})
    assert ok.status_code == 302
    entry.refresh_from_db()
    assert (entry.appeal_state, entry.appeal_channel, entry.appealed_by) == (AppealState.PENDING,
                                                                               AppealChannel.ONLINE, staff)
    assert Notification.objects.filter(user=world.admin, kind=firms.NOTICE_APPEAL).count() == 1
    again = client.post(f"/estates/mine/blacklist/{entry.pk}/appeal/", {"version": entry.version,
                                                                         "appeal_text": "再次申诉"})
    assert again.status_code == 409 and "不能再次申诉" in again.content.decode()
    # the district sees how it came and decides; the firm hears
    client.force_login(world.admin)
    assert "企业在线申诉" in client.get("/estates/blacklist/").content.decode()
    credit.appeal_decide(entry_id=entry.pk, version=entry.version, revoke=False, answer="整改未到位", by=world.admin)
    note = Notification.objects.get(user=staff, kind=firms.NOTICE_DECIDED)
    assert "维持列入" in note.text
    client.force_login(staff)
    assert "整改未到位" in client.get("/estates/mine/").content.decode()


def test_paper_appeal_dates_are_checked(world):
    _, firm, manager, *_ = _firm_world(world)
    listed = timezone.localdate() - dt.timedelta(days=5)
    entry = credit.blacklist_add(manager=manager, reason="多次拒不整改", listed_on=listed, by=world.admin)
    for day in (listed - dt.timedelta(days=1), timezone.localdate() + dt.timedelta(days=1)):
        with pytest.raises(RuleError, match="申诉日期须在列入日期"):
            credit.appeal(entry_id=entry.pk, version=entry.version, appeal_text="请求撤销", on=day)
    entry = credit.appeal(entry_id=entry.pk, version=entry.version, appeal_text="请求撤销", on=listed,
                          by=world.admin)
    assert entry.appeal_channel == AppealChannel.PAPER
    with pytest.raises(ConflictError):
        credit.appeal(entry_id=entry.pk, version=entry.version - 1, appeal_text="再次", on=listed)


def test_the_firm_page_binds_and_ends_accounts(world, client):
    _, firm, *_ = _firm_world(world)
    client.force_login(world.street_officer_a)
    assert client.post(f"/estates/firms/{firm.pk}/staff/", {"username": "wy_a"}).status_code == 302
    staff = FirmStaff.objects.get()
    page = client.get(f"/estates/firms/{firm.pk}/").content.decode()
    assert 'data-testid="firm-staff"' in page and "华立新" in page and firm.credit_code in page
    # a community worker whose places do not hold the account's post cannot end it
    client.force_login(world.community_worker_b)
    assert client.post(f"/estates/firm-staff/{staff.pk}/end/").status_code == 404
    assert client.post("/estates/firm-staff/99999999999999999999/end/").status_code == 404
    client.force_login(world.street_officer_a)
    assert client.post(f"/estates/firm-staff/{staff.pk}/end/").status_code == 302
    assert FirmStaff.objects.get().ended_on is not None
