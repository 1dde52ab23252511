"""Care (关爱服务): 王五 of community B is a disabled resident (a certificate recorded by B's worker),
with a worker's confirmation and an absence in his household. Nobody outside B reads his care page,
decides on his groups, records or ends an absence or changes his grade; the street's overview names
no one and counts only the communities the caller reaches."""
import datetime as dt

ENDPOINTS = {
    "care:person": ("GET", lambda w: f"/care/people/{w.res_b1.pk}/"),
    "care:review": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/review/"),
    "care:absence_new": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/absences/"),
    "care:disability": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/disability/"),
    "care:absence_return": ("POST", lambda w: f"/care/absences/{w.care_absence_b.pk}/return/"),
    "care:visit_new": ("POST", lambda w: f"/care/visits/{w.res_b1.pk}/new/"),
    "care:assess": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/assess/"),
    "care:assessment": ("GET", lambda w: f"/care/assessments/{w.care_assessment_b.pk}/"),
    "care:orders_for": ("GET", lambda w: f"/care/people/{w.res_b1.pk}/orders/"),
    "care:plan": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/plan/"),
    "care:order_new": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/orders/new/"),
    "care:order_step": ("POST", lambda w: f"/care/orders/{w.care_order_b.pk}/rate/"),
    "care:statement": ("GET", lambda w: f"/care/statements/{w.care_statement_b.pk}/"),
    "care:station_step": ("POST", lambda w: f"/care/station/{w.care_open_b.pk}/check-in/"),
    "care:my_step": ("POST", lambda w: f"/care/my/{w.care_open_b.pk}/cancel/"),
    "care:hardship": ("GET", lambda w: f"/care/hardships/{w.care_hardship_b.pk}/"),
    "care:hardship_route": ("POST", lambda w: f"/care/hardships/{w.care_hardship_b.pk}/route/"),
    "care:hardship_decide": ("POST", lambda w: f"/care/hardships/{w.care_routed_b.pk}/decide/"),
    "care:hardship_new": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/hardship/"),
    # 结对走访: 王五 is paired with a neighbour of B; nobody else visits him, pairs him or ends the pairing
    "care:paired_visit": ("POST", lambda w: f"/care/paired/{w.res_b1.pk}/visit/"),
    "care:pairing_new": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/pairings/"),
    "care:pairing_end": ("POST", lambda w: f"/care/pairings/{w.care_pairing_b.pk}/end/"),
    # 家属: 王五's daughter (another household of B) is linked to him; nobody else acts on his orders or the link
    "care:family_step": ("POST", lambda w: f"/care/family/{w.care_open_b.pk}/cancel/"),
    "care:family_link_new": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/family/"),
    "care:family_link_end": ("POST", lambda w: f"/care/family-links/{w.care_family_b.pk}/end/"),
    # 残疾人之家: 王五 is enrolled at B's home, with a job help; nobody outside B enrols, ends, records or attends
    "care:enrol": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/enrol/"),
    "care:enrolment_end": ("POST", lambda w: f"/care/enrolments/{w.care_enrol_b.pk}/end/"),
    "care:job_help_new": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/job-help/"),
    "care:job_help_outcome": ("POST", lambda w: f"/care/job-help/{w.care_job_b.pk}/outcome/"),
    "care:home_attend": ("POST", lambda w: f"/care/home/{w.care_enrol_b.pk}/attend/"),
    # B's home (王五 enrolled, his job help recorded there): nobody outside B reads it, edits, closes it or
    # records job help there, and nobody sets up a home in B (the body names B's code as the place)
    "care:home": ("GET", lambda w: f"/care/disabled/homes/{w.care_home_b.pk}/"),
    "care:home_edit": ("POST", lambda w: f"/care/disabled/homes/{w.care_home_b.pk}/edit/"),
    "care:home_close": ("POST", lambda w: f"/care/disabled/homes/{w.care_home_b.pk}/close/"),
    "care:home_job_help": ("POST", lambda w: f"/care/disabled/homes/{w.care_home_b.pk}/job-help/"),
    "care:home_new": ("POST", lambda w: "/care/disabled/homes/new/"),
    # B's station and home with B's provider account bound: nobody outside B reads the station's page or the home's
    # staff, binds an account there (the body names the account "intruder") or ends B's bindings (ended_on: today)
    "care:station": ("GET", lambda w: f"/care/stations/{w.care_station_b.pk}/"),
    "care:station_staff_bind": ("POST", lambda w: f"/care/stations/{w.care_station_b.pk}/staff/"),
    "care:station_staff_end": ("POST", lambda w: f"/care/station-staff/{w.care_station_staff_b.pk}/end/"),
    "care:home_staff_bind": ("POST", lambda w: f"/care/disabled/homes/{w.care_home_b.pk}/staff/"),
    "care:home_staff_end": ("POST", lambda w: f"/care/disabled/home-staff/{w.care_home_staff_b.pk}/end/"),
}
LISTS = {
    "care:groups": "/care/",
    "care:overview": "/care/overview/",
    "care:due": "/care/visits/",
    "care:week": "/care/visits/week/",
    "care:statements": "/care/statements/",
    "care:orders": "/care/station/",
    "care:my": "/care/my/",
    "care:stations": "/care/stations/",
    "care:station_map": "/care/stations/map/",
    "care:station_map_data": "/care/stations/map.json",
    "care:hardships": "/care/hardships/",
    "care:paired": "/care/paired/",
    "care:pairings": "/care/pairings/",
    "care:family": "/care/family/",
    "care:disabled": "/care/disabled/",
    "care:home_staff": "/care/home/",
    "care:homes": "/care/disabled/homes/",
}
# ordering on one's own page orders for the caller's own household only
# (tests/care/test_orders.py::test_pages_by_role)
OTHER = {"care:my_order",
         # ordering for a linked elder only (tests/care/test_family.py::test_family_page: another elder is 404)
         "care:family_order",
         # public: a relative outside the registry opens the family account a link waits for; matched by keyed
         # hash, one message for any mismatch, nothing personal shown (tests/care/test_family_outside.py)
         "care:family_join", "care:family_join_code", "care:family_join_account"}
