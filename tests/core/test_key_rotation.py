"""Encryption-key rotation without downtime (core.crypto v2 tokens, core.key_rotation, `gongzhi rotate_keys`):
key ids on ciphertexts, both keys readable meanwhile, re-encryption in batches with compare-and-set,
and a check that says when the old key may go."""
import base64
import hashlib
import io
import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from gongzhi.audit.models import AuditAction, AuditEvent, Outcome
from gongzhi.core import crypto, key_rotation
from gongzhi.core.keys import load_or_create_dev_keys, parse_old_keys
from gongzhi.people import services as people_services
from gongzhi.people.models import Resident
from gongzhi.workorders import services as order_services
from gongzhi.workorders.models import Category, Channel, WorkOrder
from tests.factories import World


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


KEY_A, KEY_B, KEY_C = _key(), _key(), _key()


def _kid(key_b64: str) -> str:
    return hashlib.sha256(base64.b64decode(key_b64)).digest()[:4].hex()


def v1_token(value: str, key_b64: str) -> str:
    """A token as the platform wrote them before key ids (version 1: no key id, no associated data)."""
    nonce = os.urandom(12)
    sealed = AESGCM(base64.b64decode(key_b64)).encrypt(nonce, value.encode(), None)
    return base64.b64encode(b"\x01" + nonce + sealed).decode()


@pytest.fixture
def use_keys(settings):
    def use(current, *old):
        crypto._ring.cache_clear()
        settings.GONGZHI_ENCRYPTION_KEY = current
        settings.GONGZHI_ENCRYPTION_OLD_KEYS = tuple(old)
    use(KEY_A)
    yield use
    crypto._ring.cache_clear()


def _rotate(**kw) -> str:
    out = io.StringIO()
    call_command("rotate_keys", stdout=out, **kw)
    return out.getvalue()


def _check() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("rotate_keys", check=True, stdout=out)
    except CommandError as e:
        return e.returncode, out.getvalue() + str(e)
    return 0, out.getvalue()


# --- the token format -------------------------------------------------------------------------------------

def test_encrypt_writes_v2_naming_the_current_key(use_keys):
    token = crypto.encrypt("13812345678")
    raw = base64.b64decode(token)
    assert raw[0] == 2 and raw[1:5].hex() == _kid(KEY_A) == crypto.key_id(KEY_A)
    assert crypto.token_key_id(token) == _kid(KEY_A) and crypto.is_current(token)
    assert token.startswith(crypto.current_prefix())
    assert crypto.decrypt(token) == "13812345678"
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""
    # the header is bound to the ciphertext: claiming it is v1 does not open it
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(base64.b64encode(b"\x01" + raw[5:]).decode())


def test_v1_tokens_are_still_read_under_the_current_or_a_retired_key(use_keys):
    old = v1_token("320282198005170011", KEY_A)
    assert crypto.decrypt(old) == "320282198005170011"
    assert crypto.token_key_id(old) is None and not crypto.is_current(old)
    use_keys(KEY_B, KEY_A)
    assert crypto.decrypt(old) == "320282198005170011"
    assert crypto.decrypt_with_key_id(old) == ("320282198005170011", _kid(KEY_A))
    assert crypto.decrypt(v1_token("13900001111", KEY_B)) == "13900001111"


def test_both_keys_are_read_while_the_old_one_is_retired(use_keys):
    under_a = crypto.encrypt("甲")
    use_keys(KEY_B, KEY_A)
    under_b = crypto.encrypt("乙")
    assert crypto.token_key_id(under_b) == _kid(KEY_B)
    assert (crypto.decrypt(under_a), crypto.decrypt(under_b)) == ("甲", "乙")
    # the old keys may also be given as the comma-separated string of the environment
    use_keys(KEY_B)
    from django.conf import settings
    settings.GONGZHI_ENCRYPTION_OLD_KEYS = f" {KEY_C} ,{KEY_A}"
    assert crypto.decrypt(under_a) == "甲"


