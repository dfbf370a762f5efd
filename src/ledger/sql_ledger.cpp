// The Ledger on Poco::Data: SQLite (embedded) and PostgreSQL (shared by several servers).
//
// All SQL of charta lives in this folder. Statements are written once with "?" placeholders and
// numbered ($1, $2...) for PostgreSQL; values are always bound, never spliced.
//
// Concurrency model
//   - One writer thread owns one connection and commits appends in batches (group commit). A
//     batch is one transaction: take the chain lock, look up the batch's idempotency keys and its
//     subjects' blocking (seeing everything committed by other processes), decide each request in
//     order (so earlier events of the same batch count too), insert the appended ones, move the
//     chain head, commit. Callers are answered only after COMMIT returned; a failed batch fails
//     all of its callers. Conflict and Blocked refuse one request, not the batch.
//   - The chain lock: SQLite BEGIN IMMEDIATE (the database's single write lock, also between
//     processes); PostgreSQL SELECT ... FOR UPDATE on the one chain_head row, so that any number
//     of server processes writing to one database keep seq and prev_hash linear.
//   - Readers use a small pool of other connections; verify() reads one consistent snapshot.

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/UUIDGenerator.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include "ledger/chain.h"
#include "ledger/ledger.h"
#include "ledger/location.h"
#include "ledger/validate.h"
#include "ledger/verify.h"

namespace charta::ledger {
namespace {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;
using Backend = Location::Backend;

constexpr int kSchemaVersion = 1;
constexpr std::int64_t kMigrationLock = 0x6368617274610001;  // pg_advisory_xact_lock key
constexpr std::size_t kVerifyPage = 2000;
constexpr std::size_t kSqliteOpenTimeoutSeconds = 2;
constexpr std::size_t kChunk = 128;  // rows per multi-row INSERT, values per IN list

// ---- SQL ----------------------------------------------------------------------------------------

// Numbers the "?" placeholders for PostgreSQL; quoted text is left alone.
std::string numbered(std::string_view text) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

// The columns every event query returns, as text (edition and recorded_at cast; absent optional
// fields as ''), in the order Rows binds them.
constexpr std::string_view kColumns =
    "seq, id, subject, document, CAST(edition AS TEXT), commit_id, text_sha256, "
    "COALESCE(page_sha256, ''), language, purposes, event_type, CAST(recorded_at AS TEXT), "
    "collection_method, COALESCE(form_id, ''), COALESCE(evidence, ''), "
    "COALESCE(idempotency_key, ''), request_digest, prev_hash, hash";

constexpr std::string_view kInsertInto =
    "INSERT INTO consent_events (seq, id, subject, document, edition, commit_id, text_sha256, "
    "page_sha256, language, purposes, event_type, recorded_at, collection_method, form_id, "
    "evidence, idempotency_key, request_digest, prev_hash, hash)";
constexpr std::string_view kInsertRow =
    "(?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), "
    "NULLIF(?, ''), ?, ?, ?)";

const std::vector<std::string>& migrationV1(Backend backend) {
  static const std::vector<std::string> sqlite = {
      "CREATE TABLE consent_events ("
      " seq INTEGER PRIMARY KEY,"
      " id TEXT NOT NULL UNIQUE,"
      " subject TEXT NOT NULL,"
      " document TEXT NOT NULL,"
      " edition INTEGER NOT NULL,"
      " commit_id TEXT NOT NULL,"
      " text_sha256 TEXT NOT NULL,"
      " page_sha256 TEXT,"
      " language TEXT NOT NULL,"
      " purposes TEXT NOT NULL,"
      " event_type TEXT NOT NULL,"
      " recorded_at INTEGER NOT NULL,"
      " collection_method TEXT NOT NULL,"
      " form_id TEXT,"
      " evidence TEXT,"
      " idempotency_key TEXT UNIQUE,"
      " request_digest TEXT NOT NULL,"
      " prev_hash TEXT NOT NULL,"
      " hash TEXT NOT NULL)",
      "CREATE INDEX consent_events_subject ON consent_events (subject, seq)",
      "CREATE TABLE chain_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,"
      " hash TEXT NOT NULL)",
      "INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '" + std::string(kGenesisHash) + "')",
      // Append-only: refuse casual edits. (Whoever can drop a trigger can also edit; verify()
      // is what finds that.)
      "CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events"
      " BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END",
      "CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events"
      " BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END",
  };
  static const std::vector<std::string> postgresql = {
      "CREATE TABLE consent_events ("
      " seq BIGINT PRIMARY KEY,"
      " id TEXT NOT NULL UNIQUE,"
      " subject TEXT NOT NULL,"
      " document TEXT NOT NULL,"
      " edition BIGINT NOT NULL,"
      " commit_id TEXT NOT NULL,"
      " text_sha256 TEXT NOT NULL,"
      " page_sha256 TEXT,"
      " language TEXT NOT NULL,"
      " purposes TEXT NOT NULL,"
      " event_type TEXT NOT NULL,"
      " recorded_at BIGINT NOT NULL,"
      " collection_method TEXT NOT NULL,"
      " form_id TEXT,"
      " evidence TEXT,"
      " idempotency_key TEXT UNIQUE,"
      " request_digest TEXT NOT NULL,"
      " prev_hash TEXT NOT NULL,"
      " hash TEXT NOT NULL)",
      "CREATE INDEX consent_events_subject ON consent_events (subject, seq)",
      "CREATE TABLE chain_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL,"
      " hash TEXT NOT NULL)",
      "INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '" + std::string(kGenesisHash) + "')",
      "CREATE FUNCTION consent_events_append_only() RETURNS trigger LANGUAGE plpgsql AS"
      " 'BEGIN RAISE EXCEPTION ''consent_events is append-only''; END'",
      "CREATE TRIGGER consent_events_no_change BEFORE UPDATE OR DELETE ON consent_events"
      " FOR EACH ROW EXECUTE FUNCTION consent_events_append_only()",
      "CREATE TRIGGER consent_events_no_truncate BEFORE TRUNCATE ON consent_events"
      " FOR EACH STATEMENT EXECUTE FUNCTION consent_events_append_only()",
  };
  return backend == Backend::kSqlite ? sqlite : postgresql;
}

// ---- Rows ---------------------------------------------------------------------------------------

// Column vectors for "SELECT kColumns ...".
struct Rows {
  std::vector<Poco::Int64> seq;
  std::vector<std::string> id, subject, document, edition, commit, textSha256, pageSha256, language,
      purposes, eventType, recordedAt, collectionMethod, formId, evidence, idempotencyKey,
      requestDigest, prevHash, hash;

