#include "server/auth/credentials.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace civicline::server::auth {

namespace {

constexpr std::string_view api_key_marker = "ck_";
constexpr std::size_t api_key_random_bytes = 32;
constexpr std::size_t api_key_prefix_chars = 6;
constexpr std::size_t max_name_chars = 64;

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

password_cost password_cost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

password_cost password_cost::minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

std::string hash_password(std::string_view password, password_cost cost) {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), cost.ops, cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("cannot hash the password: out of memory");
  }
  return hash;
}

bool verify_password(std::string_view hash, std::string_view password) {
  // crypto_pwhash_str_verify wants a NUL-terminated string of at most STRBYTES - 1 characters.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) {
    return false;
  }
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

const std::string& decoy_password_hash() {
  static const std::string decoy = hash_password(random_token(24));
  return decoy;
}

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string text(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   '\0');
  sodium_bin2base64(text.data(), text.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.find('\0'));
  sodium_memzero(raw.data(), raw.size());
  return text;
}

std::string new_api_key() {
  return std::string(api_key_marker) + random_token(api_key_random_bytes);
}

std::string api_key_prefix(std::string_view key) {
  return std::string(key.substr(0, api_key_marker.size() + api_key_prefix_chars));
}

bool looks_like_api_key(std::string_view key) {
  constexpr std::size_t random_chars = (api_key_random_bytes * 4 + 2) / 3;  // 43
  return key.size() == api_key_marker.size() + random_chars && key.starts_with(api_key_marker) &&
         std::ranges::all_of(key.substr(api_key_marker.size()), is_base64url_char);
}

std::string new_password() {
  return random_token(18);
}

std::string token_digest(std::string_view token) {
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[crypto_generichash_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool same_secret(std::string_view a, std::string_view b) {
  // Compare digests, so the time does not even depend on where the secrets differ in length.
  const auto da = token_digest(a);
  const auto db = token_digest(b);
  return sodium_memcmp(da.data(), db.data(), da.size()) == 0;
}

std::optional<std::string> check_user_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_chars) {
    return "A name has 1 to 64 characters.";
  }
  const bool plain = std::ranges::all_of(name, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '@';
  });
  if (!plain) {
    return "A name may hold only letters, digits and . _ - @.";
  }
  return std::nullopt;
}

std::optional<std::string> check_new_password(std::string_view password) {
  if (password.size() < min_password_bytes) {
    return "A password needs at least " + std::to_string(min_password_bytes) + " characters.";
  }
  if (password.size() > max_password_bytes) {
    return "A password has at most " + std::to_string(max_password_bytes) + " characters.";
  }
  return std::nullopt;
}

}  // namespace civicline::server::auth
