"""What a printed page carries: a header (platform, page title, the printing unit,
the print date) that only paper shows, and the 打印 button that opens the browser's
print dialog. The look is static/gongzhi/print.css (linked media="print" in base.html)."""
from django import template
from django.utils import timezone

from gongzhi.accounts.models import Role

register = template.Library()

PLATFORM = "共治社区治理平台"


def printing_unit(scope) -> str:
    """The caller's staff posts, e.g. "东虹社区 社区工作者、城管局(城东街道)"."""
    if scope is None:
        return ""
    units = []
    for a in scope.all_assignments or ():
        if a.role == Role.RESIDENT:
            continue
        name = f"{a.department}({a.place.name})" if a.role == Role.DEPARTMENT and a.department else a.place.name
        label = f"{name} {Role(a.role).label}"
        if label not in units:
            units.append(label)
    return "、".join(units)


@register.inclusion_tag("core/print_header.html", takes_context=True)
def print_header(context, *parts):
    """`{% print_header "居民户卡" household.number %}` at the top of a page's content: the title's
    parts are joined with " · " (empty parts left out)."""
    title = " · ".join(str(p) for p in parts if p not in (None, ""))
    return {"platform": PLATFORM, "title": title, "unit": printing_unit(context.get("scope")),
            "printed_at": timezone.localtime()}


@register.inclusion_tag("core/print_button.html")
def print_button(pdf_url=""):
    """The 打印 button (window.print via print.js: the CSP allows no inline handlers) and,
    where the page has one, a link to its PDF with page numbers."""
    return {"pdf_url": pdf_url}
