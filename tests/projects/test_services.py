"""Projects: opening from an adopted result, milestones and progress, sign-offs and objections by the
supervision committee (nobody signs off their own work), costs, links, completion, notices, and bad input."""
import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.governance import services as topics
from gongzhi.projects import services
from gongzhi.projects.models import (
    CostEntry, Milestone, MilestoneState, Objection, Project, ProjectEvent, ProjectState, SupervisionMember,
)
from gongzhi.workorders.models import Notification
from tests.factories import household, resident, user


def _notices(u):
    return list(Notification.objects.filter(user=u, kind="project").values_list("text", flat=True))


def _state(setup):
    """Everything a refused step must leave as it was."""
    return (list(Project.objects.values_list("pk", "state", "version", "progress")),
            list(Milestone.objects.values_list("pk", "state", "version", "percent")),
            Objection.objects.count(), CostEntry.objects.count(), ProjectEvent.objects.count(),
            Notification.objects.count())


def test_open_from_topic_tells_proposer_and_supporters(setup, world):
    assert setup.project.source_topic == setup.topic
    for u in (world.resident_user, setup.neighbour):
        assert any("已立项落实" in t for t in _notices(u))
    assert list(setup.project.events.values_list("action", flat=True)) == ["open"]


def test_only_a_topic_in_deliberation_of_the_same_community_and_only_once(setup, world):
    kw = dict(title="x", basis="y", owner=world.community_worker_a, starts_on=setup.today,
              ends_on=setup.today, by=world.community_worker_a)
    with pytest.raises(RuleError, match="已立项"):
        services.project_open(community=world.comm_a, source_topic=setup.topic, **kw)
    fresh = topics.topic_raise(place=world.comm_a, category="other", title="新议题", text="内容",
                               raised_as="resident", by=world.resident_user)
    with pytest.raises(RuleError, match="转入协商"):
        services.project_open(community=world.comm_a, source_topic=fresh, **kw)
    with pytest.raises(RuleError, match="本社区"):
        services.project_open(community=world.comm_b, source_topic=setup.topic,
                              **{**kw, "owner": world.community_worker_b, "by": world.community_worker_b})


def test_owner_must_be_a_committee_member_of_the_community(setup, world):
    for owner in (world.community_worker_b, world.grid_worker_a1, world.resident_user, None):
        with pytest.raises(RuleError, match="负责人必须是本社区的社区工作者"):
            services.project_open(community=world.comm_a, title="x", basis="y", owner=owner, starts_on=setup.today,
                                  ends_on=setup.today, by=world.community_worker_a)


def test_dates_in_order(setup, world):
    with pytest.raises(RuleError, match="不能早于"):
        services.project_open(community=world.comm_a, title="x", basis="y", owner=world.community_worker_a,
                              starts_on=setup.today, ends_on=setup.today - dt.timedelta(days=1),
                              by=world.community_worker_a)
    with pytest.raises(RuleError, match="计划开始日期"):
        services.project_open(community=world.comm_a, title="x", basis="y", owner=world.community_worker_a,
                              starts_on="2026-02-30", ends_on=setup.today, by=world.community_worker_a)


@pytest.mark.parametrize("value", [-1, 101, "abc", "", "50.5", None])
def test_percent_out_of_range_is_refused_and_nothing_changes(setup, world, value):
    m = setup.milestone()
    before = _state(setup)
    with pytest.raises(RuleError, match="0 到 100"):
        services.milestone_progress(milestone_id=m.pk, version=m.version, percent=value, by=world.community_worker_a)
    assert _state(setup) == before


def test_progress_moves_the_project_mean(setup, world):
    a, b = setup.milestone("一"), setup.milestone("二")
    services.milestone_progress(milestone_id=a.pk, version=a.version, percent=50, by=world.community_worker_a)
    setup.project.refresh_from_db()
    assert setup.project.progress == 25
    b = services.milestone_progress(milestone_id=b.pk, version=b.version, percent=100, done=True,
                                    by=world.community_worker_a)
    setup.project.refresh_from_db()
    assert setup.project.progress == 75 and b.state == MilestoneState.DONE


