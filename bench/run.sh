#!/usr/bin/env bash
# bench/run.sh: the one command that measures gemhole against its physical limit.
#
# Builds the workspace in release, serves a copy of capsule/ with gemhole, starts the
# `ceiling` servers (the least a Gemini or Gopher server can do; for Gemini one per rustls
# crypto provider) with the very bytes gemhole serves for one post, and agate when it is
# installed; then loads each in turn, round after round (A B C A B C), with the same `loadgen`
# settings. Each round also loads gemhole's Gemini port while a second loadgen makes Gopher
# searches on its Gopher port. It prints one table of medians over the rounds, and the ratios
# of gemhole to each other server, each the median of the rounds' own ratios.
#
# Knobs (environment): CONCURRENCY (32), DURATION seconds per run (10), WARMUP seconds before
# each run (1), ROUNDS (5), RESUME=1 (Gemini clients resume TLS sessions), KEYS (the key kinds
# of the Gemini ceilings, `ecdsa-p256` as gemhole makes; add ecdsa-p384, ed25519, rsa2048 to
# compare), SEARCH_CLIENTS (1: Gopher search clients beside the Gemini load), KEEP=1 (keep the
# scratch folder, with each run's JSON in results/), CARGO_TARGET_DIR.
# Every server listens on 127.0.0.1 only and is stopped when the script exits.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
CONCURRENCY="${CONCURRENCY:-32}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-1}"
RESUME="${RESUME:-0}"
ROUNDS="${ROUNDS:-5}"
KEYS="${KEYS:-ecdsa-p256}"
SEARCH_CLIENTS="${SEARCH_CLIENTS:-1}"
KEEP="${KEEP:-0}"
# The providers `ceiling` can use, and the one gemhole is built with: its ceiling is the one
# gemhole's p99 target is judged against.
PROVIDERS=(ring aws-lc-rs)
GEMHOLE_PROVIDER=aws-lc-rs
GEMHOLE_KEY=ecdsa-p256

POST_FILE="posts/2023-11-20-back-market-adventures.md"
GEMINI_URL="gemini://localhost/posts/back-market-adventures"
# agate serves files as they are named, so its copy of the post keeps the .gmi extension.
# agate answers 53 to a URL whose port (1965 when none is written) is not the one it listens on,
# so its URL is completed with its port once that is chosen.
AGATE_URL=""
GOPHER_SELECTOR="/posts/back-market-adventures"
# Gopher searches made beside the Gemini load, taken in turn: words of the post, a phrase, and
# a word found nowhere.
SEARCH_LINES=$'/search\trefurbished\n/search\tenergy consumption\n/search\tsoftware\n/search\tzebra'

PIDS=()
TMP=""

# Stops every server this script started: SIGTERM, up to 5 s to finish, then SIGKILL. bash
# reaps its background children by itself, so `kill -0` fails once a server is gone.
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ -n $TMP && $KEEP != 1 ]]; then rm -rf "$TMP"; fi
  if [[ -n $TMP && $KEEP == 1 ]]; then note "kept $TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { printf '%s\n' "$*" >&2; }

# A port that was free a moment ago, on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# fetch_body PROTOCOL ADDR URL_OR_SELECTOR PID OUT: one request's body into OUT, retried for up
# to 10 s while the server (PID) starts. Fails when the server exits or never answers.
fetch_body() {
  local protocol=$1 addr=$2 target=$3 pid=$4 out=$5
  local what=(--url "$target")
  if [[ $protocol == gopher ]]; then what=(--selector "$target"); fi
  for _ in $(seq 50); do
    if "$BIN/loadgen" --protocol "$protocol" --addr "$addr" "${what[@]}" --dump-body \
      >"$out" 2>"$TMP/fetch.err"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  note "no answer from $protocol://$addr: $(cat "$TMP/fetch.err")"
  return 1
}

# start_ceiling NAME BODY PROTOCOL [FLAG...]: starts a ceiling server on a port of its
# choosing; sets STARTED_PID and STARTED_ADDR from its first line, `listening on ADDR`.
start_ceiling() {
  local name=$1 body=$2
  shift 2
  local out="$TMP/$name.out" line=""
  "$BIN/ceiling" "$@" --listen 127.0.0.1:0 --body "$body" >"$out" 2>"$TMP/$name.err" &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  for _ in $(seq 50); do
    line="$(head -n 1 "$out" 2>/dev/null || true)"
    if [[ $line == "listening on "* ]]; then break; fi
    sleep 0.1
  done
  if [[ $line != "listening on "* ]]; then
    note "$name did not start: $(cat "$TMP/$name.err")"
    exit 1
  fi
  STARTED_ADDR="${line#listening on }"
}

