#include "ledger/log_verify.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <set>

#include "core/sha256.h"
#include "ledger/chain.h"

namespace charta::ledger::sql {

namespace merkle = core::merkle;

namespace {

constexpr std::int64_t kLast = std::numeric_limits<std::int64_t>::max();
constexpr unsigned kStored = 4;           // merkle_nodes holds levels >= 4
constexpr std::size_t kNodeBatch = 4096;  // completed nodes compared per round trip

std::string decimal(std::int64_t v) { return std::to_string(v); }

bool sameColumn(std::optional<std::string_view> column, std::optional<std::string_view> bytes) {
  return column == bytes;
}

// Whether "text" is the decimal "n" (no allocation: verify calls it for every event).
bool isDecimal(std::optional<std::string_view> text, std::int64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  return text && ec == std::errc() && *text == std::string_view(buf, end);
}

// Whether "hex" is the SHA-256 of "bytes" in lower-case hex.
bool hashes(std::string_view bytes, std::string_view hex) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (hex.size() != 64) return false;
  const auto digest = core::sha256(bytes);
  for (std::size_t i = 0; i < digest.size(); ++i) {
    if (hex[2 * i] != kDigits[digest[i] >> 4] || hex[2 * i + 1] != kDigits[digest[i] & 15]) {
      return false;
    }
  }
  return true;
}

std::string range(std::int64_t from, std::int64_t to) {
  if (from == to) return "the event with seq " + decimal(from) + " is missing";
  return "the events with seq " + decimal(from) + ".." + decimal(to) + " are missing";
}

// The names of the indexed columns of "e" that disagree with its decoded bytes "d".
std::string columnMismatches(const RawEvent& e, const DecodedEvent& d) {
  std::string out;
  auto check = [&](bool ok, const char* name) {
    if (!ok) out += (out.empty() ? "" : ", ") + std::string(name);
  };
  check(d.values[kIdField] == e.id, "id");
  check(isDecimal(d.values[kSeqField], e.seq), "seq");
  check(d.values[kKindField] == e.kind, "kind");
  check(isDecimal(d.values[kRecordedAtField], e.recordedAt), "recorded_at");
  check(sameColumn(e.pseudonym, d.get("subject")), "pseudonym");
  check(sameColumn(e.document, d.get("document")), "document");
  const auto edition = d.get("edition");
  check(e.edition ? isDecimal(edition, *e.edition) : !edition, "edition");
  check(sameColumn(e.idempotencyKey, d.get("idempotency_key")), "idempotency_key");
  check(d.get("prev_hash") == e.prevHash, "prev_hash");
  return out;
}

// Compares the Merkle nodes completed while reading with the stored ones, a batch at a time.
class NodeChecker {
 public:
  NodeChecker(RawReader& r, std::vector<Finding>& findings) : r_(r), findings_(findings) {}

  void completed(unsigned level, std::uint64_t index, const merkle::Hash& h) {
    if (level < kStored) return;
    pending_[level].emplace_back(index, merkle::toHex(h));
    if (++count_ >= kNodeBatch) flush();
  }

  void flush() {
    for (auto& entry : pending_) {
      const auto level = entry.first;  // not a structured binding: lambdas capture it
      auto& nodes = entry.second;
      std::size_t at = 0;
      r_.nodes(level, nodes.front().first, nodes.back().first + 1,
               [&](std::uint64_t idx, std::string_view hash) {
                 while (at < nodes.size() && nodes[at].first < idx) missing(level, nodes[at++]);
                 if (at < nodes.size() && nodes[at].first == idx) {
                   if (nodes[at].second != hash) differs(level, nodes[at]);
                   ++at;
                 }
               });
      while (at < nodes.size()) missing(level, nodes[at++]);
    }
    pending_.clear();
    count_ = 0;
  }

 private:
  using Node = std::pair<std::uint64_t, std::string>;
  void missing(unsigned level, const Node& n) { add(level, n, "is missing"); }
  void differs(unsigned level, const Node& n) {
    add(level, n, "is not the hash of the events it covers");
  }
  void add(unsigned level, const Node& n, const char* what) {
    if (findings_.size() >= kMaxFindings) return;
    const std::int64_t lastSeq = static_cast<std::int64_t>((n.first + 1) << level);
    findings_.push_back({FindingKind::kMerkle, lastSeq, "",
                         "the stored Merkle node (level " + std::to_string(level) + ", index " +
                             std::to_string(n.first) + ") " + what});
  }

