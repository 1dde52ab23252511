"""Property services of the demo district (DemoPart 54), made through the real services:

- the property firms people's part named (with their credit codes), two project managers each;
- every estate's management mode: most under a firm's contract (period and fees), some old estates
  run by the residents' committee, a social organisation or the owners themselves;
- owners' committees for about half the firm-managed estates (members from the estate's residents,
  most filed with the street), and a held four-party meeting with its issues in every community
  (one issue followed up), which writes its ledger row;
- last year's evaluation of every managed estate (up to 20 households each, one rating per
  household), and this year's open in the demo resident's estate (so the resident can rate);
- last year's and this year's credit scores, and one blacklisted project manager (the lowest score,
  whose estates the residents rated poorly), appealed online by the firm's own account (demo `wuye`,
  bound to the firm) and upheld by the district.

Its own random generator (random.Random(SEED)), so the parts after it stay as they were.
"""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gongzhi.core import codes
from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.estates import committees, credit, evaluations, services
from gongzhi.estates import firms as firm_accounts
from gongzhi.estates.manifest import MANAGE_ESTATES
from gongzhi.estates.models import AppealChannel, CreditRecord, ManagementMode, ProjectManager, PropertyFirm
from gongzhi.people.models import OrgKind, Organisation, PersonStatus, Resident
from gongzhi.workorders import notify

SEED = 5454
SUMMARY = {"estate_contracts": "物业合同 property contracts", "estate_ratings": "物业评价 property ratings",
           "estate_committees": "业委会 owners' committees"}
RATERS_PER_ESTATE = 20
_ISSUES = [("地下车库照明损坏", "物业两周内更换灯具", "firm", "已全部更换为感应灯"),
           ("电梯经常停运", "物业联系维保单位检修,业委会监督", "firm", "已更换控制主板"),
           ("公共收益使用不透明", "物业每季度公示公共收益收支", "firm", "已在公示栏张贴"),
           ("楼道堆放杂物", "居委会牵头集中清理,业委会动员住户", "committee", "已集中清理两次")]


def _manager_names(ctx, rng, n):
    return [ctx.full_name(rng.choice("MF"), rng.randint(1970, 1992)) for _ in range(n)]


def _by(ctx):
    return ctx.accounts.get("community") or next(iter(ctx.accounts.values()), None)


