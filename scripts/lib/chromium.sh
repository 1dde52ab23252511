# shellcheck shell=bash
# Sourced, not executed: chromium_ensure installs Debian's chromium (plus CJK
# fonts so Chinese text renders) when missing and exports GONGZHI_CHROMIUM.
# Playwright drives this system browser; `playwright install` is never used.

_gongzhi_apt_update_once() {
    if [[ -z "${_GONGZHI_APT_UPDATED:-}" ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
        _GONGZHI_APT_UPDATED=1
    fi
}

chromium_ensure() {
    local bin=/usr/bin/chromium
    local -a missing=()
    [[ -x "$bin" ]] || missing+=(chromium)
    dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
    if ((${#missing[@]})); then
        if [[ $(id -u) -ne 0 ]]; then
            echo "chromium.sh: need root to install: ${missing[*]}" >&2
            return 1
        fi
        echo "chromium.sh: installing ${missing[*]}" >&2
        _gongzhi_apt_update_once || return 1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" || return 1
    fi
    [[ -x "$bin" ]] || { echo "chromium.sh: $bin still missing" >&2; return 1; }
    export GONGZHI_CHROMIUM="$bin"
}