def test_member_signs_off_and_supporters_hear(setup, world):
    m = setup.milestone(done=True)
    assert any("已报验收" in t for t in _notices(setup.member_user))
    m = services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=setup.member_user, note="合格")
    assert m.state == MilestoneState.SIGNED_OFF and m.signed_off_by == setup.member
    for u in (world.resident_user, setup.neighbour):
        assert any("已经监督委员会验收" in t for t in _notices(u))
    event = setup.project.events.get(action="sign_off")
    assert event.actor == setup.member_user and event.actor_role == "监督委员会"


def test_owner_cannot_sign_off_own_milestone(setup, world):
    """The owner is also a resident on the supervision committee (a membership kept from before they
    joined the committee): still their own work."""
    m = setup.milestone(done=True)
    owner = world.community_worker_a
    with pytest.raises(RuleError, match="在任成员"):  # no resident record: not a member at all
        services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=owner)
    owner.resident = resident(household(world.grid_a1), name="社工本人")
    owner.save()
    SupervisionMember.objects.create(community=world.comm_a, resident=owner.resident, started_on=setup.today,
                                     created_by=owner)
    before = _state(setup)
    with pytest.raises(RuleError, match="不能验收自己负责的工作"):
        services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=owner)
    with pytest.raises(RuleError, match="不能验收自己负责的工作"):
        services.milestone_object(milestone_id=m.pk, version=m.version, by=owner, reason="自己提异议")
    assert _state(setup) == before


def test_whoever_reported_the_milestone_done_cannot_sign_it_off(setup, world):
    m = setup.milestone()
    m = services.milestone_progress(milestone_id=m.pk, version=m.version, percent=100, done=True,
                                    by=setup.member_user)
    with pytest.raises(RuleError, match="不能验收自己负责的工作"):
        services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=setup.member_user)
    services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=setup.member2_user)


def test_a_committee_member_cannot_join_the_supervision_committee(setup, world):
    world.community_worker_a.resident = resident(household(world.grid_a1), name="社工本人")
    world.community_worker_a.save()
    with pytest.raises(RuleError, match="不能兼任"):
        services.member_add(community=world.comm_a, resident=world.community_worker_a.resident,
                            started_on=setup.today, by=world.community_worker_a)


def test_non_member_cannot_sign_off_or_object(setup, world):
    m = setup.milestone(done=True)
    before = _state(setup)
    for who in (world.resident_user, world.community_worker_b, world.grid_worker_a1):
        with pytest.raises(RuleError, match="只有本社区监督委员会的在任成员"):
            services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=who)
        with pytest.raises(RuleError, match="只有本社区监督委员会的在任成员"):
            services.milestone_object(milestone_id=m.pk, version=m.version, by=who, reason="不行")
    assert _state(setup) == before


def test_a_member_of_another_community_or_whose_term_ended_cannot_sign(setup, world):
    m = setup.milestone(done=True)
    other = resident(household(world.grid_b1), name="外社区委员")
    outsider = user("outsider", "resident", world.comm_b, resident=other)
    services.member_add(community=world.comm_b, resident=other, started_on=setup.today, by=world.community_worker_b)
    with pytest.raises(RuleError, match="在任成员"):
        services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=outsider)
    services.member_end(member_id=setup.member.pk, version=1, ended_on=setup.today - dt.timedelta(days=1),
                        reason="迁出", by=world.community_worker_a)
    with pytest.raises(RuleError, match="在任成员"):
        services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=setup.member_user)


