import pytest

from tests.factories import World


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is deliberately slow; tests that are not about passwords use a
    fast hasher. Tests marked `argon2` keep the production setting."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_off(settings):
    """Production makes two-factor sign-in mandatory for admins and for whoever may unmask or export
    (GONGZHI_2FA_REQUIRED=mandatory); tests that are not about it sign in with the password alone.
    tests/accounts/test_two_factor.py and tests/e2e/test_login_security.py turn it back on."""
    settings.GONGZHI_2FA_REQUIRED = "off"


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def queue_worker(transactional_db, tmp_path):
    """A real `gongzhi worker` process (the job queue's) for tests whose pages start imports, exports or
    assessments; it reads the test's committed data (live_server or transactional_db)."""
    from tests.queue_worker import start_worker, stop_worker
    proc = start_worker(tmp_path, "--no-schedule", name="queue-worker")
    yield proc
    stop_worker(proc)


@pytest.fixture(scope="session", autouse=True)
def _quick_flush_on_postgresql():
    """After each transactional test (live server, threads) Django empties every table with one
    TRUNCATE, which on PostgreSQL makes new files for each of ~150 tables and their indexes: about
    0.45 s idle and 2-3 s on a loaded machine, per test. Deleting the few rows the test wrote is
    twenty times quicker. The server the tests start is ours (superuser), so the foreign-key and
    append-only triggers can be switched off for the flush's own transaction (SET LOCAL); any other
    server, or a flush that resets sequences, keeps Django's TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations
    truncate = DatabaseOperations.sql_flush
    superuser = {}

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        conn = self.connection
        if conn.alias not in superuser:
            with conn.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                superuser[conn.alias] = bool(cursor.fetchone()[0])
        if reset_sequences or not tables or not superuser[conn.alias]:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica"] + [
            f"DELETE FROM {self.quote_name(table)}" for table in tables]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture(autouse=True)
def _builtin_care_tags(request):
    """Transactional tests flush every table, including rows that migrations
    seed; put the built-in care tags and work-order catalogue back for whichever test runs next."""
    if not {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    restore_seeded_rows()


def restore_seeded_rows():
    """The rows migrations seed (built-in care tags, the work-order catalogue), if a flush took them."""
    from gongzhi.people.models import BUILTIN_CARE_TAGS, CareTag
    for sort, (code, name) in enumerate(BUILTIN_CARE_TAGS):
        CareTag.objects.get_or_create(code=code, defaults={"name": name, "builtin": True, "sort": sort})
    from gongzhi.workorders import catalogue
    from gongzhi.workorders.models import Category
    if not Category.objects.exists():
        catalogue.load()


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """The calendar and grid boundaries are cached per process for a minute;
    each test starts from what its own database holds."""
    from django.core.cache import cache

    from gongzhi.workorders import calendar, locate
    calendar.forget()
    locate.forget()
    cache.clear()  # API keys, categories and staff look-ups are kept a minute per process


from tests.s3 import s3_server, s3_storage  # noqa: E402,F401 - fixtures: a real S3-compatible store on loopback