def test_a_token_under_a_key_not_configured_says_which_key_is_missing(use_keys):
    use_keys(KEY_C)
    under_c, v1_under_c = crypto.encrypt("13812345678"), v1_token("13812345678", KEY_C)
    use_keys(KEY_A, KEY_B)
    with pytest.raises(crypto.UnknownKeyError) as e:
        crypto.decrypt(under_c)
    assert e.value.key_id == _kid(KEY_C)
    assert _kid(KEY_C) in str(e.value) and "未配置" in str(e.value) and "GONGZHI_ENCRYPTION_OLD_KEYS" in str(e.value)
    assert not isinstance(e.value, InvalidTag)
    with pytest.raises(crypto.UnknownKeyError) as e:
        crypto.decrypt(v1_under_c)
    assert e.value.key_id is None and "旧格式" in str(e.value) and _kid(KEY_A) in str(e.value)


def test_damaged_tokens_give_a_clear_error(use_keys):
    raw = bytearray(base64.b64decode(crypto.encrypt("13812345678")))
    raw[-1] ^= 1
    with pytest.raises(crypto.CryptoError, match="损坏或被篡改"):
        crypto.decrypt(base64.b64encode(bytes(raw)).decode())
    for bad, why in (("不是密文", "base64"), (base64.b64encode(b"\x07" + bytes(40)).decode(), "版本"),
                     (base64.b64encode(b"\x02abc").decode(), "长度")):
        with pytest.raises(crypto.CryptoError, match=why):
            crypto.decrypt(bad)


def test_old_keys_setting_is_checked_at_start_up(tmp_path, monkeypatch):
    assert parse_old_keys(f"{KEY_A}, {KEY_B},") == (KEY_A, KEY_B)
    assert parse_old_keys("") == () and parse_old_keys(None) == ()
    with pytest.raises(RuntimeError, match="第 2 个密钥"):
        parse_old_keys(f"{KEY_A},c2hvcnQ=")
    for name, value in (("GONGZHI_SECRET_KEY", "s"), ("GONGZHI_ENCRYPTION_KEY", KEY_B), ("GONGZHI_HMAC_KEY", KEY_C)):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GONGZHI_ENCRYPTION_OLD_KEYS", raising=False)
    assert load_or_create_dev_keys(tmp_path, required=True)["GONGZHI_ENCRYPTION_OLD_KEYS"] == ()
    # on a developer machine keys.env may hold them too; the environment wins
    (tmp_path / "keys.env").write_text(f"GONGZHI_ENCRYPTION_OLD_KEYS={KEY_A}\n")
    assert load_or_create_dev_keys(tmp_path, required=False)["GONGZHI_ENCRYPTION_OLD_KEYS"] == (KEY_A,)
    monkeypatch.setenv("GONGZHI_ENCRYPTION_OLD_KEYS", KEY_C)
    assert load_or_create_dev_keys(tmp_path, required=True)["GONGZHI_ENCRYPTION_OLD_KEYS"] == (KEY_C,)


# --- the registry -----------------------------------------------------------------------------------------

def test_every_encrypted_column_is_registered_history_included(db):
    registered = {(c.model._meta.label, c.field) for c in key_rotation.columns()}
    present = {(m._meta.label, f.name) for m in apps.get_models() for f in m._meta.get_fields()
               if f.name.endswith("_enc")}
    assert present and present <= registered, f"not in a manifest's encrypted_fields: {present - registered}"
    assert ("people.HistoricalResident", "phone_enc") in registered


# --- rotation ---------------------------------------------------------------------------------------------

def _order(world, **kw):
    return order_services.order_report(category=Category.objects.get(code="sanitation"), description="楼道堆物",
                                       channel=Channel.WEB, by=world.community_worker_a, grid=world.grid_a1, **kw)


def _columns():
    return [(c.model, c.field) for c in key_rotation.columns()]


def _tokens():
    return {(m._meta.label, f, pk): t for m, f in _columns()
            for pk, t in m._base_manager.exclude(**{f: ""}).values_list("pk", f)}


def _plain():
    return {k: crypto.decrypt(t) for k, t in _tokens().items()}


