#pragma once

#include <CLI/CLI.hpp>

namespace civicline::server {

/// `civicline create-user` and `civicline create-api-key`: the first admin account and keys
/// for integrations, from a shell. Each secret is printed once and stored only hashed.
void add_staff_commands(CLI::App& app, int& exit_status);

}  // namespace civicline::server
