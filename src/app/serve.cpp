#include "app/serve.h"

#include <Poco/JSON/Object.h>
#include <Poco/Util/ServerApplication.h>
#include <signal.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "core/error.h"
#include "http/access_log.h"
#include "http/api.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/site_service.h"
#include "ledger/ledger.h"
#include "render/site.h"
#include "repository/policy_repository.h"
#include "service/webhooks.h"

namespace charta::app {
namespace {

using Poco::Util::LayeredConfiguration;

void logLine(const std::string& level, const std::string& msg, const std::string& extra = "") {
  std::cerr << "{\"time\":\"" << core::formatRfc3339(core::now()) << "\",\"level\":\"" << level
            << "\",\"msg\":" << http::jsonQuote(msg) << extra << "}\n"
            << std::flush;
}

std::unique_ptr<repository::PolicyRepository> openRepository(LayeredConfiguration& config) {
  repository::RepositoryOptions opts;
  opts.branch = config.getString("repository.branch", "");
  opts.staleLockAge = std::chrono::seconds(config.getInt("repository.stale_lock_s"));
  opts.log = [](const std::string& line) { logLine("warning", line); };
  return repository::PolicyRepository::open(config.getString("repository.path"), opts);
}

http::SiteOptions siteOptions(LayeredConfiguration& config) {
  http::SiteOptions o;
  o.baseUrl = config.getString("site.base_url", "");
  o.maxAgeSeconds = config.getInt("site.max_age_s", 60);
  return o;
}

}  // namespace

namespace {

class ServeApp : public Poco::Util::ServerApplication {
 public:
  explicit ServeApp(Poco::AutoPtr<LayeredConfiguration> config) : cfg_(std::move(config)) {}

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
    LayeredConfiguration& config = *cfg_;
    auto repo = openRepository(config);
    // Writers killed mid-way leave lock files behind; old ones are removed, fresh ones reported.
    for (const auto& line : repo->sweepStaleLocks()) logLine("warning", line);
    render::Site site(config.getString("site.data_dir"));
    http::SiteService pages(*repo, site, siteOptions(config));
    // A repository that cannot be read, or a damaged text, does not stop the server: it serves
    // what it can, answers 503 for the rest, and /readyz says why until the repository is mended.
    std::string repoTrouble;
    try {
      pages.refresh();
      pages.verifyTexts(core::now());
    } catch (const std::exception& e) {
      repoTrouble = std::string("policy repository damaged or unreadable: ") + e.what();
      logLine("error", repoTrouble);
    }
    http::Metrics metrics;
    std::unique_ptr<http::AccessLog> log;
    if (config.getBool("log.access", true)) {
      log = std::make_unique<http::AccessLog>(stdout, config.getBool("log.ip", false));
    }
    http::ChartaHandler handler(pages, metrics, log.get());
    if (!repoTrouble.empty()) handler.setRepositoryHealthy(false, repoTrouble);

    // The consent ledger and the JSON API.
    // Opened lazily: with the ledger unreachable or damaged the site is still served, consent
    // writes answer 503 and /readyz says why, until it can be opened.
    auto ledger = ledger::openLedgerLazily(config.getString("ledger.uri"));
    try {
      ledger->ping();
    } catch (const std::exception& e) {
      logLine("error", std::string("the consent ledger cannot be used now: ") + e.what());
    }
    handler.addReadinessCheck("ledger", [&]() -> std::string {
      try {
        ledger->ping();
        return "";
      } catch (const std::exception& e) {
        return std::string("ledger not writable: ") + e.what();
      }
    });
    http::ApiRouter api(http::TokenStore::parse(config.getString("auth.tokens", "")), metrics);
    api.limitAuthFailures({config.getInt("auth.failures_burst"),
                           config.getDouble("auth.failures_per_minute"), 10000,
                           config.getString("auth.client_header")});
    ApiParts parts{config, *repo, pages, *ledger, metrics, api};
    addApiModules(parts);  // api_modules.cpp: one line per module
    handler.setApi(&api);

    // Webhooks: every key below "webhooks." (subscriptions are webhooks.<name>.url/.secret/...).
    std::map<std::string, std::string> hookKeys;
    std::function<void(const std::string&)> walk = [&](const std::string& key) {
      Poco::Util::AbstractConfiguration::Keys sub;
      config.keys(key, sub);
      if (sub.empty() && key.size() > 9) hookKeys[key.substr(9)] = config.getString(key);
      for (const auto& k : sub) walk(key + "." + k);
    };
    walk("webhooks");
    auto timelines = [&pages] {
      auto snap = pages.snapshot();
      service::Timelines t{snap->generation, {}};
      for (const auto& d : snap->documents) {
        t.documents.push_back({d->document.id, {d, &d->timeline}});
      }
      return t;
    };
    service::WebhookService webhooks(service::parseWebhookOptions(hookKeys), timelines,
                                     [&metrics](const std::string& c) { metrics.add(c); });
    webhooks.start();

