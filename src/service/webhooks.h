#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/time.h"
#include "core/timeline.h"

namespace charta::ledger {
class WebhookOutbox;
struct PendingDelivery;
}  // namespace charta::ledger

namespace charta::service {

struct DeliveryAttempt;  // webhook_delivery.h

class WebhookSender;  // webhook_delivery.h

// One receiver of events, from configuration keys webhooks.<name>.url / .secret / .events /
// .ca_file / .allow_http.
struct WebhookSubscription {
  std::string name;              // [a-z0-9_-]{1,64}; appears in logs and metric labels
  std::string url;               // https://host[:port]/path, or http:// (see allowHttp)
  std::string secret;            // HMAC-SHA256 key of the Charta-Signature header
  std::set<std::string> events;  // edition.published, edition.effective, edition.withdrawn,
                                 // repository.tampered
  std::string caFile;            // PEM CAs trusted for https instead of the system's store
  bool allowHttp = false;        // http:// to a host that is not a loopback address
};

struct WebhookOptions {
  std::string outbox = "var/webhooks.db";      // SQLite file: pending deliveries survive restarts
  std::chrono::milliseconds timeout{5000};     // connect, send and receive, per attempt
  std::chrono::milliseconds retryBase{1000};   // first retry after this, doubling each time
  std::chrono::milliseconds retryMax{600000};  // longest wait between attempts
  int maxAttempts = 15;                        // then the delivery is abandoned (and logged)
  std::chrono::milliseconds poll{100};         // how often the scheduler looks for new editions
  std::vector<WebhookSubscription> subscriptions;
};

// Parses the keys below "webhooks." (without that prefix): "outbox", "timeout_ms",
// "retry_base_ms", "retry_max_ms", "max_attempts", "poll_ms", and "<name>.url", "<name>.secret",
// "<name>.events" (comma-separated; default all four), "<name>.ca_file", "<name>.allow_http"
// (true or false).
// throws InvalidInput: an unknown key, a malformed number, name or URL (https://, or http:// only
// to a loopback address unless allow_http is true), a subscription without url or secret, an
// unknown event type, a ca_file for an http:// URL.
WebhookOptions parseWebhookOptions(const std::map<std::string, std::string>& keys);

// The events of one timeline that are due at "now", for subscribers that joined at "since":
// edition.published at publishedAt, edition.effective at effectiveFrom (only for an edition that
// really came into force then), edition.withdrawn at the withdrawal. Each has a stable id derived
// from what happened (same edition, same id), so a receiver can drop duplicates.
struct WebhookEvent {
  std::string id;    // UUID-formatted, stable
  std::string type;  // "edition.effective"
  core::Instant occurredAt;
  std::string body;  // the JSON sent, signed as it is
};
std::vector<WebhookEvent> dueEvents(const core::Timeline& timeline, core::Instant since,
                                    core::Instant now);

// "sha256=<hex HMAC-SHA256 of body with secret>", the value of the Charta-Signature header.
std::string webhookSignature(std::string_view secret, std::string_view body);

// One document's editions as the webhook scheduler sees them. The timeline is shared, not copied.
struct DocumentTimeline {
  core::DocumentId doc;
  std::shared_ptr<const core::Timeline> timeline;
};

// The documents of the site at one moment. "generation" changes whenever a timeline may have.
// "now" is the moment they were taken at: read before the timelines (Catalog::now), so that a
// withdrawal accepted before an edition's moment is in every timeline taken at or after it.
struct Timelines {
  uint64_t generation = 0;
  core::Instant now;
  std::vector<DocumentTimeline> documents;
};

// Where the service reads the site's timelines (called from its scheduler thread: must be safe
// for concurrent use), and where it counts what it does (a Prometheus counter name with labels,
// e.g. charta_webhook_deliveries_total{subscription="shop"}).
using TimelineSource = std::function<Timelines()>;
using WebhookCounter = std::function<void(const std::string& counter)>;

// Sends webhook events: a scheduler thread turns the site's timelines into events at the moment
// they happen (it sleeps until the next scheduled effective moment, and looks for new editions
// every poll interval), writes them to a durable outbox (ledger/outbox.h) and one delivery thread
// per subscription POSTs them, signed, retrying with exponential back-off. A receiver that is
// down delays only its own deliveries; request threads never wait for webhooks. Delivery is at
// least once: an event is marked delivered only after a 2xx answer, so a crash between sending
// and marking sends it again (with the same Charta-Event-Id).
//
// A subscription receives the events that happen after it first appeared in configuration.
// start() and stop() from one thread; poke() from any.
class WebhookService {
 public:
  WebhookService(WebhookOptions options, TimelineSource timelines, WebhookCounter count);
  ~WebhookService();
  WebhookService(const WebhookService&) = delete;
  WebhookService& operator=(const WebhookService&) = delete;

  // Opens (creating) the outbox and starts the threads; does nothing without subscriptions.
  // throws Error: the outbox cannot be opened; InvalidInput: a ca_file cannot be read.
  void start();
  // Wakes and joins the threads; a delivery in flight ends within the time-out.
  void stop();
  // Makes the scheduler look at the site now (after a publication by this process).
  void poke();
  // Sends "event" of "doc" (not one of an edition's timeline: repository.tampered) to the
  // subscriptions that want its type, once per event id. Safe from any thread.
  void announce(const core::DocumentId& doc, WebhookEvent event);

 private:
  void recordBaselines();
  void schedulerLoop();
  void deliveryLoop(const WebhookSender& sender);
  void settle(const WebhookSubscription& sub, const ledger::PendingDelivery& row,
              const DeliveryAttempt& attempt, std::mt19937_64& rng);
  void reconcile(const Timelines& site, core::Instant now);

  WebhookOptions options_;
  TimelineSource timelines_;
  WebhookCounter count_;
  std::unique_ptr<ledger::WebhookOutbox> outbox_;
  std::vector<std::unique_ptr<WebhookSender>> senders_;  // one per subscription
  std::set<std::string> queued_;  // "subscription|event id" known to be in the outbox
  std::vector<std::pair<std::string, WebhookEvent>> announced_;  // document, event: for the
                                                                 // scheduler (under mu_)
  std::mutex mu_;
  std::condition_variable cv_;  // wakes the scheduler and the delivery threads
  bool stop_ = false;
  bool poked_ = false;
  uint64_t wakeups_ = 0;  // bumped when new deliveries are due
  std::vector<std::thread> threads_;
};

}  // namespace charta::service
