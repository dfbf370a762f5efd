#include "app/serve.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Util/ServerApplication.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/handler.h"
#include "api/modules.h"
#include "api/ops.h"
#include "api/request.h"
#include "api/site.h"
#include "app/housekeeping.h"
#include "app/open.h"
#include "app/site_options.h"
#include "core/error.h"
#include "http/access_log.h"
#include "http/server.h"
#include "service/webhooks.h"

namespace charta::app {

using Poco::Util::AbstractConfiguration;
using Poco::Util::LayeredConfiguration;

namespace {

service::ConsentOptions consentOptions(const AbstractConfiguration& config) {
  service::ConsentOptions o;
  o.pageGrace = std::chrono::seconds(config.getInt64("consent.page_grace_s"));
  o.supersededGrace = std::chrono::seconds(config.getInt64("consent.superseded_grace_s"));
  if (o.pageGrace.count() < 0 || o.supersededGrace.count() < 0) {
    throw InvalidInput("consent.page_grace_s and consent.superseded_grace_s must not be negative");
  }
  return o;
}

// The catalog of the server: every snapshot is settled with the record of editions before it is
// served (chained, compared with the chain, and mended where git lost what was chained).
service::CatalogOptions settledCatalogOptions(const AbstractConfiguration& config,
                                              service::EditionChain& chain) {
  service::CatalogOptions o = catalogOptions(config);
  o.settle = [&chain](service::Snapshot& snap) { return chain.settle(snap); };
  return o;
}

}  // namespace

Services::Services(const AbstractConfiguration& config, repository::PolicyRepository& repo,
                   ledger::Ledger& ledger, const render::Site& site)
    : record(config, repo, ledger),
      catalog(repo, settledCatalogOptions(config, record.chain)),
      pages(catalog, site,
            service::PagesOptions{api::frame, &ledger, false, pageCacheBytes(config)}),
      publishing(repo, publishingOptions(config)),
      publications(publishing, repo, &catalog),
      revisions(repo, publishing),
      consents(ledger, catalog, pages, consentOptions(config)),
      evidence(ledger, &catalog),
      objects(repo.path()),
      bundles({ledger, repo, objects, record.anchors, record.anchoring, evidence}),
      previews(catalog, site, publishing) {}

void addApiModules(api::ApiRouter& router, Services& app, api::CurrentAnswers& current,
                   http::Metrics& metrics, const AbstractConfiguration& config) {
  router.add(api::makeRevisionsApi(app.revisions));
  router.add(api::makeReviewApi(app.publishing, app.previews, app.catalog,
                                config.getString("publisher.email", "")));
  router.add(
      api::makeConsentsApi(app.consents, app.evidence, app.bundles, app.record.audit, metrics));
  router.add(
      api::makeDocumentsApi(app.catalog, app.pages, current, config.getInt("site.max_age_s", 60)));
  router.add(api::makePublicationsApi(app.publications, app.catalog, current, metrics,
                                      config.getString("publisher.email", "")));
  router.add(api::makeOpenApiModule(config.getString("site.data_dir") + "/api/openapi.json"));
}

namespace {

http::ServerOptions serverOptions(const AbstractConfiguration& config) {
  http::ServerOptions o;
  o.host = config.getString("server.host");
  o.port = static_cast<uint16_t>(config.getInt("server.port"));
  o.threads = config.getInt("server.threads");
  o.queue = config.getInt("server.queue");
  o.maxConnections = config.getInt("server.max_connections");
  o.limits.maxBody = static_cast<size_t>(config.getInt("server.max_body"));
  o.limits.keepAliveIdle = std::chrono::seconds(config.getInt("server.keep_alive_s"));
  o.limits.keepAliveMax = config.getInt("server.keep_alive_max");
  o.limits.headerTimeout = std::chrono::seconds(config.getInt("server.timeout_s"));
  o.limits.sendTimeout = o.limits.headerTimeout;
  return o;
}

// Webhooks: every key below "webhooks." (subscriptions are webhooks.<name>.url/.secret/...).
service::WebhookOptions webhookOptions(const AbstractConfiguration& config) {
  std::map<std::string, std::string> keys;
  std::function<void(const std::string&)> walk = [&](const std::string& key) {
    AbstractConfiguration::Keys sub;
    config.keys(key, sub);
    if (sub.empty() && key.size() > 9) keys[key.substr(9)] = config.getString(key);
    for (const auto& k : sub) walk(key + "." + k);
  };
  walk("webhooks");
  return service::parseWebhookOptions(keys);
}

// What the webhook sender reads: the catalog's timelines, shared with the snapshot they are in, and
// the moment they were taken at.
service::TimelineSource timelinesOf(service::Catalog& catalog) {
  return [&catalog] {
    const core::Instant now = catalog.now();  // before the snapshot: ordered with withdrawals
    auto snap = catalog.snapshot();
    service::Timelines t{snap->generation, now, {}};
    for (const auto& d : snap->documents) {
      t.documents.push_back({d->document.id, {d, &d->timeline}});
    }
    return t;
  };
}

// The consent ledger, opened lazily: with it unreachable or damaged the site is still served,
// consent writes answer 503 and /readyz says why, until it can be opened.
// A ledger of a newer schema (a downgrade) is refused: the server does not start.
std::unique_ptr<ledger::Ledger> openLedgerLazily(const AbstractConfiguration& config) {
  ledger::Options options = ledgerOptions(config, ledger::Options().readers,
                                          [](const std::string& line) { logLine("info", line); });
  options.requirePublication = true;  // the server chains each edition before it serves it
  auto ledger = ledger::openLedgerLazily(config.getString("ledger.uri"), options);
  try {
    ledger->ping();
  } catch (const ledger::SchemaTooNew&) {
    throw;
  } catch (const std::exception& e) {
    logLine("error", std::string("the consent ledger cannot be used now: ") + e.what());
  }
  return ledger;
}

api::ReadinessCheck writable(ledger::Ledger& ledger) {
  return [&ledger]() -> std::string {
    try {
      ledger.ping();
      return "";
    } catch (const std::exception& e) {
      return std::string("ledger not writable: ") + e.what();
    }
  };
}

// The events appended since the last look, checked (a broken chain stays broken); a ledger that
// cannot be read now is the "ledger" check's to report.
api::ReadinessCheck chainIntact(ledger::Ledger& ledger) {
  return [&ledger]() -> std::string {
    ledger::TailReport tail;
    try {
      tail = ledger.checkTail();
    } catch (const std::exception&) {
      return "";
    }
    if (tail.ok) return "";
    std::string why = "chain broken";
    for (const auto& f : tail.findings) {
      why += "; seq " + std::to_string(f.seq) + " " + std::string(ledger::findingKindName(f.kind)) +
             ": " + f.detail;
    }
    return why + " (run `charta ledger verify`)";
  };
}

// Where git contradicts the record of editions in the chain (the latest look).
api::ReadinessCheck recordIntact(const service::EditionChain& chain) {
  return [&chain]() -> std::string {
    std::string why;
    for (const auto& t : chain.tampering()) why += (why.empty() ? "" : "; ") + t.line();
    return why.empty() ? "" : "tampered: " + why;
  };
}

// A finding against the record: a log line, a metric and a repository.tampered webhook.
void wireTampering(service::EditionChain& chain, service::WebhookService& webhooks,
                   http::Metrics& metrics) {
  chain.onTampering([&webhooks, &metrics](const service::Tampering& t) {
    logLine("error", "the record of editions in git contradicts the chain: " + t.line());
    metrics.add("charta_record_tampered_total{finding=\"" + std::string(t.kindName()) + "\"}");
    webhooks.announce(t.doc, service::tamperedEvent(t, core::now()));
  });
}

// Each edition published or withdrawn through the API is chained (observed via api) before the
// answer, and anchored soon after.
void wirePublications(Services& app, repository::PolicyRepository& repo,
                      service::AnchorKeeper& keeper) {
  app.record.chain.onAppended([&keeper] { keeper.poke(); });
  app.publications.holdWhileWriting([&app] { return app.record.chain.holdWrites("api"); });
  app.publications.onWritten([&app, &repo, &keeper](const core::Edition& written) {
    try {
      const core::Timeline timeline = repo.timeline(written.doc);
      const core::Edition* e = timeline.edition(written.no);
      app.record.chain.record(e ? *e : written, "api");
    } catch (const std::exception& ex) {
      logLine("warning", "the edition is published; chaining it waits for the next look: " +
                             std::string(ex.what()));
    }
    keeper.poke();
  });
}

void writePortFile(const AbstractConfiguration& config, uint16_t port) {
  std::string portFile = config.getString("server.port_file", "");
  if (portFile.empty()) return;
  std::string tmp = portFile + ".tmp";
  std::ofstream(tmp) << port << '\n';
  std::filesystem::rename(tmp, portFile);
}

class ServeApp : public Poco::Util::ServerApplication {
 public:
  explicit ServeApp(LayeredConfiguration& config) : config_(config) {}