  RawReader& r_;
  std::vector<Finding>& findings_;
  std::map<unsigned, std::vector<Node>> pending_;
  std::size_t count_ = 0;
};

// The anchors sorted by size, compared as the log reaches each size.
class AnchorChecker {
 public:
  AnchorChecker(std::vector<Anchor> anchors, std::vector<Finding>& findings)
      : anchors_(std::move(anchors)), findings_(findings) {
    std::sort(anchors_.begin(), anchors_.end(),
              [](const Anchor& a, const Anchor& b) { return a.treeSize < b.treeSize; });
  }

  // The log holds "size" events, the last with stored hash "hash", and has root "root".
  void reached(std::uint64_t size, const std::string& hash, const merkle::Frontier& frontier) {
    while (next_ < anchors_.size() && anchors_[next_].treeSize <= size) {
      const Anchor& a = anchors_[next_++];
      if (a.treeSize != size) continue;  // an anchor inside a skipped prefix (sinceAnchor)
      ++checked_;
      const std::string root = merkle::toHex(frontier.root());
      if (root != a.root) {
        add(a, "the tree head of the log at size " + std::to_string(size) +
                   " is not the anchor's root (the log was rewritten or recomputed)");
      } else if (a.chainHeadSeq != static_cast<std::int64_t>(size) || a.chainHeadHash != hash) {
        add(a, "the chain hash of event " + decimal(a.chainHeadSeq) + " is not the anchor's");
      }
    }
  }

  // After the log's last event ("size" events): anchors beyond it.
  void finish(std::uint64_t size) {
    for (; next_ < anchors_.size(); ++next_) {
      const Anchor& a = anchors_[next_];
      if (a.treeSize == 0) continue;
      add(a, "the log has " + std::to_string(size) + " events, the anchor " +
                 std::to_string(a.treeSize) + " (events were removed)");
    }
  }

  // Each anchor against the previous one by a consistency proof from the stored nodes.
  void consistency(std::uint64_t size, const merkle::PerfectHash& perfect) {
    const Anchor* prev = nullptr;
    for (const Anchor& a : anchors_) {
      if (a.treeSize == 0 || a.treeSize > size) continue;
      if (prev && !bad_.count(prev->treeSize) && !bad_.count(a.treeSize)) {
        auto r1 = merkle::fromHex(prev->root), r2 = merkle::fromHex(a.root);
        bool ok = false;
        try {
          auto proof = merkle::consistencyProof(prev->treeSize, a.treeSize, perfect);
          ok = r1 && r2 && merkle::verifyConsistency(prev->treeSize, a.treeSize, *r1, *r2, proof);
        } catch (const StorageError&) {
        }
        if (!ok) {
          add(*prev, "the log cannot prove it consistent with the anchor at size " +
                         std::to_string(a.treeSize));
        }
      }
      prev = &a;
    }
  }

  const Anchor* latest() const { return anchors_.empty() ? nullptr : &anchors_.back(); }
  // Skips the anchors of the prefix that sinceAnchor does not read; the one at "size" itself was
  // checked by startAtAnchor (root and chain head), so no event left to read still reaches it.
  void skipTo(std::size_t size) {
    for (; next_ < anchors_.size() && anchors_[next_].treeSize <= size; ++next_) {
      if (size > 0 && anchors_[next_].treeSize == size) ++checked_;
    }
  }
  std::int64_t checked() const { return checked_; }

