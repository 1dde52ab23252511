"""Starting an assessment: the form offers the pack of the caller's own locality, a run the pack
applies to no community of is refused with the reason, and an empty run can never be published."""
import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.standards import assess, packs, results
from gongzhi.standards.models import AssessmentRun, RunStatus


def test_the_form_defaults_to_the_local_pack(client, world):
    client.force_login(world.street_officer_a)  # a street of 宜兴市
    page = client.get("/standards/assessments/").content.decode()
    assert '<option value="yixing-2019" selected>' in page


def test_no_default_outside_any_packs_locality(client, world):
    world.district.name = "某县"
    world.district.save()
    client.force_login(world.street_officer_a)
    page = client.get("/standards/assessments/").content.decode()
    assert "请选择本地的政策包" in page and " selected>" not in page.split('id="pack"')[1].split("</select>")[0]


def test_a_run_that_matches_no_community_is_refused(client, world):
    # the central-village programme is for rural communities; street A has only urban ones
    client.force_login(world.street_officer_a)
    r = client.post("/standards/assessments/", {"pack": "central-village-2010", "period": "2025",
                                                "scope": world.street_a.code})
    assert r.status_code == 400 and "没有" in r.content.decode() and "适用的社区" in r.content.decode()
    assert not AssessmentRun.objects.exists()
    with pytest.raises(ValueError):
        assess.start(pack=packs.load("central-village-2010"), period=2025, scope=world.street_a)


def test_an_empty_run_cannot_be_published(world):
    pack = packs.load("yixing-2019")
    run = AssessmentRun.objects.create(pack_id=pack.id, pack_title=pack.title, period=2025, scope=world.street_a,
                                       as_of="2025-12-31", status=RunStatus.DONE, pack_text=pack.text,
                                       pack_sha256=pack.sha256)
    from gongzhi.core.scope import Scope
    with pytest.raises(PermissionDenied, match="没有任何社区"):
        results.publish(run=run, scope=Scope.for_user(world.admin), by=world.admin)
    run.refresh_from_db()
    assert run.published_at is None


def test_whole_run_grade_counts_only_for_those_who_cover_the_run(client, world):
    pack = packs.load("yixing-2019")
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)
    whole = "{} / {} / {}".format(*(run.summary["grades"].get(g, 0) for g in ("示范", "合格", "不合格")))
    client.force_login(world.admin)
    assert whole in client.get("/standards/assessments/").content.decode()
    client.force_login(world.community_worker_a)
    page = client.get("/standards/assessments/").content.decode()
    assert whole not in page and "本辖区结果" in page
