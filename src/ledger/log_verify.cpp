#include "ledger/log_verify.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <set>

#include "core/sha256.h"
#include "ledger/chain.h"
#include "ledger/verify_batch.h"

namespace charta::ledger::sql {

namespace merkle = core::merkle;

namespace {

constexpr std::int64_t kLast = std::numeric_limits<std::int64_t>::max();
constexpr unsigned kStored = 4;       // merkle_nodes holds levels >= 4
constexpr std::size_t kInFlight = 2;  // batches being checked while the next one is read

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

}  // namespace

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

namespace {

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
  checkEvent(e, hashes(e.bytes, e.hash), prevHash, d, out);
}

void checkEvent(const RawEvent& e, bool hashOk, std::string_view prevHash, DecodedEvent& d,
                std::vector<Finding>& out) {
  const std::string_view id = e.id;
  if (!hashOk) {
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

namespace {

// The stored nodes completed when the tree grows from "from" to "to" leaves: at each level >= 4,
// the subtrees (idx + 1) << level in (from, to].
std::vector<RawReader::NodeRange> completedBetween(std::uint64_t from, std::uint64_t to) {
  std::vector<RawReader::NodeRange> out;
  for (unsigned level = kStored; level < 64 && (std::uint64_t{1} << level) <= to; ++level) {
    if ((from >> level) < (to >> level)) out.push_back({level, from >> level, to >> level});
  }
  return out;
}

// Whether each event's bytes hash to its stored hash (the chain hash's half of the checking).
void hashAll(EventBatch& b) {
  b.hashOk.resize(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    const RawEvent e = b.at(i);
    b.hashOk[i] = hashes(e.bytes, e.hash);
  }
}

// The walk over the log that the checking thread carries from batch to batch.
class LogWalk {
 public:
  LogWalk(VerifyReport& report, std::optional<std::pair<std::int64_t, std::string>> head,
          AnchorChecker& anchors, Start&& start)
      : report_(report),
        head_(std::move(head)),
        anchors_(anchors),
        frontier_(std::move(start.frontier)),
        last_(start.seq - 1),
        lastHash_(std::move(start.prevHash)) {}

  // Every event of "b" in order, then the nodes its events complete against the stored ones.
  void check(EventBatch& b) {
    std::vector<Finding>& findings = report_.findings;
    computed_.clear();
    if (b.hashOk.size() != b.size()) hashAll(b);
    for (std::size_t i = 0; i < b.size(); ++i) {
      const RawEvent e = b.at(i);
      ++report_.checked;
      if (head_ && e.seq > head_->first) {
        add({FindingKind::kInserted, e.seq, std::string(e.id),
             "beyond the chain head (seq " + decimal(head_->first) + ")"});
        continue;
      }
      if (e.seq != last_ + 1) {
        add({FindingKind::kRemoved, last_ + 1, "", range(last_ + 1, e.seq - 1)});
      }
      local_.clear();
      checkEvent(e, b.hashOk[i] != 0,
                 e.seq == last_ + 1 ? std::string_view(lastHash_) : std::string_view(), scratch_,
                 local_);
      if (findings.size() < kMaxFindings)
        findings.insert(findings.end(), local_.begin(), local_.end());
      leafBuffer_.assign(1, '\0');
      leafBuffer_.append(e.bytes);
      frontier_.append(core::sha256(leafBuffer_),
                       [&](unsigned level, std::uint64_t idx, const merkle::Hash& h) {
                         if (level >= kStored) computed_.push_back({level, idx, h});
                       });
      last_ = e.seq;
      lastHash_.assign(e.hash);
      anchors_.reached(frontier_.size(), lastHash_, frontier_);
    }
    compareNodes(b);
  }

  std::int64_t last() const { return last_; }
  const std::string& lastHash() const { return lastHash_; }
  const merkle::Frontier& frontier() const { return frontier_; }

 private:
  struct Computed {
    unsigned level;
    std::uint64_t idx;
    merkle::Hash hash;
  };
  void add(Finding f) {
    if (report_.findings.size() < kMaxFindings) report_.findings.push_back(std::move(f));
  }
  void compareNodes(const EventBatch& b) {
    std::vector<EventBatch::Node> stored = b.nodes();
    auto key = [](unsigned level, std::uint64_t idx) { return std::make_pair(level, idx); };
    std::sort(stored.begin(), stored.end(), [&](const auto& x, const auto& y) {
      return key(x.level, x.idx) < key(y.level, y.idx);
    });
    for (const Computed& c : computed_) {
      auto it =
          std::lower_bound(stored.begin(), stored.end(), key(c.level, c.idx),
                           [&](const auto& n, const auto& k) { return key(n.level, n.idx) < k; });
      if (it == stored.end() || it->level != c.level || it->idx != c.idx) {
        node(c, "is missing");
      } else if (merkle::toHex(c.hash) != it->hash) {
        node(c, "is not the hash of the events it covers");
      }
    }
  }
  void node(const Computed& n, const char* what) {
    const std::int64_t lastSeq = static_cast<std::int64_t>((n.idx + 1) << n.level);
    add({FindingKind::kMerkle, lastSeq, "",
         "the stored Merkle node (level " + std::to_string(n.level) + ", index " +
             std::to_string(n.idx) + ") " + what});
  }

  VerifyReport& report_;
  const std::optional<std::pair<std::int64_t, std::string>> head_;
  AnchorChecker& anchors_;
  merkle::Frontier frontier_;
  std::int64_t last_;
  std::string lastHash_;
  DecodedEvent scratch_;
  std::vector<Finding> local_;
  std::string leafBuffer_;
  std::vector<Computed> computed_;
};

// Reads the log from "from" on in batches, with the stored nodes each completes, into "pipe".
void readBatches(RawReader& r, BatchPipeline& pipe, std::int64_t from, std::uint64_t tree,
                 const std::optional<std::pair<std::int64_t, std::string>>& head,
                 std::size_t batch) {
  for (;;) {
    EventBatch& b = pipe.next();
    b.treeFrom = tree;
    std::int64_t lastSeq = from - 1;
    const std::size_t n = r.eventsFrom(from, batch, [&](const RawEvent& e) {
      b.add(e);
      lastSeq = e.seq;
      if (!head || e.seq <= head->first) ++tree;
    });
    b.treeTo = tree;
    if (pipe.checkerBusy()) hashAll(b);  // reading is the faster part: take some checking on
    r.nodes(completedBetween(b.treeFrom, tree),
            [&](unsigned level, std::uint64_t idx, std::string_view hash) {
              b.addNode(level, idx, hash);
            });
    pipe.submit();
    if (n < batch || lastSeq == kLast) return;
    from = lastSeq + 1;
  }
}

}  // namespace

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
  const std::int64_t from = start.seq;
  const std::uint64_t tree = start.frontier.size();
  LogWalk walk(report, head, anchors, std::move(start));
  {
    BatchPipeline pipe(
        [&](EventBatch& b) {
          walk.check(b);
          if (options.progress) options.progress(report.checked);
        },
        kInFlight);
    readBatches(r, pipe, from, tree, head, std::max<std::size_t>(1, options.batch));
    pipe.finish();
  }
  const std::int64_t last = walk.last();
  if (!head) {
    findings.push_back({FindingKind::kBrokenLink, 0, "", "the chain head row is missing"});
  } else if (last < head->first) {
    findings.push_back({FindingKind::kRemoved, last + 1, "", range(last + 1, head->first)});
  } else if (walk.lastHash() != head->second) {
    findings.push_back({FindingKind::kBrokenLink, last, "",
                        "the chain head's hash is not the hash of the last event"});
  }
  const merkle::Frontier& frontier = walk.frontier();
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