    http::ServerOptions options;
    options.host = config.getString("server.host");
    options.port = static_cast<uint16_t>(config.getInt("server.port"));
    options.threads = config.getInt("server.threads");
    options.queue = config.getInt("server.queue");
    options.maxConnections = config.getInt("server.max_connections");
    options.limits.maxBody = static_cast<size_t>(config.getInt("server.max_body"));
    options.limits.keepAliveIdle = std::chrono::seconds(config.getInt("server.keep_alive_s"));
    options.limits.keepAliveMax = config.getInt("server.keep_alive_max");
    options.limits.headerTimeout = std::chrono::seconds(config.getInt("server.timeout_s"));
    options.limits.sendTimeout = options.limits.headerTimeout;
    http::HttpServer server(options, handler);
    server.start();

    std::string portFile = config.getString("server.port_file", "");
    if (!portFile.empty()) {
      std::string tmp = portFile + ".tmp";
      std::ofstream(tmp) << server.port() << '\n';
      std::filesystem::rename(tmp, portFile);
    }
    logLine("info", "listening",
            ",\"address\":" + http::jsonQuote(options.host + ":" + std::to_string(server.port())) +
                ",\"repository\":" + http::jsonQuote(repo->path().string()) +
                ",\"max_connections\":" + std::to_string(server.maxConnections()) +
                ",\"open_file_limit\":" + std::to_string(server.openFileLimit()));

    // Housekeeping: notice commits and tags of other processes, flush the access log.
    std::mutex mu;
    std::condition_variable cv;
    bool stop = false;
    auto poll = std::chrono::milliseconds(config.getInt("repository.poll_ms"));
    const auto verifyEvery = std::chrono::seconds(config.getInt("repository.verify_s"));
    std::thread housekeeping([&] {
      auto nextVerify = std::chrono::steady_clock::now() + verifyEvery;
      std::string damage = repoTrouble;
      std::unique_lock lock(mu);
      while (!cv.wait_for(lock, poll, [&] { return stop; })) {
        lock.unlock();
        try {
          if (pages.refresh()) logLine("info", "repository changed: pages reloaded");
          if (!damage.empty() || std::chrono::steady_clock::now() >= nextVerify) {
            nextVerify = std::chrono::steady_clock::now() + verifyEvery;
            pages.verifyTexts(core::now());
            if (!damage.empty()) logLine("info", "policy repository readable and intact again");
            damage.clear();
          }
          handler.setRepositoryHealthy(damage.empty());
        } catch (const std::exception& e) {
          std::string why = std::string("policy repository damaged or unreadable: ") + e.what();
          if (why != damage) logLine("error", why);
          damage = why;
          handler.setRepositoryHealthy(false, why);
        }
        if (log) log->flush();
        lock.lock();
      }
    });

    waitForTerminationRequest();
    logLine("info", "stopping: finishing requests in flight");
    server.stop(std::chrono::seconds(10));
    webhooks.stop();
    {
      std::lock_guard lock(mu);
      stop = true;
    }
    cv.notify_all();
    housekeeping.join();
    if (log) log->flush();
    logLine("info", "stopped");
    return EXIT_OK;
  }

  Poco::AutoPtr<LayeredConfiguration> cfg_;
};

}  // namespace

int runServe(Poco::AutoPtr<LayeredConfiguration> config) {
  ServeApp app(std::move(config));
  return app.run(std::vector<std::string>{"charta"});
}

int runBuildSite(Poco::AutoPtr<LayeredConfiguration> config, const std::string& outDir,
                 const std::string& at, std::ostream& out) {
  core::Instant when = core::now();
  if (!at.empty()) {
    auto t = core::parseRfc3339(at);
    if (!t) throw InvalidInput("--at \"" + at + "\" is not an RFC 3339 time with an offset");
    when = *t;
  }
  auto repo = openRepository(*config);
  render::Site site(config->getString("site.data_dir"));
  http::SiteService pages(*repo, site, siteOptions(*config));
  pages.refresh();
  std::filesystem::path root(outDir);
  size_t count = 0;
  for (const auto& f : pages.exportAll(when)) {
    if (!f.page) continue;
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
  Poco::JSON::Object schedule(Poco::JSON_PRESERVE_KEY_ORDER);
  schedule.set("generated_at", core::formatRfc3339(when, core::kKazakhstanOffset, false));
  auto next = pages.nextSwitchAfter(when);
  schedule.set("next_switch",
               next ? Poco::Dynamic::Var(core::formatRfc3339(*next, core::kKazakhstanOffset, false))
                    : Poco::Dynamic::Var());
  Poco::JSON::Array docs;
  for (const auto& d : pages.snapshot()->documents) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("document", d->document.id.str());
    o.set("route", d->document.route);
    const core::Edition* e = d->timeline.inForceAt(when);
    o.set("in_force", e ? Poco::Dynamic::Var(e->no.str()) : Poco::Dynamic::Var());
    auto n = d->timeline.nextSwitchAfter(when);
    o.set("next_switch",
          n ? Poco::Dynamic::Var(core::formatRfc3339(*n, core::kKazakhstanOffset, false))
            : Poco::Dynamic::Var());
    docs.add(o);
  }
  schedule.set("documents", docs);
  std::ofstream s(root / "schedule.json", std::ios::trunc);
  schedule.stringify(s, 2);
  s << '\n';
  out << "wrote " << count << " files and schedule.json to " << outDir << '\n';
  if (next) {
    out << "rebuild at " << core::formatRfc3339(*next, core::kKazakhstanOffset, false)
        << ", when the next edition takes effect\n";
  }
  return 0;
}

}  // namespace charta::app
