"""Secrecy of the ballot: the platform records who voted (turnout) and each station's counts, never
whose ballot was which. These tests try to tie a voter to a choice through the schema, the rows
written while voting, the pages, the export and the logs, and find nothing."""
import pytest
from django.apps import apps
from django.db import models

from gongzhi.elections.models import Candidate, Voter
from tests.elections.helpers import voting

pytestmark = pytest.mark.django_db


def _targets(model):
    return {f.related_model for f in model._meta.get_fields() if f.is_relation and f.many_to_one or
            (f.is_relation and f.one_to_one and f.concrete)}


def test_no_table_ties_a_voter_to_a_candidate():
    """No row of any app points both at a voter (or a resident) and at a candidate: the candidate's
    own row is the only one with both, and it stands for the candidate, not for a ballot."""
    from gongzhi.people.models import Resident
    for model in apps.get_models():
        if model is Candidate:
            continue
        targets = _targets(model)
        assert not ({Voter, Resident} & targets and Candidate in targets), model
    # and a voter's row holds no time of voting (a time could be matched with the order tallies were typed)
    for field in Voter._meta.get_fields():
        if isinstance(field, (models.DateTimeField, models.DateField)):
            assert field.name == "added_at", field.name


def _rows():
    """Every row of the apps a vote could write to, as text, by (model, pk)."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in ("elections", "audit", "core", "ledgers", "workorders", "people"):
            for row in model.objects.all().values():
                rows[(model.__name__, row.get("id"))] = " ".join(str(v) for v in row.values())
    return rows


def test_voting_through_the_pages_leaves_no_trace_of_a_choice(client, world):
    e = voting(world)
    client.force_login(world.community_worker_a)
    numbers = world.numbers
    before = _rows()
    # two voters sign at the mobile box, one of them for a proxy; the box's count is typed after
    client.post(f"/elections/{e.pk}/act/turnout/", {"station": world.mobile.pk, "id_number": numbers[5]})
    client.post(f"/elections/{e.pk}/act/turnout/", {"station": world.mobile.pk, "id_number": numbers[6],
                                                     "proxy_1": numbers[7]})
    assert Voter.objects.filter(voted=True).count() == 3
    d1, d2, m1, m2, m3 = world.candidates
    r = client.post(f"/elections/{e.pk}/act/tally/", {"station": world.mobile.pk, "ballots": "3", "invalid": "0",
                                                      f"c{d1.pk}": "2", f"c{d2.pk}": "1", f"c{m1.pk}": "3",
                                                      "w1_name": "赵另选", "w1_post": "member", "w1_votes": "1"})
    assert r.status_code == 302
    voters = [world.adults[i].name for i in (5, 6, 7)]
    # every row the vote wrote, anywhere: none names a voter beside a candidate or a vote count
    written = [(key[0], text) for key, text in _rows().items() if before.get(key) != text]
    assert any(name == "Voter" for name, _ in written) and any(name == "TallyLine" for name, _ in written)
    for name, text in written:
        for voter in voters:
            if voter in text:
                assert not any(c.name in text for c in world.candidates), (name, text)
                assert "赵另选" not in text, (name, text)
    # the pages and the export: the roll says who voted, never how; the detail shows counts per station
    roll = client.get(f"/elections/{e.pk}/roll/").content.decode()
    assert "已投票" in roll and "赵另选" not in roll and d1.name not in roll.split("登记类别")[0]
    detail = client.get(f"/elections/{e.pk}/").content.decode()
    for voter in voters:
        assert voter not in detail
    xlsx = b"".join(client.get("/elections/coverage.xlsx").streaming_content)
    assert all(voter.encode() not in xlsx for voter in voters)
