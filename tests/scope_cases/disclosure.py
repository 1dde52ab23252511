"""The disclosure board's share of the scope matrix: community B's item (its title and text name 王五,
with a PDF attachment) is neither shown nor changed for anyone outside B."""
from django.core.files.uploadedfile import SimpleUploadedFile

ENDPOINTS = {
    "disclosure:item": ("GET", lambda w: f"/disclosure/{w.disclosure_b.pk}/"),
    "disclosure:file": ("GET", lambda w: f"/disclosure/{w.disclosure_b.pk}/file/"),
    "disclosure:withdraw": ("POST", lambda w: f"/disclosure/{w.disclosure_b.pk}/withdraw/"),
    # publishing on B's board (the community named in the query; a posted one wins and is refused alike)
    "disclosure:new": ("POST", lambda w: f"/disclosure/new/?community={w.comm_b.code}"),
}
LISTS = {
    "disclosure:items": "/disclosure/?state=",
    "disclosure:freshness": "/disclosure/freshness/",
    "disclosure:mine": "/disclosure/mine/",  # a resident's own community's board; staff are refused
}
# public by design, live items only, no personal data
# (tests/disclosure/test_disclosure.py::test_public_board_has_no_personal_data, test_poster.py)
OTHER = {"disclosure:boards", "disclosure:board", "disclosure:poster", "disclosure:public_file"}


def build(w):
    from gongzhi.disclosure import services
    w.disclosure_b = services.publish(
        community=w.comm_b, category="major", title="王五家门前路灯维修公示", body="王五反映的路灯已修复",
        by=w.community_worker_b,
        attachment=SimpleUploadedFile("王五.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))


def snapshot():
    from gongzhi.disclosure.models import Item
    from gongzhi.ledgers.models import Disclosure
    return (list(Item.objects.order_by("pk").values_list("pk", "withdrawn_at", "withdraw_reason", "title")),
            list(Disclosure.objects.order_by("pk").values_list("pk", "voided", "title")))
