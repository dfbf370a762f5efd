#include "http/webhooks.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/SHA2Engine.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

#include "core/error.h"
#include "http/access_log.h"
#include "service/views.h"

namespace charta::http {

using core::Edition;
using core::Instant;
using namespace Poco::Data::Keywords;

namespace {

const std::set<std::string> kEventTypes = {"edition.published", "edition.effective",
                                           "edition.withdrawn"};

void logLine(const char* level, const std::string& msg, const std::string& extra) {
  std::string line = "{\"time\":\"" + core::formatRfc3339(core::now()) + "\",\"level\":\"" + level +
                     "\",\"msg\":" + jsonQuote(msg) + extra + "}\n";
  std::cerr << line << std::flush;
}

std::string sha256Raw(std::string_view bytes) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(bytes.data(), static_cast<unsigned>(bytes.size()));
  const auto& d = engine.digest();
  return std::string(d.begin(), d.end());
}

std::string hex(std::string_view raw) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// A UUID-formatted id (version 8: custom) from the SHA-256 of "what".
std::string stableId(const std::string& what) {
  std::string h = hex(sha256Raw(what)).substr(0, 32);
  h[12] = '8';
  static const char* variant = "89ab";
  h[16] = variant[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

int64_t ms(Instant t) { return t.time_since_epoch().count(); }
Instant fromMs(int64_t v) { return Instant{std::chrono::milliseconds{v}}; }

bool validName(const std::string& n) {
  return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

long positive(const std::map<std::string, std::string>& keys, const std::string& key, long def) {
  auto it = keys.find(key);
  if (it == keys.end() || it->second.empty()) return def;
  const std::string& v = it->second;
  if (v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos || std::stol(v) < 1) {
    throw InvalidInput("webhooks." + key + " must be a positive whole number, not \"" + v + "\"");
  }
  return std::stol(v);
}

std::string eventBody(const std::string& id, const std::string& type, Instant at, const Edition& e,
                      const core::Timeline& tl) {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("id", id);
  o.set("type", type);
  o.set("occurred_at", core::formatRfc3339(at, e.effectiveOffset, false));
  o.set("document", e.doc.str());
  o.set("edition", service::editionJson(e, tl, at));
  Poco::JSON::Object::Ptr links = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  links->set("edition", "/api/v1/documents/" + e.doc.str() + "/editions/" + e.no.str());
  links->set("current", "/api/v1/documents/" + e.doc.str() + "/current");
  o.set("links", links);
  std::ostringstream ss;
  o.stringify(ss);
  return ss.str();
}

}  // namespace

WebhookOptions parseWebhookOptions(const std::map<std::string, std::string>& keys) {
  WebhookOptions o;
  if (auto it = keys.find("outbox"); it != keys.end() && !it->second.empty()) o.outbox = it->second;
  o.timeout = std::chrono::milliseconds(positive(keys, "timeout_ms", o.timeout.count()));
  o.retryBase = std::chrono::milliseconds(positive(keys, "retry_base_ms", o.retryBase.count()));
  o.retryMax = std::chrono::milliseconds(positive(keys, "retry_max_ms", o.retryMax.count()));
  o.maxAttempts = static_cast<int>(positive(keys, "max_attempts", o.maxAttempts));
  o.poll = std::chrono::milliseconds(positive(keys, "poll_ms", o.poll.count()));
  static const std::set<std::string> kGlobal = {"outbox",       "timeout_ms",   "retry_base_ms",
                                                "retry_max_ms", "max_attempts", "poll_ms"};
  std::map<std::string, WebhookSubscription> subs;
  for (const auto& [key, value] : keys) {
    size_t dot = key.find('.');
    if (dot == std::string::npos) {
      if (!kGlobal.count(key)) throw InvalidInput("unknown configuration key webhooks." + key);
      continue;
    }
    std::string name = key.substr(0, dot), field = key.substr(dot + 1);
    if (!validName(name)) {
      throw InvalidInput("webhooks." + name + ": a subscription name is 1-64 of a-z 0-9 _ -");
    }
    WebhookSubscription& s = subs[name];
    s.name = name;
    if (field == "url") {
      s.url = value;
    } else if (field == "secret") {
      s.secret = value;
    } else if (field == "events") {
      std::stringstream ss(value);
      std::string item;
      while (std::getline(ss, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item.empty()) continue;
        if (!kEventTypes.count(item)) {
          throw InvalidInput("webhooks." + name + ".events: unknown event \"" + item +
                             "\" (edition.published, edition.effective, edition.withdrawn)");
        }
        s.events.insert(item);
      }
    } else {
      throw InvalidInput("unknown configuration key webhooks." + key);
    }
  }
  for (auto& [name, s] : subs) {
    if (s.url.empty() || s.secret.empty()) {
      throw InvalidInput("webhooks." + name + " needs both .url and .secret");
    }
    Poco::URI uri;
    try {
      uri = Poco::URI(s.url);
    } catch (const Poco::Exception&) {
      throw InvalidInput("webhooks." + name + ".url is not a URL");
    }
    if (uri.getScheme() != "http" || uri.getHost().empty() || !uri.getUserInfo().empty()) {
      throw InvalidInput("webhooks." + name +
                         ".url must be http://host[:port]/path (for https, send through a local "
                         "TLS proxy)");
    }
    if (s.secret.size() < 16) {
      throw InvalidInput("webhooks." + name + ".secret must have at least 16 characters");
    }
    if (s.events.empty()) s.events = kEventTypes;
    o.subscriptions.push_back(std::move(s));
  }
  return o;
}

std::string webhookSignature(std::string_view secret, std::string_view body) {
  constexpr size_t kBlock = 64;
  std::string key = secret.size() > kBlock ? sha256Raw(secret) : std::string(secret);
  key.resize(kBlock, '\0');
  std::string inner(kBlock, '\0'), outer(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    inner[i] = static_cast<char>(key[i] ^ 0x36);
    outer[i] = static_cast<char>(key[i] ^ 0x5c);
  }
  inner.append(body);
  outer += sha256Raw(inner);
  return "sha256=" + hex(sha256Raw(outer));
}

std::vector<WebhookEvent> dueEvents(const core::Timeline& timeline, Instant since, Instant now) {
  std::vector<WebhookEvent> out;
  auto add = [&](const char* type, Instant at, const Edition& e, const std::string& what) {
    if (at < since || at > now) return;
    std::string id = stableId(std::string(type) + "|" + e.doc.str() + "|" + e.no.str() + "|" +
                              e.commit.str() + "|" + what);
    out.push_back(WebhookEvent{id, type, at, eventBody(id, type, at, e, timeline)});
  };
  for (const Edition& e : timeline.editions()) {
    add("edition.published", e.publishedAt, e, std::to_string(ms(e.publishedAt)));
    // Effective only when it really came into force then (not withdrawn, not outranked).
    const Edition* inForce = timeline.inForceAt(e.effectiveFrom);
    if (inForce && inForce->no == e.no) {
      add("edition.effective", e.effectiveFrom, e, std::to_string(ms(e.effectiveFrom)));
    }
    if (e.withdrawal)
      add("edition.withdrawn", e.withdrawal->at, e, std::to_string(ms(e.withdrawal->at)));
  }
  std::sort(out.begin(), out.end(), [](const WebhookEvent& a, const WebhookEvent& b) {
    return a.occurredAt < b.occurredAt;
  });
  return out;
}

// The durable outbox: one row per (event, subscription). Calls are serialised.
struct WebhookService::Outbox {
  struct Row {
    std::string eventId;
    std::string type;
    std::string body;
    int attempts = 0;
    int64_t nextMs = 0;
  };

  explicit Outbox(const std::string& path) {
    Poco::Data::SQLite::Connector::registerConnector();
    std::filesystem::path folder = std::filesystem::path(path).parent_path();
    if (!folder.empty()) std::filesystem::create_directories(folder);
    session = std::make_unique<Poco::Data::Session>("SQLite", path, 5);
    std::string mode;
    *session << "PRAGMA journal_mode = WAL", into(mode), now;
    *session << "PRAGMA synchronous = FULL", now;
    int ignored = 0;
    *session << "PRAGMA busy_timeout = 5000", into(ignored), now;
    *session << "CREATE TABLE IF NOT EXISTS webhook_meta (key TEXT PRIMARY KEY, value TEXT NOT "
                "NULL)",
        now;
    *session << "CREATE TABLE IF NOT EXISTS webhook_deliveries ("
                " event_id TEXT NOT NULL, subscription TEXT NOT NULL, event_type TEXT NOT NULL,"
                " body TEXT NOT NULL, occurred_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
                " attempts INTEGER NOT NULL DEFAULT 0, next_ms INTEGER NOT NULL,"
                " state TEXT NOT NULL, last_error TEXT,"
                " PRIMARY KEY (event_id, subscription))",
        now;
    *session << "CREATE INDEX IF NOT EXISTS webhook_due ON webhook_deliveries (subscription, "
                "state, next_ms)",
        now;
  }

  // Whether "sub" was seen before; records it now if not.
  bool known(const std::string& sub, Instant t) {
    std::lock_guard lock(mu);
    std::string key = "since:" + sub, value;
    std::vector<std::string> found;
    *session << "SELECT value FROM webhook_meta WHERE key = ?", use(key), into(found), now;
    if (!found.empty()) return true;
    value = std::to_string(ms(t));
    *session << "INSERT INTO webhook_meta (key, value) VALUES (?, ?)", use(key), use(value), now;
    return false;
  }

  // True when the row is new. "state" is pending, or "baseline" for what happened before the
  // subscription existed (kept only so that it is never sent).
  bool enqueue(const std::string& sub, const WebhookEvent& e, Instant t,
               const std::string& initial = "pending") {
    std::lock_guard lock(mu);
    std::string id = e.id, type = e.type, body = e.body, state = initial, s = sub;
    int64_t occurred = ms(e.occurredAt), created = ms(t);
    Poco::Data::Statement st(*session);
    st << "INSERT OR IGNORE INTO webhook_deliveries (event_id, subscription, event_type, body, "
          "occurred_ms, created_ms, next_ms, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        use(id), use(s), use(type), use(body), use(occurred), use(created), use(created),
        use(state);
    return st.execute() > 0;
  }

  std::optional<Row> nextDue(const std::string& sub) {
    std::lock_guard lock(mu);
    std::string s = sub;
    std::vector<std::string> ids, types, bodies;
    std::vector<int> attempts;
    std::vector<int64_t> nexts;
    *session
        << "SELECT event_id, event_type, body, attempts, next_ms FROM webhook_deliveries "
           "WHERE subscription = ? AND state = 'pending' ORDER BY next_ms, occurred_ms LIMIT 1",
        use(s), into(ids), into(types), into(bodies), into(attempts), into(nexts), now;
    if (ids.empty()) return std::nullopt;
    return Row{ids[0], types[0], bodies[0], attempts[0], nexts[0]};
  }

  void record(const std::string& sub, const std::string& id, const std::string& state, int attempts,
              int64_t next, const std::string& error) {
    std::lock_guard lock(mu);
    std::string s = sub, i = id, st = state, err = error;
    *session
        << "UPDATE webhook_deliveries SET state = ?, attempts = ?, next_ms = ?, last_error = ? "
           "WHERE event_id = ? AND subscription = ?",
        use(st), use(attempts), use(next), use(err), use(i), use(s), now;
  }

  std::mutex mu;
  std::unique_ptr<Poco::Data::Session> session;
};

WebhookService::WebhookService(WebhookOptions options, service::Catalog& pages, Metrics& metrics)
    : options_(std::move(options)), pages_(pages), metrics_(metrics) {}

WebhookService::~WebhookService() { stop(); }

void WebhookService::start() {
  if (options_.subscriptions.empty() || !threads_.empty()) return;
  try {
    outbox_ = std::make_unique<Outbox>(options_.outbox);
    // A new subscription starts from what the site shows now: everything that already happened
    // is recorded as its baseline, never sent. (Tag times have whole seconds, so a time
    // threshold could not tell an edition published just before from one just after.)
    Instant t = core::now();
    auto snap = pages_.snapshot();
    for (const auto& s : options_.subscriptions) {
      if (outbox_->known(s.name, t)) continue;
      for (const auto& d : snap->documents) {
        for (const WebhookEvent& ev : dueEvents(d->timeline, Instant{}, t)) {
          outbox_->enqueue(s.name, ev, t, "baseline");
        }
      }
    }
  } catch (const Poco::Exception& e) {
    throw Error("opening the webhook outbox " + options_.outbox + ": " + e.displayText());
  } catch (const std::filesystem::filesystem_error& e) {
    throw Error("opening the webhook outbox " + options_.outbox + ": " + e.what());
  }
  threads_.emplace_back([this] { schedulerLoop(); });
  for (const auto& s : options_.subscriptions) {
    threads_.emplace_back([this, &s] { deliveryLoop(s); });
  }
}

void WebhookService::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void WebhookService::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void WebhookService::reconcile(const service::Snapshot& snap, Instant now) {
  bool added = false;
  for (const auto& d : snap.documents) {
    for (const WebhookEvent& ev : dueEvents(d->timeline, Instant{}, now)) {
      for (const auto& s : options_.subscriptions) {
        if (!s.events.count(ev.type)) continue;
        std::string key = s.name + "|" + ev.id;
        if (queued_.count(key)) continue;
        bool fresh = outbox_->enqueue(s.name, ev, now);
        queued_.insert(key);
        if (!fresh) continue;
        added = true;
        metrics_.add("charta_webhook_events_total{type=\"" + ev.type + "\"}");
        logLine("info", "webhook event queued",
                ",\"subscription\":" + jsonQuote(s.name) + ",\"event_id\":\"" + ev.id +
                    "\",\"type\":\"" + ev.type +
                    "\",\"document\":" + jsonQuote(d->document.id.str()));
      }
    }
  }
  if (added) {
    {
      std::lock_guard lock(mu_);
      ++wakeups_;
    }
    cv_.notify_all();
  }
}

void WebhookService::schedulerLoop() {
  uint64_t lastGeneration = 0;
  Instant due = Instant::max();  // the next scheduled effective moment
  while (true) {
    auto snap = pages_.snapshot();
    Instant now = core::now();
    bool poked;
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      poked = poked_;
      poked_ = false;
    }
    if (snap->generation != lastGeneration || now >= due || poked) {
      try {
        reconcile(*snap, now);
        lastGeneration = snap->generation;
      } catch (const std::exception& e) {
        logLine("error", "webhook scheduler failed; retrying", ",\"error\":" + jsonQuote(e.what()));
      }
    }
    due = Instant::max();
    for (const auto& d : snap->documents) {
      if (auto n = d->timeline.nextSwitchAfter(now)) due = std::min(due, *n);
    }
    // Sleep until the next effective moment itself, or the next look for new editions.
    // (In milliseconds: Instant::max() in nanoseconds would overflow into the past.)
    Instant wake = std::min(core::now() + options_.poll, due);
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, wake, [&] { return stop_ || poked_; });
  }
}

void WebhookService::deliveryLoop(const WebhookSubscription& sub) {
  std::mt19937_64 rng(std::random_device{}());
  while (true) {
    uint64_t seen;
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      seen = wakeups_;
    }
    std::optional<Outbox::Row> row;
    try {
      row = outbox_->nextDue(sub.name);
    } catch (const std::exception& e) {
      logLine("error", "webhook outbox unreadable", ",\"error\":" + jsonQuote(e.what()));
    }
    Instant now = core::now();
    if (row && row->nextMs <= ms(now)) {
      int attempt = row->attempts + 1;
      auto started = std::chrono::steady_clock::now();
      std::string error;
      int status = 0;
      try {
        Poco::URI uri(sub.url);
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        session.setTimeout(Poco::Timespan(options_.timeout.count() * 1000));
        Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST,
                                   uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        req.setContentType("application/json");
        req.setContentLength(static_cast<std::streamsize>(row->body.size()));
        req.set("User-Agent", "charta-webhooks/1");
        req.set("Charta-Event-Id", row->eventId);
        req.set("Charta-Event-Type", row->type);
        req.set("Charta-Delivery-Attempt", std::to_string(attempt));
        req.set("Charta-Signature", webhookSignature(sub.secret, row->body));
        req.setKeepAlive(false);
        session.sendRequest(req) << row->body;
        Poco::Net::HTTPResponse resp;
        std::istream& in = session.receiveResponse(resp);
        char sink[4096];
        for (int i = 0; i < 16 && in.read(sink, sizeof sink); ++i) {
        }
        status = resp.getStatus();
        if (status < 200 || status > 299) error = "answered " + std::to_string(status);
      } catch (const Poco::Exception& e) {
        error = e.displayText();
      } catch (const std::exception& e) {
        error = e.what();
      }
      double took =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      std::string fields = ",\"subscription\":" + jsonQuote(sub.name) + ",\"event_id\":\"" +
                           row->eventId + "\",\"type\":\"" + row->type +
                           "\",\"attempt\":" + std::to_string(attempt) +
                           ",\"status\":" + std::to_string(status) +
                           ",\"duration_ms\":" + std::to_string(static_cast<long>(took));
      std::string label = "{subscription=\"" + sub.name + "\"}";
      try {
        if (error.empty()) {
          outbox_->record(sub.name, row->eventId, "delivered", attempt, ms(core::now()), "");
          metrics_.add("charta_webhook_deliveries_total" + label);
          logLine("info", "webhook delivered", fields);
        } else if (attempt >= options_.maxAttempts) {
          outbox_->record(sub.name, row->eventId, "abandoned", attempt, ms(core::now()), error);
          metrics_.add("charta_webhook_failures_total" + label);
          metrics_.add("charta_webhook_abandoned_total" + label);
          logLine("error", "webhook abandoned", fields + ",\"error\":" + jsonQuote(error));
        } else {
          // Exponential back-off with +-20% jitter, so receivers coming back are not stampeded.
          double wait = static_cast<double>(options_.retryBase.count()) *
                        std::pow(2.0, std::min(attempt - 1, 30));
          wait = std::min(wait, static_cast<double>(options_.retryMax.count()));
          wait *= std::uniform_real_distribution<double>(0.8, 1.2)(rng);
          int64_t next = ms(core::now()) + static_cast<int64_t>(wait);
          outbox_->record(sub.name, row->eventId, "pending", attempt, next, error);
          metrics_.add("charta_webhook_failures_total" + label);
          logLine("warn", "webhook delivery failed",
                  fields + ",\"error\":" + jsonQuote(error) +
                      ",\"retry_in_ms\":" + std::to_string(static_cast<int64_t>(wait)));
        }
      } catch (const std::exception& e) {
        logLine("error", "webhook outbox not writable", ",\"error\":" + jsonQuote(e.what()));
      }
      continue;
    }
    auto wake = std::chrono::system_clock::now() + std::chrono::seconds(5);
    if (row) wake = std::min(wake, std::chrono::system_clock::time_point(fromMs(row->nextMs)));
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, wake, [&] { return stop_ || wakeups_ != seen; });
  }
}

}  // namespace charta::http
