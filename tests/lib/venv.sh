# Sourced by the test scripts: `venv=$(python_venv NAME REQUIREMENTS)` makes (or reuses) a
# virtualenv under ~/.cache holding exactly REQUIREMENTS, rebuilt when that file changes.
python_venv() {
    local venv="${HOME:-/root}/.cache/$1" requirements=$2
    local stamp="$venv/.requirements.sha256" want
    want=$(sha256sum "$requirements" | cut -d' ' -f1)
    if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        rm -rf "$venv"
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >&2
        echo "$want" >"$stamp"
    fi
    echo "$venv"
}
