import datetime as dt

import pytest

from gongzhi.governance.models import PostKind, ResidentPost
from gongzhi.ledgers.models import Worker
from tests.factories import community, grid, household, resident, street, user


@pytest.fixture
def vil(world):
    return build_village(world)


def build_village(w):
    """A town (镇) of the world's district with one village: a secretary-director, a deputy and a member who
    are registered villagers, a party member and a villagers' representative; the town officer, the village
    committee and resident accounts for each villager."""
    w.town = street(w.district, 101, "和桥镇")
    w.village = community(w.town, 1, "闸口村", rural=True)
    w.vgrid = grid(w.village, 1)
    hh = household(w.vgrid)
    w.sec = resident(hh, "周书记", relation="02", party_member=True)
    w.dep = resident(household(w.vgrid), "吴副主任", party_member=True)
    w.mem = resident(household(w.vgrid), "陈委员")
    w.party = resident(household(w.vgrid), "钱党员", party_member=True)
    w.rep = resident(household(w.vgrid), "孙代表")
    w.outsider = resident(household(w.vgrid), "郑群众")
    ResidentPost.objects.create(community=w.village, kind=PostKind.REPRESENTATIVE, resident=w.rep,
                                since=dt.date(2020, 1, 1))
    since = dt.date(2021, 1, 1)
    w.w_sec = Worker.objects.create(community=w.village, name="周书记", committee_post="director",
                                    party_post="secretary", since=since)
    w.w_dep = Worker.objects.create(community=w.village, name="吴副主任", committee_post="deputy", party_post="member",
                                    since=since)
    w.w_mem = Worker.objects.create(community=w.village, name="陈委员", committee_post="member", since=since)
    w.w_staff = Worker.objects.create(community=w.village, name="郑专职", since=since)  # no post: not a cadre
    w.town_officer = user("town", "street", w.town)
    w.village_committee = user("vc", "community", w.village)
    for r in (w.sec, w.dep, w.mem, w.party, w.rep, w.outsider):
        setattr(w, f"u_{r.pk}", user(f"r{r.pk}", "resident", w.vgrid, resident=r))
    return w


def account(w, resident):
    return getattr(w, f"u_{resident.pk}")
