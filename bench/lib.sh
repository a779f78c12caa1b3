# shellcheck shell=bash
# bench/lib.sh: what the bench scripts share. Sourced by them, not run.
#
# A script that sources it sets TMP (its scratch folder, or empty) and KEEP (1: keep TMP).

note() { printf '%s\n' "$*" >&2; }

# stop_process PID TENTHS: SIGTERM, up to TENTHS tenths of a second for it to go, then SIGKILL.
# Returns at once when PID is empty or not running.
stop_process() {
  local pid=$1 tenths=$2
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq "$tenths"); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# For the EXIT trap: removes the scratch folder TMP, or with KEEP=1 keeps it and says where.
remove_scratch() {
  if [[ -n $TMP && $KEEP != 1 ]]; then rm -rf "$TMP"; fi
  if [[ -n $TMP && $KEEP == 1 ]]; then note "kept $TMP"; fi
}

# Milliseconds between two $EPOCHREALTIME values.
ms_between() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'
}
