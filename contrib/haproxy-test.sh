#!/usr/bin/env bash
# A real HAProxy in front of two gemhole instances sharing one capsule and one certificate,
# all on loopback: requests through it must succeed on both protocols, both instances must
# serve, and each instance must log the real client address it learnt from the PROXY header
# (v2 to one instance, v1 to the other). Installs haproxy when missing (Debian/Ubuntu).
#
#   contrib/haproxy-test.sh            # uses target/release/gemhole (built if missing)
#   GEMHOLE=target/debug/gemhole contrib/haproxy-test.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
gemhole=${GEMHOLE:-$root/target/release/gemhole}
[[ -x $gemhole ]] || (cd "$root" && cargo build --release --quiet)
gemhole=$(realpath "$gemhole")
if ! command -v haproxy >/dev/null; then
    apt-get update -qq && apt-get install -y -qq haproxy >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Free loopback ports: two front ends, and two per instance.
read -r front_gemini front_gopher g1 p1 g2 p2 < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
)

cp -r "$root/capsule" "$work/capsule"
# One certificate for both instances, so a client's pin holds whichever one answers.
(cd "$work" && "$gemhole" --hostname localhost cert --regenerate >/dev/null)

start_instance() { # name gemini-port gopher-port
    cat >"$work/$1.toml" <<TOML
[site]
title = "Behind HAProxy"
hostname = "localhost"
content = "capsule"
[gemini]
listen = ["127.0.0.1:$2"]
port = $front_gemini
certs = "certs"
proxy_protocol = true
[gopher]
listen = ["127.0.0.1:$3"]
port = $front_gopher
proxy_protocol = true
[log]
log_ips = true
TOML
    "$gemhole" --config "$work/$1.toml" 2>"$work/$1.log" &
    pids+=($!)
}
start_instance one "$g1" "$p1"
start_instance two "$g2" "$p2"

cat >"$work/haproxy.cfg" <<CFG
defaults
    mode tcp
    timeout connect 5s
    timeout client 10s
    timeout server 10s
frontend gemini
    bind 127.0.0.1:$front_gemini
    default_backend gemini_instances
frontend gopher
    bind 127.0.0.1:$front_gopher
    default_backend gopher_instances
backend gemini_instances
    balance roundrobin
    server one 127.0.0.1:$g1 send-proxy-v2
    server two 127.0.0.1:$g2 send-proxy
backend gopher_instances
    balance roundrobin
    server one 127.0.0.1:$p1 send-proxy
    server two 127.0.0.1:$p2 send-proxy-v2
CFG
haproxy -f "$work/haproxy.cfg" -db 2>"$work/haproxy.log" &
pids+=($!)

for _ in $(seq 100); do
    grep -q "ready;" "$work/one.log" 2>/dev/null && grep -q "ready;" "$work/two.log" 2>/dev/null &&
        (echo >"/dev/tcp/127.0.0.1/$front_gemini") 2>/dev/null && break
    sleep 0.1
done

passed=0
failed=0
check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $what" >&2
    fi
}

# Each request leaves from its own source port, so the logs can show the real client.
gemini_request() { # source-port
    python3 - "$front_gemini" "$1" <<'PY'
import socket, ssl, sys
port, source = int(sys.argv[1]), int(sys.argv[2])
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
raw = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.1", source))
with context.wrap_socket(raw, server_hostname="localhost") as tls:
    tls.sendall(f"gemini://localhost:{port}/\r\n".encode())
    reply = b""
    while chunk := tls.recv(65536):
        reply += chunk
sys.exit(0 if reply.startswith(b"20 text/gemini") and b"Back Market Adventures" in reply else 1)
PY
}
gopher_request() { # source-port
    curl -s --max-time 10 --local-port "$1" "gopher://127.0.0.1:$front_gopher/1/" |
        grep -q "^02023-11-20 Back Market Adventures"
}

sources=()
for i in 1 2 3 4; do
    source=$((40000 + RANDOM % 20000))
    sources+=("$source")
    check "gemini request $i through HAProxy" gemini_request "$source"
    source=$((40000 + RANDOM % 20000))
    sources+=("$source")
    check "gopher request $i through HAProxy" gopher_request "$source"
done
sleep 0.3

check "instance one served" grep -q 'gemhole::access' "$work/one.log"
check "instance two served" grep -q 'gemhole::access' "$work/two.log"
for source in "${sources[@]}"; do
    check "a backend logged client 127.0.0.1:$source" \
        grep -q "from 127.0.0.1:$source\$" "$work/one.log" "$work/two.log"
done
# Without a PROXY header a backend answers nothing at all.
check "a direct connection without a header is refused" \
    bash -c "[[ -z \$(curl -s --max-time 3 gopher://127.0.0.1:$p1/1/) ]]"

if ((failed)); then
    echo "--- one.log" >&2; tail -20 "$work/one.log" >&2
    echo "--- two.log" >&2; tail -20 "$work/two.log" >&2
    echo "--- haproxy.log" >&2; tail -20 "$work/haproxy.log" >&2
fi
echo "haproxy: $passed passed, $failed failed"
((failed == 0))
