// Verification reading of a v1 ledger (before its migration): the whole chain, a page at a time,
// fed to the storage-independent ChainChecker (verify.h). Memory grows with the findings only.

#include <limits>

#include "ledger/sql_events.h"

namespace charta::ledger::sql {
namespace {

using namespace Poco::Data::Keywords;

constexpr std::size_t kVerifyPage = 2000;

// The second pass: only the links of every row.
void feedLinks(Session& s, const Dialect& d, ChainChecker& checker) {
  Poco::Int64 after = std::numeric_limits<Poco::Int64>::min();
  for (;;) {
    std::vector<Poco::Int64> seq;
    std::vector<std::string> hash, prev;
    s << d.sql("SELECT seq, hash, prev_hash FROM consent_events WHERE seq > ? ORDER BY seq LIMIT " +
               std::to_string(kVerifyPage)),
        use(after), into(seq), into(hash), into(prev), now;
    for (std::size_t i = 0; i < seq.size(); ++i) checker.second(seq[i], hash[i], prev[i]);
    if (seq.size() < kVerifyPage) break;
    after = seq.back();
  }
}

}  // namespace

VerifyReport verifyChainV1(Session& s, const Dialect& d) {
  std::vector<Poco::Int64> headSeq;
  std::vector<std::string> headHash;
  s << "SELECT seq, hash FROM chain_head WHERE id = 1", into(headSeq), into(headHash), now;
  const bool headPresent = !headSeq.empty();
  ChainChecker checker(headPresent ? headSeq.front() : 0,
                       headPresent ? headHash.front() : std::string(), headPresent);
  Poco::Int64 after = std::numeric_limits<Poco::Int64>::min();
  const std::string page = "WHERE seq > ? ORDER BY seq LIMIT " + std::to_string(kVerifyPage);
  for (;;) {
    Rows rows = selectEvents(s, d, page, after);
    for (std::size_t i = 0; i < rows.size(); ++i) checker.first(rows.row(i));
    if (rows.size() < kVerifyPage) break;
    after = rows.seq.back();
  }
  if (checker.needsSecondPass()) feedLinks(s, d, checker);
  return checker.finish();
}

}  // namespace charta::ledger::sql
