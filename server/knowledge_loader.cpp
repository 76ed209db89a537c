#include "server/knowledge_loader.hpp"

#include "config/load.hpp"
#include "config/rule_packs.hpp"

namespace civicline::server {

std::shared_ptr<const nlp::lexicon> load_lexicon(const std::filesystem::path& dir,
                                                 const config::city_settings& city) {
  try {
    std::vector<nlp::rule_pack_source> packs;
    for (auto& file : config::read_rule_pack_files(dir)) {
      packs.push_back({file.path.string(), std::move(file.text)});
    }
    nlp::lexicon_options options;
    options.tracking_id_prefix = city.tracking_id_prefix;
    options.tracking_id_digits = city.tracking_id_digits;
    return nlp::lexicon::compile(packs, options);
  } catch (const config::config_error& e) {
    throw knowledge_error(e.what());
  } catch (const nlp::lexicon_error& e) {
    throw knowledge_error(std::string("rule pack: ") + e.what());
  }
}

core::knowledge load_knowledge(const config::settings& settings) {
  core::knowledge known;
  known.lexicon = load_lexicon(settings.content.rule_packs, settings.city);
  try {
    std::vector<std::pair<std::string, std::string>> templates;
    for (auto& file : config::read_rule_pack_files(settings.content.templates)) {
      templates.emplace_back(file.path.string(), std::move(file.text));
    }
    known.templates =
        std::make_shared<const core::reply_templates>(core::reply_templates::compile(templates));
  } catch (const config::config_error& e) {
    throw knowledge_error(e.what());
  } catch (const core::template_error& e) {
    throw knowledge_error(std::string("reply templates: ") + e.what());
  }
  return known;
}

}  // namespace civicline::server
