"""Protection of sensitive personal data at rest (ID numbers, phone numbers).

Values are encrypted with AES-256-GCM (random 96-bit nonce per value); exact
look-up and de-duplication use a keyed HMAC-SHA256 of the normalised value,
so the database never needs the plaintext to find a person.
"""
import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = b"\x01"


@lru_cache(maxsize=4)
def _aead(key_b64: str) -> AESGCM:
    key = base64.b64decode(key_b64)
    if len(key) != 32:
        raise ValueError("GONGZHI_ENCRYPTION_KEY 必须是 32 字节密钥的 base64 编码")
    return AESGCM(key)


@lru_cache(maxsize=4)
def _hmac_key(key_b64: str) -> bytes:
    return base64.b64decode(key_b64)


def encrypt(value: str) -> str:
    if not value:
        return ""
    nonce = os.urandom(12)
    sealed = _aead(settings.GONGZHI_ENCRYPTION_KEY).encrypt(nonce, value.encode(), None)
    return base64.b64encode(_VERSION + nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    raw = base64.b64decode(token)
    return _aead(settings.GONGZHI_ENCRYPTION_KEY).decrypt(raw[1:13], raw[13:], None).decode()


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


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "*" * len(phone)
