#include "server/commands/serve_command.hpp"

#include <pthread.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "config/load.hpp"
#include "server/app_context.hpp"
#include "server/chat_delivery.hpp"
#include "server/commands/common_options.hpp"
#include "server/exit_codes.hpp"
#include "server/http/http_server.hpp"
#include "server/knowledge_loader.hpp"
#include "server/logging.hpp"
#include "server/routes/attachment_routes.hpp"
#include "server/routes/chat_feed_routes.hpp"
#include "server/routes/chat_routes.hpp"
#include "server/routes/open311_routes.hpp"
#include "server/routes/public_routes.hpp"
#include "server/routes/sms_routes.hpp"
#include "server/routes/staff_routes.hpp"
#include "server/routes/status_routes.hpp"
#include "server/routes/storage_faults.hpp"
#include "server/routes/system_routes.hpp"
#include "server/sms_dispatcher.hpp"
#include "server/webhook_dispatcher.hpp"

namespace civicline::server {
namespace {

/// How long requests in flight may take to finish after SIGTERM.
constexpr std::chrono::seconds shutdown_grace{10};

http_limits http_limits_from(const config::settings& s) {
  return {s.http.max_body_bytes, s.http.max_header_bytes,
          s.http.header_timeout, s.http.read_timeout,
          s.http.idle_timeout,   s.http.max_connections,
          s.log.access_log,      {attachment_body_limit(s.attachments)}};
}

void print_banner(const config::settings& s, const std::string& base_url) {
  std::cerr << "civicline is serving " << s.city.name << "\n"
            << "  home page        " << base_url << "/\n"
            << "  health           " << base_url << "/healthz\n"
            << "  readiness        " << base_url << "/readyz\n"
            << "  metrics          " << base_url << "/metrics\n"
            << "  web chat         " << base_url << "/chat/\n"
            << "  staff console    " << base_url << "/console/\n"
            << "  public dashboard " << base_url << "/public/\n"
            << "  request status   " << base_url << "/r/{tracking id}\n"
            << "  open data        " << base_url << "/data/requests.csv (and .json)\n"
            << "  SMS webhook      " << base_url << "/sms/twilio (Twilio signs for "
            << s.server.public_base_url << "/sms/twilio)\n"
            << "Try it: build/release/server/civicline chat --config " << s.source_file.string()
            << "\n"
            << "    or: build/release/server/civicline sms send --config " << s.source_file.string()
            << " --from +15550001111 \"pothole on Main St\"\n"
            << "Staff login: build/release/server/civicline create-user --role admin --name you "
               "--config "
            << s.source_file.string() << "\n"
            << "Stop with Ctrl-C.\n";
}

/// Re-reads the config file on SIGHUP and applies what can change live; a bad file is
/// reported and the running settings stay.
/// Settings that need a restart (listen address, database, categories) keep their values.
void reload(const common_options& options, live_knowledge& knowledge) {
  auto fresh = load_settings_or_report(options);
  if (!fresh) {
    log_event(log_level::error, "config_reload_failed",
              {{"config", options.config_file}, {"kept", "previous settings"}});
    return;
  }
  try {
    knowledge.replace(load_knowledge(*fresh));
  } catch (const knowledge_error& e) {
    log_event(log_level::error, "config_reload_failed",
              {{"config", options.config_file}, {"error", e.what()}, {"kept", "previous rules"}});
    return;
  }
  set_log_level(parse_log_level(fresh->log.level));
  log_event(log_level::info, "config_reloaded", {{"config", options.config_file}});
}

/// Prints the router's table, one JSON object a line: {"method", "pattern", "access"}.
void print_routes(const router& routes) {
  for (const auto& route : routes.routes()) {
    std::cout << nlohmann::json{{"method", route.method},
                                {"pattern", route.pattern},
                                {"access", to_string(route.access)}}
                     .dump()
              << "\n";
  }
}

/// What serve() does once the routes are built.
enum class serve_mode : std::uint8_t { serve, list_routes };

int serve(const common_options& options, serve_mode mode = serve_mode::serve) {
  auto loaded = load_settings_or_report(options);
  if (!loaded) {
    return exit_code::bad_config;
  }
  const config::settings& settings = *loaded;
  init_logging(parse_log_level(settings.log.level));
  // Past a file size limit (ulimit -f), the kernel's default for SIGXFSZ kills the process;
  // ignored, the write fails with EFBIG instead, SQLite reports "disk full" and the server
  // answers 503 until the limit is raised, like any full disk.
  std::signal(SIGXFSZ, SIG_IGN);

  std::optional<live_knowledge> knowledge;
  try {
    knowledge.emplace(load_knowledge(settings));
  } catch (const knowledge_error& e) {
    std::cerr << "civicline: " << e.what() << "\n";
    return exit_code::bad_config;
  }

  std::unique_ptr<storage::database> db;
  try {
    db = std::make_unique<storage::database>(database_options_from(settings.storage));
  } catch (const std::exception& e) {
    std::cerr << "civicline: cannot open the database: " << e.what() << "\n";
    return exit_code::storage_unavailable;
  }

  http_metrics metrics;
  static_files web;
  app_context app{settings, *db, metrics, web};
  core::inbox inbox(*db, settings, [&knowledge] { return knowledge->current(); });
  const int threads = settings.server.threads > 0
                          ? settings.server.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  boost::asio::io_context io(threads);
  sms_dispatcher sms_out(io.get_executor(), *db, settings, metrics);
  webhook_dispatcher webhooks_out(io.get_executor(), *db, settings, metrics);

  router routes;
  // A full disk, a read-only file or an I/O error on any route's write answers 503
  // storage_unavailable (send again later), not a 500.
  routes.set_failure_answer(answer_storage_fault);
  add_system_routes(routes, app);
  chat_delivery chat_out(io.get_executor(), *db);
  chat_context chat(settings, *db, inbox);
  attachment_store attachments(*db, settings);
  add_chat_routes(routes, chat, attachments);
  add_chat_feed_routes(routes, chat);
  add_attachment_routes(routes, app, attachments, chat.secure_cookies);
  add_sms_routes(routes, app, inbox, [&sms_out] { sms_out.wake(); });
  add_staff_routes(routes, app, *knowledge, [&sms_out, &chat_out, &webhooks_out] {
    sms_out.wake();
    chat_out.wake();
    webhooks_out.wake();  // the same change wrote outbox events
  });
  // The public figures are counted here; declared after `routes`, so it is joined first.
  boost::asio::thread_pool counting(1);
  add_public_routes(routes, app, counting.get_executor());
  add_open311_routes(routes, app);
  add_status_routes(routes, app, *knowledge, attachments);
  if (mode == serve_mode::list_routes) {
    // The same table serve answers from, built the same way; nothing was started.
    print_routes(routes);
    return exit_code::ok;
  }
  http_server server(io, http_limits_from(settings), routes, metrics);
  std::uint16_t port = 0;
  try {
    port = server.listen(settings.server.listen_host, settings.server.listen_port);
  } catch (const std::exception& e) {
    std::cerr << "civicline: cannot listen on " << settings.server.listen_host << ":"
              << settings.server.listen_port << ": " << e.what()
              << " (pick another port with --listen or server.listen)\n";
    return exit_code::cannot_listen;
  }
  const auto host = settings.server.listen_host.find(':') == std::string::npos
                        ? settings.server.listen_host
                        : "[" + settings.server.listen_host + "]";
  const std::string base_url = "http://" + host + ":" + std::to_string(port);
  log_event(log_level::info, "listening",
            {{"url", base_url}, {"threads", threads}, {"database", settings.storage.database}});
  flush_logs();  // whoever waits for "listening" sees it now
  print_banner(settings, base_url);
  sms_out.start();
  chat_out.start();
  webhooks_out.start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) {
          return;
        }
        if (signal == SIGHUP) {
          reload(options, *knowledge);
          signals.async_wait(on_signal);
          return;
        }
        log_event(log_level::info, "shutting_down", {{"signal", signal}});
        sms_out.stop();
        chat_out.stop();
        webhooks_out.stop();
        chat.stopping = true;  // long-polls answer now; WebSockets close with "going away"
        server.shutdown(shutdown_grace, [&] {
          db->drain();  // every acknowledged write is committed before we exit
          io.stop();
        });
      };
  signals.async_wait(on_signal);

  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) {
    workers.emplace_back([&io, i] {
      const std::string name = "cl-io-" + std::to_string(i);  // for top -H, perf and gdb
      pthread_setname_np(pthread_self(), name.c_str());
      io.run();
    });
  }
  io.run();
  for (auto& worker : workers) {
    worker.join();
  }
  counting.stop();  // a count under way finishes; queued ones are dropped
  counting.join();
  db.reset();
  log_event(log_level::info, "stopped");
  flush_logs();
  return exit_code::ok;
}