  void into(Statement& st) {
    using Poco::Data::Keywords::into;
    st, into(seq), into(id), into(subject), into(document), into(edition), into(commit),
        into(textSha256), into(pageSha256), into(language), into(purposes), into(eventType),
        into(recordedAt), into(collectionMethod), into(formId), into(evidence),
        into(idempotencyKey), into(requestDigest), into(prevHash), into(hash);
  }
  std::size_t size() const { return seq.size(); }

  StoredRow row(std::size_t i) const {
    auto opt = [](const std::string& s) {
      return s.empty() ? std::nullopt : std::optional<std::string>(s);
    };
    StoredRow r;
    r.seq = seq[i];
    ChainFields& f = r.fields;
    f.id = id[i];
    f.seq = std::to_string(seq[i]);
    f.subject = subject[i];
    f.document = document[i];
    f.edition = edition[i];
    f.commit = commit[i];
    f.textSha256 = textSha256[i];
    f.pageSha256 = opt(pageSha256[i]);
    f.language = language[i];
    f.purposes = purposes[i];
    f.eventType = eventType[i];
    f.recordedAt = recordedAt[i];
    f.collectionMethod = collectionMethod[i];
    f.formId = opt(formId[i]);
    f.evidence = opt(evidence[i]);
    f.idempotencyKey = opt(idempotencyKey[i]);
    f.requestDigest = requestDigest[i];
    f.prevHash = prevHash[i];
    r.hash = hash[i];
    return r;
  }
};

// Rebuilds an Event from stored text. throws StorageError: a field no longer parses (tampering;
// verify() says where).
Event toEvent(const StoredRow& r) {
  const ChainFields& f = r.fields;
  auto bad = [&](const char* field) {
    return StorageError("stored consent event seq " + std::to_string(r.seq) + " is malformed (" +
                        field + ")");
  };
  auto doc = core::DocumentId::parse(f.document);
  if (!doc) throw bad("document");
  auto edition = core::EditionNo::parse(f.edition);
  if (!edition) throw bad("edition");
  auto commit = core::CommitId::parse(f.commit);
  if (!commit) throw bad("commit");
  auto lang = core::Lang::parse(f.language);
  if (!lang) throw bad("language");
  auto type = core::parseConsentEventType(f.eventType);
  if (!type) throw bad("event_type");
  std::vector<core::PurposeId> purposes;
  std::size_t start = 0;
  while (start < f.purposes.size()) {
    std::size_t comma = f.purposes.find(',', start);
    if (comma == std::string::npos) comma = f.purposes.size();
    auto p = core::PurposeId::parse(std::string_view(f.purposes).substr(start, comma - start));
    if (!p) throw bad("purposes");
    purposes.push_back(*p);
    start = comma + 1;
  }
  std::int64_t ms = 0;
  try {
    std::size_t used = 0;
    ms = std::stoll(f.recordedAt, &used);
    if (used != f.recordedAt.size()) throw bad("recorded_at");
  } catch (const std::logic_error&) {
    throw bad("recorded_at");
  }
  Event e{NewEvent{f.subject, *doc, *edition, *commit, f.textSha256, f.pageSha256, *lang,
                   std::move(purposes), *type, f.collectionMethod, f.formId, f.evidence,
                   f.idempotencyKey},
          f.id,
          r.seq,
          core::Instant{std::chrono::milliseconds{ms}},
          f.requestDigest,
          f.prevHash,
          r.hash};
  return e;
}

// ---- Connections --------------------------------------------------------------------------------

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

[[noreturn]] void rethrowAsStorage(std::string_view doing) {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw StorageError(std::string(doing) + ": " + e.displayText());
  } catch (const std::exception& e) {
    throw StorageError(std::string(doing) + ": " + e.what());
  }
}

// A handful of read connections, created on demand, reused, dropped after a failure.
class Pool {
 public:
  Pool(std::size_t max, std::function<std::unique_ptr<Session>()> connect)
      : max_(std::max<std::size_t>(max, 1)), connect_(std::move(connect)) {}

