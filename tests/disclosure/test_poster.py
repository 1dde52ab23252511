"""The board as an A3 poster: the live items' text extracts, the CJK font is embedded, the page is A3,
and nothing withdrawn or personal is on it."""
import unicodedata
from io import BytesIO

from pypdf import PdfReader

from gongzhi.disclosure import services


def _text(pdf: bytes) -> str:
    return "".join("".join(unicodedata.normalize("NFKC", p.extract_text()).split())
                   for p in PdfReader(BytesIO(pdf)).pages)


def _fonts(reader) -> set[tuple[str, bool]]:
    """(font name, embedded?) for every font the pages use, descendant CID fonts included."""
    found = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            for f in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                descriptor = f.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found.add((str(f.get("/BaseFont")), embedded))
    return found


def test_the_poster_is_a3_with_the_board_and_cjk_embedded(client, world):
    world.community_worker_a.display_name = "吴晓燕"
    world.community_worker_a.save()
    services.publish(community=world.comm_a, category="finance", title="第四季度财务收支情况",
                     body="收入一万二千元,支出九千八百元", by=world.community_worker_a)
    services.publish(community=world.comm_a, category="plan", title="明年工作计划", body="加装电梯三部",
                     by=world.community_worker_a)
    gone = services.publish(community=world.comm_a, category="major", title="撤下的公示", body="x",
                            by=world.community_worker_a)
    services.withdraw(item=gone, reason="错发", by=world.community_worker_a)
    services.publish(community=world.comm_b, category="plan", title="南岳的计划", body="y", by=world.community_worker_b)

    response = client.get(f"/disclosure/board/{world.comm_a.code}/poster.pdf")  # no login: public
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 841.9) < 1.5 and abs(float(box.height) - 1190.6) < 1.5  # A3 portrait, points
    text = _text(response.content)
    for shown in ("东虹社区居务公开栏", "财务收支", "第四季度财务收支情况", "收入一万二千元", "工作计划", "明年工作计划",
                  "重大事项", "第1页/共"):
        assert shown in text, shown
    for hidden in ("撤下的公示", "错发", "南岳的计划", "吴晓燕", "cw_a"):
        assert hidden not in text, hidden
    fonts = _fonts(reader)
    assert any("Noto-Sans-CJK" in name for name, _ in fonts), fonts
    assert all(embedded for _, embedded in fonts), fonts


def test_the_board_links_its_poster_and_an_unknown_community_is_404(client, world):
    html = client.get(f"/disclosure/board/{world.comm_a.code}/").content.decode()
    assert f'href="/disclosure/board/{world.comm_a.code}/poster.pdf"' in html
    assert client.get("/disclosure/board/000000/poster.pdf").status_code == 404
