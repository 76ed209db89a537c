// Fixed numbers of SMS turns through the inbox and the real storage engine (a SQLite file,
// WAL, synchronous=FULL, group commit), without HTTP: the writer thread's share of the
// signed-webhook load, measured in CPU time and instructions rather than in wall time, which
// this machine's disk makes noisy.
//
//   cmake --preset bench && cmake --build --preset bench --target inbox_turns
//   ./build/bench/bench/inbox_turns [turns=40000] [residents=8000] [in_flight=64]
//   perf stat -e instructions:u,task-clock ./build/bench/bench/inbox_turns
//
// The residents walk the load script's report (bench/sms/signed_webhook.lua): a problem, a
// place, "yes", a status question; half the places new, half one of 50 popular ones. `in_flight`
// turns are kept queued, as 64 webhook connections would keep them. Prints the turns per second of
// CPU time of the whole process and the writer's time per turn by phase.

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "config/load.hpp"
#include "core/inbox.hpp"
#include "server/commands/common_options.hpp"
#include "server/knowledge_loader.hpp"

namespace {

using namespace civicline;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

constexpr const char* script[] = {
    "There is a big pothole on Main St near 5th Ave, it is deep and growing, please fix it",
    "it's at %ld N Alma School Rd",
    "yes",
    "what's the status of my report?",
};

/// As the load script: even reports name one of 50 popular places, odd ones a place of their own.
long place_of(long report) {
  const long half = report / 2;
  return report % 2 == 0 ? 1400 + 2 * (half % 50) : 2000 + 2 * (half % 40000);
}

/// CPU seconds of this process's thread called `name` (the writer is "cl-writer"), from /proc.
double thread_cpu_seconds(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string task_name;
    std::getline(comm, task_name);
    if (task_name != name) {
      continue;
    }
    std::ifstream stat(task.path() / "stat");
    std::string field;
    // Fields 14 and 15 (after the name in parentheses, which has no spaces here): utime, stime.
    for (int i = 1; i <= 13; ++i) {
      stat >> field;
    }
    long user = 0;
    long system = 0;
    stat >> user >> system;
    return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const long turns = argc > 1 ? std::stol(argv[1]) : 40000;
  const long residents = argc > 2 ? std::stol(argv[2]) : 8000;
  const long in_flight = argc > 3 ? std::stol(argv[3]) : 64;

  const auto directory = std::filesystem::temp_directory_path() /
                         ("civicline-inbox-turns-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  auto settings = config::load_settings(CIVICLINE_SOURCE_DIR "/config/civicline.json",
                                        config::process_environment());
  settings.storage.database = directory / "civicline.db";
  settings.content.rule_packs = CIVICLINE_SOURCE_DIR "/config/nlp";
  settings.content.templates = CIVICLINE_SOURCE_DIR "/config/templates";
  settings.sms.max_messages_per_minute = 0;  // as the load script's run
  const auto known = server::load_knowledge(settings);

  double writer_work = 0;
  double writer_commit = 0;
  double cpu = 0;
  double writer_cpu = 0;
  double wall = 0;
  {
    storage::database db(server::database_options_from(settings.storage));
    core::inbox inbox(db, settings, [&known] { return known; });

    std::mutex mutex;
    std::condition_variable finished;
    long started = 0;
    long done = 0;
    long failed = 0;
    const auto cpu_before = cpu_seconds();
    const auto wall_before = std::chrono::steady_clock::now();
    const auto stats_before = db.stats();
    const auto writer_cpu_before = thread_cpu_seconds("cl-writer");
    std::unique_lock lock(mutex);
    while (done < turns) {
      while (started < turns && started - done < in_flight) {
        const long n = started++;
        core::inbound_message message;
        char from[32];
        std::snprintf(from, sizeof from, "+1555%07ld", n % residents);
        message.from = {core::channel::sms, from};
        const long visit = n / residents;
        char text[128];
        std::snprintf(text, sizeof text, script[visit % 4],
                      place_of(visit / 4 * residents + n % residents));
        message.text = text;
        message.external_id = "twilio:SM" + std::to_string(n);
        message.received_at = std::chrono::system_clock::now();
        lock.unlock();
        inbox.receive(std::move(message), [&](std::exception_ptr error, core::turn_result) {
          std::lock_guard done_lock(mutex);
          ++done;
          failed += error ? 1 : 0;
          finished.notify_one();
        });
        lock.lock();
      }
      finished.wait(
          lock, [&] { return (started < turns && started - done < in_flight) || done >= turns; });
    }
    lock.unlock();
    cpu = cpu_seconds() - cpu_before;
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
    const auto stats = db.stats();
    writer_cpu = thread_cpu_seconds("cl-writer") - writer_cpu_before;
    writer_work = std::chrono::duration<double>(stats.working - stats_before.working).count();
    writer_commit =
        std::chrono::duration<double>(stats.committing - stats_before.committing).count();
    std::printf("turns %ld (failed %ld), residents %ld, in flight %ld, batches %llu\n", turns,
                failed, residents, in_flight,
                static_cast<unsigned long long>(stats.batches - stats_before.batches));
  }
  std::filesystem::remove_all(directory);
  std::printf("cpu %.1f us/turn (%.0f turns per CPU second); wall %.0f turns/s\n",
              cpu / turns * 1e6, turns / cpu, turns / wall);
  std::printf(
      "writer thread: cpu %.1f us/turn; wall in work %.1f us/turn, in commit %.1f us/turn\n",
      writer_cpu / turns * 1e6, writer_work / turns * 1e6, writer_commit / turns * 1e6);
}
