#include "storage/backup.hpp"

#include <SQLiteCpp/Backup.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "storage/database.hpp"

namespace civicline::storage {

namespace {

void sync_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    throw storage_error("backup " + file.string() + ": cannot sync it to disk");
  }
  ::close(fd);
}

}  // namespace

backup_result backup_database(SQLite::Database& source, const std::filesystem::path& target) {
  const auto directory = target.has_parent_path() ? target.parent_path() : ".";
  if (!std::filesystem::is_directory(directory)) {
    throw storage_error("backup " + target.string() + ": the directory " + directory.string() +
                        " does not exist; create it or choose another path");
  }
  const auto temporary = std::filesystem::path(target.string() + ".partial");
  std::filesystem::remove(temporary);
  backup_result result;
  try {
    {
      SQLite::Database copy(temporary.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      SQLite::Backup backup(copy, source);
      // One step copies every page under one read snapshot: in WAL mode the writer is not
      // blocked, and the copy is consistent (several smaller steps would restart whenever
      // the server commits).
      backup.executeStep(-1);
      result.pages = backup.getTotalPageCount();
      if (copy.execAndGet("PRAGMA quick_check").getString() != "ok") {
        throw storage_error("backup " + target.string() + ": the copy fails SQLite's check");
      }
      result.schema_version = copy.execAndGet("PRAGMA user_version").getInt();
    }
    sync_file(temporary);
    std::filesystem::rename(temporary, target);
    sync_file(directory);  // the rename itself is durable
  } catch (const storage_error&) {
    std::filesystem::remove(temporary);
    throw;
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw storage_error("backup " + target.string() + ": " + e.what());
  }
  result.bytes = static_cast<std::int64_t>(std::filesystem::file_size(target));
  return result;
}

}  // namespace civicline::storage
