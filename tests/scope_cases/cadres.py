"""Cadre supervision (村干部监督): a village of street B (a town) whose cadre is 王五, with an open
democratic review he is rated in, an overdue talk, a public pledge and an activist review named after him.
Nobody outside B reads or moves any of it; the lists hold nothing of it. A resident outside the round's
roll reaches none of its cadres."""
import datetime as dt

VILLAGE_B = "320282002201"  # community(street_b, 1, rural=True): the matrix world's street B is 320282002

ENDPOINTS = {
    "cadres:round": ("GET", lambda w: f"/cadres/rounds/{w.round_b.pk}/"),
    "cadres:round_xlsx": ("GET", lambda w: f"/cadres/rounds/{w.round_b.pk}/results.xlsx"),
    "cadres:round_new": ("POST", lambda w: "/cadres/rounds/new/"),
    "cadres:round_close": ("POST", lambda w: f"/cadres/rounds/{w.round_b.pk}/close/"),
    "cadres:round_void": ("POST", lambda w: f"/cadres/rounds/{w.round_b.pk}/void/"),
    "cadres:cadre": ("GET", lambda w: f"/cadres/cadres/{w.cadre_b.pk}/"),
    "cadres:cadre_link": ("POST", lambda w: f"/cadres/cadres/{w.cadre_b.pk}/link/"),
    "cadres:check": ("GET", lambda w: f"/cadres/checks/{w.check_b.pk}/"),
    "cadres:check_new": ("POST", lambda w: "/cadres/checks/new/"),
    "cadres:checks_plan": ("POST", lambda w: "/cadres/checks/plan/"),
    "cadres:check_record": ("POST", lambda w: f"/cadres/checks/{w.check_b.pk}/record/"),
    "cadres:check_follow_up": ("POST", lambda w: f"/cadres/checks/{w.check_b.pk}/follow-up/"),
    "cadres:check_void": ("POST", lambda w: f"/cadres/checks/{w.check_b.pk}/void/"),
    "cadres:pledge_new": ("POST", lambda w: "/cadres/pledges/new/"),
    "cadres:pledge": ("POST", lambda w: f"/cadres/pledges/{w.pledge_b.pk}/"),
    "cadres:pledge_void": ("POST", lambda w: f"/cadres/pledges/{w.pledge_b.pk}/void/"),
    "cadres:activist_new": ("POST", lambda w: "/cadres/activists/new/"),
    "cadres:rate": ("POST", lambda w: f"/cadres/mine/{w.subject_b.pk}/"),
}
LISTS = {
    "cadres:home": "/cadres/",
    "cadres:checks": "/cadres/checks/?state=overdue",
    "cadres:checks_xlsx": "/cadres/checks.xlsx",
    "cadres:pledges": "/cadres/pledges/",
    "cadres:activists": "/cadres/activists/",
    "cadres:mine": "/cadres/mine/",
}
BODY = {"village": VILLAGE_B, "year": "2026", "half": "1", "opens_on": "2026-01-05", "closes_on": "2026-01-20",
        "due_on": "2025-06-01", "by_whom": "篡改", "verdict": "unsatisfied", "made_on": "2025-01-01",
        "recommended_by": "party", "attendees": "3", "votes_for": "3", "votes_against": "0", "abstentions": "0",
        "follow_up_note": "篡改", "state": "kept"}


def build(w):
    from django.utils import timezone

    from gongzhi.cadres import services
    from gongzhi.cadres.models import Oversight
    from gongzhi.ledgers.models import Worker
    from tests.factories import community, grid, household, resident, user
    today = timezone.localdate()
    w.village_b = community(w.street_b, 1, "王家村", rural=True)
    assert w.village_b.code == VILLAGE_B
    vgrid = grid(w.village_b, 1)
    wang = resident(household(vgrid), name="王五", party_member=True)
    rater = resident(household(vgrid), name="王五的邻居", party_member=True)
    w.cadre_b = Worker.objects.create(community=w.village_b, name="王五", committee_post="director",
                                      party_post="secretary", since=dt.date(2021, 1, 1))
    officer = user("town_b", "street", w.street_b)
    half = 1 if today.month <= 6 else 2
    w.round_b = services.round_open(village=w.village_b, year=today.year, half=half, opens_on=today,
                                    closes_on=today + dt.timedelta(days=3), by=officer)
    w.subject_b = w.round_b.subjects.get()
    rater_user = user("wang_neighbour", "resident", vgrid, resident=rater)
    services.rate(subject=w.subject_b, resident=rater, by=rater_user, verdict="basic", comment="王五办事认真")
    w.check_b = Oversight.objects.create(community=w.village_b, kind="talk", form="regular",
                                         due_on=today - dt.timedelta(days=5), by_whom="镇长王五", created_by=officer)
    w.pledge_b = services.pledge_add(worker=w.cadre_b, year=today.year, made_on=dt.date(today.year, 1, 1),
                                     text="王五承诺修路", by=officer)
    services.activist_review(village=w.village_b, resident=resident(household(vgrid), name="王五之子"),
                             recommended_by="party", held_on=today, attendees=5, votes_for=3, votes_against=1,
                             abstentions=1, by=officer)
    assert wang  # a registered villager of B named 王五


def snapshot():
    from gongzhi.cadres.models import ActivistReview, CadreLink, Oversight, Pledge, Rating, ReviewRound
    return (list(ReviewRound.objects.order_by("pk").values_list("pk", "state", "version")),
            list(Rating.objects.order_by("pk").values_list("pk", "verdict", "version")),
            list(Oversight.objects.order_by("pk").values_list("pk", "held_on", "version", "void_reason")),
            list(Pledge.objects.order_by("pk").values_list("pk", "state", "version", "void_reason")),
            ActivistReview.objects.count(), CadreLink.objects.count())
