"""The household card as a PDF (A4, WeasyPrint): the same household and members the card page
shows, identity numbers masked as there, with a header and "第 N 页 / 共 M 页" on every page.
The browser's 打印 prints the page itself; this file is for when the page numbers must be there
whatever the browser's print settings. Names are personal data: every download is logged."""
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header

from gongzhi.core.access_log import access_log_write
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import requires
from gongzhi.core.templatetags.gongzhi_print import PLATFORM, printing_unit
from gongzhi.people import selectors
from gongzhi.people.manifest import VIEW_PEOPLE


@requires(VIEW_PEOPLE)
def household_card_pdf(request, pk):
    from weasyprint import HTML

    household = selectors.access_household(request.scope, pk)
    members = list(selectors.household_members(household))
    html = render_to_string("people/household_card_print.html", {
        "household": household, "members": members, "platform": PLATFORM,
        "unit": printing_unit(request.scope), "printed_at": timezone.localtime()})
    access_log_write(user=request.user, action=AccessAction.EXPORT, target=f"户 {household.number}",
                     detail=f"户卡 PDF, {len(members)} 人", request=request)
    return HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf", headers={
        "Content-Disposition": content_disposition_header(True, f"户卡-{household.number}.pdf")})
