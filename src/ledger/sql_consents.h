#pragma once

#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/sql_log.h"
#include "ledger/sql_subjects.h"

// Internal to src/ledger: consent-type events (given, withdrawn, blocked, unblocked) appended in
// one write transaction (a group-commit batch).
namespace charta::ledger::sql {

// One normalized request of a batch.
struct ConsentRequest {
  const NewEvent* event;
  const Citation* citation;
  const std::string* digest;  // the request digest of chain.h (unkeyed)
};

// The chained publications consents have cited, kept by the writer across batches (a chained
// event never changes): one read per edition instead of two per batch. Not thread-safe.
struct PublicationCache {
  struct Cited {
    std::int64_t seq = 0;
    std::string doc, edition, commit;
    std::map<std::string, std::string> texts;  // language -> SHA-256
  };
  std::map<std::string, Cited> byEdition;  // by "document\nedition"
  std::map<std::int64_t, Cited> bySeq;
};

// The decisions of one batch, in order, inside its transaction: what is committed (by other
// processes too) and what the batch appended before each request both count.
class ConsentBatch {
 public:
  ConsentBatch(Tx& tx, std::string secret, bool requirePublication, PublicationCache& cache)
      : tx_(tx),
        keys_(tx.session, tx.dialect, std::move(secret)),
        requirePublication_(requirePublication),
        cache_(cache) {}

  // Loads what the requests need (subject rows, stored idempotency keys, blocking).
  void prepare(const std::vector<ConsentRequest>& requests);

  // Decides one request: a replay of the event stored or appended under its idempotency key, a
  // new event at the head of the chain, or a refusal.
  // throws Conflict, Blocked, NotChained, InvalidInput (this request only).
  AppendResult decide(const ConsentRequest& r);

  // Queues the subject rows and personal values for the transaction's write (Tx::write); the
  // batch must outlive Tx::flush.
  void flush();

 private:
  struct Stored {
    std::string pseudonym, requestDigest;
    Event event;
  };
  using Cited = PublicationCache::Cited;
  std::optional<Cited> citation(const NewEvent& e, const Citation& c);
  std::optional<Cited> publicationAt(std::int64_t seq);
  std::optional<Cited> publicationOf(const NewEvent& e);
  std::optional<AppendResult> replay(const ConsentRequest& r);

  Tx& tx_;
  SubjectKeys keys_;
  bool requirePublication_;
  PublicationCache& cache_;
  std::map<std::string, Stored> stored_;               // committed or appended, by idempotency key
  std::map<std::string, bool> blocked_;                // by pseudonym; updated as the batch goes
  std::map<std::string, std::optional<Cited>> cited_;  // by "document\nedition"
  struct Personal {
    std::string eventId, pseudonym, evidence;
  };
  std::vector<Personal> personal_;
};

// Reads stored subject-kind events: "where" selects from `events e` (placeholders bound from
// "values"); subjects and personal are joined for the clear subject id and evidence.
std::vector<Event> selectConsents(Session& s, const Dialect& d, const std::string& where,
                                  const std::vector<std::string>& values);

// Whether the latest blocked/unblocked event of "pseudonym" is a `subject.blocked`.
bool blockedIn(Session& s, const Dialect& d, const std::string& pseudonym);

}  // namespace charta::ledger::sql