 protected:
  int main(const std::vector<std::string>&) override {
    // Every thread inherits this mask, so the termination signals reach only
    // waitForTerminationRequest(); a peer that closed its socket must not kill the process.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    try {
      return serve();
    } catch (const std::exception& e) {
      logLine("error", std::string("charta serve failed: ") + e.what());
      return EXIT_SOFTWARE;
    }
  }

 private:
  int serve() {
    auto repo = openRepository(config_, [](const std::string& line) { logLine("warning", line); });
    // Writers killed mid-way leave lock files behind; old ones are removed, fresh ones reported.
    for (const auto& line : repo->sweepStaleLocks()) logLine("warning", line);
    render::Site site(config_.getString("site.data_dir"), siteOptions(config_));
    http::Metrics metrics;
    std::unique_ptr<http::AccessLog> log;
    if (config_.getBool("log.access", true)) {
      log = std::make_unique<http::AccessLog>(stdout, config_.getBool("log.ip", false));
    }
    auto consentLedger = openLedgerLazily(config_);
    Services app(config_, *repo, *consentLedger, site);
    api::Ops ops(app.catalog, metrics);
    ops.addReadinessCheck("ledger", writable(*consentLedger));
    ops.addReadinessCheck("chain", chainIntact(*consentLedger));
    ops.addReadinessCheck("record", recordIntact(app.record.chain));
    service::WebhookService webhooks(webhookOptions(config_), timelinesOf(app.catalog),
                                     [&metrics](const std::string& c) { metrics.add(c); });
    wireTampering(app.record.chain, webhooks, metrics);
    service::AnchorKeeper keeper(
        app.record.anchoring, std::chrono::seconds(config_.getInt("ledger.anchor_every_s")),
        [](const std::string& level, const std::string& line) { logLine(level, line); });
    wirePublications(app, *repo, keeper);
    RepositoryReport report(metrics);
    std::string trouble = loadCatalog(app.catalog, report);
    if (!trouble.empty()) ops.setRepositoryHealthy(false, trouble);

    api::CurrentAnswers current(app.pages);
    api::ApiRouter router(api::TokenStore::parse(config_.getString("auth.tokens", "")), metrics);
    router.limitAuthFailures({config_.getInt("auth.failures_burst"),
                              config_.getDouble("auth.failures_per_minute"), 10000,
                              config_.getString("auth.client_header")});
    addApiModules(router, app, current, metrics, config_);
    api::SiteRoutes siteRoutes(app.catalog, app.pages, config_.getInt("site.max_age_s", 60));
    api::ChartaHandler handler(
        siteRoutes, router, ops, metrics, log.get(),
        api::Cors(api::Cors::parseOrigins(config_.getString("api.cors_origins"))),
        [&app] { return app.catalog.now(); });
    handler.answerFromMemory([&app] { return app.catalog.nowWithoutWaiting(); });

    webhooks.start();
    http::ServerOptions options = serverOptions(config_);
    http::HttpServer server(options, handler);
    server.start();
    writePortFile(config_, server.port());
    logLine("info", "listening",
            ",\"address\":" + http::jsonQuote(options.host + ":" + std::to_string(server.port())) +
                ",\"repository\":" + http::jsonQuote(repo->path().string()) +
                ",\"max_connections\":" + std::to_string(server.maxConnections()) +
                ",\"open_file_limit\":" + std::to_string(server.openFileLimit()));
    {
      Housekeeping housekeeping(config_, app.catalog, ops, report, log.get(), trouble);
      waitForTerminationRequest();
      logLine("info", "stopping: finishing requests in flight");
      server.stop(std::chrono::seconds(10));
      webhooks.stop();
    }
    if (log) log->flush();
    logLine("info", "stopped");
    return EXIT_OK;
  }

