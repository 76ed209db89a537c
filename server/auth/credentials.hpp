#pragma once
// Secrets for staff authentication: Argon2id password hashes, random session tokens, CSRF
// tokens and API keys, and the digests under which tokens and keys are stored.
// Needs libsodium initialised (sodium_init: main does it, and so do the tests).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace civicline::server::auth {

/// Argon2id's cost. The defaults are libsodium's "interactive" limits (a login takes tens of
/// milliseconds and 64 MiB); tests pass password_cost::minimum() to stay fast. Verification
/// reads the cost from the stored hash, so hashes of either cost verify.
struct password_cost {
  unsigned long long ops;
  std::size_t mem_bytes;
  static password_cost interactive();
  static password_cost minimum();
};

/// The longest password accepted: Argon2 would take any length, but a login must not be a
/// way to make the server hash megabytes.
inline constexpr std::size_t max_password_bytes = 1024;
/// The shortest password create-user accepts.
inline constexpr std::size_t min_password_bytes = 12;

/// crypto_pwhash_str of `password` ("$argon2id$v=19$..."); throws std::runtime_error when
/// libsodium cannot get the memory.
std::string hash_password(std::string_view password,
                          password_cost cost = password_cost::interactive());

/// True when `password` matches `hash` (a crypto_pwhash_str string). Takes as long as hashing.
bool verify_password(std::string_view hash, std::string_view password);

/// A hash of a random password, to verify against when the name is unknown, so an unknown
/// name costs the same time as a wrong password.
const std::string& decoy_password_hash();

/// `bytes` random bytes as base64url without padding.
std::string random_token(std::size_t bytes = 32);

/// A new API key: "ck_" and 32 random bytes as base64url (46 characters).
std::string new_api_key();
/// The part of a key shown in lists: "ck_" and the next 6 characters.
std::string api_key_prefix(std::string_view key);
/// True when `key` has new_api_key()'s form.
bool looks_like_api_key(std::string_view key);

/// A generated password for create-user: 18 random bytes as base64url (24 characters).
std::string new_password();

/// The digest a token or key is stored and looked up under (BLAKE2b-256, hex). A fast hash is
/// enough: tokens and keys carry 256 random bits, so no one can search for a preimage.
std::string token_digest(std::string_view token);

/// Compares two secrets in time that depends only on their lengths.
bool same_secret(std::string_view a, std::string_view b);

/// Why a login name cannot be used, or nullopt: 1 to 64 characters of letters, digits and
/// ". _ - @".
std::optional<std::string> check_user_name(std::string_view name);
/// Why a new password is refused, or nullopt.
std::optional<std::string> check_new_password(std::string_view password);

}  // namespace civicline::server::auth
