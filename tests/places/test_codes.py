import pytest
from django.core.exceptions import ValidationError

from gongzhi.places import models as m
from tests import factories as f


@pytest.mark.parametrize("level,code,parent_level,error", [
    ("district", "32028", None, m.ERR_CODE_DISTRICT),
    ("street", "320283001", "district", m.ERR_CODE_STREET),
    ("community", "320282001400", "street", m.ERR_CODE_COMMUNITY_RANGE),
    ("community", "32028200101", "street", m.ERR_CODE_COMMUNITY),
    ("grid", "320282001002001", "community", m.ERR_CODE_GRID),
    ("community", "320282001001", "district", m.ERR_PARENT_LEVEL),
])
def test_codes_follow_the_national_tables(db, level, code, parent_level, error):
    d = f.district()
    s = f.street(d, 1)
    c = f.community(s, 1)
    parent = {"district": d, "street": s, "community": c, None: None}[parent_level]
    with pytest.raises(ValidationError) as e:
        m.Place(level=level, code=code, name="x", parent=parent).full_clean()
    assert error in str(e.value)


def test_urban_rural_class_must_match(db):
    s = f.street(f.district(), 1)
    p = m.Place(level="community", code="320282001201", name="x", parent=s, area_kind="rural", urban_rural_code="111")
    with pytest.raises(ValidationError, match="城乡分类代码与城乡属性不符"):
        p.full_clean()
    p.urban_rural_code = "220"
    p.full_clean()
