#!/usr/bin/env bash
# The public-data benchmark: a year of requests (COUNT, default 1,000,000) in an SQLite file,
# then the time of /public/api/summary.json for the last 365 days (first hit, computed, and
# the next hits, cached), and the open-data export's rows per second over HTTP and from the
# CLI, with the server's and the CLI's peak memory. Run from the source root after `make build`:
#   bash bench/public/run.sh            # COUNT=1000000 DB=/tmp/civicline-public-bench.db
# An existing DB with COUNT rows is reused (delete it to generate again).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-build/release/server/civicline}
COUNT=${COUNT:-1000000}
DB=${DB:-/tmp/civicline-public-bench.db}
CONFIG=config/civicline.json

have=$(sqlite3 "$DB" "SELECT count(*) FROM service_requests" 2>/dev/null || echo 0)
if [ "$have" != "$COUNT" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  "$BIN" migrate --config "$CONFIG" --db "$DB" >/dev/null
  start=$(date +%s.%N)
  sed "s/@count/$COUNT/" bench/public/generate.sql | sqlite3 "$DB" >/dev/null
  echo "generated $COUNT requests in $(echo "$(date +%s.%N) - $start" | bc) s ($(du -h "$DB" | cut -f1))"
fi

log=$(mktemp)
"$BIN" serve --config "$CONFIG" --db "$DB" --listen 127.0.0.1:0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do
  url=$(grep -o '"url":"[^"]*"' "$log" | head -1 | cut -d'"' -f4 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; exit 1; }
sleep 10  # let the start-up count of the 30/90/365-day periods and the day index finish

cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }   # user + system ticks (1/100 s)
timed() {  # wall time of one GET, and the server's CPU time for it
  local before after wall
  before=$(cpu)
  wall=$(curl -s -o /dev/null -w '%{time_total}' "$url$1")
  after=$(cpu)
  echo "wall ${wall} s, server CPU $(( (after - before) * 10 )) ms"
}
# A custom range is cut from the day index (the last 400 days, built at start) the first time
# it is asked for, then cached; one that reaches further back is a full count of the database.
today=$(date -u +%F)
year_ago=$(date -u -d '364 days ago' +%F)
echo "summary.json, the last 365 days as a custom range (cut from the day index): $(timed "/public/api/summary.json?from=$year_ago&to=$today")"
echo "  the same again (cached):                    $(timed "/public/api/summary.json?from=$year_ago&to=$today")"
echo "  from $(date -u -d '363 days ago' +%F) (cut from the index):    $(timed "/public/api/summary.json?from=$(date -u -d '363 days ago' +%F)&to=$today")"
echo "  from $(date -u -d '500 days ago' +%F) (outside the index: a full count): $(timed "/public/api/summary.json?from=$(date -u -d '500 days ago' +%F)&to=$today")"
echo "summary.json?period=30 (counted at start):   $(timed "/public/api/summary.json?period=30")"
echo "summary.json?period=90 (counted at start):   $(timed "/public/api/summary.json?period=90")"
echo "summary.json?period=365 (counted at start):  $(timed "/public/api/summary.json?period=365")"
for i in 1 2 3; do echo "  again: $(timed "/public/api/summary.json?period=365")"; done

# Anonymous memory only: RSS also counts the database pages the readers have mapped.
anon() { awk '/^RssAnon/ {print $2}' "/proc/$server/status"; }
rss_before=$(anon)
t=$(curl -s -o /dev/null -w '%{time_total} %{size_download}' "$url/data/requests.csv")
secs=${t% *}
rss_after=$(anon)
echo "GET /data/requests.csv: $COUNT rows, ${t#* } bytes in $secs s = $(echo "$COUNT / $secs" | bc) rows/s" \
  "(server anonymous memory ${rss_before} KiB before, ${rss_after} KiB after)"
t=$(curl -s -o /dev/null -w '%{time_total}' "$url/data/requests.json")
echo "GET /data/requests.json: $t s = $(echo "$COUNT / $t" | bc) rows/s"

/usr/bin/time -f '%e %M' -o /tmp/civicline-export-time "$BIN" export --format csv --config "$CONFIG" --db "$DB" >/dev/null 2>/dev/null
read -r secs kib </tmp/civicline-export-time
echo "civicline export --format csv: $secs s = $(echo "$COUNT / $secs" | bc) rows/s, peak RSS $kib KiB (mapped database pages included)"
rm -f /tmp/civicline-export-time
