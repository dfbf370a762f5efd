#include "service/audit.h"

#include <algorithm>

#include "service/timestamp.h"

namespace charta::service {

Audit::Audit(const ledger::Ledger& ledger, const repository::AnchorChain* anchors,
             const EditionChain* record, std::string tsaCaFile)
    : ledger_(ledger), anchors_(anchors), record_(record), tsaCaFile_(std::move(tsaCaFile)) {}

std::vector<ledger::Anchor> Audit::readAnchors(AuditReport& report) const {
  std::vector<ledger::Anchor> out;
  const std::string ledgerId = ledger_.ledgerId();
  std::uint64_t largest = 0;
  for (const repository::AnchorCommit& c : anchors_->read()) {
    auto finding = [&](const std::string& kind, std::int64_t seq, const std::string& why) {
      report.findings.push_back(
          AuditFinding{kind, seq, c.commit, "anchor " + c.commit + ": " + why});
    };
    if (!c.problem.empty()) {
      finding("anchor", 0, c.problem);
      continue;
    }
    const std::string* json = c.file(kAnchorFile);
    if (!json) {
      finding("anchor", 0, "its tree has no anchor.json");
      continue;
    }
    AnchorStatement s;
    try {
      s = parseAnchorJson(*json);
    } catch (const InvalidInput& e) {
      finding("anchor", 0, e.what());
      continue;
    }
    const auto size = static_cast<std::int64_t>(s.treeSize);
    if (s.ledger != ledgerId) {
      ++report.foreignAnchors;  // another ledger's (a staging server's, a CLI's own file)
      continue;
    }
    if (s.chainHeadSeq != size) {
      finding("anchor", size, "its chain head is not the last event of its tree");
      continue;
    }
    if (s.treeSize < largest) {
      finding("anchor", size,
              "it anchors fewer events than an anchor before it (" + std::to_string(largest) + ")");
    }
    largest = std::max(largest, s.treeSize);
    if (const std::string* token = c.file(kTimestampFile)) {
      ++report.timestamps;
      TimestampCheck check = checkTimestamp(*token, *json, tsaCaFile_);
      if (!check.ok) finding("timestamp", size, check.detail);
    }
    ++report.anchors;
    report.latestAnchor = c.commit;
    report.latestAnchorSize = s.treeSize;
    out.push_back(ledger::Anchor{s.treeSize, s.root, s.chainHeadSeq, s.chainHeadHash, c.commit});
  }
  return out;
}

AuditReport Audit::verify(bool sinceAnchor, std::function<void(std::int64_t)> progress) const {
  AuditReport r;
  r.sinceAnchor = sinceAnchor;
  std::vector<ledger::Anchor> anchors;
  if (anchors_) {
    anchors = readAnchors(r);
    r.repositoryChecked = true;
  }
  ledger::VerifyOptions options{anchors, sinceAnchor};
  options.progress = std::move(progress);
  r.log = ledger_.verify(options);
  std::vector<AuditFinding> all;
  for (const auto& f : r.log.findings) {
    all.push_back(
        AuditFinding{std::string(ledger::findingKindName(f.kind)), f.seq, f.id, f.detail});
  }
  all.insert(all.end(), r.findings.begin(), r.findings.end());
  if (record_) {
    for (const Tampering& t : record_->audit()) {
      all.push_back(AuditFinding{std::string(t.kindName()), t.seq, t.eventId, t.line()});
    }
  }
  r.findings = std::move(all);
  return r;
}

}  // namespace charta::service
