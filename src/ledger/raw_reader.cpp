// The RawReaders: sqlite3 statements stepped in place; libpq binary cursors fetched in pages.

#include "ledger/raw_reader.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstring>

#include "ledger/ledger.h"

namespace charta::ledger::sql {
namespace {

constexpr const char* kEventColumns =
    "SELECT seq, id, kind, recorded_at, pseudonym, document, edition, idempotency_key, "
    "prev_hash, hash, bytes FROM events";

// --- SQLite

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtCloser {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtCloser>;

std::string_view text(sqlite3_stmt* st, int col) {
  const void* p = sqlite3_column_blob(st, col);
  int n = sqlite3_column_bytes(st, col);
  return p ? std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string_view();
}

std::optional<std::string_view> optText(sqlite3_stmt* st, int col) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return std::nullopt;
  return text(st, col);
}

class SqliteRawReader final : public RawReader {
 public:
  SqliteRawReader(const std::string& file, std::chrono::milliseconds busy) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) fail("opening the consent ledger for verification");
    sqlite3_busy_timeout(db_.get(), static_cast<int>(busy.count()));
  }

  void begin() override {
    exec("BEGIN");
    exec("SELECT 1 FROM chain_head LIMIT 1");  // pins the WAL snapshot
  }
  void end() noexcept override { sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr); }

  std::optional<std::pair<std::int64_t, std::string>> head() override {
    StmtPtr st = prepare("SELECT seq, hash FROM chain_head WHERE id = 1");
    int rc = sqlite3_step(st.get());
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail("reading the chain head");
    return std::make_pair(sqlite3_column_int64(st.get(), 0), std::string(text(st.get(), 1)));
  }

  void events(std::int64_t from, std::int64_t to,
              const std::function<void(const RawEvent&)>& fn) override {
    StmtPtr st = prepare(std::string(kEventColumns) + " WHERE seq >= ? AND seq <= ? ORDER BY seq");
    sqlite3_bind_int64(st.get(), 1, from);
    sqlite3_bind_int64(st.get(), 2, to);
    RawEvent e;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      sqlite3_stmt* s = st.get();
      e.seq = sqlite3_column_int64(s, 0);
      e.id = text(s, 1);
      e.kind = text(s, 2);
      e.recordedAt = sqlite3_column_int64(s, 3);
      e.pseudonym = optText(s, 4);
      e.document = optText(s, 5);
      e.edition = sqlite3_column_type(s, 6) == SQLITE_NULL
                      ? std::nullopt
                      : std::optional<std::int64_t>(sqlite3_column_int64(s, 6));
      e.idempotencyKey = optText(s, 7);
      e.prevHash = text(s, 8);
      e.hash = text(s, 9);
      e.bytes = text(s, 10);
      fn(e);
    }
    if (rc != SQLITE_DONE) fail("reading events");
  }

  void nodes(unsigned level, std::uint64_t from, std::uint64_t to,
             const std::function<void(std::uint64_t, std::string_view)>& fn) override {
    StmtPtr st = prepare(
        "SELECT idx, hash FROM merkle_nodes WHERE level = ? AND idx >= ? AND idx < ? "
        "ORDER BY idx");
    sqlite3_bind_int64(st.get(), 1, level);
    sqlite3_bind_int64(st.get(), 2, static_cast<sqlite3_int64>(from));
    sqlite3_bind_int64(st.get(), 3, static_cast<sqlite3_int64>(to));
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      fn(static_cast<std::uint64_t>(sqlite3_column_int64(st.get(), 0)), text(st.get(), 1));
    }
    if (rc != SQLITE_DONE) fail("reading Merkle nodes");
  }

 private:
  [[noreturn]] void fail(const std::string& doing) const {
    throw StorageError(doing + ": " + (db_ ? sqlite3_errmsg(db_.get()) : "out of memory"));
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  StmtPtr prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      fail("preparing a verification query");
    }
    return StmtPtr(st);
  }

  std::unique_ptr<sqlite3, SqliteCloser> db_;
};

