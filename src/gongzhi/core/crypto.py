"""Protection of sensitive personal data at rest (ID numbers, phone numbers).

Values are encrypted with AES-256-GCM (random 96-bit nonce per value); exact
look-up and de-duplication use a keyed HMAC-SHA256 of the normalised value,
so the database never needs the plaintext to find a person.

Token formats (base64 of):

* v2 (written now): ``0x02 | key id (4 bytes) | nonce (12) | ciphertext+tag``; the
  key id is the first 4 bytes of SHA-256 of the raw key, so it needs no configuration,
  and version + key id are bound to the ciphertext as associated data.
* v1 (read only): ``0x01 | nonce | ciphertext+tag``, no key id: read by trying the
  current key, then each retired key (a wrong key fails GCM's tag check).

``encrypt`` always writes v2 under ``GONGZHI_ENCRYPTION_KEY``; ``decrypt`` reads with
that key and the retired keys in ``GONGZHI_ENCRYPTION_OLD_KEYS``, so both are readable
while ``gongzhi rotate_keys`` re-encrypts in the background (docs/security.md, "Key rotation").
"""
import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

V1 = 1
V2 = 2
KEY_ID_BYTES = 4
NONCE_BYTES = 12
_V2_HEADER = 1 + KEY_ID_BYTES

ERR_KEY = "{name} 必须是 32 字节密钥的 base64 编码"
ERR_UNKNOWN_KEY = ("密文所用的加密密钥(密钥编号 {key_id})未配置:请把该密钥加入 GONGZHI_ENCRYPTION_OLD_KEYS"
                   "(当前密钥编号 {current})")
ERR_UNKNOWN_KEY_V1 = ("旧格式密文(无密钥编号)无法用当前密钥(编号 {current})或 GONGZHI_ENCRYPTION_OLD_KEYS 中的"
                      "任何密钥解密:加密它的密钥未配置")
ERR_CORRUPT = "密文已损坏或被篡改(密钥编号 {key_id}),无法解密"
ERR_MALFORMED = "密文格式无效:{why}"


class CryptoError(ValueError):
    """A token that cannot be read; the message says why, in Chinese."""


class UnknownKeyError(CryptoError):
    """The token was written under a key that is neither the current nor a retired one."""

    def __init__(self, key_id: str | None, current: str):
        self.key_id = key_id
        if key_id is None:
            super().__init__(ERR_UNKNOWN_KEY_V1.format(current=current))
        else:
            super().__init__(ERR_UNKNOWN_KEY.format(key_id=key_id, current=current))


def key_id(key_b64: str) -> str:
    """The 8 hex digits naming a key (first 4 bytes of SHA-256 of the raw key)."""
    return hashlib.sha256(_raw_key(key_b64, "GONGZHI_ENCRYPTION_KEY")).digest()[:KEY_ID_BYTES].hex()


