#!/usr/bin/env bash
# Checks opsflow_loadgen against bench/fake_server.py (no real server needed):
#   1. 200 jobs all complete: exit 0 and one well-formed RESULT line on stdout;
#   2. some starts answer 500: non-zero exit, nothing on stdout;
#   3. some jobs end in error: non-zero exit, nothing on stdout;
#   4. --scenario manual100k (jobs waiting on a manual task): exit 0 and one RESULT line.
#   5. several --url (round-robin starts) and --processes: exit 0, RESULT ends with processes=2.
# Usage: bench/loadgen_selftest.sh path/to/opsflow_loadgen
set -euo pipefail
loadgen=${1:?usage: $0 path/to/opsflow_loadgen}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_fake ARGS...: starts the fake server, sets server_pid and port.
start_fake() {
  rm -f "$work/port"  # else the wait below may read the previous server's PORT line
  python3 "$here/fake_server.py" --port 0 --password selftest "$@" \
    >"$work/port" 2>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 100); do
    if grep -q '^PORT ' "$work/port" 2>/dev/null; then break; fi
    sleep 0.1
  done
  port=$(awk '/^PORT /{print $2}' "$work/port")
  [[ -n $port ]] || { echo "fake server did not start"; cat "$work/server.err"; exit 1; }
}
stop_fake() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

run_loadgen() {
  "$loadgen" --url "http://127.0.0.1:$port" --user admin --password selftest \
    --workflow bench-seq10 --jobs 200 --connections 20 --steps 10 --scenario seq10 \
    --variables '{"host":"h","items":[1,2,3]}' --server-pid "$server_pid" --poll-ms 50 \
    --timeout-s 60 >"$work/out" 2>"$work/err"
}

fail() {
  echo "FAIL: $*"
  echo "--- stdout"; cat "$work/out"
  echo "--- stderr"; cat "$work/err"
  exit 1
}

# 1. happy path
start_fake --job-ms 30
run_loadgen || fail "loadgen exited non-zero on the happy path"
num='[0-9]+(\.[0-9]+)?'
re="^RESULT name=opsflow scenario=seq10 workflows=200 steps=10 seconds=$num"
re+=" workflows_per_s=$num steps_per_s=$num start_p50_ms=$num start_p99_ms=$num peak_rss_mb=$num\$"
[[ $(wc -l <"$work/out") -eq 1 ]] || fail "expected exactly one line on stdout"
grep -Eq "$re" "$work/out" || fail "RESULT line malformed"
echo "ok 1 happy path: $(cat "$work/out")"
stop_fake

# 2. failing starts
start_fake --fail-start-every 50
if run_loadgen; then fail "loadgen exited 0 although 4 starts failed"; fi
[[ ! -s $work/out ]] || fail "stdout must be empty on failure"
grep -q "4 of 200 job starts failed" "$work/err" || fail "no sentence about failed starts"
echo "ok 2 failing starts: $(tail -n 1 "$work/err")"
stop_fake

# 3. jobs ending in error
start_fake --error-every 20
if run_loadgen; then fail "loadgen exited 0 although 10 jobs ended in error"; fi
[[ ! -s $work/out ]] || fail "stdout must be empty on failure"
grep -q "Only 190 of 200 started jobs completed (10 in error)" "$work/err" ||
  fail "no sentence about errored jobs"
echo "ok 3 errored jobs: $(tail -n 1 "$work/err")"
stop_fake

# 4. manual100k: 300 jobs wait, 40 of them are finished
start_fake --manual --workflow "Example - Manual Approval"
"$loadgen" --url "http://127.0.0.1:$port" --user admin --password selftest \
  --workflow "Example - Manual Approval" --jobs 300 --connections 20 --scenario manual100k \
  --variables '{"change":"c"}' --finish-sample 40 --server-pid "$server_pid" --poll-ms 50 \
  --timeout-s 60 >"$work/out" 2>"$work/err" || fail "loadgen exited non-zero on manual100k"
re="^RESULT name=opsflow scenario=manual100k jobs=300 start_seconds=$num waiting_rss_mb=$num"
re+=" baseline_rss_mb=$num bytes_per_waiting_job=-?[0-9]+ threads=[0-9]+ finish_sample=40"
re+=" finish_p50_ms=$num\$"
[[ $(wc -l <"$work/out") -eq 1 ]] || fail "expected exactly one line on stdout"
grep -Eq "$re" "$work/out" || fail "manual100k RESULT line malformed"
echo "ok 4 manual100k: $(cat "$work/out")"
stop_fake

# 5. several --url (here the same server twice: repeated and comma-separated), --processes
start_fake --job-ms 30
"$loadgen" --url "http://127.0.0.1:$port,http://127.0.0.1:$port" --url "http://127.0.0.1:$port" \
  --user admin --password selftest --workflow bench-seq10 --jobs 200 --connections 20 \
  --steps 10 --scenario seq10-pg2 --processes 2 --variables '{"host":"h","items":[1,2,3]}' \
  --server-pid "$server_pid,$server_pid" --poll-ms 50 --timeout-s 60 >"$work/out" 2>"$work/err" ||
  fail "loadgen exited non-zero with several --url"
re="^RESULT name=opsflow scenario=seq10-pg2 workflows=200 steps=10 seconds=$num"
re+=" workflows_per_s=$num steps_per_s=$num start_p50_ms=$num start_p99_ms=$num peak_rss_mb=$num"
re+=" processes=2\$"
[[ $(wc -l <"$work/out") -eq 1 ]] || fail "expected exactly one line on stdout"
grep -Eq "$re" "$work/out" || fail "RESULT line with processes=2 malformed"
echo "ok 5 several urls: $(cat "$work/out")"
stop_fake
