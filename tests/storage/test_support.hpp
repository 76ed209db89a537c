#pragma once
// Helpers shared by the storage tests: real temp files and exception-message matching.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "storage/database.hpp"

namespace civicline::storage::testing {

/// A uniquely named directory under the system temp directory, removed with
/// everything in it (database, -wal, -shm) when the test ends.
class temp_directory {
 public:
  temp_directory() {
    static std::atomic<unsigned> counter{0};
    std::random_device entropy;
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("civicline-storage-test-" + std::to_string(entropy()) + "-" + std::to_string(now) +
             "-" + std::to_string(counter++));
    std::filesystem::create_directory(path_);
  }
  ~temp_directory() {
    std::error_code ignored;  // never throw from a destructor; a leftover temp dir is harmless
    std::filesystem::remove_all(path_, ignored);
  }
  temp_directory(const temp_directory&) = delete;
  temp_directory& operator=(const temp_directory&) = delete;

  /// The directory itself.
  const std::filesystem::path& path() const { return path_; }
  /// A file name inside it.
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// A fresh database (two readers, a 2 s busy timeout) in its own temp directory; the tests'
/// fixtures add their shorthands to it.
struct fresh_database {
  temp_directory dir;
  database db{options()};

  database_options options() const {
    database_options o;
    o.path = dir.file("civicline.db");
    o.readers = 2;
    o.busy_timeout = std::chrono::milliseconds(2'000);
    return o;
  }
};

/// Matches an exception whose what() contains every one of `parts`
/// (Catch2 v2's Message matcher only compares whole messages).
class what_contains : public Catch::MatcherBase<std::exception> {
 public:
  explicit what_contains(std::vector<std::string> parts) : parts_(std::move(parts)) {}

  bool match(const std::exception& error) const override {
    const std::string message = error.what();
    for (const std::string& part : parts_) {
      if (message.find(part) == std::string::npos) {
        return false;
      }
    }
    return true;
  }

  std::string describe() const override {
    std::string description = "has a message containing";
    for (const std::string& part : parts_) {
      description += " \"" + part + "\"";
    }
    return description;
  }

 private:
  std::vector<std::string> parts_;
};

}  // namespace civicline::storage::testing
