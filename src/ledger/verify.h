#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/chain.h"
#include "ledger/ledger.h"

namespace charta::ledger {

// One stored event as read back for verification: the text of its fields and its stored hash.
struct StoredRow {
  std::int64_t seq = 0;
  ChainFields fields;  // fields.seq is the stored seq as text
  std::string hash;
};

// Checks a chain read in two streaming passes, holding only the suspicious rows in memory.
// Storage-independent: the ledger feeds it rows. Not thread-safe (one verification per object).
//
//   ChainChecker c(headSeq, headHash, headPresent);
//   for each row by seq:               c.first(row);
//   if (c.needsSecondPass())
//     for each row by seq (any order): c.second(seq, hash, prevHash);
//   VerifyReport r = c.finish();
//
// Classification:
//   inserted    seq outside 1..head, or a row nothing chains to or from whose own link is dangling
//   reordered   the row's fields hash to its stored hash at the seq its links place it at, not at
//               the seq it is stored under (rows swapped or renumbered)
//   changed     the row's fields do not hash to its stored hash (any other edit)
//   removed     a gap in seq, or fewer rows than the chain head counts
//   broken_link prev_hash differs from the previous row's hash though neither is explained above
//               (typically: the previous row was edited and its hash recomputed), or the chain
//               head's hash differs from the last row's
class ChainChecker {
 public:
  ChainChecker(std::int64_t headSeq, std::string headHash, bool headPresent = true);

  void first(const StoredRow& row);
  bool needsSecondPass() const { return !anomalies_.empty(); }
  void second(std::int64_t seq, const std::string& hash, const std::string& prevHash);
  VerifyReport finish();

 private:
  struct Anomaly {
    StoredRow row;
    bool hashOk = true;
    bool inRange = true;
    bool gap = false;
    bool linkOk = true;
    std::int64_t predSeq = 0;  // 0: no predecessor (first row)
  };
  std::optional<std::int64_t> chainedSeq(std::int64_t seq);

  std::int64_t headSeq_;
  std::string headHash_;
  bool headPresent_;
  std::int64_t checked_ = 0;
  bool havePred_ = false;
  std::int64_t predSeq_ = 0;
  std::string predHash_;
  std::map<std::int64_t, Anomaly> anomalies_;    // by seq
  std::map<std::string, std::int64_t> holders_;  // wanted hash -> seq of the row storing it
  bool prepared_ = false;
  std::set<std::string> wantedRefs_;  // hashes of suspicious rows
  std::set<std::string> referenced_;  // those of them some row's prev_hash names
  std::map<std::int64_t, std::optional<std::int64_t>> chained_;  // memo of chainedSeq
};

}  // namespace charta::ledger
