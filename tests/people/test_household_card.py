"""The household card as an A4 PDF with page numbers: what the card page shows, masked the same, logged."""
import unicodedata
from io import BytesIO

from pypdf import PdfReader

from gongzhi.core.models import AccessLog


def _text(pdf: bytes) -> list[str]:
    return ["".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in PdfReader(BytesIO(pdf)).pages]


def test_the_card_pdf_has_the_members_masked_and_page_numbers(client, world):
    from tests.factories import id_number, resident
    plain = id_number()
    member = resident(world.hh_a1, "赵六", id_number=plain)
    client.force_login(world.community_worker_a)
    r = client.get(f"/people/households/{world.hh_a1.pk}/card.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"]
    pages = _text(r.content)
    box = PdfReader(BytesIO(r.content)).pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1.5 and abs(float(box.height) - 841.9) < 1.5  # A4
    text = pages[0]
    assert world.hh_a1.number in text and "张三" in text
    assert "赵六" in text and member.id_number_masked in text and plain not in text
    assert "共治社区治理平台" in text and "打印单位" in text
    assert f"第1页/共{len(pages)}页" in text
    log = AccessLog.objects.get(user=world.community_worker_a, action="export")
    assert world.hh_a1.number in log.target


def test_a_long_household_runs_onto_numbered_pages(client, world):
    from tests.factories import resident
    for i in range(60):
        resident(world.hh_a1, f"成员{i:02d}")
    client.force_login(world.community_worker_a)
    pages = _text(client.get(f"/people/households/{world.hh_a1.pk}/card.pdf").content)
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        assert f"第{n}页/共{len(pages)}页" in text and "公民身份号码" in text  # the header row on every page


def test_the_card_page_links_its_pdf(client, world):
    client.force_login(world.community_worker_a)
    html = client.get(f"/people/households/{world.hh_a1.pk}/").content.decode()
    assert f'href="/people/households/{world.hh_a1.pk}/card.pdf"' in html and "data-print" in html


def test_no_card_of_another_community_or_for_residents(client, world):
    client.force_login(world.community_worker_a)
    assert client.get(f"/people/households/{world.hh_b1.pk}/card.pdf").status_code == 404
    client.force_login(world.resident_user)
    assert client.get(f"/people/households/{world.hh_a1.pk}/card.pdf").status_code == 403
    assert not AccessLog.objects.filter(action="export").exists()
