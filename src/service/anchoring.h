#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/time.h"
#include "ledger/ledger.h"
#include "repository/anchors.h"

namespace charta::service {

// What one anchor states: anchor.json in the tree of an anchor commit.
//
//   {"format":"charta-anchor/1","ledger":"<ledger id>","tree_size":N,"root":"<hex MTH of events
//    1..N>","chain_head":{"seq":N,"hash":"<hex chain hash of event N>"},"time":"<RFC 3339>"}
//
// written on one line, members in this order, with a final new line.
struct AnchorStatement {
  std::string ledger;
  std::uint64_t treeSize = 0;
  std::string root;
  std::int64_t chainHeadSeq = 0;
  std::string chainHeadHash;
  std::string time;
};

inline constexpr const char* kAnchorFile = "anchor.json";
inline constexpr const char* kTimestampFile = "timestamp.tsr";

std::string anchorJson(const AnchorStatement& s);

// Reads anchor.json. throws InvalidInput: not one of format charta-anchor/1 (the message says
// why).
AnchorStatement parseAnchorJson(std::string_view text);

struct AnchoringOptions {
  bool replica = false;   // a replica never writes refs: anchor() does nothing there
  std::string tsaUrl;     // ledger.tsa_url: empty, no time-stamp tokens
  std::string tsaCaFile;  // ledger.tsa_ca_file: the CAs a token's signature is checked with
  std::chrono::milliseconds tsaTimeout{10000};
};

struct AnchorResult {
  enum class Outcome {
    kWritten,  // a new anchor commit is the tip
    kCovered,  // the tip already anchors every event (or more): nothing written
    kEmpty,    // the ledger has no event yet
    kReplica,  // a replica: nothing written
  };
  Outcome outcome = Outcome::kEmpty;
  AnchorStatement statement;  // what the tip states now (kWritten, kCovered)
  std::string commit;         // the tip's commit
  bool timestamped = false;   // the new anchor holds a time-stamp token
  std::string warning;        // the TSA failed: anchored without a token, and why
};

// Writes anchors: the ledger's tree head over every event committed to refs/charta/anchors of the
// policy repository, with an RFC 3161 token when ledger.tsa_url is set. The anchor is written by
// compare-and-swap on the ref; a writer that loses the race reads the tip again and stops when it
// already covers the ledger's size. Safe for concurrent use.
class Anchoring {
 public:
  Anchoring(ledger::Ledger& ledger, repository::AnchorChain& chain, AnchoringOptions options);

  // Anchors every event in the ledger at "now", unless the tip covers them.
  // throws ledger::StorageError, RepositoryError; Conflict: the ref kept moving under it.
  AnchorResult anchor(core::Instant now);

  // The anchor commit at the tip and what it states; nullopt before the first anchor, or when the
  // tip is not a readable anchor (verify says why). throws RepositoryError.
  std::optional<std::pair<std::string, AnchorStatement>> latest() const;

  const AnchoringOptions& options() const { return options_; }

 private:
  ledger::Ledger& ledger_;
  repository::AnchorChain& chain_;
  AnchoringOptions options_;
  std::mutex mu_;  // one anchor at a time in this process
};

// The server's anchoring: soon after events were chained (poke()), and every "every" when new
// events exist, on its own thread until destroyed. Failures are logged and retried at the next
// turn.
class AnchorKeeper {
 public:
  AnchorKeeper(Anchoring& anchoring, std::chrono::seconds every,
               std::function<void(const std::string& level, const std::string& line)> log);
  ~AnchorKeeper();
  AnchorKeeper(const AnchorKeeper&) = delete;
  AnchorKeeper& operator=(const AnchorKeeper&) = delete;

  // Anchors soon (after a publication or withdrawal was chained). Safe from any thread.
  void poke();

 private:
  void run();
  bool once();  // false: it failed (retried soon)

  Anchoring& anchoring_;
  std::chrono::seconds every_;
  std::function<void(const std::string&, const std::string&)> log_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = true;  // anchor once at start: events chained while no server ran
  std::string lastError_;
  std::thread thread_;  // last: starts once the rest is set
};

}  // namespace charta::service
