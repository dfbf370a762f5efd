// The SQLite dialect: the embedded default. WAL with synchronous=FULL, so an acknowledged event
// survives power loss; BEGIN IMMEDIATE is the chain lock, between processes too.

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "core/c_handle.h"
#include "ledger/file_mode.h"
#include "ledger/raw_reader.h"
#include "ledger/sql_dialect.h"
#include "ledger/sql_schema.h"

namespace charta::ledger::sql {
namespace {

using namespace Poco::Data::Keywords;

constexpr std::size_t kOpenTimeoutSeconds = 2;

// The SQLite file's header (https://www.sqlite.org/fileformat.html, section 1.3): the page size
// at offset 16, and at 28 the page count, valid when the change counter at 24 equals the
// "version valid for" number at 92.
std::uint32_t bigEndian32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Why the header "h" of a file of "size" bytes cannot be the ledger charta wrote, or "".
// Only a ledger closed cleanly (no WAL content) can be judged truncated by its header: a
// checkpoint writes page 1 (the new page count) before the pages that extend the file, and a
// crash in between leaves exactly that, which SQLite's recovery completes from the WAL.
std::string headerDamage(const unsigned char (&h)[100], std::uintmax_t size) {
  std::uint64_t pageSize = (std::uint32_t{h[16]} << 8) | h[17];
  if (pageSize == 1) pageSize = 65536;
  const std::uint32_t pages = bigEndian32(h + 28);
  if (bigEndian32(h + 24) == bigEndian32(h + 92) && pages > 0 && size < pages * pageSize) {
    return "it is truncated: " + std::to_string(size) + " bytes where its header says " +
           std::to_string(pages) + " pages of " + std::to_string(pageSize) + " bytes";
  }
  return "";
}

// Why the existing ledger file at "path" cannot be the ledger charta wrote, or "" when it can
// (or does not exist yet). Read-only: a damaged file is evidence and is never written to.
std::string damageOf(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "";
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return "cannot read its size: " + ec.message();
  // Frames in the -wal file: the main file may lag behind them, and SQLite's recovery reads them
  // first.
  std::error_code walEc;
  const std::filesystem::path wal = path.string() + "-wal";
  const bool walFrames =
      std::filesystem::exists(wal, walEc) && std::filesystem::file_size(wal, walEc) > 0;
  if (size == 0) {
    // SQLite writes the header at the first transaction; until a checkpoint the pages may all be
    // in the -wal file. An empty file with no -wal content holds no events: it is not ours.
    if (walFrames) return "";
    return "the file is empty (if it was never used, delete it)";
  }
  unsigned char h[100] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(h), sizeof h);
  if (in.gcount() < static_cast<std::streamsize>(sizeof h) ||
      std::memcmp(h, "SQLite format 3", 16) != 0) {
    return "it is not an SQLite database (" + std::to_string(size) + " bytes)";
  }
  return walFrames ? "" : headerDamage(h, size);
}

class SqliteDialect final : public Dialect {
 public:
  SqliteDialect(std::string file, std::chrono::milliseconds busyTimeout,
                const std::optional<std::string>& group)
      : file_(std::move(file)), busyTimeout_(busyTimeout), mode_(fileModeFor(group)) {}

  std::string_view name() const override { return "sqlite"; }
  std::string sql(std::string_view text) const override { return std::string(text); }

  void checkBeforeOpen() const override {
    // Checked before SQLite opens the file: opening would write to it (WAL recovery, schema). A
    // checkpoint of another process extends the file after rewriting its header, so a mismatch
    // must last a moment to count.
    std::string damage = damageOf(file_);
    for (int i = 0; i < 3 && !damage.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      damage = damageOf(file_);
    }
    if (!damage.empty()) {
      throw StorageError("the consent ledger file " + file_ + " is damaged: " + damage +
                         "; it is left untouched: restore it from a backup");
    }
    prepareLedgerFiles(file_, mode_);  // throws StorageError: others can write it
  }

  // Two processes opening a new ledger at once race to switch it to WAL, which SQLite answers
  // with "database is locked" without waiting.
  bool transientOpenFailure() const override {
    try {
      throw;
    } catch (const Poco::Data::SQLite::DBLockedException&) {
      return true;
    } catch (...) {
      return false;
    }
  }

  std::unique_ptr<Session> connect() const override {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    // Poco retries a failed open until its login timeout: fail at once when the folder is
    // missing, and keep the retries short otherwise.
    std::filesystem::path folder = std::filesystem::path(file_).parent_path();
    if (!folder.empty() && !std::filesystem::is_directory(folder)) {
      throw StorageError("the consent ledger's folder does not exist: " + folder.string());
    }
    auto s = std::make_unique<Session>("SQLite", file_, kOpenTimeoutSeconds);
    int ignored = 0;
    *s << "PRAGMA busy_timeout = " + std::to_string(busyTimeout_.count()), into(ignored), now;
    *s << "PRAGMA synchronous = FULL", now;
    // Erased values are overwritten with zeros, not left in free pages.
    *s << "PRAGMA secure_delete = ON", into(ignored), now;
    prepareLedgerFiles(file_, mode_);  // the -wal and -shm files SQLite made
    return s;
  }

  void beginWrite(Session& s) const override { s << "BEGIN IMMEDIATE", now; }
  void commit(Session& s) const override { s << "COMMIT", now; }
  void rollback(Session& s) const noexcept override {
    try {
      s << "ROLLBACK", now;
    } catch (...) {
    }
  }
  // The first read in a deferred transaction pins the WAL snapshot.
  void beginRead(Session& s) const override { s << "BEGIN", now; }
  void endRead(Session& s) const override { s << "COMMIT", now; }

