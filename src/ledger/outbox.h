#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/time.h"

namespace charta::ledger {

// One event to deliver to one subscription, as the webhook outbox keeps it.
struct OutboxEvent {
  std::string id;    // stable: the same happening always has the same id
  std::string type;  // "edition.effective"
  core::Instant occurredAt;
  std::string body;  // the JSON sent, signed as it is
};

// A delivery that is pending: what to send and how often it was tried.
struct PendingDelivery {
  std::string eventId;
  std::string type;
  std::string body;
  int attempts = 0;
  core::Instant next;  // not before this moment
};

// What became of a delivery.
enum class DeliveryState {
  kPending,    // to be sent (again) at its next moment
  kDelivered,  // a receiver answered 2xx
  kAbandoned,  // the last attempt failed; never sent again
  kBaseline,   // happened before the subscription existed: kept only so that it is never sent
};

// The durable outbox of webhook deliveries: one row per (event, subscription) in an SQLite file
// (WAL, synchronous=FULL), so that pending deliveries survive a restart and a delivery is marked
// done only after it was. Safe for concurrent use: calls are serialised.
//
// Every method throws StorageError (ledger.h) when the file cannot be read or written.
class WebhookOutbox {
 public:
  // Opens the outbox at "path", creating the file, its folder and its tables when missing.
  explicit WebhookOutbox(const std::string& path);
  ~WebhookOutbox();
  WebhookOutbox(const WebhookOutbox&) = delete;
  WebhookOutbox& operator=(const WebhookOutbox&) = delete;

  // Whether subscription "name" was seen before; when not, records that it is seen at "t".
  bool knownSubscription(const std::string& name, core::Instant t);

  // Adds "event" for subscription "name", due at "t", in "state" (kPending or kBaseline).
  // Returns false when that event was in the outbox for that subscription already (kept as it is).
  bool enqueue(const std::string& name, const OutboxEvent& event, core::Instant t,
               DeliveryState state = DeliveryState::kPending);

  // The pending delivery of "name" due first (earliest next moment, then oldest event); nullopt
  // when none is pending.
  std::optional<PendingDelivery> nextDue(const std::string& name);

  // Records the outcome of an attempt at delivering "eventId" to "name": its new "state", the
  // attempts made so far, the next moment to try (for kPending), and the error of the last attempt
  // (empty when it succeeded).
  void record(const std::string& name, const std::string& eventId, DeliveryState state,
              int attempts, core::Instant next, const std::string& error);

 private:
  struct Db;
  std::unique_ptr<Db> db_;
};

}  // namespace charta::ledger
