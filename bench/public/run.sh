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

echo "summary.json?period=365 (1 = computed, 2-5 = cached):"
for i in 1 2 3 4 5; do
  curl -s -o /dev/null -w "  hit $i: %{time_total} s, %{size_download} bytes\n" "$url/public/api/summary.json?period=365"
done
echo "summary.json?period=30 (computed): $(curl -s -o /dev/null -w '%{time_total}' "$url/public/api/summary.json?period=30") s"
echo "summary.json?period=90 (computed): $(curl -s -o /dev/null -w '%{time_total}' "$url/public/api/summary.json?period=90") s"

rss_before=$(ps -o rss= -p $server)
t=$(curl -s -o /dev/null -w '%{time_total} %{size_download}' "$url/data/requests.csv")
secs=${t% *}
rss_after=$(ps -o rss= -p $server)
echo "GET /data/requests.csv: $COUNT rows, ${t#* } bytes in $secs s = $(echo "$COUNT / $secs" | bc) rows/s" \
  "(server RSS ${rss_before} KiB before, ${rss_after} KiB after)"
t=$(curl -s -o /dev/null -w '%{time_total}' "$url/data/requests.json")
echo "GET /data/requests.json: $t s = $(echo "$COUNT / $t" | bc) rows/s"

/usr/bin/time -f '%e %M' -o /tmp/civicline-export-time "$BIN" export --format csv --config "$CONFIG" --db "$DB" >/dev/null 2>/dev/null
read -r secs kib </tmp/civicline-export-time
echo "civicline export --format csv: $secs s = $(echo "$COUNT / $secs" | bc) rows/s, peak RSS $kib KiB"
rm -f /tmp/civicline-export-time
