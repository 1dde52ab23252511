"""Secret keys: taken from the environment, or (outside production) generated
once into a file in the data directory, which is never part of the repository."""
import base64
import os
import secrets
from pathlib import Path

KEY_NAMES = ("GONGZHI_SECRET_KEY", "GONGZHI_ENCRYPTION_KEY", "GONGZHI_HMAC_KEY")
MISSING_KEY = "生产环境必须在环境变量中设置 {name}"


def _new_key(name: str) -> str:
    if name == "GONGZHI_SECRET_KEY":
        return secrets.token_urlsafe(50)
    return base64.b64encode(secrets.token_bytes(32)).decode()


def load_or_create_dev_keys(data_dir: Path, *, required: bool) -> dict[str, str]:
    keys = {name: os.environ[name] for name in KEY_NAMES if os.environ.get(name)}
    missing = [name for name in KEY_NAMES if name not in keys]
    if not missing:
        return keys
    if required:
        raise RuntimeError(MISSING_KEY.format(name=", ".join(missing)))
    key_file = data_dir / "keys.env"
    stored: dict[str, str] = {}
    if key_file.exists():
        for line in key_file.read_text().splitlines():
            if "=" in line:
                name, value = line.split("=", 1)
                stored[name.strip()] = value.strip()
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
