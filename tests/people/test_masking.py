"""A masked ID number cannot be rebuilt from what a role without the unmask right
is shown: the mask hides the check digit, and no full birth date stands beside it
(pages, the JSON API and the masked export show the birth year). The test plays
the attacker: it counts the numbers that fit everything shown."""
import datetime as dt
import re

from openpyxl import load_workbook

from gongzhi.core import crypto, idcard
from gongzhi.people import exporter
from gongzhi.core.scope import Scope

MASK = re.compile(r"\b(\d{4})\*{10}(\d{3})\*")


def _candidates(mask_prefix: str, seq: str, birth_year: int) -> int:
    """Valid numbers that fit: any two region digits after the prefix, any day of the year shown."""
    n, day = 0, dt.date(birth_year, 1, 1)
    days = []
    while day.year == birth_year:
        days.append(day)
        day += dt.timedelta(days=1)
    for region in range(100):
        for d in days:
            first17 = f"{mask_prefix}{region:02d}{d:%Y%m%d}{seq}"
            n += 1 if idcard.check_char(first17) else 0
    return n


def _birth_shown(page: str, resident) -> bool:
    return f"{resident.birth_date:%Y-%m-%d}" in page or f"{resident.birth_date:%Y%m%d}" in page


def test_the_mask_keeps_prefix_and_sequence_and_hides_the_check_digit():
    assert crypto.mask_id_number("11010519491231002X") == "1101**********002*"


def test_a_grid_worker_cannot_rebuild_a_number_from_the_pages(client, world):
    client.force_login(world.grid_worker_a1)  # may edit, may not unmask
    number = crypto.decrypt(world.res_a1.id_number_enc)
    for url in (f"/people/residents/{world.res_a1.pk}/", "/people/residents/", f"/people/households/{world.hh_a1.pk}/",
                f"/places/{world.grid_a1.code}/"):
        page = client.get(url).content.decode()
        assert number not in page and not _birth_shown(page, world.res_a1), url
        prefix, seq = MASK.search(page).groups()
        assert _candidates(prefix, seq, world.res_a1.birth_date.year) > 30_000, url


def test_the_api_gives_the_birth_year_only_without_the_unmask_right(client, world):
    client.force_login(world.grid_worker_a1)
    data = client.get(f"/api/residents/{world.res_a1.pk}").json()
    assert data["birth_date"] is None and data["birth_year"] == world.res_a1.birth_date.year
    assert data["id_number_masked"].endswith("*")
    client.force_login(world.community_worker_a)  # may unmask in community A
    assert client.get(f"/api/residents/{world.res_a1.pk}").json()["birth_date"] == f"{world.res_a1.birth_date}"


def test_the_masked_export_has_no_birth_date(world, tmp_path):
    exporter.export_residents(path=tmp_path / "a.xlsx", scope=Scope.for_user(world.street_officer_a),
                              by=world.street_officer_a, unmasked=False)
    cells = [c for row in load_workbook(tmp_path / "a.xlsx").active.iter_rows(values_only=True) for c in row]
    assert world.res_a1.birth_date.year in cells
    assert not any(isinstance(c, (dt.date, dt.datetime)) and c.year == world.res_a1.birth_date.year for c in cells)


def test_the_community_worker_who_may_unmask_sees_the_date(client, world):
    client.force_login(world.community_worker_a)
    assert _birth_shown(client.get(f"/people/residents/{world.res_a1.pk}/").content.decode(), world.res_a1)


def test_the_edit_form_shows_the_full_phone_only_where_it_may_and_logs_it(client, world):
    from gongzhi.core.models import AccessAction, AccessLog
    client.force_login(world.grid_worker_a1)  # edits, may not unmask
    page = client.get(f"/people/residents/{world.res_a1.pk}/edit/").content.decode()
    assert "13812345678" not in page and not AccessLog.objects.exists()
    client.force_login(world.community_worker_a)
    page = client.get(f"/people/residents/{world.res_a1.pk}/edit/").content.decode()
    assert "13812345678" in page
    log = AccessLog.objects.get(action=AccessAction.UNMASK)
    assert log.user == world.community_worker_a and "张三" in log.target


def test_tail_search_tells_nothing_about_the_hidden_check_digit(client, world):
    """Without the unmask right, a last-four search matches the three shown digits only, so trying
    the eleven check digits one by one gives the same answer every time."""
    client.force_login(world.grid_worker_a1)
    number = crypto.decrypt(world.res_a1.id_number_enc)
    row = f'href="/people/residents/{world.res_a1.pk}/"'
    answers = {check: row in client.get(f"/people/residents/?q={number[-4:-1]}{check}").content.decode()
               for check in "0123456789X"}
    assert set(answers.values()) == {True}
    client.force_login(world.community_worker_a)  # may unmask: the exact tail
    wrong = next(c for c in "0123456789X" if c != number[-1])
    assert row in client.get(f"/people/residents/?q={number[-4:]}").content.decode()
    assert row not in client.get(f"/people/residents/?q={number[-4:-1]}{wrong}").content.decode()


def test_searching_by_a_whole_number_is_logged(client, world):
    from gongzhi.core.models import AccessAction, AccessLog
    client.force_login(world.grid_worker_a1)
    number = crypto.decrypt(world.res_a1.id_number_enc)
    page = client.get(f"/people/residents/?q={number}").content.decode()
    assert f'href="/people/residents/{world.res_a1.pk}/"' in page
    client.get("/api/residents?q=13812345678")
    logs = AccessLog.objects.filter(action=AccessAction.LOOKUP, user=world.grid_worker_a1)
    assert logs.count() == 2 and not any(number in (log.target + log.detail) for log in logs)


def test_date_checks_do_not_reveal_the_birth_date(client, world):
    """Trying moved-in dates one by one must not find the birth date for someone who may not see it:
    they are held to the birth year; whoever may unmask is held to the day."""
    import json
    born = world.res_a1.birth_date  # 1980-05-17 in the factories
    before_birthday = born.replace(month=1, day=2)

    def patch(user, day):
        client.force_login(user)
        version = type(world.res_a1).objects.get(pk=world.res_a1.pk).version
        return client.patch(f"/api/residents/{world.res_a1.pk}", content_type="application/json",
                            data=json.dumps({"version": version, "moved_in_on": f"{day}"}))
    assert patch(world.community_worker_a, before_birthday).status_code == 422  # may unmask: the day
    assert patch(world.grid_worker_a1, before_birthday).status_code == 200  # may not: the year only
    assert patch(world.grid_worker_a1, born.replace(year=born.year - 1)).status_code == 422
