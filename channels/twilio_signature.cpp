#include "channels/twilio_signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <stdexcept>
#include <vector>

#include "channels/utf8.hpp"

namespace civicline::channels {
namespace {

// --- Signing -------------------------------------------------------------------------------

/// The string as JavaScript sees it, for comparing like Array.prototype.sort does.
std::u16string utf16_units(std::string_view text) {
  std::u16string units;
  for (std::size_t pos = 0; pos < text.size();) {
    const char32_t cp = next_code_point(text, pos);
    if (cp >= 0x10000) {
      units += static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10));
      units += static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      units += static_cast<char16_t>(cp);
    }
  }
  return units;
}

bool is_ascii(std::string_view text) {
  return std::ranges::all_of(text, [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool js_less(const std::string& a, const std::string& b) {
  // For ASCII, UTF-16 units and bytes are the same numbers: no conversion needed (the
  // parameter names and nearly all values Twilio sends).
  if (is_ascii(a) && is_ascii(b)) {
    return a < b;
  }
  return utf16_units(a) < utf16_units(b);
}

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

/// OpenSSL's HMAC, fetched once: `HMAC()` looks the MAC and the digest up by name in the
/// provider store on every call, which costs more than the hashing of a webhook.
EVP_MAC* hmac_algorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

/// One prepared context per digest and thread; EVP_MAC_init with the key restarts it.
EVP_MAC_CTX* hmac_context(twilio_signature_algorithm algorithm) {
  struct contexts {
    std::array<EVP_MAC_CTX*, 2> by_digest{};
    ~contexts() {
      for (EVP_MAC_CTX* context : by_digest) {
        EVP_MAC_CTX_free(context);
      }
    }
  };
  thread_local contexts mine;
  const bool sha256 = algorithm == twilio_signature_algorithm::hmac_sha256;
  EVP_MAC_CTX*& context = mine.by_digest[sha256 ? 1 : 0];
  if (context == nullptr && hmac_algorithm() != nullptr) {
    context = EVP_MAC_CTX_new(hmac_algorithm());
    char sha1_name[] = "SHA1";
    char sha256_name[] = "SHA256";
    const std::array<OSSL_PARAM, 2> settings{
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, sha256 ? sha256_name : sha1_name,
                                         0),
        OSSL_PARAM_construct_end()};
    if (context != nullptr && EVP_MAC_CTX_set_params(context, settings.data()) != 1) {
      EVP_MAC_CTX_free(context);
      context = nullptr;
    }
  }
  return context;
}

/// base64(HMAC(key, url + signed_params)), the form of X-Twilio-Signature.
std::string signature_of(std::string_view key, std::string_view url, std::string_view signed_params,
                         twilio_signature_algorithm algorithm) {
  EVP_MAC_CTX* context = hmac_context(algorithm);
  if (context == nullptr) {
    throw std::runtime_error("OpenSSL has no HMAC: cannot check Twilio signatures");
  }
  // A null key would mean "the previous key" to EVP_MAC_init.
  static constexpr unsigned char no_key[1] = {0};
  const auto* key_bytes = key.empty() ? no_key : reinterpret_cast<const unsigned char*>(key.data());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  std::size_t digest_size = 0;
  if (EVP_MAC_init(context, key_bytes, key.size(), nullptr) != 1 ||
      EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(url.data()), url.size()) !=
          1 ||
      EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(signed_params.data()),
                     signed_params.size()) != 1 ||
      EVP_MAC_final(context, digest.data(), &digest_size, digest.size()) != 1) {
    throw std::runtime_error("OpenSSL HMAC failed while checking a Twilio signature");
  }
  return base64(digest.data(), digest_size);
}

/// What the SDK appends to the URL before signing: every parameter name and value, in
/// JavaScript's sort order of names (then values), each distinct pair once.
std::string signed_params_text(const form_params& params) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  for (const auto& param : params) {
    sorted.push_back(&param);
  }
  std::ranges::sort(sorted, [](const auto* a, const auto* b) {
    return js_less(a->first, b->first) || (a->first == b->first && js_less(a->second, b->second));
  });
  std::string data;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    // The SDK signs each distinct value of a repeated name once.
    if (i > 0 && *sorted[i] == *sorted[i - 1]) {
      continue;
    }
    data += sorted[i]->first;
    data += sorted[i]->second;
  }
  return data;
}

// --- URL variants, as the SDK builds them -------------------------------------------------

struct url_parts {
  std::string_view scheme;     // "https://"
  std::string_view user_info;  // "user:pass@" or ""
  std::string_view host;
  std::string_view port;  // ":8443", ":" or ""
  std::string_view rest;  // path, query and fragment
};

