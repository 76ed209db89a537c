#pragma once
// Loads what the bot knows — the NLP rule packs (config/nlp/*.json) and the
// reply templates (config/templates/*.json) next to the config file — and
// keeps the current version for live reload (SIGHUP).

#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "config/settings.hpp"
#include "core/inbox.hpp"

namespace civicline::server {

/// The rule packs or templates cannot be used; the message names the file and the problem.
class knowledge_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads and compiles the rule packs in `dir` for tracking ids of the form `city` sets.
/// Throws knowledge_error.
std::shared_ptr<const nlp::lexicon> load_lexicon(const std::filesystem::path& dir,
                                                 const config::city_settings& city);

/// Reads and compiles the rule packs and templates for `settings`. Throws knowledge_error.
core::knowledge load_knowledge(const config::settings& settings);

/// The knowledge in force, swapped as a whole so a turn never sees half of a reload.
class live_knowledge {
 public:
  explicit live_knowledge(core::knowledge initial) : current_(std::move(initial)) {}
  core::knowledge current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void replace(core::knowledge next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  core::knowledge current_;
};

}  // namespace civicline::server
