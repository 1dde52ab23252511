import datetime as dt

import pytest

from tests.factories import household, id_number, resident

def person(hh, name, age, relation="02", **kw):
    """A resident of `age` full years today."""
    today = dt.date.today()
    birth = dt.date(today.year - age - 1, 1, 1) + dt.timedelta(days=(today - dt.date(today.year, 1, 1)).days + 1)
    return resident(hh, name, relation=relation, id_number=id_number(birth=birth), **kw)

class Households:
    """Community A: one of each shape the groups read."""

    def __init__(self, w):
        g = w.grid_a1
        self.w = w
        self.alone_hh = household(g)
        self.alone = person(self.alone_hh, "孤老甲", 82)            # living alone, very old
        self.couple_hh = household(g)
        self.old_man = person(self.couple_hh, "老夫乙", 75)          # only with elders
        self.old_wife = person(self.couple_hh, "老妻乙", 72, relation="12")
        self.grand_hh = household(g)
        self.grandpa = person(self.grand_hh, "爷爷丙", 66)           # left behind with grandchildren
        self.grandkid = person(self.grand_hh, "孙子丙", 9, relation="41")  # left-behind child
        self.family_hh = household(g)
        self.father = person(self.family_hh, "父亲丁", 38)
        self.mother = person(self.family_hh, "母亲丁", 36, relation="12")
        self.kid = person(self.family_hh, "儿子丁", 8, relation="21")
        self.young_hh = household(g)
        self.young = person(self.young_hh, "青年戊", 30)

@pytest.fixture
def homes(world):
    return Households(world)
