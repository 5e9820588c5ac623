#!/usr/bin/env bash
# labels: cli serve
# dl4c serve over TLS: certificates made here with certtool (gnutls-bin);
# HTTPS works with the CA, plain HTTP on the TLS port gets nothing; with a
# client CA, clients without a certificate or with one from another CA are
# refused in the handshake, a client with a valid certificate is served;
# bearer tokens on top.
dl4c=$1
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_helpers.bash"
iris=data/iris.csv
export OMP_NUM_THREADS=1
if ! command -v certtool >/dev/null; then
    echo "FAIL: certtool is not installed (gnutls-bin; scripts/install-deps.sh)"
    exit 1
fi

# make_cert NAME TEMPLATE [CA]: NAME.key and NAME.pem, self-signed or
# signed by CA.key / CA.pem
make_cert() {
    local name=$1 template=$2 ca=${3-}
    printf '%b' "$template" >"$tmp/$name.tmpl"
    certtool --generate-privkey --key-type=ecdsa --outfile "$tmp/$name.key" 2>/dev/null
    if [[ -z $ca ]]; then
        certtool --generate-self-signed --load-privkey "$tmp/$name.key" \
            --template "$tmp/$name.tmpl" --outfile "$tmp/$name.pem" 2>/dev/null
    else
        certtool --generate-certificate --load-privkey "$tmp/$name.key" \
            --load-ca-certificate "$tmp/$ca.pem" --load-ca-privkey "$tmp/$ca.key" \
            --template "$tmp/$name.tmpl" --outfile "$tmp/$name.pem" 2>/dev/null
    fi
}
make_cert ca 'cn = "dl4c test CA"\nca\ncert_signing_key\nexpiration_days = 2\n'
make_cert rogue 'cn = "another CA"\nca\ncert_signing_key\nexpiration_days = 2\n'
make_cert server 'cn = "localhost"\ndns_name = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nencryption_key\nexpiration_days = 2\n' ca
make_cert client 'cn = "client"\ntls_www_client\nsigning_key\nexpiration_days = 2\n' ca
make_cert intruder 'cn = "intruder"\ntls_www_client\nsigning_key\nexpiration_days = 2\n' rogue
check "certificates made" test -s "$tmp/server.pem" -a -s "$tmp/client.pem" -a -s "$tmp/intruder.pem"

expect 0 "registered iris:1" -- "$dl4c" train --preset mlp --hidden 8 --data $iris \
    --label-index 4 --num-classes 3 --epochs 5 --no-eval
row='{"instances": [[5.1, 3.5, 1.4, 0.2]]}'

# ---- TLS
scheme=https
curl_tls=(--cacert "$tmp/ca.pem")
start_server "$tmp/tls.log" --model iris --tls-cert "$tmp/server.pem" \
    --tls-key "$tmp/server.key" || { finish; exit 1; }
http 200 '"AVAILABLE"' GET /v1/models/iris
http 200 '"predictions"' POST /v1/models/iris:predict "$row"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/models/iris")
check "plain HTTP on the TLS port gets no answer ($code)" test "$code" = 000
rc=0
curl -s -o /dev/null "https://127.0.0.1:$port/v1/models/iris" || rc=$?
check "a client that does not trust the CA fails ($rc)" test "$rc" != 0
stop_server

# ---- mutual TLS, with a bearer token
curl_tls=(--cacert "$tmp/ca.pem" --cert "$tmp/client.pem" --key "$tmp/client.key")
start_server "$tmp/mtls.log" --model iris --tls-cert "$tmp/server.pem" \
    --tls-key "$tmp/server.key" --tls-client-ca "$tmp/ca.pem" \
    --auth-token t0ken || { finish; exit 1; }
http 200 '"predictions"' POST /v1/models/iris:predict "$row" -H 'Authorization: Bearer t0ken'
http 401 'Bearer' POST /v1/models/iris:predict "$row"
rc=0
curl -s -o /dev/null --cacert "$tmp/ca.pem" "$base/v1/models/iris" || rc=$?
check "a client without a certificate is refused (curl exit $rc)" test "$rc" != 0
rc=0
curl -s -o /dev/null --cacert "$tmp/ca.pem" --cert "$tmp/intruder.pem" \
    --key "$tmp/intruder.key" "$base/v1/models/iris" || rc=$?
check "a certificate from another CA is refused (curl exit $rc)" test "$rc" != 0
http 200 '"live": true' GET /v2/health/live
stop_server

# ---- configuration errors
expect 1 "both a certificate and its key" -- "$dl4c" serve --model iris --tls-cert "$tmp/server.pem"
expect 1 "TLS key" -- "$dl4c" serve --host 127.0.0.1 --port 0 --model iris \
    --tls-cert "$tmp/server.pem" --tls-key "$tmp/missing.key"
expect 1 "not a PEM file" -- "$dl4c" serve --host 127.0.0.1 --port 0 --model iris \
    --tls-cert "$tmp/server.tmpl" --tls-key "$tmp/server.key"

finish
