"""Citizen ID numbers per GB 11643-1999: 6-digit region, 8-digit birth date,
3-digit sequence (odd = male), ISO 7064 MOD 11-2 check character."""
import datetime as dt
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘｘX", "0123456789XXXX")

ERR_EMPTY = "公民身份号码为空"
ERR_LENGTH = "公民身份号码应为18位"
ERR_CHARS = "公民身份号码含有非法字符"
ERR_DATE = "公民身份号码中的出生日期无效"
ERR_FUTURE = "公民身份号码中的出生日期晚于今天"
ERR_CHECK = "公民身份号码校验位错误"


class IdNumberError(ValueError):
    pass


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date
    sex: str  # "M" or "F"

    @property
    def region(self) -> str:
        return self.value[:6]


def normalise(raw: str) -> str:
    """Full-width digits and a lowercase x are common in hand-typed sheets."""
    return "".join(str(raw).split()).translate(_FULLWIDTH).upper()


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    value = normalise(raw or "")
    if not value:
        raise IdNumberError(ERR_EMPTY)
    if len(value) != 18:
        raise IdNumberError(ERR_LENGTH)
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IdNumberError(ERR_CHARS)
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(ERR_DATE) from None
    if birth.year < 1880:
        raise IdNumberError(ERR_DATE)
    if birth > (today or dt.date.today()):
        raise IdNumberError(ERR_FUTURE)
    if check_char(value[:17]) != value[17]:
        raise IdNumberError(ERR_CHECK)
    return IdNumber(value=value, birth_date=birth, sex="M" if int(value[16]) % 2 else "F")


def make(region: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number (demo data and tests)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