/// The SDK's splitUrl: /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i without normalising anything.
std::optional<url_parts> split_url(std::string_view url) {
  std::size_t i = 0;
  if (url.empty() || !std::isalpha(static_cast<unsigned char>(url[0]))) {
    return std::nullopt;
  }
  while (i < url.size() && (std::isalnum(static_cast<unsigned char>(url[i])) || url[i] == '+' ||
                            url[i] == '.' || url[i] == '-')) {
    ++i;
  }
  if (url.substr(i, 3) != "://") {
    return std::nullopt;
  }
  url_parts parts;
  parts.scheme = url.substr(0, i + 3);
  const std::size_t authority_start = i + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
  const std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  const std::size_t at = authority.rfind('@');
  const std::size_t host_start = at == std::string_view::npos ? 0 : at + 1;
  parts.user_info = authority.substr(0, host_start);
  const std::string_view host_and_port = authority.substr(host_start);
  const std::size_t bracket = host_and_port.rfind(']');
  const std::size_t colon =
      host_and_port.find(':', bracket == std::string_view::npos ? 0 : bracket + 1);
  parts.host = host_and_port.substr(0, colon);
  parts.port = colon == std::string_view::npos ? std::string_view() : host_and_port.substr(colon);
  parts.rest = url.substr(authority_end);
  return parts;
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string add_port(std::string_view url) {
  const auto parts = split_url(url);
  if (!parts || !parts->port.empty()) {
    return std::string(url);
  }
  const char* port = lower_ascii(parts->scheme) == "https://" ? ":443" : ":80";
  return std::string(parts->scheme) + std::string(parts->user_info) + std::string(parts->host) +
         port + std::string(parts->rest);
}

std::string remove_port(std::string_view url) {
  const auto parts = split_url(url);
  if (!parts) {
    return std::string(url);
  }
  return std::string(parts->scheme) + std::string(parts->user_info) + std::string(parts->host) +
         std::string(parts->rest);
}

void percent_encode_byte(std::string& out, unsigned char byte) {
  static constexpr char hex[] = "0123456789ABCDEF";
  out += '%';
  out += hex[byte >> 4];
  out += hex[byte & 0x0F];
}

/// What `new URL(url).toString()` gives for an http(s) URL, for the cases that matter to a
/// webhook URL: scheme and host in lower case, the default port dropped, an empty path
/// becoming "/", and the characters the WHATWG URL standard escapes in the path, query and
/// fragment percent-encoded. Not covered (the URL is then tried as is): internationalised
/// host names, backslashes and "." / ".." path segments. nullopt when it is not http(s).
std::optional<std::string> whatwg_normalized(std::string_view url) {
  const auto parts = split_url(url);
  if (!parts) {
    return std::nullopt;
  }
  const std::string scheme = lower_ascii(parts->scheme);
  if (scheme != "https://" && scheme != "http://") {
    return std::nullopt;
  }
  if (parts->host.empty() || std::ranges::any_of(parts->host, [](char c) {
        return static_cast<unsigned char>(c) >= 0x80 || c == '\\' || c == '%';
      })) {
    return std::nullopt;
  }
  std::string out = scheme + std::string(parts->user_info) + lower_ascii(parts->host);
  std::string_view port = parts->port.empty() ? parts->port : parts->port.substr(1);
  if (!std::ranges::all_of(port, [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  while (port.size() > 1 && port.front() == '0') {
    port.remove_prefix(1);
  }
  if (!port.empty() && port != (scheme == "https://" ? "443" : "80")) {
    out += ':';
    out += port;
  }

  std::string_view rest = parts->rest;
  const std::size_t hash = rest.find('#');
  const std::string_view fragment =
      hash == std::string_view::npos ? std::string_view() : rest.substr(hash);
  rest = rest.substr(0, hash);
  const std::size_t question = rest.find('?');
  const std::string_view path = rest.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : rest.substr(question);
  if (path.find('\\') != std::string_view::npos || path.find("/.") != std::string_view::npos) {
    return std::nullopt;
  }

  // The WHATWG percent-encode sets: C0 controls, space and non-ASCII always; then per part.
  const auto encode = [&out](std::string_view text, std::string_view also_escaped) {
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte <= 0x20 || byte >= 0x7F || also_escaped.find(c) != std::string_view::npos) {
        percent_encode_byte(out, byte);
      } else {
        out += c;
      }
    }
  };
  if (path.empty()) {
    out += '/';
  }
  encode(path, "\"#<>?`{}");
  if (!query.empty()) {
    out += '?';
    encode(query.substr(1), "\"#<>'");
  }
  if (!fragment.empty()) {
    out += '#';
    encode(fragment.substr(1), "\"<>`");
  }
  return out;
}

std::string js_unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) && hex(text[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  // A JavaScript string cannot hold invalid UTF-8: Node decodes such bytes to U+FFFD.
  std::string valid;
  for (std::size_t pos = 0; pos < out.size();) {
    append_utf8(valid, next_code_point(out, pos));
  }
  return valid;
}

void js_escape(std::string& out, std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || std::string_view("-_.!~*'()").find(c) != std::string_view::npos) {
      out += c;
    } else {
      percent_encode_byte(out, byte);
    }
  }
}

