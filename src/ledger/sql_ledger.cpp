// The Ledger on Poco::Data: SQLite (embedded) and PostgreSQL (shared by several servers).
//
// All SQL of charta lives in this folder: the dialects (sqlite_dialect.cpp,
// postgresql_dialect.cpp) say how each database is opened, locked and migrated (sql_migrate.h);
// sql_log.h appends events to the chain and the Merkle tree; sql_consents.h, sql_subjects.h,
// sql_publications.h and sql_pages.h are the rows of each part; log_verify.h checks the log as
// raw_reader.h streams it.
//
// Concurrency model
//   - One writer thread owns one connection and commits appends in batches (group_commit.h);
//     publications and erasures are single transactions on the same thread.
//   - The chain lock: SQLite BEGIN IMMEDIATE (the database's single write lock, also between
//     processes); PostgreSQL SELECT ... FOR UPDATE on the one chain_head row, so that any number
//     of server processes writing to one database keep seq, prev_hash and the tree linear.
//   - Readers use a small pool of other connections (sql_pool.h); proofs and tree heads read one
//     snapshot; verify() and checkTail() read with the database's own C API.

#include <chrono>
#include <mutex>
#include <thread>

#include "core/consent.h"
#include "ledger/chain.h"
#include "ledger/group_commit.h"
#include "ledger/ledger.h"
#include "ledger/location.h"
#include "ledger/log_verify.h"
#include "ledger/sql_consents.h"
#include "ledger/sql_dialect.h"
#include "ledger/sql_migrate.h"
#include "ledger/sql_pages.h"
#include "ledger/sql_pool.h"
#include "ledger/sql_publications.h"
#include "ledger/sql_subjects.h"
#include "ledger/validate.h"

