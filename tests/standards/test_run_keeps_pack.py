"""A run keeps the exact pack it was computed with: editing or removing the pack
file afterwards changes nothing in how last year's run reads, and the run page
says the pack has changed since and offers a rerun."""
import json
import shutil

import pytest
from django.core.management import call_command

from gongzhi.standards import assess, packs
from gongzhi.standards.models import AssessmentRun

OLD_TITLE = "综合服务设施面积每百户不低于 40 平方米"
NEW_TITLE = "综合服务设施面积每百户不低于 60 平方米(改)"


@pytest.fixture
def pack_dir(tmp_path, monkeypatch):
    """A private copy of the shipped packs that the test may edit."""
    target = tmp_path / "packs"
    shutil.copytree(packs.PACK_DIR, target)
    monkeypatch.setattr(packs, "PACK_DIR", target)
    return target


def _run(world):
    pack = packs.load("yixing-2019")
    return assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)


def _shows(page: str, title: str) -> bool:
    """In the HTML, or in a chart's JSON (json_script escapes non-ASCII)."""
    return title in page or json.dumps(title)[1:-1] in page


def _pages(run, world):
    return [f"/standards/assessments/{run.pk}/", f"/standards/assessments/{run.pk}/matrix/",
            f"/standards/assessments/{run.pk}/communities/{world.comm_a.code}/",
            f"/standards/assessments/{run.pk}/pack/"]


def test_the_run_stores_its_pack_and_hash(world, pack_dir):
    run = _run(world)
    text = (pack_dir / "yixing-2019.yaml").read_text(encoding="utf-8")
    run.refresh_from_db()
    assert run.pack_text == text and run.pack_sha256 == packs.load("yixing-2019").sha256
    assert not assess.pack_changed(run)


def test_edited_pack_leaves_the_run_as_it_was(client, world, pack_dir):
    run = _run(world)
    path = pack_dir / "yixing-2019.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(OLD_TITLE, NEW_TITLE), encoding="utf-8")
    assert assess.pack_changed(run)
    client.force_login(world.admin)
    for url in _pages(run, world):
        text = client.get(url).content.decode()
        assert _shows(text, OLD_TITLE) and not _shows(text, NEW_TITLE), url
    page = client.get(f"/standards/assessments/{run.pk}/").content.decode()
    assert 'data-testid="pack-changed"' in page and "按现行政策包重新评估" in page
    # today's pack viewer shows the edit
    assert NEW_TITLE in client.get("/standards/packs/yixing-2019/").content.decode()


def test_a_community_worker_sees_the_change_but_may_not_rerun(client, world, pack_dir):
    run = _run(world)
    path = pack_dir / "yixing-2019.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(OLD_TITLE, NEW_TITLE), encoding="utf-8")
    client.force_login(world.community_worker_a)
    page = client.get(f"/standards/assessments/{run.pk}/").content.decode()
    assert 'data-testid="pack-changed"' in page and "按现行政策包重新评估" not in page


def test_removed_pack_still_renders_every_page_of_the_run(client, world, pack_dir):
    run = _run(world)
    (pack_dir / "yixing-2019.yaml").unlink()
    assert assess.pack_changed(run)
    client.force_login(world.admin)
    for url in _pages(run, world) + [f"/standards/assessments/{run.pk}/matrix/?format=xlsx"]:
        assert client.get(url).status_code == 200, url
    AssessmentRun.objects.filter(pk=run.pk).update(published_at="2026-01-01T00:00:00Z")
    client.logout()
    assert OLD_TITLE in client.get(f"/standards/public/{run.pk}/").content.decode()


def test_a_run_started_by_a_page_is_computed_with_the_pack_it_kept(world, pack_dir):
    """The page starts a run and a child process computes it; an edit in between changes nothing."""
    pack = packs.load("yixing-2019")
    run = assess.start(pack=pack, period=2025, scope=world.district)
    path = pack_dir / "yixing-2019.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(OLD_TITLE, NEW_TITLE), encoding="utf-8")
    call_command("assess", "--pack", "yixing-2019", "--period", "2025", "--run", str(run.pk), "--json")
    run.refresh_from_db()
    assert run.status == "done" and run.pack_sha256 == pack.sha256


def test_a_run_older_than_kept_packs_whose_file_is_gone_says_so(client, world, pack_dir):
    run = _run(world)
    AssessmentRun.objects.filter(pk=run.pk).update(pack_text="", pack_sha256="")  # as the migration leaves it
    (pack_dir / "yixing-2019.yaml").unlink()
    client.force_login(world.admin)
    r = client.get(f"/standards/assessments/{run.pk}/")
    assert r.status_code == 404 and "已不存在" in r.content.decode()