  LayeredConfiguration& config_;
};

}  // namespace

int runServe(LayeredConfiguration& config) {
  ServeApp app(config);
  return app.run(std::vector<std::string>{"charta"});
}

namespace {

// A static site replaces the one deployed: one that lacks a published document, or a page of one,
// would take that document down. Refuses such a site before anything is written.
void refuseIncompleteSite(const repository::PolicyRepository& repo, const service::Snapshot& snap,
                          const std::vector<service::Pages::File>& files) {
  auto refuse = [](const std::string& why) {
    throw Error("build-site refused: " + why + "; nothing was written");
  };
  for (const auto& id : repo.documentsWithTags()) {
    if (!snap.find(id) && !repo.timeline(id).empty()) {
      refuse("the published document " + id.str() + " would be missing from the site");
    }
  }
  if (snap.documents.empty()) refuse("no document is published, so the site would have none");
  for (const auto& f : files) {
    if (!f.page) refuse("the page " + f.path + " cannot be made");
  }
}

}  // namespace

void buildSite(const AbstractConfiguration& config, const std::string& outDir, core::Instant at,
               std::ostream& out) {
  auto repo = openRepository(config, [](const std::string& line) { logLine("warning", line); });
  render::Site site(config.getString("site.data_dir"), siteOptions(config));
  service::Catalog catalog(*repo, catalogOptions(config));
  // The pages a static host will serve are archived first, like the server's.
  auto archive = openLedger(config, 1);
  service::Pages pages(catalog, site, service::PagesOptions{{}, archive.get(), true});
  catalog.refresh();
  const std::vector<service::Pages::File> files = pages.exportAll(at);
  refuseIncompleteSite(*repo, *catalog.snapshot(), files);
  std::filesystem::path root(outDir);
  size_t count = 0;
  for (const auto& f : files) {
    std::filesystem::path rel = f.path.substr(1);
    // Pages become DIR/path/index.html; feeds, sitemaps and assets keep their names. (A path
    // like changes/v1...v2 looks like it has an extension, so the type decides, not the name.)
    bool hasExtension = f.page->contentType.rfind("text/html", 0) != 0;
    std::filesystem::path file = hasExtension ? root / rel : root / rel / "index.html";
    std::filesystem::create_directories(file.parent_path());
    std::ofstream o(file, std::ios::binary | std::ios::trunc);
    o.write(f.page->body->data(), static_cast<std::streamsize>(f.page->body->size()));
    if (!o) throw Error("cannot write " + file.string());
    ++count;
  }
  auto asOf = service::snapshotAt(*catalog.snapshot(), at);  // what was known at "at"
  auto schedule = service::scheduleJson(*asOf, at);
  std::ofstream s(root / "schedule.json", std::ios::trunc);
  schedule->stringify(s, 2);
  s << '\n';
  out << "wrote " << count << " files and schedule.json to " << outDir << '\n';
  if (schedule->has("next_switch") && !schedule->isNull("next_switch")) {
    out << "rebuild at " << schedule->getValue<std::string>("next_switch")
        << ", when the next edition takes effect\n";
  }
}

}  // namespace charta::app