BODY = {"group": "disabled", "grade": "1", "returned_on": "2025-06-01", "condition": "good", "notes": "篡改",
        "visited_on": dt.date.today().isoformat(), "assessed_on": dt.date.today().isoformat(), "self_care": "20",
        "mobility": "10", "mental": "20", "perception": "8", "scheme": "own", "per_month_meal": "10",
        "starts_on": dt.date.today().isoformat(), "scheduled_for": (dt.datetime.now() + dt.timedelta(days=1))
        .strftime("%Y-%m-%dT%H:%M"), "rating": "1", "granted": "yes", "outcome": "篡改",
        "description": "篡改", "services": ["day_care", "job_help"], "day_care_places": "3", "phone": "13900001111",
        "closed_on": dt.date.today().isoformat()}  # hours, given_on and detail: the network and volunteers cases give them


def build(w):
    from gongzhi.care import services
    from tests.factories import resident
    services.disability_record(resident=w.res_b1, kind="physical", grade=2, by=w.community_worker_b)
    services.group_review(resident=w.res_b1, group="disabled", decision="confirm", reason="王五持残疾证",
                          by=w.community_worker_b)
    son = resident(w.hh_b1, "王五之子", relation="20")
    w.care_absence_b = services.absence_record(resident=son, reason="work", since=dt.date.today(),
                                               destination="王五之子在上海", by=w.community_worker_b)
    services.care_visit_record(resident=w.res_b1, by=w.community_worker_b, visited_on=dt.date.today(),
                               condition="poor", notes="王五腿伤未愈", findings="王五需要康复器材",
                               follow_up="hardship", hardship_kind="illness")
    from django.utils import timezone

    from gongzhi.care import orders
    from gongzhi.care.models import Station
    from tests.factories import user
    station = Station.objects.create(place=w.comm_b, level="community", name="南岳社区居家养老服务站",
                                     services=["meal", "bath"], capacity=20)
    provider = user("prov_b1", "provider", w.comm_b)
    from gongzhi.care import staff
    w.care_station_b = station
    w.care_station_staff_b = staff.station_staff_bind(station=station, username="prov_b1", by=w.community_worker_b)
    w.care_assessment_b = orders.assessment_record(
        resident=w.res_b1, scores={"self_care": 10, "mobility": 5, "mental": 20, "perception": 5},
        assessed_on=dt.date.today(), by=w.community_worker_b, note="王五卧床")
    orders.plan_set(resident=w.res_b1, services=[{"kind": "meal", "per_month": 30}], scheme="government",
                    station=station, starts_on=dt.date.today(), by=w.community_worker_b)
    w.care_order_b = orders.order_place(resident=w.res_b1, kind="meal", scheduled_for=timezone.now(),
                                        by=w.community_worker_b, note="王五午餐")
    orders.order_check_in(order=w.care_order_b, by=provider)
    orders.order_check_out(order=w.care_order_b, by=provider)
    orders.order_confirm(order=w.care_order_b, by=w.community_worker_b)
    w.care_statement_b = orders.statements_make(community=w.comm_b, month=dt.date.today(), by=w.community_worker_b)[0]
    from gongzhi.care import hardship
    from gongzhi.care.models import HardshipReport
    w.care_hardship_b = HardshipReport.objects.get(resident=w.res_b1)
    routed = services.hardship_report(resident=w.res_b1, kind="accident", description="王五摔伤",
                                      by=w.community_worker_b)
    w.care_routed_b = hardship.hardship_route(report=routed, scheme="temporary", by=w.community_worker_b,
                                              version=1)
    station.lat, station.lon = 31.30, 119.80
    station.save()
    from gongzhi.care import pairings
    from tests.factories import household, id_number
    neighbour_id = id_number(birth=dt.date(1975, 3, 9))
    neighbour = resident(household(w.grid_b1), "赵六", id_number=neighbour_id)
    user("nb_b1", "resident", w.grid_b1, resident=neighbour)
    w.care_pairing_b = pairings.pairing_start(resident=w.res_b1, kind="neighbour", id_number=neighbour_id,
                                              by=w.community_worker_b, starts_on=dt.date.today())
    from gongzhi.care import family
    daughter_id = id_number(birth=dt.date(1978, 6, 2))
    daughter = resident(household(w.grid_b1), "王五之女", id_number=daughter_id)
    user("daughter_b1", "resident", w.grid_b1, resident=daughter)
    w.care_family_b = family.family_link(elder=w.res_b1, name="王五之女", id_number=daughter_id, relation="child",
                                         consent_on=dt.date.today(), consent_note="王五本人当面同意",
                                         by=w.community_worker_b)
    # a son of 张三 (community A) working in another city: a family account with no post and no registry record,
    # one of the matrix's callers (tests/test_scope_matrix.py): it reaches nothing of B, and of A only 张三's care
    from gongzhi.care import family_join
    from gongzhi.core import crypto
    son_id = id_number(birth=dt.date(1970, 2, 3), region="310101")
    family.family_link(elder=w.res_a1, name="张三之子", id_number=son_id, relation="child", phone="13916620418",
                       consent_on=dt.date.today(), consent_note="张三本人当面同意", by=w.community_worker_a)
    w.family_outside_a = family_join.join_open(id_hash=crypto.keyed_hash(son_id), username="son_outside_a",
                                               password="Long-enough-1x")
    from gongzhi.care import disabled
    from gongzhi.care.models import DisabilityHome
    home = DisabilityHome.objects.create(place=w.comm_b, name="南岳社区残疾人之家", day_care_places=10, rehab_places=5)
    w.care_home_staff_b = staff.home_staff_bind(home=home, username="prov_b1", by=w.community_worker_b)
    w.care_enrol_b = disabled.enrol(resident=w.res_b1, home=home, service="rehab", starts_on=dt.date.today(),
                                    by=w.community_worker_b)
    w.care_job_b = disabled.job_help_record(resident=w.res_b1, kind="training", given_on=dt.date.today(),
                                            detail="王五参加电商客服培训", by=w.community_worker_b, home=home)
    w.care_home_b = home
    w.care_open_b = orders.order_place(resident=w.res_b1, kind="bath", scheduled_for=timezone.now(),
                                       by=w.community_worker_b, note="王五洗澡")


