#include "service/webhook_delivery.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

namespace charta::service {

DeliveryAttempt postWebhook(const WebhookSubscription& sub, const ledger::PendingDelivery& delivery,
                            int attempt, std::chrono::milliseconds timeout) {
  DeliveryAttempt out;
  out.number = attempt;
  auto started = std::chrono::steady_clock::now();
  try {
    Poco::URI uri(sub.url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(timeout.count() * 1000));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST,
                               uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(delivery.body.size()));
    req.set("User-Agent", "charta-webhooks/1");
    req.set("Charta-Event-Id", delivery.eventId);
    req.set("Charta-Event-Type", delivery.type);
    req.set("Charta-Delivery-Attempt", std::to_string(attempt));
    req.set("Charta-Signature", webhookSignature(sub.secret, delivery.body));
    req.setKeepAlive(false);
    session.sendRequest(req) << delivery.body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    char sink[4096];
    for (int i = 0; i < 16 && in.read(sink, sizeof sink); ++i) {
    }
    out.status = resp.getStatus();
    if (out.status < 200 || out.status > 299) out.error = "answered " + std::to_string(out.status);
  } catch (const Poco::Exception& e) {
    out.error = e.displayText();
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return out;
}

}  // namespace charta::service
