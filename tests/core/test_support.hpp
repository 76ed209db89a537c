#pragma once
// The real demo-city config, rule packs and reply templates, loaded once per test program.

#include <memory>

#include "config/load.hpp"
#include "config/rule_packs.hpp"
#include "core/reply_templates.hpp"
#include "nlp/lexicon.hpp"

namespace civicline::core::testing {

struct city {
  config::settings settings;
  std::shared_ptr<const nlp::lexicon> lexicon;
  reply_templates templates;
};

inline const city& demo_city() {
  static const city loaded = [] {
    const std::filesystem::path root = CIVICLINE_SOURCE_DIR;
    auto settings =
        config::load_settings(root / "config" / "civicline.json", config::fixed_environment({}));
    std::vector<nlp::rule_pack_source> packs;
    for (auto& file : config::read_rule_pack_files(root / "config" / "nlp")) {
      packs.push_back({file.path.string(), std::move(file.text)});
    }
    nlp::lexicon_options options;
    options.tracking_id_prefix = settings.city.tracking_id_prefix;
    options.tracking_id_digits = settings.city.tracking_id_digits;
    auto lexicon = nlp::lexicon::compile(packs, options);
    std::vector<std::pair<std::string, std::string>> sources;
    for (auto& file : config::read_rule_pack_files(root / "config" / "templates")) {
      sources.emplace_back(file.path.string(), std::move(file.text));
    }
    return city{std::move(settings), std::move(lexicon), reply_templates::compile(sources)};
  }();
  return loaded;
}

}  // namespace civicline::core::testing
