#include "app/open.h"

#include <filesystem>
#include <iostream>

namespace charta::app {

namespace {

repository::RepositoryOptions repositoryOptions(const Poco::Util::AbstractConfiguration& config,
                                                LogLine log) {
  repository::RepositoryOptions opts;
  opts.branch = config.getString("repository.branch", "");
  opts.staleLockAge = std::chrono::seconds(config.getInt("repository.stale_lock_s", 600));
  opts.log = std::move(log);
  return opts;
}

}  // namespace

std::unique_ptr<repository::PolicyRepository> openRepository(
    const Poco::Util::AbstractConfiguration& config, LogLine log) {
  return repository::PolicyRepository::open(config.getString("repository.path"),
                                            repositoryOptions(config, std::move(log)));
}

std::unique_ptr<repository::PolicyRepository> openOrCreateRepository(
    const Poco::Util::AbstractConfiguration& config, const std::string& seed, bool bare,
    LogLine log, bool& created) {
  std::filesystem::path path = config.getString("repository.path");
  created = false;
  try {
    return openRepository(config, log);
  } catch (const repository::RepositoryError&) {
    if (std::filesystem::exists(path) && !std::filesystem::is_empty(path)) throw;
  }
  repository::PolicyRepository::create(path, seed, bare,
                                       core::Person{"charta init", "charta@localhost"});
  created = true;
  return openRepository(config, std::move(log));
}

service::PublishingOptions publishingOptions(const Poco::Util::AbstractConfiguration& config) {
  service::PublishingOptions o;
  o.replica = config.getBool("repository.replica", false);
  return o;
}

service::CatalogOptions catalogOptions(const Poco::Util::AbstractConfiguration& config) {
  service::CatalogOptions o;
  o.baseUrl = config.getString("site.base_url", "");
  return o;
}

ledger::Options ledgerOptions(const Poco::Util::AbstractConfiguration& config, size_t readers,
                              LogLine log) {
  ledger::Options options;
  options.readers = readers;
  std::string group = config.getString("ledger.file_group", "");
  if (!group.empty()) options.fileGroup = group;
  options.onMigrated = std::move(log);
  return options;
}

std::unique_ptr<ledger::Ledger> openLedger(const Poco::Util::AbstractConfiguration& config,
                                           size_t readers) {
  return ledger::openLedger(config.getString("ledger.uri"),
                            ledgerOptions(config, readers, [](const std::string& line) {
                              // A command says when it migrated the ledger (an upgrade); a new
                              // ledger goes unremarked.
                              if (line.rfind("migrated", 0) == 0)
                                std::cerr << "charta: " << line << '\n';
                            }));
}

}  // namespace charta::app