# The Gemini ceilings, one per provider and key kind: sets GEMINI_NAMES (ceiling-PROVIDER,
# with -KEY for a kind other than gemhole's), and GEMINI_ADDR and GEMINI_PID by name.
start_gemini_ceilings() {
  local provider key name
  for key in $KEYS; do
    for provider in "${PROVIDERS[@]}"; do
      name="ceiling-$provider"
      if [[ $key != "$GEMHOLE_KEY" ]]; then name+="-$key"; fi
      start_ceiling "$name" "$TMP/body.gmi" gemini --provider "$provider" --key "$key"
      GEMINI_NAMES+=("$name")
      GEMINI_ADDR[$name]=$STARTED_ADDR
      GEMINI_PID[$name]=$STARTED_PID
    done
  done
}

# start_agate: serves the post pre-rendered to gemtext, when agate is installed and takes the
# flags used here; sets AGATE_PID and AGATE_ADDR, or leaves AGATE_PID empty with a note.
start_agate() {
  AGATE_PID=""
  if ! command -v agate >/dev/null; then
    note "agate is not installed: its row is left out (cargo install agate to add it)"
    return 0
  fi
  local help
  help="$(agate --help 2>&1 || true)"
  if [[ $help != *--certs* ]]; then
    note "this agate has no --certs option (agate 3 or later is needed): its row is left out"
    return 0
  fi
  local quiet=()
  if [[ $help == *--silent* ]]; then quiet=(--silent); fi
  mkdir -p "$TMP/agate-content/posts" "$TMP/agate-certs"
  "$BIN/gemhole" --config "$TMP/config.toml" render "$TMP/capsule/$POST_FILE" --to gemtext \
    >"$TMP/agate-content/posts/back-market-adventures.gmi"
  AGATE_ADDR="127.0.0.1:$(free_port)"
  AGATE_URL="gemini://localhost:${AGATE_ADDR##*:}/posts/back-market-adventures.gmi"
  agate --content "$TMP/agate-content" --addr "$AGATE_ADDR" --hostname localhost \
    --certs "$TMP/agate-certs" --lang en "${quiet[@]}" >"$TMP/agate.log" 2>&1 &
  AGATE_PID=$!
  PIDS+=("$AGATE_PID")
  if ! fetch_body gemini "$AGATE_ADDR" "$AGATE_URL" "$AGATE_PID" "$TMP/agate-body.gmi"; then
    note "agate did not serve the post: its row is left out; its log: $(tail -n 5 "$TMP/agate.log")"
    AGATE_PID=""
  fi
}

write_config() {
  cat >"$TMP/config.toml" <<EOF
# Written by bench/run.sh for one benchmark run.
[site]
hostname = "localhost"
content = "capsule"

[gemini]
listen = ["$GEMHOLE_GEMINI"]
certs = "certs"

[gopher]
listen = ["$GEMHOLE_GOPHER"]

# Every client of the benchmark comes from 127.0.0.1: the per-address cap must let them all
# in, and a connection may still hold its place for a moment after its client has moved on.
[limits]
max_connections = $((CONCURRENCY * 2 > 1024 ? CONCURRENCY * 2 : 1024))
max_connections_per_client = $((CONCURRENCY * 2))

[log]
level = "warn"
EOF
}

# measure NAME PROTOCOL ADDR URL_OR_SELECTOR PID ROUND: one loadgen run, its JSON kept as
# results/PROTOCOL-NAME-ROUND.json.
measure() {
  local name=$1 protocol=$2 addr=$3 target=$4 pid=$5 round=$6
  local what=(--url "$target" "${RESUME_FLAG[@]}")
  if [[ $protocol == gopher ]]; then what=(--selector "$target"); fi
  note "  $protocol/$name, run $round"
  "$BIN/loadgen" --protocol "$protocol" --addr "$addr" "${what[@]}" \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" \
    --pid "$pid" --json >"$TMP/results/$protocol-$name-$round.json"
}

# measure_with_searches ROUND: the Gemini load on gemhole again, while SEARCH_CLIENTS Gopher
# clients search its Gopher port from before the Gemini warm-up to after the measured run.
measure_with_searches() {
  local round=$1 search_pid
  "$BIN/loadgen" --protocol gopher --addr "$GEMHOLE_GOPHER" --selectors-from "$TMP/searches.txt" \
    --concurrency "$SEARCH_CLIENTS" --duration "$(python3 -c "print($WARMUP + $DURATION + 0.5)")" \
    --json >"$TMP/results/gopher-searches-$round.json" &
  search_pid=$!
  measure searching gemini "$GEMHOLE_GEMINI" "$GEMINI_URL" "$GEMHOLE_PID" "$round"
  wait "$search_pid"
}

