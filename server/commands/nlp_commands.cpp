#include "server/commands/nlp_commands.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "config/load.hpp"
#include "nlp/evaluate.hpp"
#include "nlp/understand.hpp"
#include "server/commands/common_options.hpp"
#include "server/exit_codes.hpp"
#include "server/knowledge_loader.hpp"

namespace civicline::server {
namespace {

struct nlp_options {
  common_options common;
  std::string rules_dir;  ///< --rules; empty = "nlp" next to the config file, else config/nlp
  std::string text;
  bool jsonl = false;
  std::string expect;   ///< --expect location|yes_no|choice|description
  std::string lang;     ///< --lang en|es: the conversation's language
  std::string file;     ///< eval input
  bool misses = false;  ///< eval: list every message read differently from its label
};

void add_rule_options(CLI::App& command, nlp_options& options) {
  command
      .add_option("-c,--config", options.common.config_file,
                  "The city's JSON config file (tracking id form, default rule packs)")
      ->envname("CIVICLINE_CONFIG")
      ->capture_default_str();
  command.add_option("--rules", options.rules_dir,
                     "Folder of rule packs (default: nlp/ next to --config, else config/nlp)");
}

// Loads the config (for the tracking id form and content.rule_packs) when it exists, then the
// rule packs: --rules, else the config's, else config/nlp.
std::shared_ptr<const nlp::lexicon> load_lexicon(const nlp_options& options) {
  config::city_settings city;
  std::filesystem::path dir = options.rules_dir;
  std::error_code ec;
  if (std::filesystem::exists(options.common.config_file, ec)) {
    auto settings = load_settings_or_report(options.common);
    if (!settings)
      return nullptr;
    city = settings->city;
    if (dir.empty())
      dir = settings->content.rule_packs;
  }
  if (dir.empty())
    dir = "config/nlp";
  try {
    return civicline::server::load_lexicon(dir, city);
  } catch (const knowledge_error& e) {
    std::cerr << "civicline: the rule packs cannot be used: " << e.what() << "\n";
  }
  return nullptr;
}

std::optional<nlp::context> context_from(const nlp_options& options) {
  nlp::context ctx;
  if (!options.lang.empty()) {
    ctx.language_hint = nlp::language_from_string(options.lang);
    if (!ctx.language_hint)
      return std::nullopt;
  }
  if (options.expect == "location") {
    ctx.expecting = nlp::expectation::location;
  } else if (options.expect == "yes_no") {
    ctx.expecting = nlp::expectation::yes_no;
  } else if (options.expect == "choice") {
    ctx.expecting = nlp::expectation::choice;
  } else if (options.expect == "description") {
    ctx.expecting = nlp::expectation::description;
  } else if (!options.expect.empty()) {
    return std::nullopt;
  }
  return ctx;
}

int run_classify(const nlp_options& options) {
  const auto lex = load_lexicon(options);
  if (!lex)
    return exit_code::bad_config;
  const auto ctx = context_from(options);
  if (!ctx) {
    std::cerr << "civicline classify: --expect must be location, yes_no, choice or description; "
                 "--lang must be en or es\n";
    return exit_code::usage;
  }
  if (!options.jsonl) {
    if (options.text.empty()) {
      std::cerr << "civicline classify: give the text to classify, or --jsonl to read stdin\n";
      return exit_code::usage;
    }
    std::cout << nlp::to_json(nlp::understand(options.text, *lex, *ctx)) << "\n";
    return exit_code::ok;
  }
  // One JSON object per line in, one understanding per line out, in the same order.
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) {
      std::cout << nlohmann::json{{"error", "line " + std::to_string(line_no) +
                                                ": expected {\"text\": \"...\"}"}}
                       .dump()
                << "\n";
      continue;
    }
    std::cout << nlp::to_json(nlp::understand(j["text"].get<std::string>(), *lex, *ctx)) << "\n";
  }
  return exit_code::ok;
}

int run_eval(const nlp_options& options) {
  const auto lex = load_lexicon(options);
  if (!lex)
    return exit_code::bad_config;
  std::ifstream in(options.file, std::ios::binary);
  if (!in) {
    std::cerr << "civicline eval: cannot read " << options.file << "\n";
    return exit_code::usage;
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::vector<nlp::labeled_message> messages;
  try {
    messages = nlp::parse_labeled_messages(content.str());
  } catch (const std::invalid_argument& e) {
    std::cerr << "civicline eval: " << options.file << ": " << e.what() << "\n";
    return exit_code::usage;
  }
  const auto start = std::chrono::steady_clock::now();
  const nlp::evaluation result = nlp::evaluate(messages, *lex);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::cout << options.file << ": " << messages.size() << " messages\n"
            << nlp::format_evaluation(result);
  if (options.misses)
    std::cout << "misses (field: expected -> predicted | message)\n"
              << nlp::format_misses(messages, result);
  char line[128];
  std::snprintf(line, sizeof line, "classified in %.3f s (%.0f messages/s, one thread)\n",
                took.count(), took.count() > 0 ? messages.size() / took.count() : 0.0);
  std::cout << line;
  return exit_code::ok;
}

}  // namespace

void add_nlp_commands(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<nlp_options>();

  CLI::App* classify =
      app.add_subcommand("classify", "Print what the NLP module understands in a message (JSON)");
  add_rule_options(*classify, *options);
  classify->add_option("text", options->text, "The message");
  classify->add_flag("--jsonl", options->jsonl,
                     "Read {\"text\": ...} per line on stdin, write one understanding per line");
  classify->add_option("--expect", options->expect,
                       "What the dialog asked for: location, yes_no, choice, description");
  classify->add_option("--lang", options->lang, "The conversation's language: en or es");
  classify->callback([options, &exit_status] { exit_status = run_classify(*options); });

  CLI::App* eval = app.add_subcommand(
      "eval", "Measure the rule packs on labelled messages (CSV text,category or JSONL)");
  add_rule_options(*eval, *options);
  eval->add_option("file", options->file,
                   "CSV with text and category (and intent) columns, or JSON lines with text "
                   "and any of intent, category, lang, address, tracking_id, context")
      ->required();
  eval->add_flag("--misses", options->misses,
                 "Also list every message the rules read differently from its labels");
  eval->callback([options, &exit_status] { exit_status = run_eval(*options); });
}

}  // namespace civicline::server
