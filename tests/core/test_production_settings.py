"""With GONGZHI_ENV=production the deployment checks are clean: HTTPS only behind the proxy,
secure cookies, HSTS (checked in a fresh process, as settings are read once)."""
import base64
import os
import secrets
import subprocess
import sys


def test_check_deploy_is_clean_in_production(tmp_path):
    key = base64.b64encode(os.urandom(32)).decode()
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # the browser tests' only
           "GONGZHI_ENV": "production", "GONGZHI_SECRET_KEY": secrets.token_urlsafe(60),
           "GONGZHI_ENCRYPTION_KEY": key, "GONGZHI_HMAC_KEY": key, "GONGZHI_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "gongzhi.settings", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    result = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
