#pragma once

#include <Poco/Util/AbstractConfiguration.h>

#include "ledger/ledger.h"
#include "repository/anchors.h"
#include "repository/policy_repository.h"
#include "service/anchoring.h"
#include "service/audit.h"
#include "service/chain.h"

// The evidence kept outside the policy texts, the one way the CLI and the server put it
// together: the record of editions in the ledger's chain, the anchors in git, and their audit.
namespace charta::app {

// How anchors are written: repository.replica, ledger.tsa_url, ledger.tsa_ca_file,
// ledger.tsa_timeout_ms.
service::AnchoringOptions anchoringOptions(const Poco::Util::AbstractConfiguration& config);

// The record of one policy repository in one ledger. Not copyable; the parts refer to each other.
struct Record {
  // throws RepositoryError: the repository cannot be opened again for the anchors and tags.
  Record(const Poco::Util::AbstractConfiguration& config, repository::PolicyRepository& repo,
         ledger::Ledger& ledger);
  Record(const Record&) = delete;
  Record& operator=(const Record&) = delete;

  repository::EditionRefs refs;
  repository::AnchorChain anchors;
  service::EditionChain chain;
  service::Anchoring anchoring;
  service::Audit audit;
};

}  // namespace charta::app
