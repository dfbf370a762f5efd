#include "service/publishing.h"

namespace charta::service {

Publishing::Publishing(repository::PolicyRepository& repo, PublishingOptions options)
    : repo_(repo), options_(options) {}

namespace {

void refuseOnReplica(const PublishingOptions& options) {
  if (options.replica) {
    throw ReplicaReadOnly(
        "this repository is a replica (repository.replica=true): publish and withdraw on the "
        "primary");
  }
}

}  // namespace

core::Edition Publishing::publish(const PublishRequest& req, core::Instant now,
                                  PublishNotes* notes) {
  refuseOnReplica(options_);
  return repo_.publish(req, now, notes);
}

core::Edition Publishing::withdraw(const core::DocumentId& doc, core::EditionNo no,
                                   const std::string& reason, std::optional<core::Person> by,
                                   core::Instant now) {
  refuseOnReplica(options_);
  return repo_.withdraw(doc, no, reason, std::move(by), now);
}

LintResult Publishing::lint(const core::DocumentId& doc, const core::CommitId& commit,
                            std::optional<core::Instant> effectiveFrom, std::chrono::minutes offset,
                            std::optional<core::EditionNo> edition) const {
  core::Timeline tl = repo_.timeline(doc);
  const core::Edition* baseline = nullptr;
  for (const core::Edition& e : tl.editions()) {
    if (e.withdrawal || (edition && e.no >= *edition)) continue;
    baseline = &e;
  }
  LintResult out;
  out.report = repo_.lint(doc, commit, effectiveFrom, offset, baseline);
  if (baseline) out.baseline = baseline->no;
  return out;
}

}  // namespace charta::service