print_table() {
  python3 - "$TMP/results" "$CONCURRENCY" "$DURATION" "$RESUME" "$ROUNDS" \
    "ceiling-$GEMHOLE_PROVIDER" "$LOAD_BEFORE" "$LOAD_AFTER" "${GEMINI_NAMES[@]}" <<'PY'
import json, os, statistics, sys

(results, concurrency, duration, resume, rounds, own_ceiling, load_before,
 load_after) = sys.argv[1:9]
ceilings = sys.argv[9:]
rounds = int(rounds)
rows = ([("gemini", "gemhole"), ("gemini", "searching")]
        + [("gemini", name) for name in ceilings]
        + [("gemini", "agate"), ("gopher", "gemhole"), ("gopher", "ceiling"),
           ("gopher", "searches")])
labels = {"searching": "gemhole, searches beside", "searches": "gemhole searches"}

def runs(protocol, server):
    """The round's result by round number, for the rounds that have one."""
    found = {}
    for round_ in range(1, rounds + 1):
        path = os.path.join(results, f"{protocol}-{server}-{round_}.json")
        if os.path.exists(path):
            with open(path) as f:
                found[round_] = json.load(f)
    return found

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

def summary(found):
    found = list(found.values())
    return {
        "rps": median([r["rps"] for r in found]),
        "p99": median([r["p99_ms"] for r in found]),
        "cpu": median([r["cpu_s_per_1k"] for r in found]),
        "rss": max((r["rss_peak_kib"] or 0) for r in found) / 1024,
        "errors": sum(r["errors"] for r in found),
        "bytes": median([r["bytes"] / r["requests"] if r["requests"] else None for r in found]),
    }

def fmt(value, digits):
    return "-" if value is None else f"{value:,.{digits}f}"

table = {row: summary(found) for row in rows if (found := runs(*row))}
print()
print(f"concurrency {concurrency}, {duration} s per run, median of {rounds} rounds "
      f"(each server once a round, in turn), TLS resumption {'on' if resume == '1' else 'off'}, "
      f"{os.cpu_count()} CPUs (loadgen shares them)")
print(f"load average before {load_before}, after {load_after}")
header = ["", "requests/s", "p99 ms", "CPU s/1k req", "peak RSS MiB", "errors", "bytes/req"]
print(f"{header[0]:<38}{header[1]:>12}{header[2]:>10}{header[3]:>14}{header[4]:>14}"
      f"{header[5]:>8}{header[6]:>11}")
for (protocol, server), s in table.items():
    label = f"{protocol}/{labels.get(server, server)}"
    print(f"{label:<38}{fmt(s['rps'], 1):>12}{fmt(s['p99'], 2):>10}"
          f"{fmt(s['cpu'], 4):>14}{fmt(s['rss'], 1):>14}{s['errors']:>8}"
          f"{fmt(s['bytes'], 0):>11}")

def ratio(a, b):
    return a / b if a and b else None

def paired(protocol, mine, theirs, key):
    """Each round's ratio of mine to theirs: the two ran one after the other."""
    a, b = runs(protocol, mine), runs(protocol, theirs)
    return [ratio(a[r][key], b[r][key]) for r in a if r in b]

def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return (f"x{statistics.median(values):.2f} "
            f"(x{min(values):.2f}-{max(values):.2f})")

print()
print("ratios: the median of the rounds' own ratios (lowest-highest)")
medians = {}
comparisons = ([("gemini", "gemhole", name) for name in ceilings]
               + [("gemini", "gemhole", "agate"), ("gopher", "gemhole", "ceiling"),
                  ("gemini", "searching", "gemhole")])
for protocol, mine, theirs in comparisons:
    if (protocol, mine) not in table or (protocol, theirs) not in table:
        continue
    found = {key: paired(protocol, mine, theirs, key) for key in ("rps", "cpu_s_per_1k", "p99_ms")}
    medians[(protocol, mine, theirs)] = {key: median(v) for key, v in found.items()}
    name = f"{protocol} {labels.get(mine, mine)} / {labels.get(theirs, theirs)}:"
    print(f"{name:<46} requests/s {spread(found['rps'])}, "
          f"CPU per request {spread(found['cpu_s_per_1k'])}, p99 {spread(found['p99_ms'])}")

targets = [
    ("Gemini requests/s >= 1.05 x the ring ceiling's", ("gemini", "gemhole", "ceiling-ring"),
     "rps", lambda v: v >= 1.05),
    ("Gemini requests/s >= 1.2 x agate's", ("gemini", "gemhole", "agate"),
     "rps", lambda v: v >= 1.2),
    ("Gemini CPU per request <= 0.75 x agate's", ("gemini", "gemhole", "agate"),
     "cpu_s_per_1k", lambda v: v <= 0.75),
    (f"Gemini p99 <= 1.5 x the {own_ceiling[len('ceiling-'):]} ceiling's (gemhole's provider)",
     ("gemini", "gemhole", own_ceiling), "p99_ms", lambda v: v <= 1.5),
    ("Gemini p99 with Gopher searches beside <= 1.2 x without",
     ("gemini", "searching", "gemhole"), "p99_ms", lambda v: v <= 1.2),
]
print()
for words, pair, key, passes in targets:
    value = medians.get(pair, {}).get(key)
    if value is None:
        print(f"-    {words}: not measured")
    else:
        print(f"{'PASS' if passes(value) else 'FAIL'} {words}: x{value:.2f}")

for (protocol, server) in table:
    for round_, r in runs(protocol, server).items():
        odd = {k: v for k, v in r["statuses"].items() if k not in ("20", "ok")}
        if odd or r["error_kinds"]:
            print(f"note: {protocol}/{server}, round {round_}: statuses {r['statuses']}, "
                  f"errors {r['error_kinds']}")
PY
}

