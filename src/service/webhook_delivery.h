#pragma once

#include <chrono>
#include <string>

#include "ledger/outbox.h"
#include "service/webhooks.h"

namespace charta::service {

// The outcome of one attempt at delivering an event to a subscription.
struct DeliveryAttempt {
  int number = 1;     // 1 for the first attempt
  int status = 0;     // the receiver's HTTP status; 0 when none came
  std::string error;  // empty: the receiver answered 2xx
  std::chrono::milliseconds took{0};
};

// POSTs "delivery" to "sub.url" over HTTP/1.1, signed (Charta-Signature), with the headers
// Charta-Event-Id, Charta-Event-Type and Charta-Delivery-Attempt ("attempt"). Connecting, sending
// and receiving each wait at most "timeout"; at most 64 KiB of the answer is read. Never throws:
// every failure is in the result.
DeliveryAttempt postWebhook(const WebhookSubscription& sub, const ledger::PendingDelivery& delivery,
                            int attempt, std::chrono::milliseconds timeout);

}  // namespace charta::service
