#include "config/rule_packs.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/load.hpp"

namespace civicline::config {

std::vector<rule_pack_file> read_rule_pack_files(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw config_error(dir, {"rule pack directory: not found; expected a folder with en.json"});
  }
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      paths.push_back(entry.path());
    }
  }
  if (ec)
    throw config_error(dir, {"rule pack directory: " + ec.message()});
  if (paths.empty())
    throw config_error(dir, {"rule pack directory: no *.json rule packs in it"});
  std::sort(paths.begin(), paths.end(), [](const auto& a, const auto& b) {
    const bool a_en = a.filename() == "en.json";
    const bool b_en = b.filename() == "en.json";
    return a_en != b_en ? a_en : a.filename() < b.filename();
  });
  std::vector<rule_pack_file> out;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof())
      throw config_error(path, {"cannot read the rule pack"});
    out.push_back(rule_pack_file{path, std::move(text).str()});
  }
  return out;
}

std::filesystem::path rule_pack_dir_for(const std::filesystem::path& config_file) {
  return config_file.parent_path() / "nlp";
}

}  // namespace civicline::config