def _hashes():
    return sorted(Resident.objects.values_list("pk", "id_number_hash", "phone_hash", "phone_masked"))


@pytest.fixture
def data(db, use_keys):
    """The world under key A, some of it still in v1 tokens, a work order with phone and e-mail, and
    an edit so that the residents' history holds more than one version."""
    w = World()
    r = people_services.resident_update(resident=w.res_a2, version=w.res_a2.version, by=w.community_worker_a,
                                        phone="13900002222")
    w.res_a2 = r
    Resident.objects.filter(pk=w.res_b1.pk).update(phone_enc=v1_token("13700003333", KEY_A))
    Resident.history.filter(id=w.res_b1.pk).update(phone_enc=v1_token("13700003333", KEY_A))
    w.order = _order(w, reporter_phone="13600004444", reporter_email="jumin@example.cn")
    w.order_v1 = _order(w, reporter_phone="13500005555")
    WorkOrder.objects.filter(pk=w.order_v1.pk).update(reporter_phone_enc=v1_token("13500005555", KEY_A))
    return w


def _reveal_resident(client, world, resident):
    client.force_login(world.community_worker_a if resident.community_id == world.comm_a.pk
                       else world.community_worker_b)
    resp = client.post(reverse("people:reveal", args=[resident.pk]))
    assert resp.status_code == 200
    return resp.content.decode()


def _reveal_order(client, world, order):
    client.force_login(world.community_worker_a)
    resp = client.post(reverse("workorders:reveal", args=[order.pk]))
    assert resp.status_code == 200
    return resp.content.decode()


def test_rotation_re_encrypts_every_column_and_history_with_the_plaintext_unchanged(client, data, use_keys):
    before_plain, before_tokens, before_hashes = _plain(), _tokens(), _hashes()
    history_rows = Resident.history.count()
    assert len(before_plain) >= 10
    assert any(label == "people.HistoricalResident" for label, _, _ in before_plain)
    use_keys(KEY_B, KEY_A)  # the nodes restarted with the new key, the old one retired

    # during: the first batch of one column done, the rest still under A; every page reads both
    col = next(c for c in key_rotation.columns() if c.label == "people.Resident.phone_enc")
    first = list(col.pending().order_by("pk").values_list("pk", col.field)[:1])
    assert key_rotation.rotate_rows(col, first).changed == 1
    assert "13812345678" in _reveal_resident(client, data, data.res_a1)
    assert "13900002222" in _reveal_resident(client, data, data.res_a2)
    assert "13600004444" in _reveal_order(client, data, data.order)

    out = _rotate(batch=2)
    assert "people.HistoricalResident.id_number_enc" in out and "workorders.WorkOrder.reporter_email_enc" in out
    assert "已重新加密" in out
    after = _tokens()
    assert after.keys() == before_tokens.keys()
    assert all(crypto.token_key_id(t) == _kid(KEY_B) for t in after.values())
    assert all(after[k] != before_tokens[k] for k in after)
    assert _plain() == before_plain
    assert _hashes() == before_hashes  # keyed hashes use the HMAC key: untouched
    assert Resident.history.count() == history_rows  # .update(): no history rows written

    # the old key removed: everything still opens, pages included
    use_keys(KEY_B)
    assert _plain() == before_plain
    page = _reveal_resident(client, data, data.res_b1)
    assert "13700003333" in page and crypto.decrypt(Resident.objects.get(pk=data.res_b1.pk).id_number_enc) in page
    assert "13500005555" in _reveal_order(client, data, data.order_v1)
    assert Resident.objects.get(pk=data.res_a1.pk).phone_masked == "138****5678"


def test_a_second_run_changes_nothing_and_says_so(data, use_keys):
    use_keys(KEY_B, KEY_A)
    _rotate()
    tokens = _tokens()
    out = _rotate()
    assert "没有需要改动" in out and "本次重新加密 0 条" in out
    assert _tokens() == tokens
    # each run is in the audit trail (a dry run is not)
    _rotate(dry_run=True)
    events = list(AuditEvent.objects.filter(action=AuditAction.KEY_ROTATE).order_by("at", "pk"))
    assert [(e.outcome, e.object_label) for e in events] == [(Outcome.OK, f"当前密钥编号 {_kid(KEY_B)}")] * 2
    assert events[0].after["重新加密"] == len(tokens) and events[1].after["重新加密"] == 0


