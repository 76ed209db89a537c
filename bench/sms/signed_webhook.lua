-- wrk script: residents texting civicline through Twilio's inbound webhook, every request
-- signed exactly as Twilio signs it (X-Twilio-Signature = base64(HMAC-SHA1(auth token,
-- URL + sorted params))).
--
-- The requests are signed before the run starts (in init, which wrk runs before it starts the
-- clock): POOL of them (default 250000, enough for 6 s at 40k requests/s; about 3 s and 200 MB
-- to build), each with a new MessageSid, so none is a cheap "seen it" retry and wrk spends its
-- time sending, not hashing (it shares the two cores with the server). Past the pool, requests
-- are signed as they go, still never repeated, at about 20 us of wrk's CPU each: with the old
-- default of 50000, a 6 s run at 14k/s signed 40% of its requests that way, and wrk took a
-- third of a core from the server (12% fewer requests/s than with the pool large enough). Each wrk
-- thread draws its own run id from /dev/urandom, so runs started in the same second differ.
--
-- Residents: SENDERS (default 8000) in turn; the texts walk each one through a report:
-- problem, place, "yes", a status question. Half the reports name a place of their own (a new
-- service request), half one of 50 popular places (after its first report, a duplicate the
-- resident is added to as a follower), as a city's mix of new problems and ones many residents
-- see. At these
-- rates each sender texts several times a minute, so run.sh turns the per-sender limit off
-- (it would otherwise answer most of them "please wait" without running the dialog).
-- Env: SIGN_URL (the URL Twilio signs: public_base_url + path), AUTH_TOKEN, SENDERS, POOL.
-- done() prints one RESULT line like the references'.
local bit = require("bit")
local band, bor, bxor, bnot, rol, lshift, rshift, tobit =
  bit.band, bit.bor, bit.bxor, bit.bnot, bit.rol, bit.lshift, bit.rshift, bit.tobit

local function sha1(msg)
  local h0, h1, h2, h3, h4 =
    tobit(0x67452301), tobit(0xEFCDAB89), tobit(0x98BADCFE), tobit(0x10325476), tobit(0xC3D2E1F0)
  local bits = #msg * 8
  msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) .. "\0\0\0\0" ..
    string.char(band(rshift(bits, 24), 255), band(rshift(bits, 16), 255),
                band(rshift(bits, 8), 255), band(bits, 255))
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local a, b, c, d = msg:byte(chunk + i * 4, chunk + i * 4 + 3)
      w[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
    end
    for i = 16, 79 do
      w[i] = rol(bxor(w[i - 3], w[i - 8], w[i - 14], w[i - 16]), 1)
    end
    local a, b, c, d, e = h0, h1, h2, h3, h4
    for i = 0, 79 do
      local f, k
      if i < 20 then
        f, k = bor(band(b, c), band(bnot(b), d)), 0x5A827999
      elseif i < 40 then
        f, k = bxor(b, c, d), 0x6ED9EBA1
      elseif i < 60 then
        f, k = bor(band(b, c), band(b, d), band(c, d)), 0x8F1BBCDC
      else
        f, k = bxor(b, c, d), 0xCA62C1D6
      end
      a, b, c, d, e = tobit(rol(a, 5) + f + e + k + w[i]), a, rol(b, 30), c, d
    end
    h0, h1, h2, h3, h4 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c), tobit(h3 + d), tobit(h4 + e)
  end
  local out = {}
  for _, h in ipairs({ h0, h1, h2, h3, h4 }) do
    out[#out + 1] = string.char(band(rshift(h, 24), 255), band(rshift(h, 16), 255),
                                band(rshift(h, 8), 255), band(h, 255))
  end
  return table.concat(out)
end

