# Helpers for the shell tests of dl4c serve (sourced after lib.sh): start a
# server on a free loopback port, wait until it is ready, send requests
# with curl and check status and body, and always stop the servers the
# test started, whatever happens.
servers=()
trap 'for p in "${servers[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
scheme=http
curl_tls=()

# start_server LOG ARGS...: dl4c serve ARGS on 127.0.0.1 and a free port;
# sets server_pid, port and base, and waits for /v2/health/ready.
start_server() {
    local log=$1
    shift
    "$dl4c" serve --host 127.0.0.1 --port 0 "$@" >"$log" 2>&1 &
    server_pid=$!
    servers+=("$server_pid")
    port=""
    for _ in $(seq 1 400); do
        port=$(sed -n 's/.*listening on https\{0,1\}:\/\/[^:]*:\([0-9]*\).*/\1/p' "$log")
        [[ -n $port ]] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    if [[ -z $port ]]; then
        echo "FAIL: the server did not start:"
        cat "$log"
        failures=$((failures + 1))
        return 1
    fi
    base="$scheme://127.0.0.1:$port"
    for _ in $(seq 1 400); do
        if curl -s "${curl_tls[@]}" -o /dev/null -w '%{http_code}' \
            "$base/v2/health/ready" | grep -q 200; then
            return 0
        fi
        sleep 0.05
    done
    echo "FAIL: the server never became ready:"
    cat "$log"
    failures=$((failures + 1))
    return 1
}

# stop_server: SIGTERM, and the exit status must be 0.
stop_server() {
    kill -TERM "$server_pid"
    local rc=0
    wait "$server_pid" || rc=$?
    check "server exits 0 on SIGTERM (got $rc)" test "$rc" = 0
}

# req METHOD PATH [BODY] [CURL ARGS...]: sets code and body.
req() {
    local method=$1 path=$2
    local data=${3-}
    shift 2
    (($# > 0)) && shift
    local args=(-s "${curl_tls[@]}" -o "$tmp/resp" -w '%{http_code}' -X "$method")
    if [[ -n $data ]]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$data")
    fi
    code=$(curl "${args[@]}" "$@" "$base$path")
    body=$(cat "$tmp/resp" 2>/dev/null)
}

# http CODE "substring" METHOD PATH [BODY] [CURL ARGS...]
http() {
    local want=$1 sub=$2
    shift 2
    req "$@"
    if [[ $code != "$want" ]]; then
        echo "FAIL: $1 $2: HTTP $code, expected $want: $body"
        failures=$((failures + 1))
    elif [[ -n $sub && $body != *"$sub"* ]]; then
        echo "FAIL: $1 $2: body lacks '$sub': $body"
        failures=$((failures + 1))
    else
        echo "ok: $1 $2 -> $code"
    fi
}
