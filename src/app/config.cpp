#include "app/config.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include "app/data_dir.h"
#include "core/error.h"

namespace charta::app {

const std::vector<ConfigKey>& configKeys() {
  static const std::vector<ConfigKey> keys = {
      {"repository.path", "var/policies.git", "the policy repository (bare or with a work tree)"},
      {"repository.branch", "", "the branch of revisions; empty: the branch HEAD points to"},
      {"repository.seed", defaultDataDir() + "/policies",
       "what `charta init` puts in a new repository"},
      {"repository.bare", "true", "`charta init` creates a bare repository"},
      {"repository.poll_ms", "500", "how often the server looks for new commits and tags"},
      {"repository.replica", "false",
       "the repository is a replica kept in sync with git fetch: publishing and withdrawing are "
       "refused here (they happen on the primary)"},
      {"repository.verify_s", "30",
       "how often the server re-reads the texts in force, so git checks them for damage"},
      {"repository.stale_lock_s", "600",
       "a git lock file this old was left by a writer that died and is removed"},
      {"publishing.clock_skew_s", "5",
       "how far the moment a pushed tag states may lie from when the server receives it; a "
       "withdrawal pushed with git must arrive at least this long before the moment"},
      {"publisher.name", "", "tagger name of publications; empty: git config user.name"},
      {"publisher.email", "", "tagger e-mail of publications; empty: git config user.email"},
      {"site.data_dir", defaultDataDir(), "where templates/ and site/ are"},
      {"site.base_url", "", "absolute base URL of the site; empty: charta.xml base-url"},
      {"site.timezone", "",
       "time zone of every moment the pages and feeds show: an offset (+05:00) or a zone of the "
       "system's zoneinfo (Asia/Almaty, needs tzdata); empty: Kazakhstan, +05:00 (+06:00 before "
       "2024-03-01)"},
      {"site.link_base", "",
       "absolute URL that relative links of the texts to files charta does not publish resolve "
       "against (https://github.com/acme/policies/blob/main/); empty: left as written"},
      {"site.feed_entries", "50",
       "entries of a document's Atom feed (the newest); older ones are in its archived feeds "
       "(RFC 5005), each this many editions"},
      {"site.archive_page_size", "50", "editions listed on each page of a document's archive"},
      {"server.host", "127.0.0.1", "address to listen on"},
      {"server.port", "8080", "port to listen on (0: any free port)"},
      {"server.threads", "64", "requests handled at once (a consent waits for its commit)"},
      {"server.queue", "512", "listen backlog"},
      {"server.max_connections", "10000", "open connections; more are closed at once"},
      {"server.keep_alive_s", "5", "idle time before a keep-alive connection is closed"},
      {"server.keep_alive_max", "1000", "requests per keep-alive connection"},
      {"server.timeout_s", "10", "receive and send time-out of a connection"},
      {"server.max_body", "65536", "largest request body in bytes"},
      {"server.port_file", "", "write the bound port to this file once listening"},
      {"server.page_cache_bytes", "67108864",
       "memory for rendered pages and texts; the least recently used are rendered again when "
       "asked for"},
      {"ledger.uri", "sqlite:var/consents.db", "sqlite:PATH or postgresql://user@host:port/db"},
      {"consent.page_grace_s", "86400",
       "a consent may cite an archived variant of the edition's page shown this long ago"},
      {"consent.superseded_grace_s", "86400",
       "a consent citing an edition no longer in force for longer than this is refused"},
      {"ledger.anchor_every_s", "3600",
       "anchor the ledger in refs/charta/anchors this often when new events exist"},
      {"ledger.tsa_url", "", "RFC 3161 time-stamping authority of anchors; empty: none"},
      {"ledger.tsa_ca_file", "", "PEM CAs that time-stamp tokens are checked against"},
      {"ledger.tsa_timeout_ms", "10000", "time-out of one request to the time-stamping authority"},
      {"ledger.file_group", "", "SQLite: the group that may read the ledger's files"},
      {"auth.tokens", "",
       "API bearer tokens: name:role[+role]:sha256hex entries separated by ';' (charta token new)"},
      {"auth.failures_burst", "20",
       "failed authentications a client may make at once before it gets 429 (0: no limit)"},
      {"auth.failures_per_minute", "10", "failed authentications forgiven per minute"},
      {"auth.client_header", "",
       "header a trusted reverse proxy sets to the client address (X-Forwarded-For: its last "
       "element); empty: the connection's peer"},
      {"api.cors_origins", "",
       "origins (https://admin.shop.kz, comma-separated) allowed to call the non-public API "
       "from a browser, never with credentials; the public reads answer every origin"},
      {"site.max_age_s", "60", "max-age of pages that an unannounced publication may change"},
      {"log.access", "true", "JSON access log on stdout"},
      {"log.ip", "false", "include client IP addresses in the access log"},
      {"webhooks.outbox", "var/webhooks.db", "SQLite outbox of webhook deliveries"},
      {"webhooks.timeout_ms", "5000", "time-out of one webhook delivery attempt"},
      {"webhooks.retry_base_ms", "1000", "first webhook retry after this; doubles each time"},
      {"webhooks.retry_max_ms", "600000", "longest wait between webhook attempts"},
      {"webhooks.max_attempts", "15", "webhook attempts before a delivery is abandoned"},
      {"webhooks.poll_ms", "100", "how often the webhook scheduler looks for new editions"},
  };
  return keys;
}

std::string envName(const std::string& key) {
  std::string out = "CHARTA_";
  for (char c : key)
    out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Poco::AutoPtr<Poco::Util::LayeredConfiguration> loadConfig(
    const std::string& file, const std::vector<std::string>& definitions) {
  using namespace Poco::Util;
  Poco::AutoPtr<LayeredConfiguration> config(new LayeredConfiguration);

  Poco::AutoPtr<MapConfiguration> defs(new MapConfiguration);
  for (const auto& d : definitions) {
    auto eq = d.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InvalidInput("-D wants key=value, not \"" + d + "\"");
    defs->setString(d.substr(0, eq), d.substr(eq + 1));
  }
  config->add(defs, -300);

  Poco::AutoPtr<MapConfiguration> env(new MapConfiguration);
  for (const auto& k : configKeys()) {
    std::string name = envName(k.key);
    if (Poco::Environment::has(name)) env->setString(k.key, Poco::Environment::get(name));
  }
  config->add(env, -200);

  std::string path = file;
  if (path.empty() && Poco::Environment::has("CHARTA_CONFIG"))
    path = Poco::Environment::get("CHARTA_CONFIG");
  if (path.empty() && Poco::File("charta.ini").exists()) path = "charta.ini";
  if (!path.empty()) {
    if (!Poco::File(path).exists())
      throw InvalidInput("configuration file " + path + " does not exist");
    try {
      if (path.size() > 11 && path.substr(path.size() - 11) == ".properties") {
        config->add(Poco::AutoPtr<AbstractConfiguration>(new PropertyFileConfiguration(path)),
                    -100);
      } else {
        config->add(Poco::AutoPtr<AbstractConfiguration>(new IniFileConfiguration(path)), -100);
      }
    } catch (const Poco::Exception& e) {
      throw InvalidInput("cannot read configuration file " + path + ": " + e.displayText());
    }
  }

  Poco::AutoPtr<MapConfiguration> defaults(new MapConfiguration);
  for (const auto& k : configKeys()) defaults->setString(k.key, k.defaultValue);
  config->add(defaults, 0);
  return config;
}

}  // namespace charta::app