  // Runs "fn" on a pooled connection. A failure on a reused connection is retried once on a new
  // one (the server may have dropped an idle connection).
  template <typename Fn>
  auto with(std::string_view doing, Fn&& fn) {
    for (int attempt = 0;; ++attempt) {
      bool fresh = false;
      std::unique_ptr<Session> s = acquire(fresh);
      try {
        auto result = fn(*s);
        release(std::move(s));
        return result;
      } catch (const Error&) {
        release(std::move(s));
        throw;
      } catch (...) {
        drop();
        if (fresh || attempt > 0) rethrowAsStorage(doing);
      }
    }
  }

 private:
  std::unique_ptr<Session> acquire(bool& fresh) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto s = std::move(idle_.back());
      idle_.pop_back();
      return s;
    }
    ++open_;
    lock.unlock();
    fresh = true;
    try {
      return connect_();
    } catch (...) {
      drop();
      rethrowAsStorage("opening a ledger connection");
    }
  }
  void release(std::unique_ptr<Session> s) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(s));
    cv_.notify_one();
  }
  void drop() {
    std::lock_guard lock(mutex_);
    --open_;
    cv_.notify_one();
  }

  std::size_t max_;
  std::function<std::unique_ptr<Session>()> connect_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Session>> idle_;
  std::size_t open_ = 0;
};

// ---- A damaged SQLite file ---------------------------------------------------------------------

// The SQLite file's header (https://www.sqlite.org/fileformat.html, section 1.3): the page size
// at offset 16, and at 28 the page count, valid when the change counter at 24 equals the
// "version valid for" number at 92.
std::uint32_t bigEndian32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Why the existing ledger file at "path" cannot be the ledger charta wrote, or "" when it can
// (or does not exist yet). Read-only: a damaged file is evidence and is never written to.
std::string damageOf(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "";
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return "cannot read its size: " + ec.message();
  // Frames in the -wal file: the main file may lag behind them (see below), and SQLite's recovery
  // reads them first.
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
  // With frames in the -wal file the header may be ahead of the file: a checkpoint writes page 1
  // (the new page count) before the pages that extend the file, and a crash in between leaves
  // exactly that, which SQLite's recovery completes from the WAL. Only a ledger closed cleanly
  // (no WAL content) can be judged truncated by its header.
  if (walFrames) return "";
  std::uint64_t pageSize = (std::uint32_t{h[16]} << 8) | h[17];
  if (pageSize == 1) pageSize = 65536;
  const std::uint32_t pages = bigEndian32(h + 28);
  if (bigEndian32(h + 24) == bigEndian32(h + 92) && pages > 0 && size < pages * pageSize) {
    return "it is truncated: " + std::to_string(size) + " bytes where its header says " +
           std::to_string(pages) + " pages of " + std::to_string(pageSize) + " bytes";
  }
  return "";
}

// ---- The ledger ---------------------------------------------------------------------------------

using Settings = std::vector<std::pair<std::string, std::string>>;

