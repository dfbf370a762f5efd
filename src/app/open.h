#pragma once

#include <Poco/Util/AbstractConfiguration.h>

#include <functional>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "repository/policy_repository.h"
#include "service/catalog.h"
#include "service/publishing.h"

// Opening what the configuration names, the one way the CLI and the server do it.
namespace charta::app {

// Receives one line about the repository (a stale lock removed, a fresh one left alone).
using LogLine = std::function<void(const std::string&)>;

// The policy repository at repository.path, on repository.branch, removing lock files older
// than repository.stale_lock_s.
// throws RepositoryError: no repository there, or it cannot be read.
std::unique_ptr<repository::PolicyRepository> openRepository(
    const Poco::Util::AbstractConfiguration& config, LogLine log);

// The same, or a new repository made from repository.seed (bare unless "bare" says otherwise)
// when there is none at repository.path. "created" tells which.
// throws InvalidInput / RepositoryError: as PolicyRepository::create.
std::unique_ptr<repository::PolicyRepository> openOrCreateRepository(
    const Poco::Util::AbstractConfiguration& config, const std::string& seed, bool bare,
    LogLine log, bool& created);

// How publishing is configured: repository.replica.
service::PublishingOptions publishingOptions(const Poco::Util::AbstractConfiguration& config);

// How the catalog names pages: site.base_url.
service::CatalogOptions catalogOptions(const Poco::Util::AbstractConfiguration& config);

// How the ledger is opened: ledger.file_group; "readers" pooled connections; schema changes made
// at open reported to "log".
ledger::Options ledgerOptions(const Poco::Util::AbstractConfiguration& config, size_t readers,
                              LogLine log);

// The consent ledger at ledger.uri, opened now ("readers" pooled connections).
// throws ledger::StorageError, InvalidInput.
std::unique_ptr<ledger::Ledger> openLedger(const Poco::Util::AbstractConfiguration& config,
                                           size_t readers);

}  // namespace charta::app