def snapshot():
    from gongzhi.people.models import Absence
    from gongzhi.care.models import (
        Assessment, CarePlan, CareVisit, Disability, GroupReview, HardshipReport, ServiceOrder, Statement,
        DisabilityHome, FamilyLink, HomeAttendance, HomeEnrolment, HomeStaff, JobHelp, StationStaff, VisitorPairing,
    )
    return (GroupReview.objects.count(), CareVisit.objects.count(), Assessment.objects.count(),
            Statement.objects.count(), list(CarePlan.objects.order_by("pk").values_list("pk", "ended_on")),
            list(ServiceOrder.objects.order_by("pk").values_list("pk", "state", "version", "rating")),
            list(HardshipReport.objects.order_by("pk").values_list("pk", "state", "version")),
            list(Absence.objects.order_by("pk").values_list("pk", "returned_on")),
            list(Disability.objects.order_by("pk").values_list("pk", "kind", "grade")),
            list(VisitorPairing.objects.order_by("pk").values_list("pk", "ended_on", "visitor_id")),
            list(FamilyLink.objects.order_by("pk").values_list("pk", "ended_on", "account_id")),
            list(HomeEnrolment.objects.order_by("pk").values_list("pk", "ended_on")), HomeAttendance.objects.count(),
            list(JobHelp.objects.order_by("pk").values_list("pk", "outcome", "version")),
            list(DisabilityHome.objects.order_by("pk").values_list("pk", "name", "version", "closed_on", "services")),
            list(StationStaff.objects.order_by("pk").values_list("pk", "user_id", "ended_on", "version")),
            list(HomeStaff.objects.order_by("pk").values_list("pk", "user_id", "ended_on", "version")))