class SqlLedger final : public Ledger {
 public:
  SqlLedger(Location location, const Options& options)
      : location_(std::move(location)),
        options_(options),
        readers_(options.readers, [this] { return connect(); }) {
    if (!pg()) {
      // Checked before SQLite opens the file: opening would write to it (WAL recovery, schema).
      // A checkpoint of another process extends the file after rewriting its header, so a
      // mismatch must last a moment to count.
      std::string damage = damageOf(location_.target);
      for (int i = 0; i < 3 && !damage.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        damage = damageOf(location_.target);
      }
      if (!damage.empty()) {
        throw StorageError("the consent ledger file " + location_.target + " is damaged: " +
                           damage + "; it is left untouched: restore it from a backup");
      }
    }
    // Two processes opening a new SQLite ledger at once race to switch it to WAL, which SQLite
    // answers with "database is locked" without waiting: try again within the busy timeout.
    const auto deadline = std::chrono::steady_clock::now() + options_.busyTimeout;
    for (;;) {
      try {
        writer_ = connect();
        migrate(*writer_);
        break;
      } catch (const Poco::Data::SQLite::DBLockedException&) {
        writer_.reset();
        if (std::chrono::steady_clock::now() >= deadline) {
          rethrowAsStorage("opening the consent ledger");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      } catch (...) {
        rethrowAsStorage("opening the consent ledger");
      }
    }
    thread_ = std::thread([this] { writerLoop(); });
  }

  ~SqlLedger() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  std::string_view backend() const override {
    return pg() ? std::string_view("postgresql") : std::string_view("sqlite");
  }

  AppendResult append(const NewEvent& event) override {
    Request r;
    r.event = normalize(event);  // throws InvalidInput
    r.digest = requestDigest(*r.event);
    auto future = r.appended.get_future();
    submit(&r);
    return future.get();
  }

  void ping() override { runJob(Job::kPing); }
  Settings settings() override { return runJob(Job::kSettings); }

  std::optional<Event> find(std::string_view id) const override {
    if (id.size() != 36) return std::nullopt;
    std::string key(id);
    return readers_.with("finding a consent event", [&](Session& s) -> std::optional<Event> {
      auto rows = select(s, "WHERE id = ?", key);
      if (rows.size() == 0) return std::nullopt;
      return toEvent(rows.row(0));
    });
  }

  std::vector<Event> bySubject(std::string_view subject,
                               const std::optional<core::DocumentId>& doc) const override {
    std::string who(subject);
    return readers_.with("reading a subject's consent events", [&](Session& s) {
      Rows rows;
      if (doc) {
        std::string d = doc->str();
        rows = select(s,
                      "WHERE subject = ? AND (document = ? OR event_type IN "
                      "('blocked', 'unblocked')) ORDER BY seq",
                      who, d);
      } else {
        rows = select(s, "WHERE subject = ? ORDER BY seq", who);
      }
      std::vector<Event> out;
      out.reserve(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(toEvent(rows.row(i)));
      return out;
    });
  }

  bool isBlocked(std::string_view subject) const override {
    std::string who(subject);
    return readers_.with("reading a subject's blocking",
                         [&](Session& s) { return blockedIn(s, who); });
  }

  std::int64_t count() const override {
    return readers_.with("counting consent events", [&](Session& s) {
      Poco::Int64 seq = 0;
      s << "SELECT seq FROM chain_head WHERE id = 1", into(seq), now;
      return static_cast<std::int64_t>(seq);
    });
  }

  VerifyReport verify() const override {
    return readers_.with("verifying the consent ledger", [&](Session& s) {
      beginRead(s);
      try {
        VerifyReport report = verifyIn(s);
        endRead(s);
        return report;
      } catch (...) {
        rollback(s);
        throw;
      }
    });
  }

 private:
  enum class Job { kAppend, kPing, kSettings };

  struct Request {
    Job job = Job::kAppend;
    std::optional<NewEvent> event;  // normalized
    std::string digest;
    std::promise<AppendResult> appended;
    std::promise<Settings> done;  // for kPing and kSettings
  };

  struct Head {
    std::int64_t seq = 0;
    std::string hash;
  };

  bool pg() const { return location_.backend == Backend::kPostgresql; }
  std::string sql(std::string_view text) const { return pg() ? numbered(text) : std::string(text); }

  std::unique_ptr<Session> connect() const {
    registerConnectors();
    if (!pg()) {
      // Poco retries a failed open until its login timeout: fail at once when the folder is
      // missing, and keep the retries short otherwise.
      std::filesystem::path folder = std::filesystem::path(location_.target).parent_path();
      if (!folder.empty() && !std::filesystem::is_directory(folder)) {
        throw StorageError("the consent ledger's folder does not exist: " + folder.string());
      }
      auto s = std::make_unique<Session>("SQLite", location_.target, kSqliteOpenTimeoutSeconds);
      int ignored = 0;
      *s << "PRAGMA busy_timeout = " + std::to_string(options_.busyTimeout.count()), into(ignored),
          now;
      *s << "PRAGMA synchronous = FULL", now;
      return s;
    }
    auto s = std::make_unique<Session>("PostgreSQL", location_.target);
    *s << "SET synchronous_commit = on", now;
    // The chain lock makes writers take turns; a server default of SERIALIZABLE would only add
    // serialization failures to that.
    *s << "SET default_transaction_isolation = 'read committed'", now;
    *s << "SET client_min_messages = warning", now;  // libpq prints NOTICEs to stderr
    return s;
  }

  // --- transactions ---

  void beginWrite(Session& s) const {
    if (pg()) {
      s.begin();
    } else {
      s << "BEGIN IMMEDIATE", now;
    }
  }
  void commit(Session& s) const {
    if (pg()) {
      s.commit();
    } else {
      s << "COMMIT", now;
    }
  }
  void rollback(Session& s) const noexcept {
    try {
      if (pg()) {
        if (s.isTransaction()) s.rollback();
      } else {
        s << "ROLLBACK", now;
      }
    } catch (...) {
    }
  }
  // A read-only snapshot: SQLite's first read in a deferred transaction pins the WAL snapshot.
  void beginRead(Session& s) const {
    if (pg()) {
      s.begin();
      s << "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", now;
    } else {
      s << "BEGIN", now;
    }
  }
  void endRead(Session& s) const {
    if (pg()) {
      s.commit();
    } else {
      s << "COMMIT", now;
    }
  }

  // --- schema ---

  void migrate(Session& s) {
    if (!pg()) {
      std::string mode;
      s << "PRAGMA journal_mode = WAL", into(mode), now;
      if (mode != "wal") throw StorageError("SQLite refused WAL journal mode (got " + mode + ")");
    }
    beginWrite(s);
    try {
      if (pg()) {
        Poco::Int64 key = kMigrationLock;
        s << sql("SELECT pg_advisory_xact_lock(?)"), use(key), now;
      }
      s << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
           " applied_at BIGINT NOT NULL)",
          now;
      Poco::Int64 current = 0;
      s << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(current), now;
      if (current > kSchemaVersion) {
        throw StorageError("the consent ledger's schema is v" + std::to_string(current) +
                           ", newer than this build of charta knows (v" +
                           std::to_string(kSchemaVersion) + ")");
      }
      for (int v = static_cast<int>(current) + 1; v <= kSchemaVersion; ++v) {
        for (const std::string& statement : migrationV1(location_.backend)) s << statement, now;
        Poco::Int64 version = v;
        Poco::Int64 at = core::now().time_since_epoch().count();
        s << sql("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"), use(version),
            use(at), now;
      }
      commit(s);
    } catch (...) {
      rollback(s);
      throw;
    }
  }

  // --- queries ---

  template <typename... Values>
  Rows select(Session& s, std::string_view where, Values&... values) const {
    Rows rows;
    Statement st(s);
    st << sql("SELECT " + std::string(kColumns) + " FROM consent_events " + std::string(where));
    (st, ..., use(values));
    rows.into(st);
    st.execute();
    return rows;
  }

  bool blockedIn(Session& s, std::string& subject) const {
    std::vector<std::string> type;
    s << sql(
        "SELECT event_type FROM consent_events WHERE subject = ? AND event_type IN "
        "('blocked', 'unblocked') ORDER BY seq DESC LIMIT 1"),
        use(subject), into(type), now;
    return !type.empty() && type.front() == "blocked";
  }

  Head readHead(Session& s, bool lock) const {
    std::vector<Poco::Int64> seq;
    std::vector<std::string> hash;
    std::string q = "SELECT seq, hash FROM chain_head WHERE id = 1";
    if (lock && pg()) q += " FOR UPDATE";
    s << q, into(seq), into(hash), now;
    if (seq.empty()) throw StorageError("the consent ledger's chain head row is missing");
    return {seq.front(), hash.front()};
  }

  VerifyReport verifyIn(Session& s) const {
    std::vector<Poco::Int64> headSeq;
    std::vector<std::string> headHash;
    s << "SELECT seq, hash FROM chain_head WHERE id = 1", into(headSeq), into(headHash), now;
    bool headPresent = !headSeq.empty();
    ChainChecker checker(headPresent ? headSeq.front() : 0,
                         headPresent ? headHash.front() : std::string(), headPresent);
    Poco::Int64 after = std::numeric_limits<Poco::Int64>::min();
    std::string page = "WHERE seq > ? ORDER BY seq LIMIT " + std::to_string(kVerifyPage);
    for (;;) {
      Rows rows = select(s, page, after);
      for (std::size_t i = 0; i < rows.size(); ++i) checker.first(rows.row(i));
      if (rows.size() < kVerifyPage) break;
      after = rows.seq.back();
    }
    if (checker.needsSecondPass()) {
      after = std::numeric_limits<Poco::Int64>::min();
      for (;;) {
        std::vector<Poco::Int64> seq;
        std::vector<std::string> hash, prev;
        s << sql(
            "SELECT seq, hash, prev_hash FROM consent_events WHERE seq > ? ORDER BY seq "
            "LIMIT " +
            std::to_string(kVerifyPage)),
            use(after), into(seq), into(hash), into(prev), now;
        for (std::size_t i = 0; i < seq.size(); ++i) checker.second(seq[i], hash[i], prev[i]);
        if (seq.size() < kVerifyPage) break;
        after = seq.back();
      }
    }
    return checker.finish();
  }

  // --- the writer ---

  void submit(Request* r) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) throw StorageError("the consent ledger is closing");
      // The caller waits on the request's future until the writer has answered and dropped it.
      // cppcheck-suppress danglingLifetime
      queue_.push_back(r);
    }
    cv_.notify_one();
  }

  Settings runJob(Job job) {
    Request r;
    r.job = job;
    auto future = r.done.get_future();
    submit(&r);
    return future.get();
  }

  void writerLoop() {
    for (;;) {
      std::vector<Request*> batch;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything is answered
        if (options_.linger.count() > 0 && queue_.size() < options_.maxBatch && !stop_ &&
            queue_.front()->job == Job::kAppend) {
          cv_.wait_for(lock, options_.linger,
                       [&] { return stop_ || queue_.size() >= options_.maxBatch; });
        }
        if (queue_.front()->job != Job::kAppend) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        } else {
          while (!queue_.empty() && queue_.front()->job == Job::kAppend &&
                 batch.size() < options_.maxBatch) {
            batch.push_back(queue_.front());
            queue_.pop_front();
          }
        }
      }
      if (batch.front()->job == Job::kAppend) {
        runBatch(batch);
      } else {
        runOne(*batch.front());
      }
    }
  }

  Session& writer() {
    if (!writer_) writer_ = connect();
    return *writer_;
  }

  void runOne(Request& r) {
    try {
      Session& s = writer();
      Settings out;
      if (r.job == Job::kPing) {
        beginWrite(s);
        try {
          readHead(s, true);
        } catch (...) {
          rollback(s);
          throw;
        }
        rollback(s);
      } else if (pg()) {
        for (const char* name :
             {"synchronous_commit", "fsync", "full_page_writes", "default_transaction_isolation"}) {
          std::string value;
          s << std::string("SHOW ") + name, into(value), now;
          out.emplace_back(name, value);
        }
        out.emplace_back("chain_lock", "SELECT ... FOR UPDATE on chain_head");
      } else {
        std::string mode;
        int sync = -1, timeout = -1;
        s << "PRAGMA journal_mode", into(mode), now;
        s << "PRAGMA synchronous", into(sync), now;
        s << "PRAGMA busy_timeout", into(timeout), now;
        out.emplace_back("journal_mode", mode);
        out.emplace_back("synchronous", std::to_string(sync));
        out.emplace_back("busy_timeout", std::to_string(timeout));
        out.emplace_back("chain_lock", "BEGIN IMMEDIATE");
      }
      r.done.set_value(std::move(out));
    } catch (...) {
      writer_.reset();  // reconnect next time
      try {
        rethrowAsStorage(r.job == Job::kPing ? "ledger readiness check" : "reading settings");
      } catch (...) {
        r.done.set_exception(std::current_exception());
      }
    }
  }

  // One transaction for the whole batch; every caller is answered after COMMIT (or all fail).
  // Round trips per batch, whatever its size (up to the chunk sizes): lock the head, look up the
  // batch's idempotency keys, look up the blocking of its subjects, insert, move the head, commit.
  void runBatch(const std::vector<Request*>& batch) {
    struct Outcome {
      std::optional<AppendResult> result;
      std::exception_ptr refusal;  // Conflict or Blocked: this request only
    };
    std::vector<Outcome> outcomes(batch.size());
    try {
      Session& s = writer();
      beginWrite(s);
      try {
        Head head = readHead(s, true);

        std::vector<std::string> keys, subjects;
        for (const Request* r : batch) {
          if (r->event->idempotencyKey) keys.push_back(*r->event->idempotencyKey);
          if (r->event->type == EventType::kGiven) subjects.push_back(r->event->subject);
        }
        std::map<std::string, Event> stored = storedByKey(s, keys);
        std::map<std::string, bool> blocked = blockingOf(s, subjects);  // updated as we go

        std::map<std::string, std::size_t> batchKeys;  // key -> outcome appended in this batch
        std::vector<InsertRow> rows;
        rows.reserve(batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i) {
          const NewEvent& e = *batch[i]->event;
          const std::string& digest = batch[i]->digest;
          try {
            if (e.idempotencyKey) {
              const Event* prior = nullptr;
              if (auto it = batchKeys.find(*e.idempotencyKey); it != batchKeys.end()) {
                prior = &outcomes[it->second].result->event;
              } else if (auto st = stored.find(*e.idempotencyKey); st != stored.end()) {
                prior = &st->second;
              }
              if (prior) {
                if (prior->requestDigest != digest) throw conflict();
                outcomes[i].result = AppendResult{*prior, true};
                continue;
              }
            }
            if (e.type == EventType::kGiven && blocked[e.subject]) {
              throw Blocked("the subject is blocked (clause 6.2.4): consent cannot be given");
            }

            Event ev{e,
                     Poco::UUIDGenerator::defaultGenerator().createRandom().toString(),
                     head.seq + 1,
                     core::now(),
                     digest,
                     head.hash,
                     ""};
            ChainFields f = chainFields(ev);
            ev.hash = chainHash(f);
            rows.push_back(InsertRow::of(ev, f));

            head = {ev.seq, ev.hash};
            if (e.type == EventType::kBlocked || e.type == EventType::kUnblocked) {
              blocked[e.subject] = e.type == EventType::kBlocked;
            }
            if (e.idempotencyKey) batchKeys[*e.idempotencyKey] = i;
            outcomes[i].result = AppendResult{std::move(ev), false};
          } catch (const Conflict&) {
            outcomes[i].refusal = std::current_exception();
          } catch (const Blocked&) {
            outcomes[i].refusal = std::current_exception();
          }
        }
        insertRows(s, rows);
        Poco::Int64 headSeq = head.seq;
        s << sql("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1"), use(headSeq),
            use(head.hash), now;
        commit(s);
      } catch (...) {
        rollback(s);
        throw;
      }
    } catch (...) {
      writer_.reset();  // the connection may be broken: reconnect for the next batch
      std::exception_ptr failure;
      try {
        rethrowAsStorage("appending consent events");
      } catch (...) {
        failure = std::current_exception();
      }
      for (Request* r : batch) r->appended.set_exception(failure);
      return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (outcomes[i].refusal) {
        batch[i]->appended.set_exception(outcomes[i].refusal);
      } else {
        batch[i]->appended.set_value(std::move(*outcomes[i].result));
      }
    }
  }

  // One event as bound to the INSERT.
  struct InsertRow {
    Poco::Int64 seq, edition, recordedAt;
    std::string id, subject, document, commit, textSha256, pageSha256, language, purposes,
        eventType, collectionMethod, formId, evidence, idempotencyKey, requestDigest, prevHash,
        hash;

    static InsertRow of(const Event& ev, const ChainFields& f) {
      return {ev.seq,
              ev.edition.value(),
              ev.recordedAt.time_since_epoch().count(),
              f.id,
              f.subject,
              f.document,
              f.commit,
              f.textSha256,
              f.pageSha256.value_or(""),
              f.language,
              f.purposes,
              f.eventType,
              f.collectionMethod,
              f.formId.value_or(""),
              f.evidence.value_or(""),
              f.idempotencyKey.value_or(""),
              f.requestDigest,
              f.prevHash,
              ev.hash};
    }
  };

  // Multi-row INSERTs of up to kChunk rows each.
  void insertRows(Session& s, std::vector<InsertRow>& rows) const {
    for (std::size_t at = 0; at < rows.size(); at += kChunk) {
      std::size_t n = std::min(kChunk, rows.size() - at);
      std::string text(kInsertInto);
      for (std::size_t i = 0; i < n; ++i) text += (i ? ", " : " VALUES ") + std::string(kInsertRow);
      Statement st(s);
      st << sql(text);
      for (std::size_t i = at; i < at + n; ++i) {
        InsertRow& r = rows[i];
        st, use(r.seq), use(r.id), use(r.subject), use(r.document), use(r.edition), use(r.commit),
            use(r.textSha256), use(r.pageSha256), use(r.language), use(r.purposes),
            use(r.eventType), use(r.recordedAt), use(r.collectionMethod), use(r.formId),
            use(r.evidence), use(r.idempotencyKey), use(r.requestDigest), use(r.prevHash),
            use(r.hash);
      }
      st.execute();
    }
  }

  // "(?, ?, ?)" for "n" values.
  static std::string inList(std::size_t n) {
    std::string out = "(";
    for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
    return out + ")";
  }

  // The stored events whose idempotency key is one of "keys", by key.
  std::map<std::string, Event> storedByKey(Session& s, std::vector<std::string>& keys) const {
    std::map<std::string, Event> out;
    for (std::size_t at = 0; at < keys.size(); at += kChunk) {
      std::size_t n = std::min(kChunk, keys.size() - at);
      Rows rows;
      Statement st(s);
      st << sql("SELECT " + std::string(kColumns) +
                " FROM consent_events WHERE idempotency_key IN " + inList(n));
      for (std::size_t i = at; i < at + n; ++i) st, use(keys[i]);
      rows.into(st);
      st.execute();
      for (std::size_t i = 0; i < rows.size(); ++i) {
        Event e = toEvent(rows.row(i));
        std::string key = e.idempotencyKey.value_or("");
        out.emplace(std::move(key), std::move(e));
      }
    }
    return out;
  }

  // Whether each of "subjects" is blocked, as committed: its latest blocked/unblocked event.
  std::map<std::string, bool> blockingOf(Session& s, std::vector<std::string>& subjects) const {
    std::map<std::string, bool> out;
    for (std::size_t at = 0; at < subjects.size(); at += kChunk) {
      std::size_t n = std::min(kChunk, subjects.size() - at);
      std::vector<std::string> who, type;
      Statement st(s);
      st << sql(
          "SELECT subject, event_type FROM consent_events WHERE event_type IN "
          "('blocked', 'unblocked') AND subject IN " +
          inList(n) + " ORDER BY seq");
      for (std::size_t i = at; i < at + n; ++i) st, use(subjects[i]);
      st, into(who), into(type);
      st.execute();
      for (std::size_t i = 0; i < who.size(); ++i) out[who[i]] = type[i] == "blocked";
    }
    return out;
  }

  static Conflict conflict() {
    return Conflict("the idempotency key was already used for a different consent request");
  }

  Location location_;
  Options options_;
  mutable Pool readers_;
  std::unique_ptr<Session> writer_;  // the writer thread's (and the constructor's) only

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Request*> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Ledger> openLedger(std::string_view uri, const Options& options) {
  return std::make_unique<SqlLedger>(parseLocation(uri), options);
}

