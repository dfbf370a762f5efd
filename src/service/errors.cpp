#include "service/errors.h"

#include "ledger/ledger.h"
#include "repository/policy_repository.h"
#include "service/publishing.h"
#include "service/views.h"

namespace charta::service {

Failure failureOf(const std::exception& e) {
  if (const auto* f = dynamic_cast<const Failure*>(&e)) return *f;
  if (const auto* lint = dynamic_cast<const LintRefused*>(&e)) {
    auto extra = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
    extra->set("findings", lintFindingsJson(lint->report(), true));
    return Failure(Fault::kLintRefused, e.what(), extra);
  }
  if (dynamic_cast<const ReplicaReadOnly*>(&e)) return Failure(Fault::kReplicaReadOnly, e.what());
  if (dynamic_cast<const UnexpectedEdition*>(&e)) {
    return Failure(Fault::kPreconditionFailed, e.what());
  }
  if (dynamic_cast<const ledger::Blocked*>(&e)) return Failure(Fault::kSubjectBlocked, e.what());
  if (dynamic_cast<const ledger::StorageError*>(&e)) {
    Failure f(Fault::kLedgerUnavailable,
              "The consent ledger cannot be reached now; retry with the same Idempotency-Key.");
    f.retryAfter = std::chrono::seconds(1);
    f.cause = e.what();
    return f;
  }
  if (const auto* tag = dynamic_cast<const repository::ForeignTag*>(&e)) {
    auto extra = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
    extra->set("tag", tag->ref());
    return Failure(Fault::kForeignTag, e.what(), extra);
  }
  if (dynamic_cast<const repository::InvalidRegistry*>(&e)) {
    return Failure(Fault::kInvalidRegistry, e.what());
  }
  if (dynamic_cast<const repository::RepositoryUnavailable*>(&e)) {
    Failure f(Fault::kRepositoryBusy, "The policy repository cannot be read now; retry.");
    f.retryAfter = std::chrono::seconds(1);
    f.cause = std::string("policy repository: ") + e.what();
    return f;
  }
  if (dynamic_cast<const repository::RepositoryError*>(&e)) {
    Failure f(Fault::kRepositoryUnreadable, "The policy text cannot be read intact now.");
    f.cause = std::string("policy repository: ") + e.what();
    return f;
  }
  if (const auto* busy = dynamic_cast<const Unavailable*>(&e)) {
    Failure f(Fault::kRepositoryBusy, e.what());
    f.retryAfter = busy->retryAfter();
    return f;
  }
  if (dynamic_cast<const InvalidInput*>(&e)) return Failure(Fault::kInvalidRequest, e.what());
  if (dynamic_cast<const NotFound*>(&e)) return Failure(Fault::kNotFound, e.what());
  if (dynamic_cast<const Conflict*>(&e)) return Failure(Fault::kConflict, e.what());
  Failure f(Fault::kInternal, "The request failed.");
  f.cause = e.what();
  return f;
}

}  // namespace charta::service
