#include "server/knowledge_loader.hpp"

#include "config/load.hpp"
#include "config/rule_packs.hpp"

namespace civicline::server {

core::knowledge load_knowledge(const config::settings& settings) {
  core::knowledge known;
  try {
    std::vector<nlp::rule_pack_source> packs;
    for (auto& file : config::read_rule_pack_files(settings.content.rule_packs)) {
      packs.push_back({file.path.string(), std::move(file.text)});
    }
    nlp::lexicon_options options;
    options.tracking_id_prefix = settings.city.tracking_id_prefix;
    options.tracking_id_digits = settings.city.tracking_id_digits;
    known.lexicon = nlp::lexicon::compile(packs, options);

    std::vector<std::pair<std::string, std::string>> templates;
    for (auto& file : config::read_rule_pack_files(settings.content.templates)) {
      templates.emplace_back(file.path.string(), std::move(file.text));
    }
    known.templates =
        std::make_shared<const core::reply_templates>(core::reply_templates::compile(templates));
  } catch (const config::config_error& e) {
    throw knowledge_error(e.what());
  } catch (const nlp::lexicon_error& e) {
    throw knowledge_error(std::string("rule pack: ") + e.what());
  } catch (const core::template_error& e) {
    throw knowledge_error(std::string("reply templates: ") + e.what());
  }
  return known;
}

}  // namespace civicline::server