/// JavaScript orders an object's keys that are array indices (0 .. 2^32-2, no leading zero)
/// first, ascending, then the others in insertion order.
std::optional<std::uint64_t> array_index(std::string_view key) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0') ||
      !std::ranges::all_of(key, [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::uint64_t value = std::stoull(std::string(key));
  return value <= 4294967294ULL ? std::optional(value) : std::nullopt;
}

/// The SDK's withLegacyQuerystring: the query string through Node's querystring.parse and
/// querystring.stringify, which groups repeated names and escapes a different set of bytes.
std::string with_legacy_querystring(std::string_view url) {
  const std::size_t question = url.find('?');
  if (question == std::string_view::npos || question == url.size() - 1) {
    return std::string(url);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;
  std::string_view query = url.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) {
      continue;
    }
    const std::size_t eq = piece.find('=');
    std::string key = js_unescape(piece.substr(0, eq));
    std::string value =
        js_unescape(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    const auto found = std::ranges::find(keys, key, &decltype(keys)::value_type::first);
    if (found == keys.end()) {
      keys.push_back({std::move(key), {std::move(value)}});
    } else {
      found->second.push_back(std::move(value));
    }
  }
  std::ranges::stable_sort(keys, [](const auto& a, const auto& b) {
    const auto ia = array_index(a.first);
    const auto ib = array_index(b.first);
    if (ia && ib) {
      return *ia < *ib;
    }
    return ia.has_value() && !ib.has_value();
  });
  std::string out(url.substr(0, question + 1));
  bool first = true;
  for (const auto& [key, values] : keys) {
    for (const auto& value : values) {
      if (!first) {
        out += '&';
      }
      first = false;
      js_escape(out, key);
      out += '=';
      js_escape(out, value);
    }
  }
  return out;
}

bool matches(std::string_view auth_token, std::string_view url, std::string_view signed_params,
             std::string_view header_value, twilio_signature_algorithm algorithm) {
  const std::string expected = signature_of(auth_token, url, signed_params, algorithm);
  // The length of a signature depends only on the algorithm, so comparing it first leaks
  // nothing secret.
  return expected.size() == header_value.size() &&
         CRYPTO_memcmp(expected.data(), header_value.data(), expected.size()) == 0;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::optional<twilio_signature_algorithm> twilio_signature_algorithm_from_settings(
    std::string_view settings_header) {
  while (!settings_header.empty()) {
    const std::size_t comma = settings_header.find(',');
    const std::string_view part = settings_header.substr(0, comma);
    settings_header =
        comma == std::string_view::npos ? std::string_view() : settings_header.substr(comma + 1);
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos || trim(part.substr(0, eq)) != "algorithm") {
      continue;
    }
    const std::string algorithm = lower_ascii(trim(part.substr(eq + 1)));
    if (algorithm.empty()) {
      continue;
    }
    if (algorithm == "hmac_sha1") {
      return twilio_signature_algorithm::hmac_sha1;
    }
    if (algorithm == "hmac_sha256") {
      return twilio_signature_algorithm::hmac_sha256;
    }
    return std::nullopt;
  }
  return twilio_signature_algorithm::hmac_sha1;
}

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const form_params& params, twilio_signature_algorithm algorithm) {
  return signature_of(auth_token, url, signed_params_text(params), algorithm);
}

bool twilio_signature_valid(std::string_view auth_token, std::string_view url,
                            const form_params& params, std::string_view header_value,
                            twilio_signature_algorithm algorithm) {
  const std::string signed_params = signed_params_text(params);
  // The URL as configured first (one of the two port forms is always the URL itself), so a
  // genuine webhook costs one HMAC.
  const std::string other_port_form = remove_port(url) == url ? add_port(url) : remove_port(url);
  for (const std::string_view candidate : {url, std::string_view(other_port_form)}) {
    if (matches(auth_token, candidate, signed_params, header_value, algorithm)) {
      return true;
    }
  }
  const auto normalized = whatwg_normalized(url);
  if (!normalized) {
    return false;
  }
  const std::string without_port = remove_port(*normalized);
  const std::string with_port = add_port(*normalized);
  for (const auto& candidate : {without_port, with_port, with_legacy_querystring(without_port),
                                with_legacy_querystring(with_port)}) {
    if (matches(auth_token, candidate, signed_params, header_value, algorithm)) {
      return true;
    }
  }
  return false;
}

std::string public_url(std::string_view public_base_url, std::string_view request_target) {
  // An absolute-form target ("http://host/path", allowed by HTTP/1.1) keeps only its path.
  if (const auto parts = split_url(request_target)) {
    request_target = parts->rest;
  }
  while (!public_base_url.empty() && public_base_url.back() == '/') {
    public_base_url.remove_suffix(1);
  }
  std::string url(public_base_url);
  if (!request_target.starts_with('/')) {
    url += '/';
  }
  url += request_target;
  return url;
}

}  // namespace civicline::channels
