// The RawReaders: sqlite3 statements stepped in place; libpq binary cursors fetched in pages.

#include "ledger/raw_reader.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstring>

#include "core/c_handle.h"
#include "ledger/ledger.h"

namespace charta::ledger::sql {
namespace {

constexpr const char* kEventColumns =
    "SELECT seq, id, kind, recorded_at, pseudonym, document, edition, idempotency_key, "
    "prev_hash, hash, bytes FROM events";

// --- SQLite

using StmtPtr = std::unique_ptr<sqlite3_stmt, core::CFree<sqlite3_finalize>>;

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
    // One thread uses the connection at a time (verify's reading thread): no mutex per call.
    int rc =
        sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
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
    step(st.get(), fn);
  }

  std::size_t eventsFrom(std::int64_t from, std::size_t limit,
                         const std::function<void(const RawEvent&)>& fn) override {
    if (!batch_)
      batch_ = prepare(std::string(kEventColumns) + " WHERE seq >= ? ORDER BY seq LIMIT ?");
    sqlite3_reset(batch_.get());
    sqlite3_bind_int64(batch_.get(), 1, from);
    sqlite3_bind_int64(batch_.get(), 2, static_cast<sqlite3_int64>(limit));
    return step(batch_.get(), fn);
  }

  void nodes(unsigned level, std::uint64_t from, std::uint64_t to,
             const std::function<void(std::uint64_t, std::string_view)>& fn) override {
    nodes({{level, from, to}},
          [&](unsigned, std::uint64_t idx, std::string_view hash) { fn(idx, hash); });
  }

  void nodes(const std::vector<NodeRange>& ranges,
             const std::function<void(unsigned, std::uint64_t, std::string_view)>& fn) override {
    if (!nodes_) {
      nodes_ = prepare(
          "SELECT idx, hash FROM merkle_nodes WHERE level = ? AND idx >= ? AND idx < ? "
          "ORDER BY idx");
    }
    sqlite3_stmt* st = nodes_.get();
    for (const NodeRange& range : ranges) {
      sqlite3_reset(st);
      sqlite3_bind_int64(st, 1, range.level);
      sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(range.from));
      sqlite3_bind_int64(st, 3, static_cast<sqlite3_int64>(range.to));
      int rc;
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fn(range.level, static_cast<std::uint64_t>(sqlite3_column_int64(st, 0)), text(st, 1));
      }
      if (rc != SQLITE_DONE) fail("reading Merkle nodes");
    }
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
  // Steps "s" (selecting kEventColumns) to its end; returns the number of rows.
  std::size_t step(sqlite3_stmt* s, const std::function<void(const RawEvent&)>& fn) {
    RawEvent e;
    std::size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
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
      ++n;
    }
    if (rc != SQLITE_DONE) fail("reading events");
    return n;
  }

  std::unique_ptr<sqlite3, core::CFree<sqlite3_close_v2>> db_;
  StmtPtr batch_, nodes_;  // prepared once, reset for each use
};

// --- PostgreSQL

using ResultPtr = std::unique_ptr<PGresult, core::CFree<PQclear>>;

std::int64_t bigEndian64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return static_cast<std::int64_t>(v);
}

// One CopyData message of COPY ... (FORMAT binary) selecting kEventColumns, read with bounds
// checked: the first also carries the file header, the last is the trailer (-1 fields).
class CopyRow {
 public:
  CopyRow(const char* p, std::size_t n) : p_(p), end_(p + n) {}

  bool skipHeader() {
    static constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // and a zero byte
    if (!have(19) || std::memcmp(p_, kSignature, 11) != 0) return false;
    p_ += 15;  // the signature, the flags
    const auto extension = static_cast<std::uint32_t>(bigEndian32(p_));
    p_ += 4;
    if (!have(extension)) return false;
    p_ += extension;
    return true;
  }
  bool trailer() const { return have(2) && p_[0] == '\xff' && p_[1] == '\xff'; }