  std::string headForUpdate() const override {
    // BEGIN IMMEDIATE holds the lock.
    return "SELECT CAST(seq AS TEXT), hash FROM chain_head WHERE id = 1";
  }

  std::vector<Row> select(Session& s, std::string_view text,
                          const std::vector<std::string>& params) const override {
    std::vector<Param> bound;
    bound.reserve(params.size());
    for (const std::string& p : params) bound.push_back(Param::text(p));
    std::vector<Row> rows;
    run(s, text, bound, [&rows](sqlite3_stmt* st) {
      const int columns = sqlite3_column_count(st);
      Row& row = rows.emplace_back();
      row.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) {
          row.emplace_back();
          continue;
        }
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(st, c));
        row.emplace_back(std::in_place, bytes ? bytes : "",
                         static_cast<std::size_t>(sqlite3_column_bytes(st, c)));
      }
    });
    return rows;
  }

  void execute(Session& s, std::string_view text, std::span<const Param> params) const override {
    run(s, text, params, [](sqlite3_stmt*) {});
  }

  void beforeMigration(Session& s) const override {
    std::string mode;
    s << "PRAGMA journal_mode = WAL", into(mode), now;
    if (mode != "wal") throw StorageError("SQLite refused WAL journal mode (got " + mode + ")");
  }
  void lockMigration(Session&) const override {}  // BEGIN IMMEDIATE is the lock

  const std::vector<std::string>& schemaV2() const override {
    static const std::vector<std::string> statements = [] {
      std::vector<std::string> out = createTablesV2("INTEGER", "BLOB");
      // Append-only: refuse casual edits. (Whoever can drop a trigger can also edit; verify()
      // is what finds that.)
      for (const std::string& t : appendOnlyTables()) {
        for (const char* op : {"update", "delete"}) {
          out.push_back("CREATE TRIGGER " + t + "_no_" + op + " BEFORE " + op + " ON " + t +
                        " BEGIN SELECT RAISE(ABORT, '" + t + " is append-only'); END");
        }
      }
      // The erasable tables: only erasure deletes personal values and a subject's key.
      out.push_back(
          "CREATE TRIGGER personal_no_update BEFORE UPDATE ON personal"
          " BEGIN SELECT RAISE(ABORT, 'personal values are erased, never changed'); END");
      out.push_back(
          "CREATE TRIGGER subjects_no_delete BEFORE DELETE ON subjects"
          " BEGIN SELECT RAISE(ABORT, 'subjects are erased, never deleted'); END");
      out.push_back(
          "CREATE TRIGGER subjects_keep_key BEFORE UPDATE ON subjects WHEN NEW.lookup <>"
          " OLD.lookup OR (OLD.subject_key IS NOT NULL AND NEW.subject_key IS NOT NULL)"
          " BEGIN SELECT RAISE(ABORT, 'a subject key is only ever erased'); END");
      return out;
    }();
    return statements;
  }
  std::vector<std::string> chainHead() const override { return createChainHead("INTEGER"); }
  std::vector<std::string> dropV1() const override { return {"DROP TABLE consent_events"}; }

  void afterErase(Session& s) const override {
    try {
      int busy = 0, log = 0, done = 0;
      s << "PRAGMA wal_checkpoint(TRUNCATE)", into(busy), into(log), into(done), now;
    } catch (...) {
    }
  }

  std::unique_ptr<RawReader> rawReader() const override {
    return sqliteRawReader(file_, busyTimeout_);
  }

  Settings settings(Session& s) const override {
    std::string mode;
    int sync = -1, timeout = -1;
    s << "PRAGMA journal_mode", into(mode), now;
    s << "PRAGMA synchronous", into(sync), now;
    s << "PRAGMA busy_timeout", into(timeout), now;
    return {{"journal_mode", mode},
            {"synchronous", std::to_string(sync)},
            {"busy_timeout", std::to_string(timeout)},
            {"chain_lock", "BEGIN IMMEDIATE"}};
  }

 private:
  // Prepares "text", binds "params", calls "row" for each row. throws StorageError.
  template <typename OnRow>
  void run(Session& s, std::string_view text, std::span<const Param> params, OnRow&& row) const {
    sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(s);
    auto fail = [db]() -> StorageError {
      return StorageError(std::string("SQLite refused a statement: ") + sqlite3_errmsg(db));
    };
    const std::string statement = sql(text);
    sqlite3_stmt* raw = nullptr;
    const int prepared = sqlite3_prepare_v2(db, statement.c_str(),
                                            static_cast<int>(statement.size()), &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, core::CFree<sqlite3_finalize>> st(raw);
    if (prepared != SQLITE_OK) throw fail();
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      const int at = static_cast<int>(i + 1);
      const int n = static_cast<int>(p.bytes.size());
      const int rc = p.kind == Param::Kind::kInt ? sqlite3_bind_int64(st.get(), at, p.number)
                     : p.kind == Param::Kind::kBlob
                         ? sqlite3_bind_blob(st.get(), at, p.bytes.data(), n, SQLITE_STATIC)
                         : sqlite3_bind_text(st.get(), at, p.bytes.data(), n, SQLITE_STATIC);
      if (rc != SQLITE_OK) throw fail();
    }
    int rc = 0;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) row(st.get());
    if (rc != SQLITE_DONE) throw fail();
  }

  std::string file_;
  std::chrono::milliseconds busyTimeout_;
  FileMode mode_;
};

}  // namespace

std::unique_ptr<Dialect> sqliteDialect(const Location& location, const Options& options) {
  return std::make_unique<SqliteDialect>(location.target, options.busyTimeout, options.fileGroup);
}

}  // namespace charta::ledger::sql