def test_objection_goes_back_to_the_owner_and_blocks_completion(setup, world):
    m = setup.milestone(done=True)
    with pytest.raises(RuleError, match="写明理由"):
        services.milestone_object(milestone_id=m.pk, version=m.version, by=setup.member_user, reason="  ")
    objection = services.milestone_object(milestone_id=m.pk, version=m.version, by=setup.member_user,
                                          reason="座椅没有固定")
    m.refresh_from_db()
    assert m.state == MilestoneState.OBJECTED
    assert any("提出异议:座椅没有固定" in t for t in _notices(world.community_worker_a))
    with pytest.raises(RuleError, match="不能完成"):
        services.project_complete(project_id=setup.project.pk, version=setup.version(), by=world.community_worker_a)
    with pytest.raises(RuleError, match="有异议」,不能验收"):  # an objected milestone cannot be signed off before the answer
        services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=setup.member2_user)
    services.objection_answer(objection_id=objection.pk, milestone_version=m.version, answer="已加固",
                              by=world.community_worker_a)
    assert any("异议已答复" in t for t in _notices(setup.member_user))
    with pytest.raises(ConflictError, match="已经答复"):
        services.objection_answer(objection_id=objection.pk, milestone_version=m.version + 1, answer="再答",
                                  by=world.community_worker_a)
    m.refresh_from_db()
    assert m.state == MilestoneState.DONE
    services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=setup.member2_user)
    project = services.project_complete(project_id=setup.project.pk, version=setup.version(),
                                        by=world.community_worker_a)
    assert project.state == ProjectState.COMPLETED and project.progress == 100
    assert any("已完成" in t for t in _notices(world.resident_user))


def test_complete_needs_milestones(setup, world):
    with pytest.raises(RuleError, match="还没有节点"):
        services.project_complete(project_id=setup.project.pk, version=setup.version(), by=world.community_worker_a)


def test_version_conflict_changes_nothing(setup, world):
    stale = setup.version()
    services.milestone_add(project_id=setup.project.pk, version=stale, title="一", due_on=setup.today,
                           by=world.community_worker_a)
    before = _state(setup)
    with pytest.raises(ConflictError, match="刚被他人修改"):
        services.milestone_add(project_id=setup.project.pk, version=stale, title="二", due_on=setup.today,
                               by=world.community_worker_a)
    with pytest.raises(ConflictError):
        services.project_edit(project_id=setup.project.pk, version=stale, title="改", basis="b",
                              owner=world.community_worker_a, starts_on=setup.today, ends_on=setup.today,
                              by=world.community_worker_a)
    assert _state(setup) == before
    m = Milestone.objects.get(project=setup.project)
    services.milestone_progress(milestone_id=m.pk, version=m.version, percent=10, by=world.community_worker_a)
    before = _state(setup)
    with pytest.raises(ConflictError):
        services.milestone_progress(milestone_id=m.pk, version=m.version, percent=20, by=world.community_worker_a)
    assert _state(setup) == before


@pytest.mark.parametrize("text,message", [("楼道\x00灯", "控制字符"), ("长" * 10 * 1024 * 1024, "不能超过"),
                                          ("\u202e反转", "控制字符")])
def test_bad_text_is_refused_and_nothing_saved(setup, world, text, message):
    m = setup.milestone(done=True)
    before = _state(setup)
    with pytest.raises(RuleError, match=message):
        services.milestone_object(milestone_id=m.pk, version=m.version, by=setup.member_user, reason=text)
    with pytest.raises(RuleError, match=message):
        services.milestone_add(project_id=setup.project.pk, version=setup.version(), title=text,
                               due_on=setup.today, by=world.community_worker_a)
    with pytest.raises(RuleError, match=message):
        services.project_open(community=world.comm_a, title="标题", basis=text, owner=world.community_worker_a,
                              starts_on=setup.today, ends_on=setup.today, by=world.community_worker_a)
    assert _state(setup) == before


@pytest.mark.parametrize("amount", ["abc", "1.234", "0", "1e20", "NaN", "Infinity", ""])
def test_bad_amounts(setup, world, amount):
    with pytest.raises(RuleError, match="金额"):
        services.cost_add(project_id=setup.project.pk, version=setup.version(), kind="spending", amount=amount,
                          on=setup.today, item="座椅", by=world.community_worker_a)
    assert not CostEntry.objects.exists()


