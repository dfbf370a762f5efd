#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/merkle.h"
#include "ledger/canonical.h"
#include "ledger/ledger.h"
#include "ledger/raw_reader.h"

// Internal to src/ledger: verification of the v2 log read through a RawReader (storage
// independent, constant memory: the findings are capped at kMaxFindings).
namespace charta::ledger::sql {

inline constexpr std::size_t kMaxFindings = 10000;

// The perfect subtree hashes as "r" stores them (merkle_nodes; events' bytes below level 4).
// The callback throws StorageError when one is missing.
core::merkle::PerfectHash rawPerfect(RawReader& r);

// Ledger::verify on "r" (which it begins and ends).
VerifyReport verifyLog(RawReader& r, const VerifyOptions& options);

// The checks of one event that need nothing but the event and the hash of the one before it:
// its bytes against its stored hash, its bytes are canonical, its columns say what its bytes say,
// its prev_hash is "prevHash" (empty: unknown, not checked). Findings are appended to "out".
void checkEvent(const RawEvent& e, std::string_view prevHash, DecodedEvent& d,
                std::vector<Finding>& out);
// The same with its bytes already hashed: "hashOk" says whether they hash to its stored hash.
void checkEvent(const RawEvent& e, bool hashOk, std::string_view prevHash, DecodedEvent& d,
                std::vector<Finding>& out);
// Whether "hex" is the SHA-256 of "bytes" in lower-case hex.
bool hashes(std::string_view bytes, std::string_view hex);

// Ledger::checkTail's state and step (see there).
class TailChecker {
 public:
  TailReport check(RawReader& r);

 private:
  void add(Finding f);
  bool started_ = false;
  std::int64_t lastSeq_ = 0;
  std::string lastHash_;
  std::vector<Finding> findings_;
  DecodedEvent scratch_;
};

}  // namespace charta::ledger::sql
