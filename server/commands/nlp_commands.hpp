#pragma once
// `civicline classify` and `civicline eval`: the NLP module from the command line, so a
// city can try and measure its rule packs (config/nlp/*.json) without running the server.

#include <CLI/CLI.hpp>

namespace civicline::server {

/// Adds `classify "text"`, `classify --jsonl` and `eval FILE`; failures set `exit_status`.
void add_nlp_commands(CLI::App& app, int& exit_status);

}  // namespace civicline::server
