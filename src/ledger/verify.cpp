#include "ledger/verify.h"

#include <algorithm>
#include <limits>

namespace charta::ledger {
namespace {

std::string range(std::int64_t from, std::int64_t to) {
  if (from == to) return "the event with seq " + std::to_string(from) + " is missing";
  return "the events with seq " + std::to_string(from) + ".." + std::to_string(to) + " are missing";
}

}  // namespace

std::string_view findingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kChanged:
      return "changed";
    case FindingKind::kRemoved:
      return "removed";
    case FindingKind::kInserted:
      return "inserted";
    case FindingKind::kReordered:
      return "reordered";
    case FindingKind::kBrokenLink:
      return "broken_link";
    case FindingKind::kMismatch:
      return "mismatch";
    case FindingKind::kMerkle:
      return "merkle_node";
    case FindingKind::kAnchor:
      return "anchor";
  }
  return "?";
}

ChainChecker::ChainChecker(std::int64_t headSeq, std::string headHash, bool headPresent)
    : headSeq_(headPresent ? headSeq : std::numeric_limits<std::int64_t>::max()),
      headHash_(std::move(headHash)),
      headPresent_(headPresent) {}

void ChainChecker::first(const StoredRow& row) {
  ++checked_;
  Anomaly a;
  a.hashOk = chainHash(row.fields) == row.hash;
  a.inRange = row.seq >= 1 && row.seq <= headSeq_;
  if (a.inRange) {
    std::int64_t expectedSeq = havePred_ ? predSeq_ + 1 : 1;
    const std::string& expectedPrev = havePred_ ? predHash_ : std::string(kGenesisHash);
    a.gap = row.seq != expectedSeq;
    a.linkOk = row.fields.prevHash == expectedPrev;
    a.predSeq = havePred_ ? predSeq_ : 0;
    havePred_ = true;
    predSeq_ = row.seq;
    predHash_ = row.hash;
  }
  if (!a.hashOk || !a.inRange || a.gap || !a.linkOk) {
    a.row = row;
    anomalies_.emplace(row.seq, std::move(a));
  }
}

void ChainChecker::second(std::int64_t seq, const std::string& hash, const std::string& prevHash) {
  if (!prepared_) {
    prepared_ = true;
    for (const auto& [s, a] : anomalies_) {
      holders_.emplace(a.row.fields.prevHash, 0);
      wantedRefs_.insert(a.row.hash);
    }
  }
  if (auto it = holders_.find(hash);
      it != holders_.end() && it->second == 0 && seq >= 1 && seq <= headSeq_) {
    it->second = seq;
  }
  if (wantedRefs_.count(prevHash)) referenced_.insert(prevHash);
}

// The seq the links place row "seq" at: one after the row its prev_hash names, following
// suspicious predecessors back to an intact one (whose stored seq is proven by its hash).
std::optional<std::int64_t> ChainChecker::chainedSeq(std::int64_t seq) {
  if (auto memo = chained_.find(seq); memo != chained_.end()) return memo->second;
  chained_[seq] = std::nullopt;  // guards against cycles in forged data
  std::optional<std::int64_t> result;
  const Anomaly& a = anomalies_.at(seq);
  if (a.row.fields.prevHash == kGenesisHash) {
    result = 1;
  } else if (auto h = holders_.find(a.row.fields.prevHash); h != holders_.end() && h->second > 0) {
    auto pred = anomalies_.find(h->second);
    if (pred != anomalies_.end() && !pred->second.hashOk) {
      if (auto p = chainedSeq(h->second)) result = *p + 1;
    } else {
      result = h->second + 1;
    }
  }
  chained_[seq] = result;
  return result;
}

VerifyReport ChainChecker::finish() {
  VerifyReport report;
  report.checked = checked_;
  report.headSeq = headPresent_ ? headSeq_ : 0;
  report.headHash = headHash_;
  auto add = [&](FindingKind kind, std::int64_t seq, std::string id, std::string detail) {
    report.findings.push_back({kind, seq, std::move(id), std::move(detail)});
  };
  auto isReferenced = [&](const std::string& hash) { return referenced_.count(hash) > 0; };
  auto holds = [&](const std::string& hash) {
    auto it = holders_.find(hash);
    return it != holders_.end() && it->second > 0;
  };

  std::set<std::int64_t> inserted, reordered;
  for (const auto& [seq, a] : anomalies_) {
    const std::string& id = a.row.fields.id;
    if (!a.inRange) {
      inserted.insert(seq);
      add(FindingKind::kInserted, seq, id,
          seq < 1 ? "seq below 1" : "beyond the chain head (seq " + std::to_string(headSeq_) + ")");
      continue;
    }
    if (a.hashOk) continue;
    std::optional<std::int64_t> chained = chainedSeq(seq);
    if (chained && *chained != seq) {
      ChainFields moved = a.row.fields;
      moved.seq = std::to_string(*chained);
      if (chainHash(moved) == a.row.hash) {
        reordered.insert(seq);
        add(FindingKind::kReordered, seq, id,
            "intact, but chained at seq " + std::to_string(*chained));
        continue;
      }
    }
    if (!isReferenced(a.row.hash) && a.row.hash != headHash_ &&
        a.row.fields.prevHash != kGenesisHash && !holds(a.row.fields.prevHash)) {
      inserted.insert(seq);
      add(FindingKind::kInserted, seq, id, "no event chains to it and its prev_hash is unknown");
      continue;
    }
    add(FindingKind::kChanged, seq, id, "the stored fields do not match the event's hash");
  }

  std::int64_t lastSeq = 0;
  std::string lastHash = std::string(kGenesisHash);
  for (const auto& [seq, a] : anomalies_) {
    if (!a.inRange || inserted.count(seq)) continue;
    if (a.gap) {
      add(FindingKind::kRemoved, a.predSeq + 1, "", range(a.predSeq + 1, seq - 1));
    } else if (!a.linkOk && !reordered.count(seq) && !reordered.count(a.predSeq) &&
               !inserted.count(a.predSeq)) {
      add(FindingKind::kBrokenLink, seq, a.row.fields.id,
          a.predSeq == 0 ? "the first event does not chain from the genesis hash"
                         : "prev_hash is not the hash of the event with seq " +
                               std::to_string(a.predSeq) + " (changed and re-hashed?)");
    }
  }
  if (havePred_) {
    lastSeq = predSeq_;
    lastHash = predHash_;
  }
  if (!headPresent_) {
    add(FindingKind::kBrokenLink, 0, "", "the chain head row is missing");
  } else if (lastSeq < headSeq_) {
    add(FindingKind::kRemoved, lastSeq + 1, "", range(lastSeq + 1, headSeq_));
  } else if (lastHash != headHash_) {
    add(FindingKind::kBrokenLink, lastSeq, "",
        "the chain head's hash is not the hash of the last event");
  }

  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& x, const Finding& y) { return x.seq < y.seq; });
  report.ok = report.findings.empty();
  return report;
}

}  // namespace charta::ledger
