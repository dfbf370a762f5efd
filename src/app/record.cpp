#include "app/record.h"

namespace charta::app {

service::AnchoringOptions anchoringOptions(const Poco::Util::AbstractConfiguration& config) {
  service::AnchoringOptions o;
  o.replica = config.getBool("repository.replica", false);
  o.tsaUrl = config.getString("ledger.tsa_url", "");
  o.tsaCaFile = config.getString("ledger.tsa_ca_file", "");
  o.tsaTimeout = std::chrono::milliseconds(config.getInt("ledger.tsa_timeout_ms", 10000));
  return o;
}

Record::Record(const Poco::Util::AbstractConfiguration& config, repository::PolicyRepository& repo,
               ledger::Ledger& ledger)
    : refs(repo.path()),
      anchors(repo.path(), std::chrono::seconds(config.getInt("repository.stale_lock_s", 600))),
      chain(ledger, repo, refs),
      anchoring(ledger, anchors, anchoringOptions(config)),
      audit(ledger, &anchors, &chain, config.getString("ledger.tsa_ca_file", "")) {}

}  // namespace charta::app
