# shellcheck shell=bash
# Sourced, not executed: pdf_deps_ensure installs what WeasyPrint needs to
# print PDFs with Chinese text (Pango for layout, Noto CJK fonts to embed).

_gongzhi_apt_update_once() {
    if [[ -z "${_GONGZHI_APT_UPDATED:-}" ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
        _GONGZHI_APT_UPDATED=1
    fi
}

pdf_deps_ensure() {
    local -a missing=()
    local pkg
    for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "pdf.sh: need root to install: ${missing[*]} (PDF reports will not work without them)" >&2
        return 1
    fi
    echo "pdf.sh: installing ${missing[*]}" >&2
    _gongzhi_apt_update_once || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}