 private:
  void add(const Anchor& a, const std::string& what) {
    bad_.insert(a.treeSize);
    findings_.push_back({FindingKind::kAnchor, static_cast<std::int64_t>(a.treeSize), "",
                         "anchor " + (a.name.empty() ? "" : a.name + " ") + "(size " +
                             std::to_string(a.treeSize) + "): " + what});
  }
  std::vector<Anchor> anchors_;
  std::vector<Finding>& findings_;
  std::size_t next_ = 0;
  std::int64_t checked_ = 0;
  std::set<std::uint64_t> bad_;  // sizes of the anchors with a finding already
};

// Where verification starts with sinceAnchor: the frontier at the latest anchor's size and the
// chain hash of its last event, when the stored nodes give its root.
struct Start {
  std::int64_t seq = 1;  // the first event to read
  std::string prevHash = std::string(kGenesisHash);
  merkle::Frontier frontier;
};

std::optional<Start> startAtAnchor(RawReader& r, const Anchor& a) {
  if (a.treeSize == 0) return std::nullopt;
  try {
    Start s;
    s.frontier = merkle::Frontier::of(a.treeSize, rawPerfect(r));
    if (merkle::toHex(s.frontier.root()) != a.root) return std::nullopt;
    bool ok = false;
    r.events(static_cast<std::int64_t>(a.treeSize), static_cast<std::int64_t>(a.treeSize),
             [&](const RawEvent& e) {
               ok = e.hash == a.chainHeadHash && core::sha256Hex(e.bytes) == e.hash;
             });
    if (!ok) return std::nullopt;
    s.seq = static_cast<std::int64_t>(a.treeSize) + 1;
    s.prevHash = a.chainHeadHash;
    return s;
  } catch (const StorageError&) {
    return std::nullopt;  // a node is missing: verify from the start, which finds what is wrong
  }
}

}  // namespace

merkle::PerfectHash rawPerfect(RawReader& r) {
  return [&r](unsigned level, std::uint64_t index) -> merkle::Hash {
    std::optional<merkle::Hash> out;
    if (level >= kStored) {
      r.nodes(level, index, index + 1,
              [&](std::uint64_t, std::string_view hash) { out = merkle::fromHex(hash); });
    } else {
      const std::uint64_t n = std::uint64_t{1} << level;
      std::vector<merkle::Hash> leaves;
      r.events(static_cast<std::int64_t>(index * n) + 1, static_cast<std::int64_t>((index + 1) * n),
               [&](const RawEvent& e) { leaves.push_back(merkle::leafHash(e.bytes)); });
      if (leaves.size() == n) {
        while (leaves.size() > 1) {
          for (std::size_t i = 0; i < leaves.size() / 2; ++i) {
            leaves[i] = merkle::nodeHash(leaves[2 * i], leaves[2 * i + 1]);
          }
          leaves.resize(leaves.size() / 2);
        }
        out = leaves.front();
      }
    }
    if (!out) {
      throw StorageError("the Merkle subtree (level " + std::to_string(level) + ", index " +
                         std::to_string(index) + ") cannot be read");
    }
    return *out;
  };
}

void checkEvent(const RawEvent& e, std::string_view prevHash, DecodedEvent& d,
                std::vector<Finding>& out) {
  const std::string_view id = e.id;
  if (!hashes(e.bytes, e.hash)) {
    out.push_back({FindingKind::kChanged, e.seq, std::string(id),
                   "the stored bytes do not hash to its hash"});
  }
  std::string why = decode(e.bytes, d);
  if (!why.empty()) {
    out.push_back({FindingKind::kChanged, e.seq, std::string(id),
                   "the stored bytes are not canonical: " + why});
    return;
  }
  std::string columns = columnMismatches(e, d);
  if (!columns.empty()) {
    out.push_back({FindingKind::kMismatch, e.seq, std::string(id),
                   "the stored columns do not say what the bytes say: " + columns});
  }
  if (!prevHash.empty() && d.get("prev_hash") != prevHash) {
    out.push_back({FindingKind::kBrokenLink, e.seq, std::string(id),
                   "prev_hash is not the hash of the event before (changed and re-hashed?)"});
  }
}