def _raw_key(key_b64: str, name: str) -> bytes:
    try:
        key = base64.b64decode(key_b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(ERR_KEY.format(name=name)) from None
    if len(key) != 32:
        raise ValueError(ERR_KEY.format(name=name))
    return key


@dataclass(frozen=True)
class KeyRing:
    current_id: bytes
    current: AESGCM
    by_id: dict  # key id (bytes) -> AESGCM, the current key first, then the retired ones in order

    @property
    def current_hex(self) -> str:
        return self.current_id.hex()

    def ids(self) -> list[str]:
        return [k.hex() for k in self.by_id]


def old_keys_setting() -> tuple[str, ...]:
    """GONGZHI_ENCRYPTION_OLD_KEYS as a tuple (a comma-separated string or a sequence)."""
    value = getattr(settings, "GONGZHI_ENCRYPTION_OLD_KEYS", ()) or ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(k.strip() for k in value if k and k.strip())


@lru_cache(maxsize=8)
def _ring(current_b64: str, old_b64: tuple[str, ...]) -> KeyRing:
    current = _raw_key(current_b64, "GONGZHI_ENCRYPTION_KEY")
    cid = hashlib.sha256(current).digest()[:KEY_ID_BYTES]
    by_id = {cid: AESGCM(current)}
    for n, key_b64 in enumerate(old_b64, 1):
        raw = _raw_key(key_b64, f"GONGZHI_ENCRYPTION_OLD_KEYS 的第 {n} 个密钥")
        by_id.setdefault(hashlib.sha256(raw).digest()[:KEY_ID_BYTES], AESGCM(raw))
    return KeyRing(current_id=cid, current=by_id[cid], by_id=by_id)


def keyring() -> KeyRing:
    return _ring(settings.GONGZHI_ENCRYPTION_KEY, old_keys_setting())


@lru_cache(maxsize=4)
def _hmac_key(key_b64: str) -> bytes:
    return base64.b64decode(key_b64)


def encrypt(value: str) -> str:
    if not value:
        return ""
    ring = keyring()
    header = bytes([V2]) + ring.current_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.current.encrypt(nonce, value.encode(), header)
    return base64.b64encode(header + nonce + sealed).decode()


def _raw_token(token: str) -> bytes:
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError(ERR_MALFORMED.format(why="不是 base64")) from None
    if not raw or raw[0] not in (V1, V2):
        raise CryptoError(ERR_MALFORMED.format(why=f"未知的版本 {raw[:1].hex() or '(空)'}"))
    if len(raw) < (_V2_HEADER if raw[0] == V2 else 1) + NONCE_BYTES + 16:
        raise CryptoError(ERR_MALFORMED.format(why="长度不足"))
    return raw


def token_key_id(token: str) -> str | None:
    """The key id written in a v2 token (8 hex digits); None for a v1 token (it names none)."""
    raw = _raw_token(token)
    return raw[1:_V2_HEADER].hex() if raw[0] == V2 else None


def current_prefix() -> str:
    """The first 6 base64 characters every v2 token under the current key starts with
    (version byte and key id fill them; the 7th already carries nonce bits)."""
    return base64.b64encode(bytes([V2]) + keyring().current_id + b"\0")[:6].decode()


def is_current(token: str) -> bool:
    """True when the token is v2 under the current key: nothing to re-encrypt."""
    return token_key_id(token) == keyring().current_hex


def decrypt_with_key_id(token: str) -> tuple[str, str]:
    """(plaintext, hex id of the key that opened it)."""
    raw = _raw_token(token)
    ring = keyring()
    if raw[0] == V2:
        kid = raw[1:_V2_HEADER]
        aead = ring.by_id.get(kid)
        if aead is None:
            raise UnknownKeyError(kid.hex(), ring.current_hex)
        nonce, sealed = raw[_V2_HEADER:_V2_HEADER + NONCE_BYTES], raw[_V2_HEADER + NONCE_BYTES:]
        try:
            return aead.decrypt(nonce, sealed, raw[:_V2_HEADER]).decode(), kid.hex()
        except InvalidTag:
            raise CryptoError(ERR_CORRUPT.format(key_id=kid.hex())) from None
    nonce, sealed = raw[1:1 + NONCE_BYTES], raw[1 + NONCE_BYTES:]
    for kid, aead in ring.by_id.items():
        try:
            return aead.decrypt(nonce, sealed, None).decode(), kid.hex()
        except InvalidTag:
            continue
    raise UnknownKeyError(None, ring.current_hex)


def decrypt(token: str) -> str:
    if not token:
        return ""
    return decrypt_with_key_id(token)[0]


def reencrypt(token: str) -> str:
    """The same plaintext as a v2 token under the current key ("" stays "")."""
    if not token:
        return ""
    return encrypt(decrypt(token))


def keyed_hash(value: str) -> str:
    """Hex digest (128 bits) used for exact match and uniqueness."""
    if not value:
        return ""
    digest = hmac.new(_hmac_key(settings.GONGZHI_HMAC_KEY), value.encode(), hashlib.sha256).digest()
    return digest[:16].hex()


def mask_id_number(id_number: str) -> str:
    """3202**********123*: the region prefix and the three sequence digits people quote.
    The check digit is hidden too: shown, it would rule out ten of every eleven
    guesses at the hidden digits (with a birth date beside it, two unknown region
    digits left about ten candidates). Masked numbers never stand beside a full
    birth date for roles that may not unmask (age or birth year instead)."""
    if not id_number:
        return ""
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:-1] + "*"


def mask_name(name: str, *, keep_last: bool = False) -> str:
    """张三 → 张*, 欧阳修文 → 欧***: a person named on a page that may not show the name (the street
    reading a letter, a public blacklist). `keep_last` keeps the last character of a name of three or
    more (张三丰 → 张*丰), as a public certificate check does so the holder recognises it."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if keep_last and len(name) >= 3:
        return name[0] + "*" * (len(name) - 2) + name[-1]
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "*" * len(phone)