namespace {

class LazyLedger final : public Ledger {
 public:
  LazyLedger(std::string uri, const Options& options, std::chrono::milliseconds retry)
      : uri_(std::move(uri)), options_(options), retry_(retry) {
    backend_ = parseLocation(uri_).backend == Backend::kPostgresql ? "postgresql" : "sqlite";
  }

  AppendResult append(const NewEvent& event) override { return get().append(event); }
  std::optional<Event> find(std::string_view id) const override { return get().find(id); }
  std::vector<Event> bySubject(std::string_view subject,
                               const std::optional<core::DocumentId>& doc) const override {
    return get().bySubject(subject, doc);
  }
  bool isBlocked(std::string_view subject) const override { return get().isBlocked(subject); }
  VerifyReport verify() const override { return get().verify(); }
  void ping() override { get().ping(); }
  std::int64_t count() const override { return get().count(); }
  Settings settings() override { return get().settings(); }
  std::string_view backend() const override { return backend_; }

 private:
  Ledger& get() const {
    std::lock_guard lock(mu_);
    if (inner_) return *inner_;
    auto now = std::chrono::steady_clock::now();
    if (tried_ && now - lastTry_ < retry_) throw StorageError(lastError_);
    tried_ = true;
    lastTry_ = now;
    try {
      inner_ = openLedger(uri_, options_);
    } catch (const StorageError& e) {
      lastError_ = e.what();
      throw;
    }
    return *inner_;
  }

  std::string uri_;
  Options options_;
  std::chrono::milliseconds retry_;
  std::string backend_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<Ledger> inner_;  // set once, never reset
  mutable bool tried_ = false;
  mutable std::chrono::steady_clock::time_point lastTry_;
  mutable std::string lastError_;
};

}  // namespace

std::unique_ptr<Ledger> openLedgerLazily(std::string_view uri, const Options& options,
                                         std::chrono::milliseconds retry) {
  parseLocation(uri);  // a malformed URI is a configuration error now, not later
  return std::make_unique<LazyLedger>(std::string(uri), options, retry);
}

}  // namespace charta::ledger
