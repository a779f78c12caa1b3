#!/usr/bin/env bash
# bench/run.sh: the one command that measures gemhole against its physical limit.
#
# Builds the workspace in release, serves a copy of capsule/ with gemhole, starts the two
# `ceiling` servers (the least a Gemini or Gopher server can do) with the very bytes gemhole
# serves for one post, and agate when it is installed; then loads each in turn, A B A B, with
# the same `loadgen` settings, and prints one table and the gemhole/ceiling ratios.
#
# Knobs (environment): CONCURRENCY (32), DURATION seconds per run (10), WARMUP seconds before
# each run (1), RESUME=1 (Gemini clients resume TLS sessions), CARGO_TARGET_DIR.
# Every server listens on 127.0.0.1 only and is stopped when the script exits.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
CONCURRENCY="${CONCURRENCY:-32}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-1}"
RESUME="${RESUME:-0}"

POST_FILE="posts/2023-11-20-back-market-adventures.md"
GEMINI_URL="gemini://localhost/posts/back-market-adventures"
# agate serves files as they are named, so its copy of the post keeps the .gmi extension.
# agate answers 53 to a URL whose port (1965 when none is written) is not the one it listens on,
# so its URL is completed with its port once that is chosen.
AGATE_URL=""
GOPHER_SELECTOR="/posts/back-market-adventures"

PIDS=()
TMP=""

# Stops every server this script started: SIGTERM, up to 5 s to finish, then SIGKILL. bash
# reaps its background children by itself, so `kill -0` fails once a server is gone.
cleanup() {
  local pid tries
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for tries in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ -n $TMP ]]; then rm -rf "$TMP"; fi
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
  local protocol=$1 addr=$2 target=$3 pid=$4 out=$5 tries
  local what=(--url "$target")
  if [[ $protocol == gopher ]]; then what=(--selector "$target"); fi
  for tries in $(seq 50); do
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

# start_ceiling PROTOCOL BODY: starts a ceiling server on a port of its choosing; sets
# STARTED_PID and STARTED_ADDR from its first line, `listening on ADDR`.
start_ceiling() {
  local out="$TMP/ceiling-$1.out" line="" tries
  "$BIN/ceiling" "$1" --listen 127.0.0.1:0 --body "$2" >"$out" 2>"$TMP/ceiling-$1.err" &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  for tries in $(seq 50); do
    line="$(head -n 1 "$out" 2>/dev/null || true)"
    if [[ $line == "listening on "* ]]; then break; fi
    sleep 0.1
  done
  if [[ $line != "listening on "* ]]; then
    note "ceiling $1 did not start: $(cat "$TMP/ceiling-$1.err")"
    exit 1
  fi
  STARTED_ADDR="${line#listening on }"
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

[log]
level = "warn"
EOF
}

# measure NAME PROTOCOL ADDR URL_OR_SELECTOR PID ROUND: one loadgen run, its JSON kept.
measure() {
  local name=$1 protocol=$2 addr=$3 target=$4 pid=$5 round=$6
  local what=(--url "$target" "${RESUME_FLAG[@]}")
  if [[ $protocol == gopher ]]; then what=(--selector "$target"); fi
  note "  $protocol/$name, run $round"
  "$BIN/loadgen" --protocol "$protocol" --addr "$addr" "${what[@]}" \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" \
    --pid "$pid" --json >"$TMP/results/$protocol-$name-$round.json"
}

