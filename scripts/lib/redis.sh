# shellcheck shell=bash
# Sourced, not executed: a throw-away Redis server for the test suite's PostgreSQL run, so the
# caches are shared the way they are between several app nodes (GONGZHI_CACHE_URL).
#
#   redis_start  install Debian's redis-server if needed, start a private server on loopback
#                (no persistence, no config file, or reuse one already answering on the port),
#                export REDIS_URL.
#   redis_stop   stop the server this shell started.
#
#   REDIS_PORT      TCP port (default 56379; 127.0.0.1 only)
#   REDIS_DIR       working directory (default /tmp/gongzhi-redis)

_gongzhi_apt_update_once() {
    if [[ -z "${_GONGZHI_APT_UPDATED:-}" ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
        _GONGZHI_APT_UPDATED=1
    fi
}

_redis_install() {
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "redis.sh: redis-server is not installed and we are not root" >&2
        return 1
    fi
    echo "redis.sh: installing redis-server" >&2
    _gongzhi_apt_update_once || return 1
    # the package's own service is not wanted: ours runs on its own port, in the foreground of nothing
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server redis-tools \
        || return 1
}

redis_start() {
    local port=${REDIS_PORT:-56379} dir=${REDIS_DIR:-/tmp/gongzhi-redis} i
    _redis_install || return 1
    export REDIS_URL="redis://127.0.0.1:$port/0"
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        echo "redis.sh: reusing the server on port $port" >&2
        return 0
    fi
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes --save '' --appendonly no \
        --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
        --maxmemory 256mb --maxmemory-policy allkeys-lru || return 1
    for i in $(seq 1 50); do
        if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
            REDIS_STARTED=1
            return 0
        fi
        sleep 0.1
    done
    echo "redis.sh: the server did not answer on port $port (see $dir/redis.log)" >&2
    return 1
}

redis_stop() {
    local port=${REDIS_PORT:-56379}
    [[ -n "${REDIS_STARTED:-}" ]] || return 0
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    REDIS_STARTED=
}
