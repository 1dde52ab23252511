"""Secret keys: taken from the environment, or (outside production) generated
once into a file in the data directory, which is never part of the repository."""
import base64
import os
import secrets
from pathlib import Path

KEY_NAMES = ("GONGZHI_SECRET_KEY", "GONGZHI_ENCRYPTION_KEY", "GONGZHI_HMAC_KEY")
# Retired encryption keys, still read while `gongzhi rotate_keys` re-encrypts (docs/security.md,
# "Key rotation"): optional, never generated, taken from the environment or else from keys.env.
OLD_KEYS_NAME = "GONGZHI_ENCRYPTION_OLD_KEYS"
MISSING_KEY = "生产环境必须在环境变量中设置 {name}"
BAD_OLD_KEY = "GONGZHI_ENCRYPTION_OLD_KEYS 的第 {n} 个密钥不是 32 字节密钥的 base64 编码(多个密钥以英文逗号分隔)"


def _new_key(name: str) -> str:
    if name == "GONGZHI_SECRET_KEY":
        return secrets.token_urlsafe(50)
    return base64.b64encode(secrets.token_bytes(32)).decode()


def parse_old_keys(value: str | None) -> tuple[str, ...]:
    """GONGZHI_ENCRYPTION_OLD_KEYS: comma-separated base64 keys of 32 bytes each; a bad one stops start-up
    with its position named (the key itself is never printed)."""
    keys = tuple(k.strip() for k in (value or "").split(",") if k.strip())
    for n, key in enumerate(keys, 1):
        try:
            raw = base64.b64decode(key, validate=True)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise RuntimeError(BAD_OLD_KEY.format(n=n))
    return keys


def _read_key_file(key_file: Path) -> dict[str, str]:
    stored: dict[str, str] = {}
    if key_file.exists():
        for line in key_file.read_text().splitlines():
            if "=" in line:
                name, value = line.split("=", 1)
                stored[name.strip()] = value.strip()
    return stored


def load_or_create_dev_keys(data_dir: Path, *, required: bool) -> dict[str, str]:
    """The three keys by name, and OLD_KEYS_NAME (a tuple, often empty)."""
    keys: dict = {name: os.environ[name] for name in KEY_NAMES if os.environ.get(name)}
    missing = [name for name in KEY_NAMES if name not in keys]
    key_file = data_dir / "keys.env"
    if OLD_KEYS_NAME in os.environ or required:
        keys[OLD_KEYS_NAME] = parse_old_keys(os.environ.get(OLD_KEYS_NAME))
    else:
        keys[OLD_KEYS_NAME] = parse_old_keys(_read_key_file(key_file).get(OLD_KEYS_NAME))
    if not missing:
        return keys
    if required:
        raise RuntimeError(MISSING_KEY.format(name=", ".join(missing)))
    stored = _read_key_file(key_file)
    changed = False
    for name in missing:
        if name not in stored:
            stored[name] = _new_key(name)
            changed = True
        keys[name] = stored[name]
    if changed:
        key_file.write_text("".join(f"{k}={v}\n" for k, v in stored.items()))
        key_file.chmod(0o600)
    return keys