print_table() {
  python3 - "$TMP/results" "$CONCURRENCY" "$DURATION" "$RESUME" <<'PY'
import json, os, sys

results, concurrency, duration, resume = sys.argv[1:5]
rows = [("gemini", "gemhole"), ("gemini", "ceiling"), ("gemini", "agate"),
        ("gopher", "gemhole"), ("gopher", "ceiling")]

def runs(protocol, server):
    found = []
    for round_ in (1, 2):
        path = os.path.join(results, f"{protocol}-{server}-{round_}.json")
        if os.path.exists(path):
            with open(path) as f:
                found.append(json.load(f))
    return found

def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None

def summary(found):
    return {
        "rps": mean([r["rps"] for r in found]),
        "p99": mean([r["p99_ms"] for r in found]),
        "cpu": mean([r["cpu_s_per_1k"] for r in found]),
        "rss": max((r["rss_peak_kib"] or 0) for r in found) / 1024,
        "errors": sum(r["errors"] for r in found),
        "bytes": mean([r["bytes"] / r["requests"] if r["requests"] else None for r in found]),
    }

def fmt(value, digits):
    return "-" if value is None else f"{value:,.{digits}f}"

table = {row: summary(found) for row in rows if (found := runs(*row))}
print()
print(f"concurrency {concurrency}, {duration} s per run, mean of 2 runs each, "
      f"TLS resumption {'on' if resume == '1' else 'off'}, {os.cpu_count()} CPUs "
      f"(loadgen shares them)")
header = ["", "requests/s", "p99 ms", "CPU s/1k req", "peak RSS MiB", "errors", "bytes/req"]
print(f"{header[0]:<16}{header[1]:>12}{header[2]:>10}{header[3]:>14}{header[4]:>14}"
      f"{header[5]:>8}{header[6]:>11}")
for (protocol, server), s in table.items():
    print(f"{protocol + '/' + server:<16}{fmt(s['rps'], 1):>12}{fmt(s['p99'], 2):>10}"
          f"{fmt(s['cpu'], 4):>14}{fmt(s['rss'], 1):>14}{s['errors']:>8}"
          f"{fmt(s['bytes'], 0):>11}")

print()
for protocol, other in (("gemini", "ceiling"), ("gopher", "ceiling"), ("gemini", "agate")):
    mine, theirs = table.get((protocol, "gemhole")), table.get((protocol, other))
    if not mine or not theirs:
        continue
    rps = mine["rps"] / theirs["rps"] if theirs["rps"] else None
    cpu = mine["cpu"] / theirs["cpu"] if mine["cpu"] and theirs["cpu"] else None
    print(f"{protocol} gemhole/{other}: requests/s x{fmt(rps, 2)}, CPU per request x{fmt(cpu, 2)}")

for (protocol, server) in table:
    for r in runs(protocol, server):
        odd = {k: v for k, v in r["statuses"].items() if k not in ("20", "ok")}
        if odd or r["error_kinds"]:
            print(f"note: {protocol}/{server}: statuses {r['statuses']}, errors {r['error_kinds']}")
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

  start_ceiling gemini "$TMP/body.gmi"
  local ceiling_gemini_pid=$STARTED_PID ceiling_gemini_addr=$STARTED_ADDR
  start_ceiling gopher "$TMP/body.txt"
  local ceiling_gopher_pid=$STARTED_PID ceiling_gopher_addr=$STARTED_ADDR
  start_agate

  note "measuring, $DURATION s per run..."
  local round
  for round in 1 2; do
    measure gemhole gemini "$GEMHOLE_GEMINI" "$GEMINI_URL" "$GEMHOLE_PID" "$round"
    measure ceiling gemini "$ceiling_gemini_addr" "$GEMINI_URL" "$ceiling_gemini_pid" "$round"
    if [[ -n $AGATE_PID ]]; then
      measure agate gemini "$AGATE_ADDR" "$AGATE_URL" "$AGATE_PID" "$round"
    fi
  done
  for round in 1 2; do
    measure gemhole gopher "$GEMHOLE_GOPHER" "$GOPHER_SELECTOR" "$GEMHOLE_PID" "$round"
    measure ceiling gopher "$ceiling_gopher_addr" "$GOPHER_SELECTOR" "$ceiling_gopher_pid" "$round"
  done

  print_table
  print_gemhole_log
}

main "$@"
