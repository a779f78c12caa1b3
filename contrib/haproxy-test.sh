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

# The front ends' ports must be known before HAProxy starts (the instances advertise them), so
# they are picked below the kernel's ephemeral range: nothing the kernel hands out on its own
# (a client's source port, a listener on port 0) can take them meanwhile. The instances listen
# on port 0 and their ports are read back from their logs.
read -r front_gemini front_gopher < <(python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
found = []
for port in random.sample(range(10000, low), low - 10000):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    found.append(port)
    if len(found) == 2:
        break
print(*found)
PY
)

cp -r "$root/capsule" "$work/capsule"
# One certificate for both instances, so a client's pin holds whichever one answers.
(cd "$work" && "$gemhole" --hostname localhost cert --regenerate >/dev/null)

start_instance() { # name
    cat >"$work/$1.toml" <<TOML
[site]
title = "Behind HAProxy"
hostname = "localhost"
content = "capsule"
[gemini]
listen = ["127.0.0.1:0"]
port = $front_gemini
certs = "certs"
proxy_protocol = true
[gopher]
listen = ["127.0.0.1:0"]
port = $front_gopher
proxy_protocol = true
[log]
log_ips = true
TOML
    "$gemhole" --config "$work/$1.toml" 2>"$work/$1.log" &
    pids+=($!)
}
start_instance one
start_instance two

# The port an instance bound for a protocol, from its start-up line
# `Gemini: gemini://... (listening on 127.0.0.1:PORT)`.
bound_port() { # name protocol
    for _ in $(seq 100); do
        if grep -q "ready;" "$work/$1.log" 2>/dev/null; then
            sed -n "s/.*$2: .*(listening on 127\.0\.0\.1:\([0-9]*\)).*/\1/p" "$work/$1.log"
            return
        fi
        sleep 0.1
    done
    echo "instance $1 did not start" >&2
    cat "$work/$1.log" >&2
    exit 1
}
g1=$(bound_port one Gemini)
p1=$(bound_port one Gopher)
g2=$(bound_port two Gemini)
p2=$(bound_port two Gopher)

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
    (echo >"/dev/tcp/127.0.0.1/$front_gemini") 2>/dev/null &&
        (echo >"/dev/tcp/127.0.0.1/$front_gopher") 2>/dev/null && break
    sleep 0.1
done

# shellcheck source=contrib/checks.sh
source "$root/contrib/checks.sh"

# The kernel chooses each request's source port and the client reports it, so the logs can be
# searched for the real client (a port chosen here could be one still in use or in TIME_WAIT).
gemini_request() { # prints the source port on success
    python3 - "$front_gemini" <<'PY'
import socket, ssl, sys
port = int(sys.argv[1])
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
raw = socket.create_connection(("127.0.0.1", port), timeout=10)
source = raw.getsockname()[1]
with context.wrap_socket(raw, server_hostname="localhost") as tls:
    tls.sendall(f"gemini://localhost:{port}/\r\n".encode())
    reply = b""
    while chunk := tls.recv(65536):
        reply += chunk
if not (reply.startswith(b"20 text/gemini") and b"Back Market Adventures" in reply):
    sys.exit(1)
print(source)
PY
}
gopher_request() { # prints the source port on success
    local reply
    reply=$(curl -s --max-time 10 -w '\n%{local_port}' "gopher://127.0.0.1:$front_gopher/1/") &&
        grep -q "^12023-11-20 Back Market Adventures" <<<"$reply" &&
        tail -n 1 <<<"$reply"
}
# Runs a request; on success remembers its source port.
request() { # description, request function
    local source
    source=$("$2") || source=""
    if [[ -n $source ]]; then
        sources+=("$source")
    fi
    check "$1" test -n "$source"
}

sources=()
for i in 1 2 3 4; do
    request "gemini request $i through HAProxy" gemini_request
    request "gopher request $i through HAProxy" gopher_request
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
summary haproxy