VerifyReport verifyLog(RawReader& r, const VerifyOptions& options) {
  VerifyReport report;
  r.begin();
  auto head = r.head();
  report.headSeq = head ? head->first : 0;
  report.headHash = head ? head->second : "";
  std::vector<Finding>& findings = report.findings;
  AnchorChecker anchors(options.anchors, findings);
  Start start;
  if (options.sinceAnchor && anchors.latest()) {
    if (auto s = startAtAnchor(r, *anchors.latest())) start = std::move(*s);
  }
  report.fromSeq = start.seq;
  anchors.skipTo(start.frontier.size());
  NodeChecker nodes(r, findings);
  merkle::Frontier frontier = start.frontier;
  std::int64_t last = start.seq - 1;
  std::string lastHash = start.prevHash;
  DecodedEvent scratch;
  std::vector<Finding> local;
  r.events(start.seq, kLast, [&](const RawEvent& e) {
    ++report.checked;
    if (head && e.seq > head->first) {
      findings.push_back({FindingKind::kInserted, e.seq, std::string(e.id),
                          "beyond the chain head (seq " + decimal(head->first) + ")"});
      return;
    }
    if (e.seq != last + 1) {
      findings.push_back({FindingKind::kRemoved, last + 1, "", range(last + 1, e.seq - 1)});
    }
    local.clear();
    checkEvent(e, e.seq == last + 1 ? std::string_view(lastHash) : std::string_view(), scratch,
               local);
    if (findings.size() < kMaxFindings) findings.insert(findings.end(), local.begin(), local.end());
    frontier.append(merkle::leafHash(e.bytes),
                    [&](unsigned level, std::uint64_t idx, const merkle::Hash& h) {
                      nodes.completed(level, idx, h);
                    });
    last = e.seq;
    lastHash.assign(e.hash);
    anchors.reached(frontier.size(), lastHash, frontier);
  });
  nodes.flush();
  if (!head) {
    findings.push_back({FindingKind::kBrokenLink, 0, "", "the chain head row is missing"});
  } else if (last < head->first) {
    findings.push_back({FindingKind::kRemoved, last + 1, "", range(last + 1, head->first)});
  } else if (lastHash != head->second) {
    findings.push_back({FindingKind::kBrokenLink, last, "",
                        "the chain head's hash is not the hash of the last event"});
  }
  anchors.finish(frontier.size());
  anchors.consistency(frontier.size(), rawPerfect(r));
  r.end();
  report.treeSize = frontier.size();
  report.root = merkle::toHex(frontier.root());
  report.anchorsChecked = anchors.checked();
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& x, const Finding& y) { return x.seq < y.seq; });
  report.ok = findings.empty();
  return report;
}

void TailChecker::add(Finding f) {
  if (findings_.size() < 16) findings_.push_back(std::move(f));
}

TailReport TailChecker::check(RawReader& r) {
  TailReport out;
  r.begin();
  try {
    auto head = r.head();
    const std::int64_t headSeq = head ? head->first : 0;
    if (!head) add({FindingKind::kBrokenLink, 0, "", "the chain head row is missing"});
    std::vector<Finding> local;
    if (!started_) {
      r.events(headSeq, headSeq, [&](const RawEvent& e) {
        checkEvent(e, "", scratch_, local);
        lastHash_ = std::string(e.hash);
      });
      lastSeq_ = headSeq;
      started_ = true;
    } else if (headSeq < lastSeq_) {
      add({FindingKind::kRemoved, headSeq + 1, "", range(headSeq + 1, lastSeq_)});
    } else {
      bool kept = lastSeq_ == 0;
      r.events(lastSeq_, lastSeq_, [&](const RawEvent& e) {
        kept = e.hash == lastHash_ && core::sha256Hex(e.bytes) == e.hash;  // bytes edited too
      });
      if (!kept) {
        add({FindingKind::kChanged, lastSeq_, "", "the event checked last was changed or removed"});
      }
      r.events(lastSeq_ + 1, headSeq, [&](const RawEvent& e) {
        if (e.seq != lastSeq_ + 1) {
          add({FindingKind::kRemoved, lastSeq_ + 1, "", range(lastSeq_ + 1, e.seq - 1)});
        }
        checkEvent(e, e.seq == lastSeq_ + 1 ? std::string_view(lastHash_) : std::string_view(),
                   scratch_, local);
        lastSeq_ = e.seq;
        lastHash_.assign(e.hash);
        ++out.newEvents;
      });
      if (lastSeq_ < headSeq)
        add({FindingKind::kRemoved, lastSeq_ + 1, "", range(lastSeq_ + 1, headSeq)});
    }
    if (head && lastSeq_ == headSeq && lastHash_ != head->second && headSeq > 0) {
      add({FindingKind::kBrokenLink, headSeq, "",
           "the chain head's hash is not the hash of the last event"});
    }
    for (Finding& f : local) add(std::move(f));
  } catch (...) {
    r.end();
    throw;
  }
  r.end();
  out.checkedThrough = lastSeq_;
  out.findings = findings_;
  out.ok = findings_.empty();
  return out;
}

}  // namespace charta::ledger::sql
