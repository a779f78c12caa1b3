#!/usr/bin/env bash
# bench/stall.sh: do searches stall the other requests while the search index is being built?
#
# Writes a synthetic capsule of POSTS posts with `gencapsule` (once), then ROUNDS times: starts
# gemhole afresh on kernel-chosen 127.0.0.1 ports and, the moment it logs `ready`, sends
# SEARCHES Gopher searches for SEARCH_WORDS at once and, right after they were sent (while they
# run), one Gopher request for `/about` and one Gemini request for
# `gemini://localhost:PORT/about`. Each request is timed with `time.perf_counter` from connect to
# the close of its answer; the searches' first lines show whether they answered "try again"
# (type 3) or with results. Once the searches are answered, searches are repeated every 50 ms
# until one answers with results (the index is built), then `/about` is fetched alone on both
# protocols as the baseline. Prints the requests of each round, a table of the rounds, and the
# median `/about` times beside the searches against the target (under 100 ms) with PASS or FAIL;
# the exit status is 1 on FAIL.
#
# Knobs (environment): POSTS (60000), ROUNDS (3), SEARCHES (4; 0 is the control: /about right
# after ready with no search), SEARCH_WORDS ("small server"), SEED (1), TIMEOUT (30: seconds per
# request, and for the index to be built), GEMHOLE (a gemhole binary to measure instead of the
# workspace's, e.g. an older build; then only the bench crate is built), BUILD=0 (build nothing,
# use the binaries already there), KEEP=1 (keep the capsule and the logs, and say where),
# CARGO_TARGET_DIR.
# Every server listens on 127.0.0.1 only and is stopped when the script exits.
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
[[ $BIN == /* ]] || BIN="$ROOT/$BIN"
GEMHOLE="${GEMHOLE:-}"
# A relative GEMHOLE is relative to where the script was started from.
if [[ -n $GEMHOLE && $GEMHOLE != /* ]]; then GEMHOLE="$PWD/$GEMHOLE"; fi
POSTS="${POSTS:-60000}"
ROUNDS="${ROUNDS:-3}"
SEARCHES="${SEARCHES:-4}"
SEARCH_WORDS="${SEARCH_WORDS:-small server}"
SEED="${SEED:-1}"
TIMEOUT="${TIMEOUT:-30}"
BUILD="${BUILD:-1}"
KEEP="${KEEP:-0}"
# Seconds gemhole may take from its start to `ready`.
START_TIMEOUT=120
# The project's target: /about answered in under this many ms while the searches run.
TARGET_MS=100

TMP=""
GEMHOLE_PID=""
DRIVER_PID=""

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# Stops what is still running (up to 5 s each) and removes the files.
cleanup() {
  stop_process "$DRIVER_PID" 50
  stop_process "$GEMHOLE_PID" 50
  remove_scratch
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One round, in Python: waits for `ready` in gemhole's log, sends the searches and the /about
# requests, waits for the index, fetches /about alone; prints one JSON line. Started before
# gemhole (it prints `watching` once it is), so that its own start-up is not counted.
# Arguments: LOG PIDFILE SEARCHES WORDS TIMEOUT START_TIMEOUT.
# shellcheck disable=SC2016 # Python, not shell
DRIVER='
import json, os, re, socket, ssl, sys, threading, time

log_path, pid_file = sys.argv[1], sys.argv[2]
searches, words = int(sys.argv[3]), sys.argv[4]
timeout, start_timeout = float(sys.argv[5]), float(sys.argv[6])
tls = ssl.create_default_context()
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE
print("watching", flush=True)

def fail(message):
    print(json.dumps({"error": message}), flush=True)
    sys.exit(1)

def alive():
    try:
        with open(pid_file) as f:
            pid = int(f.read().strip() or 0)
    except (OSError, ValueError):
        return True  # not started yet
    return pid == 0 or os.path.exists(f"/proc/{pid}")

# Wait for the line with "ready;", 1 ms between looks; the ports come from the lines before it.
deadline = time.monotonic() + start_timeout
text, offset = "", 0
while True:
    try:
        with open(log_path, errors="replace") as f:
            f.seek(offset)
            chunk = f.read()
            offset = f.tell()
    except FileNotFoundError:
        chunk = ""
    text += chunk
    lines = text.split("\n")
    if any("ready;" in line for line in lines[:-1]):
        break
    if not alive():
        fail("gemhole exited before it was ready")
    if time.monotonic() > deadline:
        fail(f"gemhole not ready within {start_timeout:.0f} s")
    time.sleep(0.001)
ready_at = time.perf_counter()
ready_epoch = time.time()

def port_of(protocol):
    for line in lines:
        if f"{protocol}:" in line:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                return int(m.group(1))
    fail(f"no {protocol} port in the start-up lines")

gopher_port, gemini_port = port_of("Gopher"), port_of("Gemini")
served = next((line for line in lines if "serving" in line), "")
m = re.search(r"posts: (\d+), pages: (\d+)", served)
posts_served = int(m.group(1)) if m else None

def since_ready(t):
    return (t - ready_at) * 1000

def fetch(name, protocol, target, sent=None):
    """One request on a fresh connection; times connect to close. `sent` is set once the
    request is written (or the attempt failed)."""
    r = {"name": name, "protocol": protocol}
    started = time.perf_counter()
    r["start_ms"] = since_ready(started)
    end = started + timeout
    body = bytearray()
    try:
        port = gopher_port if protocol == "gopher" else gemini_port
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        try:
            conn = raw
            if protocol == "gemini":
                conn = tls.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
                conn.settimeout(max(0.001, end - time.perf_counter()))
                conn.do_handshake()
            conn.sendall(target.encode() + b"\r\n")
            r["sent_ms"] = since_ready(time.perf_counter())
            if sent:
                sent.set()
            while True:
                left = end - time.perf_counter()
                if left <= 0:
                    raise socket.timeout()
                conn.settimeout(left)
                try:
                    chunk = conn.recv(65536)
                except ssl.SSLEOFError:
                    break
                if not chunk:
                    break
                body += chunk
        finally:
            raw.close()
    except socket.timeout:
        r["error"] = f"timeout after {timeout:.0f} s"
    except (OSError, ssl.SSLError) as err:
        r["error"] = f"{type(err).__name__}: {err}"
    finally:
        if sent:
            sent.set()
    done = time.perf_counter()
    r["ms"] = (done - started) * 1000
    r["end_ms"] = since_ready(done)
    r["bytes"] = len(body)
    first = bytes(body).split(b"\n", 1)[0].rstrip(b"\r")
    # A Gopher menu line: its type and display text, not the selector, host and port.
    r["first_line"] = first.split(b"\t", 1)[0][:90].decode("utf-8", "replace")
    if "error" not in r:
        if protocol == "gemini" and not first.startswith(b"20"):
            r["error"] = "not a 20 answer"
        elif protocol == "gopher" and name.startswith("/about") and (not body or body[:1] == b"3"):
            r["error"] = "not the page"
    return r

def run(jobs):
    results = [None] * len(jobs)
    def work(i, job):
        results[i] = fetch(*job)
    threads = [threading.Thread(target=work, args=(i, job), daemon=True) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    return threads, results

# The searches, all at once; then, once each was written, the two /about requests.
search_target = "/search\t" + words
sent = [threading.Event() for _ in range(searches)]
search_threads, search_results = run(
    [(f"search {i + 1}", "gopher", search_target, sent[i]) for i in range(searches)])
for event in sent:
    event.wait(timeout + 1)
searches_sent_ms = since_ready(time.perf_counter())
about_threads, about_results = run([
    ("/about", "gopher", "/about"),
    ("/about", "gemini", f"gemini://localhost:{gemini_port}/about"),
])
for t in search_threads + about_threads:
    t.join(timeout + 5)
if None in search_results + about_results:
    fail("a request did not end within its timeout")

# Until a search answers with results: the index is built.
index_ms, polls = None, 0
index_deadline = time.perf_counter() + timeout
while True:
    if search_results and all("error" not in r and not r["first_line"].startswith("3") for r in search_results):
        index_ms = max(r["end_ms"] for r in search_results)
        break
    r = fetch("index probe", "gopher", search_target)
    polls += 1
    if "error" not in r and r["bytes"] and not r["first_line"].startswith("3"):
        index_ms = r["end_ms"]
        break
    if time.perf_counter() > index_deadline:
        break
    time.sleep(0.05)

# The baseline: /about alone, one protocol after the other.
alone = [fetch("/about alone", "gopher", "/about"),
         fetch("/about alone", "gemini", f"gemini://localhost:{gemini_port}/about")]

print(json.dumps({
    "ready_epoch": ready_epoch, "posts_served": posts_served,
    "gopher_port": gopher_port, "gemini_port": gemini_port,
    "searches_sent_ms": searches_sent_ms,
    "searches": search_results, "about": about_results, "alone": alone,
    "index_ms": index_ms, "index_polls": polls,
}), flush=True)
'

# report ROUNDS_JSONL: the rounds, the table and the verdict; exit status 1 on FAIL.
report() {
  python3 - "$1" "$TARGET_MS" "$SEARCH_WORDS" <<'PY'
import json, statistics, sys

path, target_ms, words = sys.argv[1], float(sys.argv[2]), sys.argv[3]
rounds = [json.loads(line) for line in open(path)]

def ms(r):
    return "timeout" if r.get("error", "").startswith("timeout") else f"{r['ms']:.1f}"

def by(results, protocol):
    return next(r for r in results if r["protocol"] == protocol)

print()
for n, rd in enumerate(rounds, 1):
    print(f"round {n}: ready {rd['ready_ms']:.0f} ms after start ({rd['posts_served']:,} posts served); "
          f"{len(rd['searches'])} searches sent within {rd['searches_sent_ms']:.1f} ms of ready")
    for r in rd["searches"] + rd["about"]:
        label = f"{r['protocol']} {r['name']}"
        extra = f" ERROR {r['error']}" if "error" in r else ""
        print(f"  {label:<16} start +{r['start_ms']:7.1f} ms  {ms(r):>9} ms  {r['bytes']:>7,} B  "
              f"{r['first_line'][:60]!r}{extra}")
    if rd["index_ms"] is None:
        print(f"  index: no search answered with results within the timeout ({rd['index_polls']} probes)")
    else:
        print(f"  index: a search answered with results {rd['index_ms']:.0f} ms after ready"
              f" ({rd['index_polls']} probe(s) after the first searches)")
    for r in rd["alone"]:
        extra = f" ERROR {r['error']}" if "error" in r else ""
        print(f"  {r['protocol']} /about alone {ms(r):>9} ms  {r['bytes']:>7,} B{extra}")
    print(f"  SIGTERM: exit status {rd['exit_status']} after {rd['exit_ms']:.0f} ms")
    print()

n_search = max(len(rd["searches"]) for rd in rounds)
search_w = max(len("search ms"), 9 * n_search)
print(f"{'round':<6}{'search ms':<{search_w + 2}}{'gopher /about':>14}{'gemini /about':>14}"
      f"{'alone gopher':>14}{'alone gemini':>14}{'index ms':>10}")
for n, rd in enumerate(rounds, 1):
    s = " ".join(f"{ms(r):>8}" for r in rd["searches"])
    index = "-" if rd["index_ms"] is None else f"{rd['index_ms']:.0f}"
    print(f"{n:<6}{s:<{search_w + 2}}{ms(by(rd['about'], 'gopher')):>14}{ms(by(rd['about'], 'gemini')):>14}"
          f"{ms(by(rd['alone'], 'gopher')):>14}{ms(by(rd['alone'], 'gemini')):>14}{index:>10}")
print(f"(ms from connect to the end of the answer; searches for \u201c{words}\u201d; gemini includes a full TLS handshake;"
      f" index ms: from ready to the first search answered with results)")
kinds = {}
for rd in rounds:
    for r in rd["searches"]:
        kind = "error" if "error" in r else ("type 3" if r["first_line"].startswith("3") else "results")
        kinds[kind] = kinds.get(kind, 0) + 1
print("searches answered: " + (", ".join(f"{v} {k}" for k, v in sorted(kinds.items())) or "none sent"))

print()
ok_all = True
print(f"target: /about answered in under {target_ms:.0f} ms while the searches run (median of {len(rounds)} round(s)):")
for protocol in ("gopher", "gemini"):
    beside = [by(rd["about"], protocol) for rd in rounds]
    times = [r["ms"] for r in beside]
    med = statistics.median(times)
    alone = statistics.median(by(rd["alone"], protocol)["ms"] for rd in rounds)
    ok = med < target_ms and not any("error" in r for r in beside)
    ok_all &= ok
    print(f"  {protocol} /about: median {med:.1f} ms (rounds {', '.join(ms(r) for r in beside)}; "
          f"alone {alone:.1f} ms) {'PASS' if ok else 'FAIL'}")
errors = [r for rd in rounds for r in rd["searches"] + rd["about"] + rd["alone"] if "error" in r]
exits = all(rd["exit_status"] == 0 for rd in rounds)
ok = not errors and exits
ok_all &= ok
print(f"  every request answered (no timeout or error), every stop exited 0: {'PASS' if ok else 'FAIL'}"
      + (f" ({len(errors)} error(s))" if errors else ""))
print("PASS" if ok_all else "FAIL")
sys.exit(0 if ok_all else 1)
PY
}

# stop_gemhole: SIGTERM, up to 10 s, then SIGKILL; sets EXIT_STATUS and EXIT_MS.
stop_gemhole() {
  local t0=$EPOCHREALTIME
  stop_process "$GEMHOLE_PID" 100
  EXIT_STATUS=0
  wait "$GEMHOLE_PID" || EXIT_STATUS=$?
  EXIT_MS="$(ms_between "$t0" "$EPOCHREALTIME")"
  GEMHOLE_PID=""
}

# round N: one fresh server, one line appended to $TMP/rounds.jsonl.
round() {
  local n=$1 run="$TMP/round-$1" t0 out
  mkdir -p "$run"
  out="$run/driver.out"
  : >"$run/gemhole.log"
  : >"$run/gemhole.pid"
  : >"$out"
  python3 -c "$DRIVER" "$run/gemhole.log" "$run/gemhole.pid" "$SEARCHES" "$SEARCH_WORDS" \
    "$TIMEOUT" "$START_TIMEOUT" >"$out" 2>"$run/driver.err" &
  DRIVER_PID=$!
  for _ in $(seq 500); do
    [[ -s $out ]] && break
    sleep 0.01
  done
  t0=$EPOCHREALTIME
  # RUST_LOG would override [log] level, and the start-up lines are needed.
  env -u RUST_LOG "$GEMHOLE" --config "$TMP/config.toml" \
    --gemini-listen 127.0.0.1:0 --gopher-listen 127.0.0.1:0 >>"$run/gemhole.log" 2>&1 &
  GEMHOLE_PID=$!
  echo "$GEMHOLE_PID" >"$run/gemhole.pid"
  local driver_status=0
  wait "$DRIVER_PID" || driver_status=$?
  DRIVER_PID=""
  local result
  result="$(tail -n 1 "$out")"
  if [[ $driver_status != 0 || $result != '{"ready_epoch"'* ]]; then
    note "round $n failed: ${result:-no result} $(cat "$run/driver.err")"
    note "gemhole's log:"
    tail -n 20 "$run/gemhole.log" >&2
    exit 1
  fi
  stop_gemhole
  # The start time, the exit, added to the driver's line.
  python3 -c '
import json, sys
r = json.loads(sys.argv[1])
r["ready_ms"] = (r["ready_epoch"] - float(sys.argv[2])) * 1000
r["exit_status"], r["exit_ms"] = int(sys.argv[3]), float(sys.argv[4])
print(json.dumps(r))' "$result" "$t0" "$EXIT_STATUS" "$EXIT_MS" >>"$TMP/rounds.jsonl"
  note "   round $n: done"
}

main() {
  if [[ -z ${EPOCHREALTIME:-} ]]; then
    note "bash 5 or later is needed (for \$EPOCHREALTIME)"
    exit 1
  fi
  cd "$ROOT"
  if [[ $BUILD == 1 ]]; then
    note "building (release)..."
    if [[ -n $GEMHOLE ]]; then
      # Only gencapsule is needed from the workspace; gemhole is the one given.
      cargo build --release -p gemhole-bench
    else
      cargo build --release --workspace
    fi
  fi
  GEMHOLE="${GEMHOLE:-$BIN/gemhole}"
  local bin
  for bin in "$GEMHOLE" "$BIN/gencapsule"; do
    [[ -x $bin ]] || {
      note "$bin: not found (build it, or set GEMHOLE / CARGO_TARGET_DIR)"
      exit 1
    }
  done
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/gemhole-stall.XXXXXX")"
  note "gemhole: $GEMHOLE"
  note "generating $POSTS posts (seed $SEED)..."
  local t0=$EPOCHREALTIME
  "$BIN/gencapsule" --posts "$POSTS" --out "$TMP/capsule" --seed "$SEED" >"$TMP/gen.out"
  note "   $(cat "$TMP/gen.out") in $(ms_between "$t0" "$EPOCHREALTIME") ms"
  if [[ ! -f $TMP/capsule/about.md ]]; then cp "$ROOT/capsule/about.md" "$TMP/capsule/about.md"; fi
  cat >"$TMP/config.toml" <<EOF
# Written by bench/stall.sh.
[site]
hostname = "localhost"
title = "Stall test"
content = "capsule"

[gemini]
certs = "certs"

[log]
level = "info"
EOF
  # The certificate is made now, once, not at each start.
  "$GEMHOLE" --config "$TMP/config.toml" cert --regenerate >"$TMP/cert.out" 2>&1 || {
    note "cannot make the certificate:"
    cat "$TMP/cert.out" >&2
    exit 1
  }
  : >"$TMP/rounds.jsonl"
  local n
  note "$ROUNDS round(s): $SEARCHES searches for \"$SEARCH_WORDS\" and /about beside them, $(nproc) CPUs," \
    "load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
  for n in $(seq "$ROUNDS"); do
    round "$n"
  done
  echo "gemhole $GEMHOLE, $POSTS posts (seed $SEED), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg) at the end"
  report "$TMP/rounds.jsonl"
}

main "$@"