local hmac_sha1
hmac_sha1 = function(key, msg)
  if #key > 64 then key = sha1(key) end
  key = key .. string.rep("\0", 64 - #key)
  local ipad, opad = {}, {}
  for i = 1, 64 do
    local b = key:byte(i)
    ipad[i] = string.char(bxor(b, 0x36))
    opad[i] = string.char(bxor(b, 0x5c))
  end
  return sha1(table.concat(opad) .. sha1(table.concat(ipad) .. msg))
end

-- OpenSSL's HMAC through LuaJIT's FFI when libcrypto can be loaded (about 20 times faster than
-- the pure-Lua SHA-1 above, which stays as the fallback and the readable reference).
local ok_ffi, ffi = pcall(require, "ffi")
if ok_ffi then
  local loaded, crypto = pcall(function()
    ffi.cdef [[
      const void *EVP_sha1(void);
      unsigned char *HMAC(const void *evp_md, const void *key, int key_len,
                          const unsigned char *data, size_t data_len,
                          unsigned char *md, unsigned int *md_len);
    ]]
    return ffi.load("libcrypto.so.3")
  end)
  if loaded then
    local digest = ffi.new("unsigned char[20]")
    local digest_len = ffi.new("unsigned int[1]")
    hmac_sha1 = function(key, msg)
      crypto.HMAC(crypto.EVP_sha1(), key, #key, msg, #msg, digest, digest_len)
      return ffi.string(digest, digest_len[0])
    end
  end
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = lshift(a, 16) + lshift(b or 0, 8) + (c or 0)
    local remaining = #data - i + 1
    local chars = remaining >= 3 and 4 or remaining + 1 -- then '=' padding
    for j = 1, 4 do
      if j <= chars then
        local index = band(rshift(n, 6 * (4 - j)), 63) + 1
        out[#out + 1] = alphabet:sub(index, index)
      else
        out[#out + 1] = "="
      end
    end
  end
  return table.concat(out)
end

local function form_encode(s)
  return (s:gsub("[^%w%-%._~ ]", function(ch) return string.format("%%%02X", ch:byte()) end)
           :gsub(" ", "+"))
end

local sign_url = os.getenv("SIGN_URL") or "http://127.0.0.1:8080/sms/twilio"
local token = os.getenv("AUTH_TOKEN") or "demo-auth-token-not-secret"
local senders = tonumber(os.getenv("SENDERS") or "8000")
local pool_size = tonumber(os.getenv("POOL") or "250000")
local path = sign_url:match("^https?://[^/]+(/.*)$") or "/sms/twilio"

-- What a resident says, turn by turn; each sender is at turn (visits mod #script). The place
-- is filled in per report (place_of).
local script = {
  "There is a big pothole on Main St near 5th Ave, it is deep and growing, please fix it",
  "it's at %d N Alma School Rd",
  "yes",
  "what's the status of my report?",
}

-- The house number of report `report` (numbered across senders and walks): even reports one of
-- 50 popular places (1400..1498), odd ones a place of their own (2000 and up, 40000 of them,
-- starting where the run id says, so that the next run's new places are mostly new too).
local run_offset = 0 -- set from the run id below

local function place_of(report)
  local half = math.floor(report / 2)
  if report % 2 == 0 then
    return 1400 + 2 * (half % 50)
  end
  return 2000 + 2 * ((half + run_offset) % 40000)
end

local function run_id()
  local random = io.open("/dev/urandom", "rb")
  local bytes = random and random:read(4) or tostring(os.time() + os.clock())
  if random then random:close() end
  local id = 0
  for i = 1, #bytes do id = (id * 256 + bytes:byte(i)) % 0x7fffffff end
  return string.format("%08x", id)
end

local run = run_id()
run_offset = tonumber(run:sub(1, 6), 16) % 40000

local function signed_request(counter)
  local sender = counter % senders
  local visit = math.floor(counter / senders)
  local turn = visit % #script + 1
  local report = math.floor(visit / #script) * senders + sender
  local params = {
    { "AccountSid", "AC00000000000000000000000000000000" },
    { "Body", string.format(script[turn], place_of(report)) },
    { "From", string.format("+1555%07d", sender) },
    { "MessageSid", string.format("SM%s%024d", run, counter) },
    { "NumMedia", "0" },
    { "To", "+15550000311" },
  } -- already in name order, as the signature needs
  local signed, body = { sign_url }, {}
  for i, p in ipairs(params) do
    signed[#signed + 1] = p[1] .. p[2]
    body[i] = p[1] .. "=" .. form_encode(p[2])
  end
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = base64(hmac_sha1(token, table.concat(signed))),
    ["User-Agent"] = "TwilioProxy/1.1",
  }
  return wrk.format("POST", path, headers, table.concat(body, "&"))
end

local pool = {}
local counter = 0

function init(args)
  for i = 1, pool_size do
    pool[i] = signed_request(i)
  end
end

request = function()
  counter = counter + 1
  return pool[counter] or signed_request(counter)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_us=%d p99_us=%d max_us=%d requests=%d non2xx=%d sockerr=%d bodybytes=%d\n",
    summary.requests / secs, latency:percentile(50), latency:percentile(99), latency.max,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, 0))
end
