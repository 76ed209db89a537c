#pragma once
// Reading the NLP rule packs (config/nlp/*.json) from disk. Only the I/O lives here; the
// nlp library compiles the text into a lexicon.

#include <filesystem>
#include <string>
#include <vector>

namespace civicline::config {

struct rule_pack_file {
  std::filesystem::path path;
  std::string text;
};

/// Reads every *.json file in `dir`, "en.json" first (the default language), the rest by
/// name. Throws config_error when the directory is missing, empty or a file is unreadable.
std::vector<rule_pack_file> read_rule_pack_files(const std::filesystem::path& dir);

/// The rule-pack directory for a config file: "nlp" next to it.
std::filesystem::path rule_pack_dir_for(const std::filesystem::path& config_file);

}  // namespace civicline::config
