# shellcheck shell=bash
# Sourced, not executed: a throw-away PostgreSQL server for the test suite.
#
#   pg_start  install Debian's postgresql if needed, initdb/start a private
#             cluster (or reuse a server already answering on the port),
#             create superuser role + database "gongzhi", export PG_URL.
#   pg_stop   stop the private cluster (if it is running).
#
#   PGDATA_DIR  data directory   (default /tmp/gongzhi-pg)
#   PGPORT      TCP port         (default 54329; 127.0.0.1 only)
#
# The server is tuned for speed, not safety (fsync=off, ...): test use only.
# Sets PG_STARTED=1 when this shell started the server (vs. reusing one), so
# callers can decide whether to stop it on exit.

_gongzhi_apt_update_once() {
    if [[ -z "${_GONGZHI_APT_UPDATED:-}" ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
        _GONGZHI_APT_UPDATED=1
    fi
}

_pg_datadir() { echo "${PGDATA_DIR:-/tmp/gongzhi-pg}"; }

# Newest installed server's bin dir, e.g. /usr/lib/postgresql/15/bin.
_pg_bindir() {
    local initdb
    initdb=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1)
    [[ -n "$initdb" ]] || return 1
    dirname "$initdb"
}

# Run a server command as the postgres OS user (as root) or as ourselves.
# cd / first so the postgres user never trips over an unreadable cwd.
_pg_as() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# True when the pid stored in the first line of $1 belongs to a live postgres.
_pg_pidfile_live() {
    local pid comm
    [[ -f "$1" ]] || return 1
    pid=$(head -n 1 "$1" 2>/dev/null | tr -dc '0-9')
    [[ -n "$pid" && -r "/proc/$pid/comm" ]] || return 1
    comm=$(cat "/proc/$pid/comm" 2>/dev/null)
    [[ "$comm" == postgres || "$comm" == postmaster ]]
}

_pg_install() {
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "postgres.sh: PostgreSQL is not installed and we are not root" >&2
        return 1
    fi
    echo "postgres.sh: installing postgresql" >&2
    _gongzhi_apt_update_once || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql || return 1
}

_pg_initdb() {
    local bindir=$1 datadir=$2 locale=C
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale=C.UTF-8
    fi
    mkdir -p "$datadir" || return 1
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$datadir" || return 1; fi
    chmod 700 "$datadir"
    if ! _pg_as "$bindir/initdb" -D "$datadir" --username=postgres --auth=trust \
        --encoding=UTF8 --locale="$locale" >"$datadir.initdb.log" 2>&1; then
        if [[ "$locale" != C ]]; then
            echo "postgres.sh: initdb with --locale=$locale failed, retrying with C" >&2
            find "$datadir" -mindepth 1 -delete
            _pg_as "$bindir/initdb" -D "$datadir" --username=postgres --auth=trust \
                --encoding=UTF8 --locale=C >"$datadir.initdb.log" 2>&1
        else
            false
        fi || {
            echo "postgres.sh: initdb failed:" >&2
            cat "$datadir.initdb.log" >&2
            return 1
        }
    fi
    rm -f "$datadir.initdb.log"
}

pg_start() {
    local datadir port sockdir bindir version
    datadir=$(_pg_datadir)
    port=${PGPORT:-54329}
    # The socket gets a directory of its own, owned by the server's user: the data
    # directory's parent need not be writable by that user (or by anyone else).
    sockdir="$datadir.sock"
    export PGPORT=$port

    _pg_install || return 1
    bindir=$(_pg_bindir) || { echo "postgres.sh: initdb not found" >&2; return 1; }
    version=$(basename "$(dirname "$bindir")")
    export PG_BIN=$bindir

    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
        echo "postgres.sh: reusing server already running on 127.0.0.1:$port" >&2
    else
        # Throw away a data dir that is half-initialised or from another major
        # version; keep a complete one from a previous run.
        if [[ -d "$datadir" && "$(cat "$datadir/PG_VERSION" 2>/dev/null)" != "$version" ]]; then
            echo "postgres.sh: discarding unusable data dir $datadir" >&2
            if _pg_pidfile_live "$datadir/postmaster.pid"; then
                _pg_as "$bindir/pg_ctl" -D "$datadir" stop -m immediate -w >/dev/null 2>&1 || true
            fi
            rm -rf "$datadir"
        fi
        if [[ ! -d "$datadir" ]]; then
            _pg_initdb "$bindir" "$datadir" || return 1
        fi
        if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$datadir" || return 1; fi
        mkdir -p "$sockdir" && chmod 755 "$sockdir" || return 1
        if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$sockdir" || return 1; fi

        # A server from this data dir that is not answering on $port (e.g.
        # started with another PGPORT) is stopped; lock files whose pid is not
        # a live postgres (left by a killed run or container) are removed.
        if _pg_pidfile_live "$datadir/postmaster.pid"; then
            _pg_as "$bindir/pg_ctl" -D "$datadir" stop -m fast -w -t 60 >/dev/null 2>&1 || true
        fi
        _pg_pidfile_live "$datadir/postmaster.pid" || rm -f "$datadir/postmaster.pid"
        if [[ -f "$sockdir/.s.PGSQL.$port.lock" ]]; then
            _pg_pidfile_live "$sockdir/.s.PGSQL.$port.lock" ||
                rm -f "$sockdir/.s.PGSQL.$port.lock" "$sockdir/.s.PGSQL.$port"
        fi

        echo "postgres.sh: starting PostgreSQL $version on 127.0.0.1:$port ($datadir)" >&2
        if ! _pg_as "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $port -k '$sockdir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            >/dev/null; then
            echo "postgres.sh: server failed to start; last log lines:" >&2
            tail -n 20 "$datadir/server.log" >&2 2>/dev/null
            return 1
        fi
        PG_STARTED=1
    fi

    # Role and database, created as the bootstrap superuser "postgres".
    if ! "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres >/dev/null <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gongzhi') THEN
        CREATE ROLE gongzhi LOGIN SUPERUSER;
    END IF;
END
$$;
ALTER ROLE gongzhi LOGIN SUPERUSER;
SELECT 'CREATE DATABASE gongzhi OWNER gongzhi ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'gongzhi')
\gexec
SQL
    then
        echo "postgres.sh: could not create role/database as user postgres" >&2
    fi

    export PG_URL="postgres://gongzhi@127.0.0.1:$port/gongzhi"
    if ! "$bindir/psql" -X -q -d "$PG_URL" -c 'select 1' >/dev/null; then
        echo "postgres.sh: cannot connect to $PG_URL" >&2
        return 1
    fi
}

pg_stop() {
    local datadir bindir
    datadir=$(_pg_datadir)
    bindir=$(_pg_bindir) || return 0
    if _pg_pidfile_live "$datadir/postmaster.pid"; then
        echo "postgres.sh: stopping PostgreSQL ($datadir)" >&2
        _pg_as "$bindir/pg_ctl" -D "$datadir" stop -m fast -w -t 60 >/dev/null || return 1
    fi
    unset PG_STARTED
}
