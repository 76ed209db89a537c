#!/usr/bin/env bash
# Load test of the signed Twilio webhook: civicline (Release, durable writes, NLP in the
# path) beside the reference servers of ../shared/bench/reference, in one interleaved run.
#
#   bash bench/sms/run.sh            # CONNS="64 256" RUNS=3 DUR=6 by default
#
# Prints the reference script's table (target = civicline) and civicline's peak RSS.
# Every process it starts is stopped at the end; ports 18100 (civicline) and 18001-18022.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REFERENCE="${REFERENCE:-$ROOT/../shared/bench/reference}"
BIN="${CIVICLINE_BIN:-$ROOT/build/release/server/civicline}"
PORT="${PORT:-18100}"
export CONNS="${CONNS:-64 256}" RUNS="${RUNS:-3}" DUR="${DUR:-6}"
export SYSTEMS="${SYSTEMS:-beast-2t express-1p}"
export WORK="${WORK:-/tmp/civicline-bench-ref}"

[ -x "$BIN" ] || { echo "build first: make build (no $BIN)" >&2; exit 1; }
[ -f "$REFERENCE/run_limits.sh" ] || { echo "reference servers not found at $REFERENCE" >&2; exit 1; }

DATA="$(mktemp -d /tmp/civicline-bench-XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

export AUTH_TOKEN="bench-auth-token-0123456789"
export SIGN_URL="http://127.0.0.1:$PORT/sms/twilio"
python3 - "$ROOT/config/civicline.json" "$DATA/civicline.json" "$DATA" "$PORT" <<'PY'
import json, sys
src, dst, data, port = sys.argv[1:]
config = json.load(open(src))
config["server"].update(listen=f"127.0.0.1:{port}", public_base_url=f"http://127.0.0.1:{port}")
config["storage"]["database"] = f"{data}/civicline.db"
config["content"] = {"rule_packs": src.rsplit("/", 1)[0] + "/nlp",
                     "templates": src.rsplit("/", 1)[0] + "/templates"}
config["sms"]["twilio"]["auth_token"] = "bench-auth-token-0123456789"
# 8000 simulated residents text several times a minute each; the limiter would answer most
# with "please wait" and skip the dialog, which is not the path to measure.
config["sms"]["max_messages_per_minute"] = 0
json.dump(config, open(dst, "w"), indent=2)
PY
"$BIN" migrate --config "$DATA/civicline.json" >/dev/null
"$BIN" serve --config "$DATA/civicline.json" >"$DATA/server.log" 2>"$DATA/server.err" &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$DATA/server.err" >&2; exit 1; }
# Ready, and it is ours (not another server already on the port).
kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA/server.err" >&2; exit 1; }

TARGET_URL="$SIGN_URL" TARGET_LUA="$HERE/signed_webhook.lua" bash "$REFERENCE/run_limits.sh"

echo
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "civicline stopped during the run; the end of its stderr:" >&2
  tail -20 "$DATA/server.err" >&2
  exit 1
fi
echo "civicline peak RSS: $(grep VmHWM /proc/$SERVER_PID/status | awk '{print $2, $3}')"
echo "civicline requests stored: $(sqlite3 "$DATA/civicline.db" "SELECT count(*) FROM messages WHERE direction = 'in'") inbound messages, $(sqlite3 "$DATA/civicline.db" 'SELECT count(*) FROM service_requests') service requests"
echo "civicline answers other than 200 in its access log:"
grep -o '"route":"[^"]*","status":[0-9]*' "$DATA/server.log" | grep -v ':200$' | sort | uniq -c || true
echo "rate-limited messages: $(grep -c '"rate_limited":true' "$DATA/server.log" || true)"
