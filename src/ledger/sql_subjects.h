#pragma once

#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/sql_dialect.h"
#include "ledger/sql_log.h"

// Internal to src/ledger: subjects as keyed pseudonyms (the erasable `subjects` table).
//
//   lookup    = hex HMAC-SHA256(ledger secret, subject id)   the row's key; the secret is in meta
//   key       = 32 random bytes, stored as hex               NULL once erased
//   pseudonym = hex HMAC-SHA256(key, subject id)             what the chain holds; NULL once erased
//
// HMAC keys are the raw bytes (the hex decoded).
namespace charta::ledger::sql {

std::string lookupOf(std::string_view secret, std::string_view subject);
std::string randomBytes(std::size_t n);  // from the kernel's CSPRNG
std::string fromHexBytes(std::string_view hex);

struct SubjectRow {
  std::string lookup;
  std::optional<std::string> key;  // raw bytes; nullopt once erased
  std::optional<std::string> pseudonym;
  bool erased = false;
};

// The stored row of "subject", if any.
std::optional<SubjectRow> subjectRow(Session& s, const Dialect& d, std::string_view secret,
                                     std::string_view subject);

// The subject rows of one write transaction: loaded in bulk, keys made for subjects that have
// none, written back by flush(). Not thread-safe (the writer's).
class SubjectKeys {
 public:
  SubjectKeys(Session& s, const Dialect& d, std::string secret)
      : s_(s), d_(d), secret_(std::move(secret)) {}

  // Loads the rows of "subjects" (any not loaded yet).
  void load(const std::vector<std::string>& subjects);
  // The live key row of "subject" (loaded), nullptr when it has none (unknown or erased).
  const SubjectRow* live(const std::string& subject) const;
  // The live key row of "subject", made now (new key and pseudonym) when it has none.
  const SubjectRow& keyOf(const std::string& subject);
  // Writes the rows made since the last flush; with "tx", new rows go into its write (Tx::write)
  // and this object must outlive Tx::flush.
  void flush(Tx* tx = nullptr);

 private:
  Session& s_;
  const Dialect& d_;
  std::string secret_;
  std::map<std::string, SubjectRow> rows_;  // by subject id
  std::map<std::string, bool> made_;        // subject id -> the row existed (erased) before
  std::set<std::string> absent_;            // subject ids load() found no row for
  struct New {
    std::string lookup, who, key, pseudonym;
  };
};

// Inside "tx" (see Ledger::erase): appends `subject.erased`, then erases the key, pseudonym and
// clear id of the subject's row and deletes its personal values. nullopt: already erased.
// throws NotFound: the subject is unknown.
std::optional<Chained> eraseSubject(Tx& tx, std::string_view secret, const std::string& subject,
                                    const std::string& reason, const std::string& by);

}  // namespace charta::ledger::sql