// --- PostgreSQL

struct PgCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultCloser>;

std::int64_t bigEndian64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return static_cast<std::int64_t>(v);
}

class PgRawReader final : public RawReader {
 public:
  explicit PgRawReader(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) fail("connecting for verification");
  }

  void begin() override {
    exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    exec("SELECT 1");  // the snapshot is taken at the first query
  }
  void end() noexcept override { PQclear(PQexec(conn_.get(), "COMMIT")); }

  std::optional<std::pair<std::int64_t, std::string>> head() override {
    ResultPtr r = exec("SELECT seq::text, hash FROM chain_head WHERE id = 1");
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return std::make_pair(std::stoll(PQgetvalue(r.get(), 0, 0)),
                          std::string(PQgetvalue(r.get(), 0, 1)));
  }

  void events(std::int64_t from, std::int64_t to,
              const std::function<void(const RawEvent&)>& fn) override {
    exec("DECLARE charta_events BINARY NO SCROLL CURSOR FOR " + std::string(kEventColumns) +
         " WHERE seq >= " + std::to_string(from) + " AND seq <= " + std::to_string(to) +
         " ORDER BY seq");
    RawEvent e;
    for (;;) {
      ResultPtr r = exec("FETCH FORWARD 20000 FROM charta_events");
      const int n = PQntuples(r.get());
      PGresult* res = r.get();
      auto view = [res](int row, int col) {
        return std::string_view(PQgetvalue(res, row, col),
                                static_cast<std::size_t>(PQgetlength(res, row, col)));
      };
      auto optView = [&](int row, int col) -> std::optional<std::string_view> {
        if (PQgetisnull(res, row, col)) return std::nullopt;
        return view(row, col);
      };
      for (int i = 0; i < n; ++i) {
        e.seq = bigEndian64(PQgetvalue(res, i, 0));
        e.id = view(i, 1);
        e.kind = view(i, 2);
        e.recordedAt = bigEndian64(PQgetvalue(res, i, 3));
        e.pseudonym = optView(i, 4);
        e.document = optView(i, 5);
        e.edition = PQgetisnull(res, i, 6)
                        ? std::nullopt
                        : std::optional<std::int64_t>(bigEndian64(PQgetvalue(res, i, 6)));
        e.idempotencyKey = optView(i, 7);
        e.prevHash = view(i, 8);
        e.hash = view(i, 9);
        e.bytes = view(i, 10);
        fn(e);
      }
      if (n == 0) break;
    }
    exec("CLOSE charta_events");
  }

  void nodes(unsigned level, std::uint64_t from, std::uint64_t to,
             const std::function<void(std::uint64_t, std::string_view)>& fn) override {
    ResultPtr r = exec("SELECT idx::text AS idx_text, hash FROM merkle_nodes WHERE level = " +
                       std::to_string(level) + " AND idx >= " + std::to_string(from) +
                       " AND idx < " + std::to_string(to) + " ORDER BY idx");
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      fn(std::stoull(PQgetvalue(r.get(), i, 0)), PQgetvalue(r.get(), i, 1));
    }
  }

 private:
  [[noreturn]] void fail(const std::string& doing) const {
    throw StorageError(doing + ": " +
                       (conn_ ? std::string(PQerrorMessage(conn_.get())) : "out of memory"));
  }
  ResultPtr exec(const std::string& sql) {
    ResultPtr r(PQexec(conn_.get(), sql.c_str()));
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail("verification query");
    return r;
  }

  std::unique_ptr<PGconn, PgCloser> conn_;
};

}  // namespace

std::unique_ptr<RawReader> sqliteRawReader(const std::string& file,
                                           std::chrono::milliseconds busyTimeout) {
  return std::make_unique<SqliteRawReader>(file, busyTimeout);
}

std::unique_ptr<RawReader> postgresqlRawReader(const std::string& conninfo) {
  return std::make_unique<PgRawReader>(conninfo);
}

}  // namespace charta::ledger::sql
