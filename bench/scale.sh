#!/usr/bin/env bash
# bench/scale.sh: how gemhole behaves with a big blog.
#
# For each size in SCALE_POSTS, writes a synthetic capsule with `gencapsule` and measures:
# start-up time to the first served request (median of 3 starts), memory idle, the first
# (cold) and following (warm) render times of home, archive, tags and two searches over Gopher
# and of the archive over Gemini, a fetch of every post once with `loadgen --selectors-from`,
# memory after it, what an edit costs (a post changed, one added, one deleted, EDITS times each:
# the server's CPU time from the save until the change is served, and that wait), and a clean
# exit on SIGTERM. Prints one table per size and the project's targets with PASS or FAIL. A
# 1-post capsule's start-up is measured first as the fixed cost.
#
# Knobs (environment): SCALE_POSTS ("10000 100000"), SEED (1), EDITS (5), CONCURRENCY (16, for the fetch of
# every post), SEARCH_WORD ("time"), SEARCH_WORDS ("small server"), KEEP=1 (keep the capsules
# and logs, and say where), CARGO_TARGET_DIR.
# Every server listens on 127.0.0.1 only and is stopped when the script exits.
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
SCALE_POSTS="${SCALE_POSTS:-10000 100000}"
EDITS="${EDITS:-5}"
SEED="${SEED:-1}"
CONCURRENCY="${CONCURRENCY:-16}"
SEARCH_WORD="${SEARCH_WORD:-time}"
SEARCH_WORDS="${SEARCH_WORDS:-small server}"
KEEP="${KEEP:-0}"
STARTS=3
TAB=$'\t'
WARM_RUNS=20