def test_an_interrupted_run_resumes(data, use_keys):
    use_keys(KEY_B, KEY_A)
    col = key_rotation.columns()[0]
    pending = col.pending().count()
    assert pending >= 3
    key_rotation.rotate_rows(col, list(col.pending().order_by("pk").values_list("pk", col.field)[:2]))
    r = key_rotation.rotate_column(col, batch=1)
    assert (r.pending, r.changed, r.remaining) == (pending - 2, pending - 2, 0)


def test_a_dry_run_writes_nothing(data, use_keys):
    use_keys(KEY_B, KEY_A)
    tokens = _tokens()
    out = _rotate(dry_run=True)
    assert "试运行" in out and f"{len(tokens)} 条密文将用当前密钥" in out
    assert _tokens() == tokens


def test_an_edit_between_read_and_write_is_not_overwritten(data, use_keys):
    use_keys(KEY_B, KEY_A)
    col = next(c for c in key_rotation.columns() if c.label == "people.Resident.phone_enc")
    stale = list(col.pending().filter(pk=data.res_a1.pk).values_list("pk", col.field))
    assert len(stale) == 1
    # someone changes the phone after the command read the batch and before it writes
    r = Resident.objects.get(pk=data.res_a1.pk)
    people_services.resident_update(resident=r, version=r.version, by=data.community_worker_a, phone="13811112222")
    edited = Resident.objects.get(pk=data.res_a1.pk).phone_enc
    result = key_rotation.rotate_rows(col, stale)
    assert (result.changed, result.conflicts) == (0, 1)
    now = Resident.objects.get(pk=data.res_a1.pk)
    assert now.phone_enc == edited and crypto.decrypt(now.phone_enc) == "13811112222"


def test_check_exits_1_until_every_token_is_under_the_current_key(data, use_keys):
    code, out = _check()
    # v1 tokens name no key: even under the current key they need rewriting
    assert code == 1 and f"{_kid(KEY_A)}(当前密钥)" in out and f"{_kid(KEY_A)}(当前密钥,旧格式)" in out
    use_keys(KEY_B, KEY_A)
    code, out = _check()
    assert code == 1 and f"{_kid(KEY_A)}(旧密钥)" in out and "不要移除旧密钥" in out
    assert f"{_kid(KEY_A)}(旧密钥,旧格式)" in out
    _rotate()
    code, out = _check()
    assert code == 0 and "可以移除" in out and f"{_kid(KEY_B)}(当前密钥)" in out
    assert f"全部 {len(_tokens())} 条密文均使用当前密钥 {_kid(KEY_B)}" in out


def test_tokens_under_a_missing_key_are_reported_and_the_rest_rotated(data, use_keys):
    use_keys(KEY_C)
    foreign = crypto.encrypt("13300006666")
    Resident.objects.filter(pk=data.res_a2.pk).update(phone_enc=foreign)
    use_keys(KEY_B, KEY_A)
    with pytest.raises(CommandError) as e:
        _rotate()
    assert e.value.returncode == 1 and _kid(KEY_C) in str(e.value)
    assert AuditEvent.objects.get(action=AuditAction.KEY_ROTATE).outcome == Outcome.FAILED
    assert Resident.objects.get(pk=data.res_a2.pk).phone_enc == foreign
    left = {k: t for k, t in _tokens().items() if t != foreign}
    assert left and all(crypto.is_current(t) for t in left.values())
    code, out = _check()
    assert code == 1 and f"{_kid(KEY_C)}(未配置的密钥) 1 条" in out


def test_bad_arguments_are_refused(db, use_keys):
    with pytest.raises(CommandError, match="--batch"):
        _rotate(batch=0)
