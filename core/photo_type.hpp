#pragma once
// What kind of photo a file is, read from its first bytes (the "magic numbers"), never from
// a name or a Content-Type a client chose. Pure.

#include <optional>
#include <string_view>

namespace civicline::core {

enum class photo_type { jpeg, png, heic };

/// The type of `bytes` when it starts like a JPEG, PNG or HEIC/HEIF file; nullopt otherwise.
std::optional<photo_type> sniff_photo_type(std::string_view bytes);

/// "image/jpeg", "image/png", "image/heic".
std::string_view media_type_of(photo_type type);

/// "jpg", "png", "heic": the extension of the stored file.
std::string_view extension_of(photo_type type);

}  // namespace civicline::core
