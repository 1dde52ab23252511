# shellcheck shell=bash
# Sourced, not executed: makes sure $ROOT/.venv exists (Python 3.11), that the
# project is installed into it (editable, with extras from $EXTRAS), and puts
# .venv/bin first on PATH.  pip only runs again when pyproject.toml is newer
# than the stamp file kept inside .venv, so repeat runs are fast.
#
#   ROOT    repo root (default: two levels above this file)
#   EXTRAS  comma-separated extras, e.g. "test" (default: none)

: "${ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${EXTRAS:=}"

_venv_python() {
    # python3.11 if it is on PATH, otherwise python3 as long as it is 3.11.
    local py
    for py in python3.11 python3; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    echo "venv.sh: Python 3.11 not found (tried python3.11, python3)" >&2
    return 1
}

venv_ensure() {
    local venv="$ROOT/.venv" py stamp target
    # Recreate the venv when it is missing or broken (e.g. the interpreter it
    # was created from has gone away) or is not Python 3.11.
    if ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        py=$(_venv_python) || return 1
        echo "venv.sh: creating $venv with $py" >&2
        rm -rf "$venv"
        "$py" -m venv "$venv" || return 1
    fi

    # One stamp per set of extras, so switching EXTRAS triggers an install.
    stamp="$venv/.installed${EXTRAS:+-${EXTRAS//[^A-Za-z0-9_-]/_}}"
    if [[ ! -f "$stamp" || "$ROOT/pyproject.toml" -nt "$stamp" ]]; then
        target="."
        [[ -n "$EXTRAS" ]] && target=".[$EXTRAS]"
        echo "venv.sh: pip install -e \"$target\"" >&2
        (cd "$ROOT" && "$venv/bin/python" -m pip install -q -e "$target") || return 1
        touch "$stamp"
    fi

    export VIRTUAL_ENV="$venv"
    case ":$PATH:" in
        "$venv/bin:"*) ;;
        *) export PATH="$venv/bin:$PATH" ;;
    esac
    unset PYTHONHOME
    hash -r
}

venv_ensure || { echo "venv.sh: failed to prepare $ROOT/.venv" >&2; return 1 2>/dev/null || exit 1; }