# What gemhole logged at warn level or above while it was being measured.
print_gemhole_log() {
  local lines
  lines="$(wc -l <"$TMP/gemhole.log")"
  if [[ $lines -gt 0 ]]; then
    note ""
    note "gemhole logged $lines line(s) at warn or above; the last ones:"
    tail -n 5 "$TMP/gemhole.log" >&2
  fi
}

main() {
  cd "$ROOT"
  note "building (release)..."
  cargo build --release --workspace
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/gemhole-bench.XXXXXX")"
  mkdir -p "$TMP/results"
  cp -R "$ROOT/capsule" "$TMP/capsule"
  RESUME_FLAG=()
  if [[ $RESUME == 1 ]]; then RESUME_FLAG=(--resume); fi

  GEMHOLE_GEMINI="127.0.0.1:$(free_port)"
  GEMHOLE_GOPHER="127.0.0.1:$(free_port)"
  write_config
  "$BIN/gemhole" --config "$TMP/config.toml" >"$TMP/gemhole.log" 2>&1 &
  GEMHOLE_PID=$!
  PIDS+=("$GEMHOLE_PID")
  if ! fetch_body gemini "$GEMHOLE_GEMINI" "$GEMINI_URL" "$GEMHOLE_PID" "$TMP/body.gmi" ||
    ! fetch_body gopher "$GEMHOLE_GOPHER" "$GOPHER_SELECTOR" "$GEMHOLE_PID" "$TMP/body.txt"; then
    note "gemhole did not serve the post; its log:"
    tail -n 20 "$TMP/gemhole.log" >&2
    exit 1
  fi

  GEMINI_NAMES=()
  declare -gA GEMINI_ADDR=() GEMINI_PID=()
  start_gemini_ceilings
  start_ceiling ceiling-gopher "$TMP/body.txt" gopher
  local ceiling_gopher_pid=$STARTED_PID ceiling_gopher_addr=$STARTED_ADDR
  start_agate
  printf '%s\n' "$SEARCH_LINES" >"$TMP/searches.txt"

  note "measuring, $ROUNDS rounds of $DURATION s per run..."
  LOAD_BEFORE="$(cut -d ' ' -f 1-3 /proc/loadavg)"
  local round name
  for round in $(seq "$ROUNDS"); do
    measure gemhole gemini "$GEMHOLE_GEMINI" "$GEMINI_URL" "$GEMHOLE_PID" "$round"
    measure_with_searches "$round"
    for name in "${GEMINI_NAMES[@]}"; do
      measure "$name" gemini "${GEMINI_ADDR[$name]}" "$GEMINI_URL" "${GEMINI_PID[$name]}" "$round"
    done
    if [[ -n $AGATE_PID ]]; then
      measure agate gemini "$AGATE_ADDR" "$AGATE_URL" "$AGATE_PID" "$round"
    fi
  done
  for round in $(seq "$ROUNDS"); do
    measure gemhole gopher "$GEMHOLE_GOPHER" "$GOPHER_SELECTOR" "$GEMHOLE_PID" "$round"
    measure ceiling gopher "$ceiling_gopher_addr" "$GOPHER_SELECTOR" "$ceiling_gopher_pid" "$round"
  done
  LOAD_AFTER="$(cut -d ' ' -f 1-3 /proc/loadavg)"

  print_table
  print_gemhole_log
}

main "$@"