def test_costs_are_decimal_and_cannot_be_edited(setup, world):
    entry = services.cost_add(project_id=setup.project.pk, version=setup.version(), kind="budget", amount="1,234.50",
                              on=setup.today, item="预算", by=world.community_worker_a)
    assert entry.amount == Decimal("1234.50")
    services.cost_add(project_id=setup.project.pk, version=setup.version(), kind="spending", amount="-0.10",
                      on=setup.today, item="冲正", by=world.community_worker_a)
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_events_cannot_be_changed(setup):
    event = setup.project.events.first()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_links_only_within_the_community(setup, world):
    from gongzhi.ledgers.models import Volunteer
    from gongzhi.people.models import Organisation
    org_a = Organisation.objects.create(community=world.comm_a, kind="social_org", name="东虹志愿队")
    services.link(project_id=setup.project.pk, version=setup.version(), kind="organisation", target=org_a,
                  by=world.community_worker_a)
    with pytest.raises(RuleError, match="只能关联本社区的社会组织"):
        services.link(project_id=setup.project.pk, version=setup.version(), kind="organisation", target=world.org_b,
                      by=world.community_worker_a)
    volunteer = Volunteer.objects.create(community=world.comm_a, resident=world.res_a2, registered_on=setup.today)
    services.link(project_id=setup.project.pk, version=setup.version(), kind="volunteer", target=volunteer,
                  by=world.community_worker_a)
    assert list(setup.project.organisations.all()) == [org_a] and list(setup.project.volunteers.all()) == [volunteer]
    assert "李四" not in "".join(setup.project.events.values_list("note", flat=True))


def test_supervision_roll(setup, world):
    with pytest.raises(RuleError, match="在任成员"):
        services.member_add(community=world.comm_a, resident=setup.member.resident, started_on=setup.today,
                            by=world.community_worker_a)
    with pytest.raises(RuleError, match="登记在册的居民"):
        services.member_add(community=world.comm_a, resident=world.res_b1, started_on=setup.today,
                            by=world.community_worker_a)
    with pytest.raises(RuleError, match="不能早于"):
        services.member_end(member_id=setup.member.pk, version=1, ended_on=setup.today - dt.timedelta(days=30),
                            reason="", by=world.community_worker_a)
    ended = services.member_end(member_id=setup.member.pk, version=1, ended_on=setup.today, reason="任期届满",
                                by=world.community_worker_a)
    with pytest.raises(RuleError, match="已经结束"):
        services.member_end(member_id=ended.pk, version=ended.version, ended_on=setup.today, reason="",
                            by=world.community_worker_a)
    again = services.member_add(community=world.comm_a, resident=setup.member.resident, started_on=setup.today,
                                by=world.community_worker_a)
    assert SupervisionMember.objects.filter(resident=setup.member.resident).count() == 2 and again.ended_on is None


def test_late_when_a_milestone_is_past_its_date(setup, world):
    from gongzhi.projects import selectors
    setup.milestone(days=-1)
    assert setup.project.is_late()
    assert selectors.schedule_counts(Project.objects.all())["late"] == 1


def test_stop_needs_a_reason_and_ends_changes(setup, world):
    with pytest.raises(RuleError, match="写明原因"):
        services.project_stop(project_id=setup.project.pk, version=setup.version(), reason="", by=world.community_worker_a)
    services.project_stop(project_id=setup.project.pk, version=setup.version(), reason="资金未落实",
                          by=world.community_worker_a)
    with pytest.raises(RuleError, match="已终止,不能再修改"):
        services.milestone_add(project_id=setup.project.pk, version=setup.version(), title="x", due_on=setup.today,
                               by=world.community_worker_a)


def test_two_members_signing_at_once_sign_once(transactional_db, setup, world):
    """Two members press 验收 and 提出异议 on the same milestone at the same moment: one step wins,
    the other is refused (the row lock and the version), and exactly one event is written."""
    import threading

    from django.db import connection
    m = setup.milestone(done=True)
    results = []

    def go(step):
        try:
            step()
            results.append("ok")
        except (RuleError, ConflictError) as exc:
            results.append(str(exc))
        except Exception as exc:  # SQLite: "database is locked" under contention is a refusal too
            results.append(repr(exc))
        finally:
            connection.close()

    steps = [lambda: services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=setup.member_user),
             lambda: services.milestone_object(milestone_id=m.pk, version=m.version, by=setup.member2_user,
                                               reason="不同意")]
    threads = [threading.Thread(target=go, args=(s,)) for s in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    m.refresh_from_db()
    assert m.version == 3 and m.state in (MilestoneState.SIGNED_OFF, MilestoneState.OBJECTED)
    assert ProjectEvent.objects.filter(milestone=m, action__in=["sign_off", "object"]).count() == 1
