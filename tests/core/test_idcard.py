import datetime as dt

import pytest

from gongzhi.core import idcard


def test_valid_number_derives_birth_and_sex():
    n = idcard.parse("11010519491231002X")
    assert n.birth_date == dt.date(1949, 12, 31)
    assert n.sex == "F"
    assert n.region == "110105"


def test_fullwidth_digits_and_lowercase_x_are_normalised():
    assert idcard.parse("１１０１０５１９４９１２３１００２x").value == "11010519491231002X"


@pytest.mark.parametrize("raw,error", [
    ("", idcard.ERR_EMPTY),
    ("1101051949123100", idcard.ERR_LENGTH),
    ("11010519491231002Y", idcard.ERR_CHARS),
    ("110105194913310021", idcard.ERR_DATE),
    ("110105194912310021", idcard.ERR_CHECK),
])
def test_invalid_numbers_say_why(raw, error):
    with pytest.raises(idcard.IdNumberError) as e:
        idcard.parse(raw)
    assert str(e.value) == error


def test_future_birth_date_is_refused():
    with pytest.raises(idcard.IdNumberError, match=idcard.ERR_FUTURE):
        idcard.parse(idcard.make("320282", dt.date(2030, 1, 1), 1))


def test_make_builds_valid_numbers():
    for seq in range(0, 1000, 37):
        assert idcard.parse(idcard.make("320282", dt.date(1990, 2, 28), seq))