namespace charta::ledger {
namespace {

using namespace Poco::Data::Keywords;
using sql::Session;
using sql::Settings;
namespace merkle = core::merkle;

void checkText(const char* name, std::string_view text, std::size_t max) {
  bool control = std::any_of(text.begin(), text.end(),
                             [](unsigned char c) { return c < 0x20 && c != '\n' && c != '\t'; });
  if (text.empty() || text.size() > max || !core::isValidUtf8(text) || control) {
    throw InvalidInput(std::string(name) + " must be 1-" + std::to_string(max) +
                       " bytes of UTF-8 without control characters");
  }
}

// The writer's connection, opened and migrated. A failure the dialect calls transient (SQLite's
// race of two processes switching a new file to WAL) is retried within the busy timeout.
std::unique_ptr<Session> openWriter(const sql::Dialect& d, const Options& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.busyTimeout;
  for (;;) {
    try {
      std::unique_ptr<Session> s = d.connect();
      const std::string done = sql::migrate(*s, d);
      if (!done.empty() && options.onMigrated) options.onMigrated(done);
      return s;
    } catch (...) {
      if (!d.transientOpenFailure() || std::chrono::steady_clock::now() >= deadline) {
        sql::rethrowAsStorage("opening the consent ledger");
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

class SqlLedger final : public Ledger {
 private:
  // "fn" on a pooled connection inside a read-only snapshot.
  template <typename Fn>
  auto snapshot(std::string_view doing, Fn&& fn) const {
    return readers_.with(doing, [&](Session& s) {
      dialect_->beginRead(s);
      try {
        auto result = fn(s);
        dialect_->endRead(s);
        return result;
      } catch (...) {
        dialect_->rollback(s);
        throw;
      }
    });
  }

 public:
  using Ledger::append;
  using Ledger::verify;

  SqlLedger(const Location& location, const Options& options)
      : options_(options),
        dialect_(sql::makeDialect(location, options)),
        readers_(options.readers, [this] { return dialect_->connect(); }) {
    dialect_->checkBeforeOpen();
    std::unique_ptr<Session> s = openWriter(*dialect_, options);
    try {
      meta_ = sql::readMeta(*s, *dialect_);
    } catch (...) {
      sql::rethrowAsStorage("opening the consent ledger");
    }
    writer_ = std::make_unique<sql::GroupCommit>(*dialect_, options, std::move(s), meta_.secret);
  }

  std::string_view backend() const override { return dialect_->name(); }
  std::string ledgerId() const override { return meta_.ledgerId; }

  AppendResult append(const NewEvent& event, const Citation& citation) override {
    NewEvent normalized = normalize(event);  // throws InvalidInput
    const bool subjectOnly =
        normalized.type == EventType::kBlocked || normalized.type == EventType::kUnblocked;
    if (citation.reason) {
      if (!subjectOnly) throw InvalidInput("a reason is recorded for blocking and unblocking only");
      checkText("reason", *citation.reason, 1024);
    }
    std::string digest = requestDigest(normalized);
    return writer_->append(std::move(normalized), citation, std::move(digest));
  }

  void ping() override { writer_->ping(); }
  Settings settings() override { return writer_->settings(); }

  std::optional<Event> find(std::string_view id) const override {
    if (id.size() != 36) return std::nullopt;
    return readers_.with("finding a consent event", [&](Session& s) -> std::optional<Event> {
      auto events = sql::selectConsents(s, *dialect_, "WHERE e.id = ?", {std::string(id)});
      if (events.empty()) return std::nullopt;
      return std::move(events.front());
    });
  }

  std::vector<Event> bySubject(std::string_view subject,
                               const std::optional<core::DocumentId>& doc) const override {
    return readers_.with("reading a subject's consent events", [&](Session& s) {
      auto row = sql::subjectRow(s, *dialect_, meta_.secret, subject);
      if (!row || !row->pseudonym) return std::vector<Event>{};
      if (!doc) {
        return sql::selectConsents(s, *dialect_, "WHERE e.pseudonym = ? ORDER BY e.seq",
                                   {*row->pseudonym});
      }
      return sql::selectConsents(s, *dialect_,
                                 "WHERE e.pseudonym = ? AND (e.document = ? OR e.kind IN "
                                 "('subject.blocked', 'subject.unblocked')) ORDER BY e.seq",
                                 {*row->pseudonym, doc->str()});
    });
  }

  bool isBlocked(std::string_view subject) const override {
    return readers_.with("reading a subject's blocking", [&](Session& s) {
      auto row = sql::subjectRow(s, *dialect_, meta_.secret, subject);
      return row && row->pseudonym && sql::blockedIn(s, *dialect_, *row->pseudonym);
    });
  }

  SubjectState subjectState(std::string_view subject) const override {
    return readers_.with("reading a subject's state", [&](Session& s) {
      auto row = sql::subjectRow(s, *dialect_, meta_.secret, subject);
      if (!row) return SubjectState::kUnknown;
      return row->key ? SubjectState::kActive : SubjectState::kErased;
    });
  }

  std::optional<std::string> subjectKey(std::string_view subject) const override {
    return readers_.with("reading a subject's key", [&](Session& s) -> std::optional<std::string> {
      auto row = sql::subjectRow(s, *dialect_, meta_.secret, subject);
      if (!row) return std::nullopt;
      return row->key;
    });
  }

  std::int64_t count() const override {
    return readers_.with("counting consent events", [&](Session& s) { return headSeq(s); });
  }

  VerifyReport verify(const VerifyOptions& options) const override {
    try {
      std::unique_ptr<sql::RawReader> r = dialect_->rawReader();
      return sql::verifyLog(*r, options);
    } catch (...) {
      sql::rethrowAsStorage("verifying the consent ledger");
    }
  }

  TailReport checkTail() override {
    std::lock_guard lock(tailMutex_);
    try {
      if (!tailReader_) tailReader_ = dialect_->rawReader();
      return tail_.check(*tailReader_);
    } catch (...) {
      tailReader_.reset();  // reconnect next time
      sql::rethrowAsStorage("checking the consent ledger's new events");
    }
  }

  Recorded<ChainedPublication> recordPublication(const PublicationFacts& facts) override {
    PublicationFacts f = sql::normalizePublication(facts);
    std::optional<Recorded<ChainedPublication>> out;
    writer_->transact([&](sql::Tx& tx) { out = sql::recordPublication(tx, f); });
    return std::move(*out);
  }

  Recorded<ChainedWithdrawal> recordWithdrawal(const WithdrawalFacts& facts) override {
    WithdrawalFacts f = sql::normalizeWithdrawal(facts);
    std::optional<Recorded<ChainedWithdrawal>> out;
    writer_->transact([&](sql::Tx& tx) { out = sql::recordWithdrawal(tx, f); });
    return std::move(*out);
  }

  std::vector<ChainedPublication> publications(const core::DocumentId& doc) const override {
    return readers_.with("reading publications",
                         [&](Session& s) { return sql::publicationsOf(s, *dialect_, doc); });
  }

  std::vector<core::DocumentId> publishedDocuments() const override {
    return readers_.with("reading publications",
                         [&](Session& s) { return sql::publishedDocumentsOf(s, *dialect_); });
  }

  std::optional<Chained> erase(std::string_view subject, std::string_view reason,
                               std::string_view by) override {
    if (!core::isValidSubject(subject)) {
      throw InvalidInput("subject must be 1-128 bytes of UTF-8 without control characters");
    }
    checkText("reason", reason, 1024);
    checkText("by", by, 128);
    std::optional<Chained> out;
    writer_->transact([&](sql::Tx& tx) {
      out = sql::eraseSubject(tx, meta_.secret, std::string(subject), std::string(reason),
                              std::string(by));
    });
    if (out) {
      readers_.with("removing erased values from the WAL", [&](Session& s) {
        dialect_->afterErase(s);
        return 0;
      });
    }
    return out;
  }

  TreeHead treeHead(std::uint64_t size) const override {
    return snapshot("reading a tree head", [&](Session& s) {
      checkSize(s, size);
      return TreeHead{size, merkle::treeHash(size, sql::storedPerfect(s, *dialect_))};
    });
  }

  std::vector<merkle::Hash> inclusionProof(std::int64_t seq, std::uint64_t size) const override {
    return snapshot("computing an inclusion proof", [&](Session& s) {
      checkSize(s, size);
      if (seq < 1 || static_cast<std::uint64_t>(seq) > size) {
        throw InvalidInput("seq must be within the tree");
      }
      return merkle::inclusionProof(static_cast<std::uint64_t>(seq - 1), size,
                                    sql::storedPerfect(s, *dialect_));
    });
  }

  std::vector<merkle::Hash> consistencyProof(std::uint64_t first,
                                             std::uint64_t second) const override {
    return snapshot("computing a consistency proof", [&](Session& s) {
      checkSize(s, second);
      if (first == 0 || first > second) throw InvalidInput("need 0 < first <= second");
      return merkle::consistencyProof(first, second, sql::storedPerfect(s, *dialect_));
    });
  }

  std::optional<std::string> canonicalBytes(std::int64_t seq) const override {
    return readers_.with("reading an event",
                         [&](Session& s) { return sql::bytesAt(s, *dialect_, seq); });
  }

  bool storePage(const PageRecord& page) override {
    return readers_.with("archiving a page",
                         [&](Session& s) { return sql::storePage(s, *dialect_, page); });
  }
  std::optional<PageRecord> page(std::string_view sha256) const override {
    return readers_.with("reading an archived page",
                         [&](Session& s) { return sql::pageOf(s, *dialect_, sha256); });
  }
  std::vector<PageRecord> pageVariants(const core::DocumentId& doc, core::EditionNo edition,
                                       const core::Lang& lang) const override {
    return readers_.with("listing archived pages", [&](Session& s) {
      return sql::pageVariants(s, *dialect_, doc, edition, lang);
    });
  }

 private:
  static std::int64_t headSeq(Session& s) {
    Poco::Int64 seq = 0;
    s << "SELECT seq FROM chain_head WHERE id = 1", into(seq), now;
    return seq;
  }
  static void checkSize(Session& s, std::uint64_t size) {
    if (size > static_cast<std::uint64_t>(headSeq(s))) {
      throw InvalidInput("the tree size is larger than the log");
    }
  }
  Options options_;
  std::unique_ptr<sql::Dialect> dialect_;
  mutable sql::Pool readers_;
  sql::Meta meta_;
  std::mutex tailMutex_;
  std::unique_ptr<sql::RawReader> tailReader_;
  sql::TailChecker tail_;
  std::unique_ptr<sql::GroupCommit> writer_;  // last: stopped first
};

}  // namespace

std::unique_ptr<Ledger> openLedger(std::string_view uri, const Options& options) {
  return std::make_unique<SqlLedger>(parseLocation(uri), options);
}

}  // namespace charta::ledger
