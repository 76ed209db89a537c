#include "channels/standard_webhooks.hpp"

#include <sodium.h>

#include <array>

namespace civicline::channels {

namespace {

constexpr std::string_view secret_prefix = "whsec_";
constexpr std::size_t secret_bytes = 32;
/// Shorter keys are refused: they would make the HMAC guessable.
constexpr std::size_t min_key_bytes = 24;

std::string to_base64(const unsigned char* bytes, std::size_t size) {
  std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

/// The key bytes of a "whsec_" secret, or nullopt when it is not one.
std::optional<std::string> key_of(std::string_view secret) {
  if (!secret.starts_with(secret_prefix)) {
    return std::nullopt;
  }
  const std::string_view encoded = secret.substr(secret_prefix.size());
  std::string key(encoded.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), encoded.data(),
                        encoded.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != encoded.data() + encoded.size() || length < min_key_bytes) {
    return std::nullopt;
  }
  key.resize(length);
  return key;
}

}  // namespace

std::string new_webhook_secret() {
  std::array<unsigned char, secret_bytes> key{};
  randombytes_buf(key.data(), key.size());
  std::string secret = std::string(secret_prefix) + to_base64(key.data(), key.size());
  sodium_memzero(key.data(), key.size());
  return secret;
}

bool is_webhook_secret(std::string_view secret) {
  return key_of(secret).has_value();
}

std::optional<std::string> sign_webhook(std::string_view secret, std::string_view message_id,
                                        std::int64_t timestamp, std::string_view body) {
  auto key = key_of(secret);
  if (!key) {
    return std::nullopt;
  }
  const std::string header = std::string(message_id) + "." + std::to_string(timestamp) + ".";
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key->data()),
                              key->size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(header.data()),
                                header.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(key->data(), key->size());
  return "v1," + to_base64(mac.data(), mac.size());
}

std::string webhook_signature_header(const std::vector<std::string>& secrets,
                                     std::string_view message_id, std::int64_t timestamp,
                                     std::string_view body) {
  std::string header;
  for (const auto& secret : secrets) {
    if (auto signature = sign_webhook(secret, message_id, timestamp, body)) {
      if (!header.empty()) {
        header += ' ';
      }
      header += *signature;
    }
  }
  return header;
}

}  // namespace civicline::channels
