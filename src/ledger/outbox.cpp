#include "ledger/outbox.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <filesystem>
#include <mutex>
#include <vector>

#include "ledger/ledger.h"

namespace charta::ledger {

using namespace Poco::Data::Keywords;

namespace {

int64_t ms(core::Instant t) { return t.time_since_epoch().count(); }
core::Instant fromMs(int64_t v) { return core::Instant{std::chrono::milliseconds{v}}; }

std::string stateName(DeliveryState s) {
  switch (s) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kAbandoned:
      return "abandoned";
    case DeliveryState::kBaseline:
      return "baseline";
  }
  return "pending";
}

// Runs "fn"; a failure of the database becomes a StorageError that says what was being done.
template <typename Fn>
auto guarded(const std::string& doing, Fn&& fn) {
  try {
    return fn();
  } catch (const Poco::Exception& e) {
    throw StorageError(doing + ": " + e.displayText());
  } catch (const std::filesystem::filesystem_error& e) {
    throw StorageError(doing + ": " + e.what());
  }
}

}  // namespace

struct WebhookOutbox::Db {
  std::mutex mu;
  std::unique_ptr<Poco::Data::Session> session;
};

WebhookOutbox::WebhookOutbox(const std::string& path) : db_(std::make_unique<Db>()) {
  guarded("opening the webhook outbox " + path, [&] {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    std::filesystem::path folder = std::filesystem::path(path).parent_path();
    if (!folder.empty()) std::filesystem::create_directories(folder);
    db_->session = std::make_unique<Poco::Data::Session>("SQLite", path, 5);
    Poco::Data::Session& s = *db_->session;
    std::string mode;
    s << "PRAGMA journal_mode = WAL", into(mode), now;
    s << "PRAGMA synchronous = FULL", now;
    int ignored = 0;
    s << "PRAGMA busy_timeout = 5000", into(ignored), now;
    s << "CREATE TABLE IF NOT EXISTS webhook_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", now;
    s << "CREATE TABLE IF NOT EXISTS webhook_deliveries ("
         " event_id TEXT NOT NULL, subscription TEXT NOT NULL, event_type TEXT NOT NULL,"
         " body TEXT NOT NULL, occurred_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
         " attempts INTEGER NOT NULL DEFAULT 0, next_ms INTEGER NOT NULL,"
         " state TEXT NOT NULL, last_error TEXT,"
         " PRIMARY KEY (event_id, subscription))",
        now;
    s << "CREATE INDEX IF NOT EXISTS webhook_due ON webhook_deliveries (subscription, state, "
         "next_ms)",
        now;
  });
}

WebhookOutbox::~WebhookOutbox() = default;

bool WebhookOutbox::knownSubscription(const std::string& name, core::Instant t) {
  return guarded("reading the webhook outbox", [&] {
    std::lock_guard lock(db_->mu);
    std::string key = "since:" + name;
    std::vector<std::string> found;
    *db_->session << "SELECT value FROM webhook_meta WHERE key = ?", use(key), into(found), now;
    if (!found.empty()) return true;
    std::string value = std::to_string(ms(t));
    *db_->session << "INSERT INTO webhook_meta (key, value) VALUES (?, ?)", use(key), use(value),
        now;
    return false;
  });
}

bool WebhookOutbox::enqueue(const std::string& name, const OutboxEvent& event, core::Instant t,
                            DeliveryState state) {
  return guarded("writing the webhook outbox", [&] {
    std::lock_guard lock(db_->mu);
    std::string id = event.id, type = event.type, body = event.body, st = stateName(state);
    std::string sub = name;
    int64_t occurred = ms(event.occurredAt), created = ms(t);
    Poco::Data::Statement insert(*db_->session);
    insert << "INSERT OR IGNORE INTO webhook_deliveries (event_id, subscription, event_type, body, "
              "occurred_ms, created_ms, next_ms, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        use(id), use(sub), use(type), use(body), use(occurred), use(created), use(created), use(st);
    return insert.execute() > 0;
  });
}

std::optional<PendingDelivery> WebhookOutbox::nextDue(const std::string& name) {
  return guarded("reading the webhook outbox", [&]() -> std::optional<PendingDelivery> {
    std::lock_guard lock(db_->mu);
    std::string sub = name;
    std::vector<std::string> ids, types, bodies;
    std::vector<int> attempts;
    std::vector<int64_t> nexts;
    *db_->session
        << "SELECT event_id, event_type, body, attempts, next_ms FROM webhook_deliveries "
           "WHERE subscription = ? AND state = 'pending' ORDER BY next_ms, occurred_ms LIMIT 1",
        use(sub), into(ids), into(types), into(bodies), into(attempts), into(nexts), now;
    if (ids.empty()) return std::nullopt;
    return PendingDelivery{ids[0], types[0], bodies[0], attempts[0], fromMs(nexts[0])};
  });
}

void WebhookOutbox::record(const std::string& name, const std::string& eventId, DeliveryState state,
                           int attempts, core::Instant next, const std::string& error) {
  guarded("writing the webhook outbox", [&] {
    std::lock_guard lock(db_->mu);
    std::string sub = name, id = eventId, st = stateName(state), err = error;
    int64_t nextMs = ms(next);
    *db_->session
        << "UPDATE webhook_deliveries SET state = ?, attempts = ?, next_ms = ?, last_error = ? "
           "WHERE event_id = ? AND subscription = ?",
        use(st), use(attempts), use(nextMs), use(err), use(id), use(sub), now;
  });
}

}  // namespace charta::ledger
