# Helpers for the shell tests of the dl4c command (sourced).
# expect CODE "substring" -- command...: the command exits with CODE and
# its output (stdout + stderr) contains the substring.
set -u
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# models trained by the tests register in a store of their own
export DL4C_HOME="$tmp/dl4c-home"

expect() {
    local code=$1 want=$2
    shift 3
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [[ $rc != "$code" ]]; then
        echo "FAIL: exit $rc, expected $code: $*"
        echo "$out" | tail -5
        failures=$((failures + 1))
    elif [[ -n "$want" && "$out" != *"$want"* ]]; then
        echo "FAIL: output lacks '$want': $*"
        echo "$out" | tail -5
        failures=$((failures + 1))
    else
        echo "ok: $*"
    fi
}

check() { # check "description" condition...
    local what=$1
    shift
    if "$@"; then
        echo "ok: $what"
    else
        echo "FAIL: $what"
        failures=$((failures + 1))
    fi
}

finish() {
    echo "$failures failure(s)"
    [[ $failures == 0 ]]
}
