"""How numbers read on every page: `num` groups counts of five digits and more
(12,345; 2026 stays 2026), `money` writes yuan with a thousands separator and
two fixed decimals (¥1,234.50). Django's zh-Hans locale groups by four with no
separator, so `intcomma` and `floatformat:"g"` print 76000 as 76000."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

EMPTY = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


def _grouped(d: Decimal, places: int, group_from: int) -> str:
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)  # no "-0.00"
    text = f"{q:,.{places}f}" if abs(q) >= group_from else f"{q:.{places}f}"
    return text


@register.filter
def num(value, places=0):
    """A count or figure: `{{ n|num }}` → 12,345 (grouped from 10,000 up); `{{ x|num:1 }}` one decimal,
    `{{ x|num:"-1" }}` one decimal only when there is one.
    None and non-numbers read "—" (a string that is not a number is shown as it is)."""
    d = _decimal(value)
    if d is None:
        return EMPTY if value is None or value == "" else value
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 0
    if places < 0:  # like floatformat:"-1": decimals only when the value has them
        places = 0 if d == d.to_integral_value() else -places
    return _grouped(d, places, 10_000)


@register.filter
def money(value, sign="¥"):
    """Yuan, always two decimals and grouped: ¥1,234.50 (`|money:""` without the sign, for a column
    headed 元); negative amounts read -¥12.00."""
    d = _decimal(value)
    if d is None:
        return EMPTY if value is None or value == "" else value
    text = _grouped(abs(d), 2, 1_000)
    negative = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) < 0
    return f"{'-' if negative else ''}{sign}{text}"