def build(ctx) -> None:
    rng = random.Random(SEED)
    today = timezone.localdate()
    year, last = today.year, today.year - 1
    by = _by(ctx)
    street_by = ctx.accounts.get("street") or by
    admin = ctx.accounts.get("admin") or street_by
    firms_seen = {}
    for name, code in (Organisation.objects.filter(kind=OrgKind.PROPERTY_FIRM).exclude(credit_code="")
                       .values_list("name", "credit_code").order_by("name")):
        firms_seen.setdefault(name, code)
    firms = []
    for name, code in firms_seen.items():
        firm = PropertyFirm.objects.filter(credit_code=code).first() or services.firm_create(
            name=name, credit_code=code, address="宜兴市", by=by)
        firms.append((firm, [services.manager_add(firm=firm, name=n, since=dt.date(last - 3, 3, 1))
                             for n in _manager_names(ctx, rng, 2)]))
    if not firms:
        ctx.say("物业: 没有物业企业,跳过")
        return
    # the manager residents will rate poorly (and the street blacklists)
    poor = firms[0][1][1]
    quality = {m.pk: rng.uniform(0.7, 0.95) for _, ms in firms for m in ms}
    quality[poor.pk] = 0.25
    social_orgs = {}
    for o in Organisation.objects.filter(kind=OrgKind.SOCIAL_ORG, active=True).order_by("pk"):
        social_orgs.setdefault(o.community_id, o)
    n_contracts = n_committees = n_ratings = 0
    demo_resident = ctx.accounts.get("resident")
    home_estate = evaluations.estate_of(demo_resident.resident) if demo_resident and demo_resident.resident_id \
        else None
    met = set()
    with notify.muted():
        for i, estate in enumerate(sorted(ctx.estates, key=lambda e: e.pk)):
            profile = services.profile_of(estate)
            roll = rng.random()
            old = rng.random() < 0.3
            contract = None
            if roll < 0.75 or (home_estate is not None and estate.pk == home_estate.pk) or i == 0:
                firm, managers = firms[i % len(firms)] if i else firms[0]
                manager = poor if i == 0 else rng.choice(managers)
                start = dt.date(last - rng.randint(0, 1), rng.choice([1, 4, 7]), 1)  # runs through today
                contract = services.contract_create(
                    estate=estate, firm=firm, manager=manager, starts_on=start,
                    ends_on=start.replace(year=start.year + 3) - dt.timedelta(days=1),
                    fee_residential=f"{rng.choice([0.6, 0.8, 1.0, 1.2, 1.5, 1.8, 2.2])}",
                    fee_commercial=f"{rng.choice([2.0, 2.5, 3.0])}", fee_note="按建筑面积计收,按季度缴纳",
                    by=by, today=today)
                n_contracts += 1
                profile.refresh_from_db()
                services.profile_set(estate=estate, version=profile.version, by=by, mode=ManagementMode.FIRM,
                                     old_estate=old, built_year=rng.randint(1995, 2018))
            else:
                steward = social_orgs.get(estate.community_id)
                mode = rng.choice([ManagementMode.COMMITTEE, ManagementMode.OWNERS] +
                                  ([ManagementMode.SOCIAL_ORG] if steward else []))
                services.profile_set(estate=estate, version=profile.version, by=by, mode=mode, old_estate=True,
                                     built_year=rng.randint(1982, 1999), steward=steward,
                                     note="无物业老旧小区,由社区托底管理" if mode == ManagementMode.COMMITTEE else "")
            residents = list(Resident.objects.filter(status=PersonStatus.ACTIVE,
                                                     household__dwelling__building__estate=estate,
                                                     relation=codes.HEAD_RELATION).order_by("pk")[:400])
            # an owners' committee for about half the firm-managed estates
            if contract is not None and len(residents) >= 7 and rng.random() < 0.5:
                elected = dt.date(last - 1, rng.randint(3, 10), 15)
                c = committees.committee_create(estate=estate, elected_on=elected,
                                                term_ends=elected.replace(year=elected.year + 5) - dt.timedelta(days=1),
                                                by=by)
                for j, r in enumerate(rng.sample(residents, rng.randint(5, 7))):
                    committees.member_add(committee=c, resident=r, post="director" if j == 0 else
                                          ("deputy" if j == 1 else "member"))
                if rng.random() < 0.8:
                    committees.committee_file(committee_id=c.pk, version=c.version,
                                              filing_no=f"宜业备{elected.year}-{c.pk:03d}",
                                              filed_on=elected + dt.timedelta(days=20), by=street_by)
                n_committees += 1
            # one held four-party meeting per community
            if contract is not None and estate.community_id not in met:
                met.add(estate.community_id)
                picked = rng.sample(_ISSUES, 2)
                m = committees.meeting_call(
                    estate=estate, kind="four_party", title=f"{estate.name}物业服务协调会",
                    starts_at=timezone.now() - dt.timedelta(days=rng.randint(10, 60)), venue="社区议事协商室",
                    party_rep="社区党委书记", committee_rep="居委会主任", owners_rep="业委会主任",
                    firm_rep=f"项目经理{contract.manager.name}", issues="\n".join(p[0] for p in picked), by=by)
                issues = list(m.issues.order_by("pk"))
                m = committees.meeting_record(
                    meeting_id=m.pk, version=m.version, by=by, held_on=today, attendance=rng.randint(8, 15),
                    minutes="四方逐项协商,形成以下议定事项。",
                    decisions={iss.pk: (p[1], p[2], today + dt.timedelta(days=14)) for iss, p in zip(issues, picked)})
                committees.issue_follow_up(issue=issues[0], follow_up=picked[0][3], done_on=today)
            # last year's evaluation
            if contract is not None or profile.mode != ManagementMode.NONE:
                try:
                    ev = evaluations.evaluation_open(estate=estate, year=last, by=by, today=today)
                except RuleError:
                    ev = None
                if ev is not None:
                    q = quality.get(ev.manager_id, rng.uniform(0.6, 0.9))
                    seen = set()
                    for r in residents:
                        if len(seen) >= RATERS_PER_ESTATE or r.household_id in seen:
                            continue
                        seen.add(r.household_id)
                        answers = [rng.choice([4, 5]) if rng.random() < q else rng.choice([1, 2]) for _ in range(5)]
                        when = timezone.make_aware(dt.datetime(last, rng.randint(10, 12), rng.randint(1, 28), 20))
                        try:
                            evaluations.evaluation_answer(evaluation=ev, resident=r, answers=answers, now=when)
                            n_ratings += 1
                        except RuleError:
                            pass
        # this year's evaluation, open in the demo resident's estate
        if home_estate is not None:
            try:
                evaluations.evaluation_open(estate=home_estate, year=year, by=by, today=today)
            except RuleError:
                pass
    credit.compute(year=last)
    credit.compute(year=year)
    worst = (CreditRecord.objects.filter(year=last, manager__isnull=False).select_related("manager")
             .order_by("score", "pk").first())
    if worst is not None:
        entry = credit.blacklist_add(
            manager=worst.manager, by=admin, listed_on=today - dt.timedelta(days=30),
            until=today.replace(year=today.year + 2),
            reason=f"{last} 年度信用分 {worst.score} 分,低于 60 分;电梯故障投诉多次超时未整改")
        # the firm's own account appeals online (paper appeals are registered by the district instead)
        firm_account = ctx.accounts.get("wuye")
        if firm_account is not None:
            firm_accounts.staff_bind(firm=worst.manager.firm, username=firm_account.username,
                             scope=Scope.for_user_capability(street_by, MANAGE_ESTATES), by=street_by)
        entry = credit.appeal(entry_id=entry.pk, version=entry.version, appeal_text="已更换维保单位,请求撤销",
                              on=today - dt.timedelta(days=20), by=firm_account,
                              channel=AppealChannel.ONLINE if firm_account else AppealChannel.PAPER)
        credit.appeal_decide(entry_id=entry.pk, version=entry.version, revoke=False,
                             answer="经核查整改未到位,维持列入", by=admin)
    ctx.summary.add(SUMMARY, estate_contracts=n_contracts, estate_ratings=n_ratings, estate_committees=n_committees)
    ctx.say(f"物业: 合同 {n_contracts},业委会 {n_committees},评价 {n_ratings} 户,"
            f"项目经理 {ProjectManager.objects.count()}")