int migrate(const common_options& options) {
  auto settings = load_settings_or_report(options);
  if (!settings) {
    return exit_code::bad_config;
  }
  try {
    storage::database db(database_options_from(settings->storage));
    std::cout << "database " << db.path().string() << " is at schema version "
              << db.schema_version() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "civicline: cannot migrate the database: " << e.what() << "\n";
    return exit_code::storage_unavailable;
  }
  return exit_code::ok;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<common_options>();
  auto* command = app.add_subcommand("serve", "Run the HTTP server until SIGTERM or SIGINT");
  add_data_options(*command, *options);
  command->add_option("--listen", options->listen,
                      "HOST:PORT to listen on (overrides CIVICLINE_LISTEN and server.listen; "
                      "port 0 picks a free port)");
  command->callback([options, &exit_status] { exit_status = serve(*options); });
}

void add_routes_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<common_options>();
  auto* command = app.add_subcommand(
      "routes",
      "Print every HTTP route serve would answer, with who may call it, as JSON lines "
      "(opens the configured database like serve)");
  add_data_options(*command, *options);
  command->callback(
      [options, &exit_status] { exit_status = serve(*options, serve_mode::list_routes); });
}

void add_migrate_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<common_options>();
  auto* command = app.add_subcommand("migrate", "Create or upgrade the database, then exit");
  add_data_options(*command, *options);
  command->callback([options, &exit_status] { exit_status = migrate(*options); });
}

}  // namespace civicline::server