TMP=""
GEMHOLE_PID=""
POLLER_PID=""

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# Stops what is still running (up to 5 s each) and removes the files.
cleanup() {
  stop_process "$POLLER_PID" 50
  stop_process "$GEMHOLE_PID" 50
  remove_scratch
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port that was free a moment ago, on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The number on the `KEY:` line of /proc/PID/status (KiB for the Vm lines).
proc_status() {
  awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"
}

# User + system CPU time of PID so far, in ms (clock-tick resolution).
cpu_ms() {
  local ticks
  ticks="$(getconf CLK_TCK)"
  # Fields after the last ")": state is 1, utime 12, stime 13.
  sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$ticks" '{ printf "%.0f", ($12 + $13) * 1000 / hz }'
}

# Polls a Gopher port until one request is answered to its end: prints `polling` when it has
# started (so that the server is started after it, and Python's own start-up is not counted),
# then `answered EPOCH_SECONDS BYTES`. Sleeps 1 ms between refused connections.
POLLER='
import socket, sys, time
port, selector = int(sys.argv[1]), sys.argv[2]
deadline = time.time() + 60
print("polling", flush=True)
while True:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(selector.encode() + b"\r\n")
            size = 0
            while chunk := conn.recv(65536):
                size += len(chunk)
        if size:
            print(f"answered {time.time():.6f} {size}", flush=True)
            break
    except OSError:
        pass
    if time.time() > deadline:
        sys.exit("no answer within 60 s")
    time.sleep(0.001)
'

# start_gemhole RUN SELECTOR: starts gemhole with RUN/config.toml and waits for its first
# answer to SELECTOR; sets GEMHOLE_PID, READY_MS (process start to end of that answer) and
# READY_CPU_MS (the CPU time gemhole had used by then).
start_gemhole() {
  local run=$1 selector=$2 out="$1/poll.out" t0 tries
  : >"$out"
  python3 -c "$POLLER" "$GOPHER_PORT" "$selector" >"$out" 2>"$run/poll.err" &
  POLLER_PID=$!
  for tries in $(seq 500); do
    [[ -s $out ]] && break
    sleep 0.01
  done
  t0=$EPOCHREALTIME
  "$BIN/gemhole" --config "$run/config.toml" >>"$run/gemhole.log" 2>&1 &
  GEMHOLE_PID=$!
  if ! wait "$POLLER_PID"; then
    POLLER_PID=""
    note "gemhole did not answer: $(cat "$run/poll.err"); its log:"
    tail -n 20 "$run/gemhole.log" >&2
    exit 1
  fi
  POLLER_PID=""
  READY_CPU_MS="$(cpu_ms "$GEMHOLE_PID")"
  local answered
  answered="$(awk '$1 == "answered" { print $2 }' "$out")"
  READY_MS="$(ms_between "$t0" "$answered")"
}

# The 1-minute load average: how busy the machine was around a measurement.
load_average() {
  awk '{ print $1 }' /proc/loadavg
}

# stop_gemhole: SIGTERM, then waits; sets EXIT_STATUS and EXIT_MS.
stop_gemhole() {
  local t0=$EPOCHREALTIME
  kill -TERM "$GEMHOLE_PID"
  EXIT_STATUS=0
  wait "$GEMHOLE_PID" || EXIT_STATUS=$?
  EXIT_MS="$(ms_between "$t0" "$EPOCHREALTIME")"
  GEMHOLE_PID=""
}

# write_config RUN: both protocols on fresh ports, certificates made now, not at start-up.
write_config() {
  local run=$1
  GOPHER_PORT="$(free_port)"
  GEMINI_PORT="$(free_port)"
  cat >"$run/config.toml" <<EOF
# Written by bench/scale.sh for one measurement.
[site]
hostname = "localhost"
title = "Scale test"
content = "capsule"

[gemini]
listen = ["127.0.0.1:$GEMINI_PORT"]
certs = "certs"

[gopher]
listen = ["127.0.0.1:$GOPHER_PORT"]

[limits]
# One loadgen stands for many readers: room for all its connections, and the poller's.
max_connections_per_client = $((CONCURRENCY + 16))

[log]
level = "warn"
EOF
  "$BIN/gemhole" --config "$run/config.toml" cert --regenerate >"$run/cert.out" 2>&1
}

# median of the arguments.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Times requests, one connection each: for every (protocol, name, target) triple, the first
# request (cold) and then the median and maximum of RUNS more (warm); one JSON line each.
# Gemini goes through TLS without resumption, as a first visit; certificates are not checked.
TIMER='
import json, socket, ssl, statistics, sys, time
gopher_port, gemini_port, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
tls = ssl.create_default_context()
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE

def fetch(protocol, target):
    started = time.perf_counter()
    port = gopher_port if protocol == "gopher" else gemini_port
    with socket.create_connection(("127.0.0.1", port), timeout=60) as raw:
        conn = tls.wrap_socket(raw, server_hostname="localhost") if protocol == "gemini" else raw
        conn.sendall(target.encode() + b"\r\n")
        body = bytearray()
        while True:
            try:
                chunk = conn.recv(65536)
            except ssl.SSLEOFError:
                break
            if not chunk:
                break
            body += chunk
    return (time.perf_counter() - started) * 1000, bytes(body)

args = sys.argv[4:]
for protocol, name, target in zip(args[0::3], args[1::3], args[2::3]):
    cold, body = fetch(protocol, target)
    warm = [fetch(protocol, target)[0] for _ in range(runs)]
    first_line = body.split(b"\n", 1)[0][:120].decode("utf-8", "replace").strip()
    print(json.dumps({"protocol": protocol, "name": name, "cold_ms": cold,
                      "warm_ms": statistics.median(warm), "warm_max_ms": max(warm),
                      "bytes": len(body), "first_line": first_line}), flush=True)
'

# What edits cost the server: EDITS rounds of a post changed (a new word appended), a post
# added and the same post deleted, each followed by Gopher requests every 20 ms until the change
# is served (the new word in the post; the new post; type 3 for the deleted one) and by a search
# for the new word, which must find the post exactly when it is there. The post to change is
# fetched first, as a reader would have, so its old rendering is what is served until the
# reload (a post nobody asked for since the last reload is rendered from the file as it is). One JSON line per kind:
# gemhole's CPU time (user+sys, clock ticks) from just before the save to the first answer that
# shows the change, polling included, and the wall time between the two. Rounds are 1.5 s apart,
# so each change is a reload of its own.
EDITOR='
import json, os, socket, sys, time
port, pid, capsule, rounds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
hz = os.sysconf("SC_CLK_TCK")

def cpu_ms():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / hz

def gopher(selector):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(selector.encode() + b"\r\n")
        body = bytearray()
        while chunk := conn.recv(65536):
            body += chunk
    return body.decode("utf-8", "replace")

def measure(change, served):
    cpu, started = cpu_ms(), time.perf_counter()
    change()
    deadline = started + 30
    while not served():
        if time.perf_counter() > deadline:
            sys.exit("a change was not served within 30 s")
        time.sleep(0.02)
    return cpu_ms() - cpu, (time.perf_counter() - started) * 1000

def searched(word):
    return gopher(f"/search\t{word}")

posts = sorted(os.listdir(os.path.join(capsule, "posts")))
published = [p for p in posts if "\ndraft: true\n" not in open(os.path.join(capsule, "posts", p)).read()]
results = {"edit": [], "add": [], "delete": []}
search_ok = True
for n in range(rounds):
    word = f"scaleedit{n}x"
    name = published[(n * 7919) % len(published)]
    path, selector = os.path.join(capsule, "posts", name), "/posts/" + name[11:-3]
    def append():
        with open(path, "a") as f:
            f.write(f"\n\nEdited: {word}.\n")
    if word in gopher(selector):
        sys.exit(f"{selector} holds {word} before the edit")
    results["edit"].append(measure(append, lambda: word in gopher(selector)))
    search_ok &= selector in searched(word)
    time.sleep(1.5)

    word = f"scaleadd{n}x"
    new = os.path.join(capsule, "posts", f"2030-01-01-scale-new-{n}.md")
    def add():
        with open(new + ".part", "w") as f:
            f.write(f"---\ntitle: Added {n}\ndate: 2030-01-01\n---\n\nA new post: {word}.\n")
        os.rename(new + ".part", new)
    added = f"/posts/scale-new-{n}"
    results["add"].append(measure(add, lambda: word in gopher(added)))
    search_ok &= added in searched(word)
    time.sleep(1.5)

    results["delete"].append(measure(lambda: os.remove(new), lambda: gopher(added).startswith("3")))
    search_ok &= added not in searched(word)
    time.sleep(1.5)
for kind, runs in results.items():
    print(json.dumps({"kind": kind, "cpu_ms": [c for c, _ in runs], "served_ms": [w for _, w in runs]}))
print(json.dumps({"kind": "search", "ok": search_ok}))
'

# The table for one size, from the files of RUN.
print_table() {
  python3 - "$1" "$CONCURRENCY" <<'PY'
import json, os, statistics, sys

run, concurrency = sys.argv[1:3]
# The project's targets, by capsule size; a size between two is held to the larger one's.
# Render targets are per Gopher request, cold and warm; edits are CPU ms and ms until served.
SEARCHES = ('search "time"', 'search "small server"')
TARGETS = {
    10_000: {"ready_ms": 1000, "rss_mib": 64, "edit_cpu_ms": 50, "served_ms": 400,
             "render_ms": {"/ (home)": 20, "/posts/ (archive)": 20, "/posts/page/2/ (archive, page 2)": 20,
                           **{s: 20 for s in SEARCHES}}},
    100_000: {"ready_ms": 3000, "rss_mib": 160,
              "render_ms": {"/ (home)": 5, "/posts/ (archive)": 20, "/posts/page/2/ (archive, page 2)": 20,
                            **{s: 30 for s in SEARCHES}}},
}
r = {}
with open(os.path.join(run, "results.txt")) as f:
    for line in f:
        key, _, value = line.rstrip("\n").partition(" ")
        r[key] = value
timings = [json.loads(l) for l in open(os.path.join(run, "timings.jsonl"))]
fetch = json.load(open(os.path.join(run, "fetch.json")))
edits = [json.loads(l) for l in open(os.path.join(run, "edits.jsonl"))]

def mib(kib):
    return float(kib) / 1024

def verdict(ok):
    return "PASS" if ok else "FAIL"

posts, drafts = int(r["posts"]), int(r["drafts"])
print()
print(f"== {posts:,} posts ({drafts} drafts, {r['long']} of ~100 KiB): {int(r['bytes']) / 1e6:.1f} MB "
      f"in {int(r['files']):,} files, generated in {float(r['gen_ms']) / 1000:.1f} s (not counted)")
cpus = os.cpu_count() or 1
busy = max(float(r["load_start"]), float(r["load_end"])) > cpus
print(f"{cpus} CPUs, load average {r['load_start']} before the starts, {r['load_end']} at the end"
      + (": other work shared the machine, so times are longer than alone (CPU times are not)" if busy else ""))
starts = [float(x) for x in r["ready_runs"].split()]
print(f"{'start-up to first answer (median of 3)':<44}{float(r['ready_ms']):>10.1f} ms   "
      f"runs {', '.join(f'{x:.1f}' for x in starts)}; 1-post capsule {float(r['baseline_ms']):.1f} ms")
cpu_runs = r["ready_cpu_runs"].split()
print(f"{'start-up CPU to first answer (user+sys)':<44}{float(r['ready_cpu_ms']):>10.0f} ms   "
      f"runs {', '.join(cpu_runs)}; {r['threads']} threads")
print(f"{'RSS idle (VmRSS 1 s after first answer)':<44}{mib(r['rss_idle']):>10.1f} MiB  "
      f"VmHWM {mib(r['hwm_idle']):.1f} MiB")
print(f"{'RSS after the index pages and searches':<44}{mib(r['rss_pages']):>10.1f} MiB")
print(f"{'RSS after every post was fetched once':<44}{mib(r['rss_after']):>10.1f} MiB  "
      f"VmHWM {mib(r['hwm_after']):.1f} MiB")
print()
print(f"{'request (one connection each)':<40}{'cold ms':>9}{'warm ms':>9}{'warm max':>10}{'bytes':>11}")
for t in timings:
    label = f"{t['protocol']} {t['name']}"
    print(f"{label:<40}{t['cold_ms']:>9.2f}{t['warm_ms']:>9.2f}{t['warm_max_ms']:>10.2f}{t['bytes']:>11,}")
print("(warm: median and maximum of 20 more; Gemini includes a full TLS handshake)")
print()
statuses = fetch["statuses"]
ok, err = statuses.get("ok", 0), statuses.get("err", 0)
print(f"fetch of every post once (gopher, concurrency {concurrency}): {fetch['requests']:,} answers in "
      f"{fetch['elapsed_s']} s, {fetch['rps']} requests/s, p50 {fetch['p50_ms']} ms, p99 {fetch['p99_ms']} ms, "
      f"max {fetch['max_ms']} ms, {fetch['cpu_s_per_1k']} CPU s/1k")
print(f"  answers: {ok:,} texts, {err} type 3 ({drafts} drafts expected"
      f"{'' if err == drafts else ', MISMATCH'}); errors {fetch['errors']} {fetch['error_kinds'] or ''}")
print(f"SIGTERM: exit status {r['exit_status']} after {float(r['exit_ms']):.0f} ms; all {r['stops']} stops exited 0: "
      f"{r['all_exits_zero']}; {r['log_lines']} log line(s) at warn or above")

print()
print(f"{'what a change costs (' + str(len(edits[0]['cpu_ms'])) + ' times each)':<40}{'CPU ms mean':>12}{'max':>7}"
      f"{'served ms median':>18}{'max':>7}")
changes = {e["kind"]: e for e in edits if "cpu_ms" in e}
for kind, label in (("edit", "a post changed"), ("add", "a post added"), ("delete", "a post deleted")):
    e = changes[kind]
    print(f"{label:<40}{statistics.mean(e['cpu_ms']):>12.0f}{max(e['cpu_ms']):>7.0f}"
          f"{statistics.median(e['served_ms']):>18.0f}{max(e['served_ms']):>7.0f}")
search_ok = next(e["ok"] for e in edits if e["kind"] == "search")
print(f"(CPU: gemhole's user+sys from the save to the first answer showing it, polls every 20 ms included, "
      f"in clock ticks of {1000 // os.sysconf('SC_CLK_TCK')} ms; search found each change at once: {search_ok})")

def timing(name):
    return next(t for t in timings if t["protocol"] == "gopher" and t["name"] == name)

sizes = sorted(TARGETS)
target = TARGETS[next((size for size in sizes if size >= posts), sizes[-1])]
print()
print(f"targets at {posts:,} posts:")
ready = float(r["ready_ms"])
print(f"  ready < {target['ready_ms']} ms: {ready:.1f} ms {verdict(ready < target['ready_ms'])}")
for name, most in target["render_ms"].items():
    t = timing(name)
    print(f"  {name} <= {most} ms: cold {t['cold_ms']:.2f} ms {verdict(t['cold_ms'] <= most)}, "
          f"warm {t['warm_ms']:.2f} ms {verdict(t['warm_ms'] <= most)}")
rss, most = mib(r["rss_after"]), target["rss_mib"]
print(f"  RSS <= {most} MiB after every post was fetched once: {rss:.1f} MiB {verdict(rss <= most)}"
      f" (peak {mib(r['hwm_after']):.1f} MiB {verdict(mib(r['hwm_after']) <= most)})")
if "edit_cpu_ms" in target:
    for kind, label in (("edit", "an edit"), ("add", "adding a post"), ("delete", "deleting a post")):
        e = changes[kind]
        cpu, served = statistics.mean(e["cpu_ms"]), max(e["served_ms"])
        print(f"  {label} costs <= {target['edit_cpu_ms']} ms of CPU: {cpu:.0f} ms {verdict(cpu <= target['edit_cpu_ms'])}, "
              f"served within {target['served_ms']} ms: {served:.0f} ms {verdict(served <= target['served_ms'])}")
errors_ok = fetch["errors"] == 0 and err == drafts and r["all_exits_zero"] == "yes"
print(f"  no errors, drafts only as type 3, exit 0, search up to date after each change: "
      f"{verdict(errors_ok and search_ok)}")
PY
}

# measure_size N: everything for one capsule of N posts; the table goes to stdout.
measure_size() {
  local posts=$1 run="$TMP/posts-$1" t0 line i
  mkdir -p "$run"
  local results="$run/results.txt"
  note "== $posts posts: generating the capsule..."
  t0=$EPOCHREALTIME
  "$BIN/gencapsule" --posts "$posts" --out "$run/capsule" --seed "$SEED" >"$run/gen.out"
  echo "gen_ms $(ms_between "$t0" "$EPOCHREALTIME")" >"$results"
  note "   $(cat "$run/gen.out")"
  # gencapsule: N posts (D drafts, L long), 1 page, F figures: FILES files, BYTES bytes in ...
  line="$(cat "$run/gen.out")"
  [[ $line =~ \(([0-9]+)\ drafts,\ ([0-9]+)\ long\).*:\ ([0-9]+)\ files,\ ([0-9]+)\ bytes ]] || {
    note "unexpected gencapsule output: $line"
    exit 1
  }
  {
    echo "posts $posts"
    echo "long ${BASH_REMATCH[2]}"
    echo "files ${BASH_REMATCH[3]}"
    echo "bytes ${BASH_REMATCH[4]}"
  } >>"$results"

  # Every post's Gopher selector: the file name without `.md` and without `YYYY-MM-DD-`.
  local file name drafts
  for file in "$run"/capsule/posts/*.md; do
    name="${file##*/}"
    name="${name%.md}"
    printf '/posts/%s\n' "${name:11}"
  done >"$run/selectors.txt"
  # Named by grep itself: 100,000 file names are more than one command line holds.
  drafts="$({ grep -rlx --include='*.md' 'draft: true' "$run/capsule/posts" || true; } | wc -l)"
  echo "drafts $drafts" >>"$results"

  write_config "$run"
  local ready=() ready_cpu=() exits_zero=yes stops=0
  echo "load_start $(load_average)" >>"$results"
  note "   start-up, $STARTS times..."
  for i in $(seq "$STARTS"); do
    start_gemhole "$run" /
    ready+=("$READY_MS")
    ready_cpu+=("$READY_CPU_MS")
    stop_gemhole
    stops=$((stops + 1))
    [[ $EXIT_STATUS == 0 ]] || exits_zero=no
  done
  {
    echo "ready_runs ${ready[*]}"
    echo "ready_ms $(median "${ready[@]}")"
    echo "ready_cpu_runs ${ready_cpu[*]}"
    echo "ready_cpu_ms $(median "${ready_cpu[@]}")"
    echo "baseline_ms $BASELINE_MS"
  } >>"$results"

  # The measured server: readiness probed with a selector that renders nothing, so that the
  # first requests below are the first to render home, archive and tags.
  note "   idle memory, render times..."
  start_gemhole "$run" /-scale-probe-missing
  sleep 1
  {
    echo "rss_idle $(proc_status "$GEMHOLE_PID" VmRSS)"
    echo "hwm_idle $(proc_status "$GEMHOLE_PID" VmHWM)"
    echo "threads $(proc_status "$GEMHOLE_PID" Threads)"
  } >>"$results"
  python3 -c "$TIMER" "$GOPHER_PORT" "$GEMINI_PORT" "$WARM_RUNS" \
    gopher "/ (home)" "/" \
    gopher "/posts/ (archive)" "/posts/" \
    gopher "/posts/page/2/ (archive, page 2)" "/posts/page/2/" \
    gopher "/tags/" "/tags/" \
    gopher "search \"$SEARCH_WORD\"" "/search$TAB$SEARCH_WORD" \
    gopher "search \"$SEARCH_WORDS\"" "/search$TAB$SEARCH_WORDS" \
    gemini "/posts/ (archive, TLS)" "gemini://localhost/posts/" >"$run/timings.jsonl"
  echo "rss_pages $(proc_status "$GEMHOLE_PID" VmRSS)" >>"$results"

  note "   fetching every post once..."
  "$BIN/loadgen" --protocol gopher --addr "127.0.0.1:$GOPHER_PORT" \
    --selectors-from "$run/selectors.txt" --requests "$posts" --concurrency "$CONCURRENCY" \
    --pid "$GEMHOLE_PID" --json >"$run/fetch.json"
  {
    echo "rss_after $(proc_status "$GEMHOLE_PID" VmRSS)"
    echo "hwm_after $(proc_status "$GEMHOLE_PID" VmHWM)"
  } >>"$results"

  note "   editing, adding and deleting posts, $EDITS times each..."
  python3 -c "$EDITOR" "$GOPHER_PORT" "$GEMHOLE_PID" "$run/capsule" "$EDITS" >"$run/edits.jsonl"

  stop_gemhole
  stops=$((stops + 1))
  [[ $EXIT_STATUS == 0 ]] || exits_zero=no
  {
    echo "exit_status $EXIT_STATUS"
    echo "exit_ms $EXIT_MS"
    echo "stops $stops"
    echo "all_exits_zero $exits_zero"
    echo "log_lines $(wc -l <"$run/gemhole.log")"
    echo "load_end $(load_average)"
  } >>"$results"
  print_table "$run"
  if [[ -s $run/gemhole.log ]]; then
    echo "gemhole's last lines at warn or above:"
    tail -n 5 "$run/gemhole.log"
  fi
}

# The fixed cost of starting: a capsule of one post, median of STARTS starts.
measure_baseline() {
  local run="$TMP/baseline" ready=() i
  mkdir -p "$run"
  "$BIN/gencapsule" --posts 1 --out "$run/capsule" --seed "$SEED" >/dev/null
  write_config "$run"
  for i in $(seq "$STARTS"); do
    start_gemhole "$run" /
    ready+=("$READY_MS")
    stop_gemhole
  done
  BASELINE_MS="$(median "${ready[@]}")"
}

main() {
  cd "$ROOT"
  if [[ -z ${EPOCHREALTIME:-} ]]; then
    note "bash 5 or later is needed (for \$EPOCHREALTIME)"
    exit 1
  fi
  note "building (release)..."
  cargo build --release --workspace
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/gemhole-scale.XXXXXX")"
  note "start-up with a 1-post capsule..."
  measure_baseline
  local posts
  for posts in $SCALE_POSTS; do
    measure_size "$posts"
  done
}

main "$@"
