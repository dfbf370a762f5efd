#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/URI.h>

#include <chrono>
#include <string>

#include "ledger/outbox.h"
#include "service/webhooks.h"

namespace Poco::Net {
class Context;
}

namespace charta::service {

// The outcome of one attempt at delivering an event to a subscription.
struct DeliveryAttempt {
  int number = 1;     // 1 for the first attempt
  int status = 0;     // the receiver's HTTP status; 0 when none came
  std::string error;  // empty: the receiver answered 2xx
  std::chrono::milliseconds took{0};
};

// Sends the deliveries of one subscription: POSTs over HTTP/1.1, or over TLS for an https://
// URL, signed (Charta-Signature), with the headers Charta-Event-Id, Charta-Event-Type and
// Charta-Delivery-Attempt. Connecting (the TLS handshake included), sending and receiving each
// wait at most "timeout"; at most 64 KiB of the answer is read.
//
// TLS: 1.2 or later; the receiver's certificate chain must lead to a CA of the subscription's
// ca_file, or of the system's store (/etc/ssl/certs) when it has none, and must name the URL's
// host (DNS name or IP address in subjectAltName). Each sender has a TLS context of its own, so
// nothing is shared between subscriptions; no certificate handler or passphrase handler is ever
// installed, so an untrusted certificate always fails the handshake and nothing prompts (no
// private key is loaded). A failed handshake or a refused certificate is a failed attempt like
// any other: retried, logged, counted.
//
// post() is for one thread at a time (each subscription has its own delivery thread).
class WebhookSender {
 public:
  // throws InvalidInput: the subscription's ca_file cannot be read as PEM certificates.
  WebhookSender(const WebhookSubscription& sub, std::chrono::milliseconds timeout);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  const WebhookSubscription& subscription() const { return sub_; }

  // Delivers "delivery" as attempt number "attempt". Never throws: every failure is in the
  // result, with a message that never holds the secret.
  DeliveryAttempt post(const ledger::PendingDelivery& delivery, int attempt) const;

  // The TLS context of an https:// subscription (nullptr for http://).
  const Poco::Net::Context* tls() const { return tls_.get(); }

 private:
  const WebhookSubscription& sub_;
  Poco::URI uri_;
  std::chrono::milliseconds timeout_;
  Poco::AutoPtr<Poco::Net::Context> tls_;
};

}  // namespace charta::service
