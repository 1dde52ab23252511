"""The slow obvious way: every metric for one community at a time, in plain
Python over that community's rows. Tests compare compute.py against it."""
from __future__ import annotations

import datetime as dt

from gongzhi.ledgers.models import Activity, Disclosure, Election, Meeting, Training, Volunteer, Worker
from gongzhi.people.models import Household, Organisation, Resident
from gongzhi.places.metrics import EIGHT, ONE_HALL_FIVE
from gongzhi.places.models import Estate, Facility, GridStaff, Level, Place
from gongzhi.standards.models import SurveyResponse


def _ratio(n, d, scale):
    return round(float(n) * scale / d, 2) if d else None


def reference(c: Place, *, year: int, as_of: dt.date) -> dict:
    households = Household.objects.filter(community=c, status="active").count()
    people = list(Resident.objects.filter(community=c, status="active"))
    residents = len(people)
    facility = Facility.objects.filter(community=c).first()
    area = float(facility.service_area_m2) if facility else 0
    rooms = set(facility.rooms) if facility else set()
    workers = list(Worker.objects.filter(community=c, left_on__isnull=True))
    committee = [w for w in workers if w.committee_post]
    party = [w for w in workers if w.party_post]
    full_time = [w for w in workers if w.full_time]
    certified = [w for w in workers if w.certificate]

    def least(group, measure):
        values = []
        for w in group:
            ts = [t for t in Training.objects.filter(worker=w, voided="") if t.held_on.year == year]
            values.append(float(sum(t.days for t in ts)) if measure == "days" else len(ts))
        return min(values) if values else 0

    leaders = [w for w in workers if w.committee_post == "director" or w.party_post == "secretary"]
    others = [w for w in workers if w not in leaders and (w.committee_post or w.party_post)]
    directors = [w for w in workers if w.committee_post == "director"]
    members = [w for w in workers if w.committee_post and w.committee_post != "director"]
    grids = list(Place.objects.filter(parent=c, level=Level.GRID))
    staffed = [g for g in grids if GridStaff.objects.filter(grid=g, active=True, role="leader").exists()
               and GridStaff.objects.filter(grid=g, active=True, role="full_time").exists()]
    estates = list(Estate.objects.filter(community=c))
    orgs = [o for o in Organisation.objects.filter(community=c, kind="social_org", active=True)]
    volunteers = [v for v in Volunteer.objects.filter(community=c, left_on__isnull=True)
                  if v.resident.status == "active"]
    meetings = [m for m in Meeting.objects.filter(community=c, voided="") if m.held_on.year == year]
    disclosures = [d for d in Disclosure.objects.filter(community=c, voided="")]
    in_year = [d for d in disclosures if d.published_on.year == year]
    past = [d.published_on for d in disclosures if d.published_on <= as_of]
    elections = sorted((e for e in Election.objects.filter(community=c, voided="") if e.held_on <= as_of),
                       key=lambda e: (e.held_on, e.id))

    def responses(kind):
        return [r for r in SurveyResponse.objects.filter(community=c, survey__kind=kind)
                if r.submitted_at.year == year]

    def survey(kind):
        rs = responses(kind)
        return round(100.0 * sum(r.positive for r in rs) / len(rs), 2) if rs else None

    return {
        "households": households, "residents": residents, "party_members": sum(p.party_member for p in people),
        "facility_area": area, "facility_area_per_100_households": _ratio(area, households, 100),
        "station_area": float(facility.station_area_m2) if facility else 0,
        "activity_area_share": (_ratio(float(facility.activity_area_m2), float(facility.station_area_m2), 100)
                                if facility and facility.station_area_m2 else (None if facility else 0)),
        "rooms_one_hall_five": len(rooms & ONE_HALL_FIVE), "rooms_eight": len(rooms & EIGHT),
        "home_care_station": 100.0 if "elderly_care" in rooms else 0.0,
        "publicity_boards": facility.publicity_boards if facility else 0,
        "disclosure_boards": facility.disclosure_boards if facility else 0,
        "committee_members": len(committee),
        "committee_full_time_share": _ratio(sum(w.full_time for w in committee), len(committee), 100),
        "households_per_committee_member": _ratio(households, len(committee), 1),
        "full_time_staff": sum(1 for w in full_time if not w.committee_post and not w.party_post),
        "households_per_full_time_worker": _ratio(households, len(full_time), 1),
        "certified_social_workers_per_10k": _ratio(len(certified), residents, 10_000),
        "certified_worker_share": _ratio(len(certified), len(workers), 100),
        "party_committee_members": len(party),
        "cross_holding_share": _ratio(sum(1 for w in party if w.committee_post), len(party), 100),
        "leader_training_days": least(leaders, "days"), "member_training_days": least(others, "days"),
        "director_trainings": least(directors, "count"), "committee_member_trainings": least(members, "count"),
        "grid_coverage": (round(100 * sum(1 for e in estates if e.grid_id) / len(estates), 2) if estates
                          else (100.0 if grids else 0.0)),
        "grids_staffed_share": round(100 * len(staffed) / len(grids), 2) if grids else 0,
        "social_orgs": len(orgs), "social_orgs_per_10k": _ratio(len(orgs), residents, 10_000),
        "volunteer_orgs": sum(o.volunteer_team for o in orgs),
        "registered_volunteers": len(volunteers),
        "volunteer_registration_rate": _ratio(len(volunteers), residents, 100),
        "volunteer_activities_per_year": sum(1 for a in Activity.objects.filter(community=c, voided="")
                                             if a.held_on.year == year),
        "residents_meetings_per_year": sum(1 for m in meetings if m.kind in ("residents", "representatives")),
        "deliberation_meetings_per_year": sum(1 for m in meetings if m.kind == "deliberation"),
        "disclosure_quarters": len({(d.published_on.month - 1) // 3 for d in in_year}),
        "disclosure_age_days": float((as_of - max(past)).days) if past else None,
        "committee_directly_elected": (None if not elections else
                                       (100.0 if elections[-1].method == "direct" else 0.0)),
        "satisfaction_rate": survey("satisfaction"), "sense_of_security_rate": survey("security"),
        "property_satisfaction_rate": survey("property"),
        "security_responses": len(responses("security")),
        "security_positive": sum(r.positive for r in responses("security")),
        # standards/rule_metrics.py
        "committee_posts_counted": sum(1 for w in committee if w.full_time),
        "secretary_is_director": (None if not any(w.party_post == "secretary" for w in workers) else
                                  100.0 if any(w.party_post == "secretary" and w.committee_post == "director"
                                               for w in workers) else 0.0),
        "posts_one_shoulder": sum(1 for w in workers if w.party_post == "secretary" and w.committee_post == "director"),
        "posts_secretary_or_director": sum(1 for w in workers
                                           if (w.party_post == "secretary") != (w.committee_post == "director")),
        "posts_deputy_director": sum(1 for w in workers if w.committee_post == "deputy"),
        "certified_workers": len(certified), "serving_workers": len(workers),
        "hearings_per_year": sum(1 for m in meetings if m.kind == "hearing"),
        "dispute_meeting_months": len({m.held_on.month for m in meetings if m.kind == "monthly"}),
        "grid_kind_share": round(100 * sum(1 for g in grids if g.grid_kind) / len(grids), 2) if grids else None,
    }
