#include "service/publications.h"

#include "service/errors.h"
#include "service/views.h"

namespace charta::service {

Publications::Publications(Publishing& publishing, const repository::PolicyRepository& repo,
                           Catalog* catalog)
    : publishing_(publishing), repo_(repo), catalog_(catalog) {}

namespace {

// The failures publishing and withdrawing share; plain errors are left to the caller.
template <typename F>
auto guarded(F&& write) {
  try {
    return write();
  } catch (const ReplicaReadOnly& e) {
    throw Failure(Fault::kReplicaReadOnly, e.what());
  } catch (const repository::RepositoryUnavailable& e) {
    throw failureOf(e);
  } catch (const Unavailable& e) {
    Failure f(Fault::kRepositoryBusy, e.what());
    f.retryAfter = e.retryAfter();
    throw f;
  }
}

}  // namespace

Published Publications::publish(PublishCommand cmd, core::Instant now) {
  PublishRequest& req = cmd.request;
  if (cmd.revision && cmd.revision->edition) {
    core::Timeline tl = repo_.timeline(req.doc);
    const core::Edition* e = tl.edition(*cmd.revision->edition);
    if (!e) {
      throw Failure(Fault::kPublicationRefused,
                    "revision: there is no edition " + cmd.revision->edition->str() + ".");
    }
    req.revision = e->commit;
  } else if (cmd.revision) {
    req.revision = cmd.revision->commit;
  }
  PublishNotes notes;
  auto hold = held();
  core::Edition e = guarded([&] {
    try {
      return publishing_.publish(req, now, &notes);
    } catch (const LintRefused& err) {
      auto extra = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
      extra->set("findings", lintFindingsJson(err.report(), true));
      throw Failure(Fault::kLintRefused, err.what(), extra);
    } catch (const UnexpectedEdition& err) {
      throw Failure(Fault::kPreconditionFailed, err.what());
    } catch (const ReplicaReadOnly&) {
      throw;
    } catch (const repository::InvalidRegistry& err) {
      throw failureOf(err);
    } catch (const repository::ForeignTag& err) {
      throw failureOf(err);
    } catch (const NoticeRefused& err) {
      throw failureOf(err);
    } catch (const ApprovalsMissing& err) {
      throw failureOf(err);
    } catch (const InvalidInput& err) {
      throw Failure(Fault::kPublicationRefused, err.what());
    } catch (const NotFound& err) {
      throw Failure(Fault::kPublicationRefused, err.what());
    } catch (const Conflict& err) {
      throw Failure(Fault::kPublicationConflict, err.what());
    }
  });
  if (written_) written_(e);
  return Published{e, repo_.timeline(e.doc), std::move(notes)};
}

Published Publications::withdraw(const core::DocumentId& doc, core::EditionNo no,
                                 const std::string& reason, std::optional<core::Person> by) {
  auto decide = [&](core::Instant now) { return publishing_.withdraw(doc, no, reason, by, now); };
  auto hold = held();
  core::Edition e = guarded([&] {
    try {
      if (catalog_) return catalog_->withdrawing(decide);
      auto held = repo_.lockWithdrawals();
      return decide(core::now());
    } catch (const ReplicaReadOnly&) {
      throw;
    } catch (const InvalidInput& err) {
      throw Failure(Fault::kWithdrawalRefused, err.what());
    } catch (const NotFound& err) {
      throw Failure(Fault::kEditionNotFound, err.what());
    } catch (const Conflict& err) {
      throw Failure(Fault::kAlreadyWithdrawn, err.what());
    }
  });
  if (written_) written_(e);
  return Published{e, repo_.timeline(doc), {}};
}

std::vector<Published> Publications::publishFirstEditions(
    const std::optional<core::Person>& publisher, core::Instant now) {
  std::vector<Published> out;
  core::Registry reg = repo_.registry(repo_.head());
  for (const auto& doc : reg.documents) {
    if (!repo_.timeline(doc.id).empty()) continue;
    PublishCommand cmd{PublishRequest{doc.id,
                                      std::nullopt,
                                      std::nullopt,
                                      core::kKazakhstanOffset,
                                      false,
                                      {},
                                      "",
                                      std::nullopt,
                                      publisher},
                       std::nullopt};
    try {
      out.push_back(publish(cmd, now));
    } catch (const Failure& f) {
      if (f.fault() != Fault::kLintRefused) throw;
      cmd.request.force = "imported as received";
      out.push_back(publish(cmd, now));
    }
  }
  return out;
}

}  // namespace charta::service