  bool event(RawEvent& e) {
    if (!have(2) ||
        ((static_cast<unsigned char>(p_[0]) << 8) | static_cast<unsigned char>(p_[1])) != 11) {
      return false;
    }
    p_ += 2;
    std::optional<std::string_view> f[11];
    for (auto& field : f) {
      if (!have(4)) return false;
      const std::int32_t n = bigEndian32(p_);
      p_ += 4;
      if (n < 0) continue;
      if (!have(static_cast<std::size_t>(n))) return false;
      field = std::string_view(p_, static_cast<std::size_t>(n));
      p_ += n;
    }
    auto int64 = [](const std::optional<std::string_view>& v) -> std::optional<std::int64_t> {
      if (!v || v->size() != 8) return std::nullopt;
      return bigEndian64(v->data());
    };
    const auto seq = int64(f[0]), recordedAt = int64(f[3]);
    if (!seq || !recordedAt || !f[1] || !f[2] || !f[8] || !f[9] || !f[10]) return false;
    e.seq = *seq;
    e.id = *f[1];
    e.kind = *f[2];
    e.recordedAt = *recordedAt;
    e.pseudonym = f[4];
    e.document = f[5];
    e.edition = int64(f[6]);
    e.idempotencyKey = f[7];
    e.prevHash = *f[8];
    e.hash = *f[9];
    e.bytes = *f[10];
    return true;
  }

 private:
  bool have(std::size_t n) const { return static_cast<std::size_t>(end_ - p_) >= n; }
  static std::int32_t bigEndian32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return static_cast<std::int32_t>(v);
  }
  const char* p_;
  const char* end_;
};

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

  std::size_t eventsFrom(std::int64_t from, std::size_t limit,
                         const std::function<void(const RawEvent&)>& fn) override {
    ResultPtr r(PQexec(conn_.get(), ("COPY (" + std::string(kEventColumns) + " WHERE seq >= " +
                                     std::to_string(from) + " ORDER BY seq LIMIT " +
                                     std::to_string(limit) + ") TO STDOUT (FORMAT binary)")
                                        .c_str()));
    if (!r || PQresultStatus(r.get()) != PGRES_COPY_OUT) fail("reading events");
    std::size_t n = 0;
    bool header = true;
    for (;;) {
      char* buf = nullptr;
      const int len = PQgetCopyData(conn_.get(), &buf, 0);
      if (len == -1) break;
      if (len < 0) fail("reading events");
      std::unique_ptr<char, core::CFree<PQfreemem>> owned(buf);
      CopyRow row(buf, static_cast<std::size_t>(len));
      if (header && !row.skipHeader()) fail("reading events (no binary COPY header)");
      header = false;
      if (row.trailer()) continue;
      RawEvent e;
      if (!row.event(e)) fail("reading events (a malformed binary COPY row)");
      fn(e);
      ++n;
    }
    for (ResultPtr done(PQgetResult(conn_.get())); done; done.reset(PQgetResult(conn_.get()))) {
      if (PQresultStatus(done.get()) != PGRES_COMMAND_OK) fail("reading events");
    }
    return n;
  }

  void nodes(const std::vector<NodeRange>& ranges,
             const std::function<void(unsigned, std::uint64_t, std::string_view)>& fn) override {
    if (ranges.empty()) return;
    std::string where;
    for (const NodeRange& g : ranges) {
      where += (where.empty() ? "" : " OR ") + std::string("(level = ") + std::to_string(g.level) +
               " AND idx >= " + std::to_string(g.from) + " AND idx < " + std::to_string(g.to) + ")";
    }
    ResultPtr r =
        exec("SELECT level, idx::text AS idx_text, hash FROM merkle_nodes WHERE " + where);
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      fn(static_cast<unsigned>(std::stoul(PQgetvalue(r.get(), i, 0))),
         std::stoull(PQgetvalue(r.get(), i, 1)), PQgetvalue(r.get(), i, 2));
    }
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

  std::unique_ptr<PGconn, core::CFree<PQfinish>> conn_;
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
