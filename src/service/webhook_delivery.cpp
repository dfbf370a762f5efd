#include "service/webhook_delivery.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLException.h>

#include <memory>

#include "core/error.h"

namespace charta::service {

namespace {

// TLS 1.2 ciphers without the weak ones (TLS 1.3 has its own list, all strong).
constexpr const char* kCiphers = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES:!CAMELLIA:@STRENGTH";

// A client context that trusts "caFile" (empty: the system's store), checks the chain strictly and
// the host name, and speaks TLS 1.2 or later.
Poco::AutoPtr<Poco::Net::Context> clientContext(const WebhookSubscription& sub) {
  using Poco::Net::Context;
  Context::Params p;
  p.verificationMode = Context::VERIFY_STRICT;  // also for loopback hosts, which RELAXED skips
  p.verificationDepth = 9;
  p.loadDefaultCAs = sub.caFile.empty();
  p.caLocation = sub.caFile;
  p.cipherList = kCiphers;
  try {
    Poco::AutoPtr<Context> ctx(new Context(Context::TLS_CLIENT_USE, p));
    ctx->requireMinimumProtocol(Context::PROTO_TLSV1_2);
    ctx->enableExtendedCertificateVerification(true);  // the certificate must name the host
    return ctx;
  } catch (const Poco::Exception& e) {
    throw InvalidInput("webhooks." + sub.name + ".ca_file: cannot load the certificates of " +
                       sub.caFile + ": " + e.displayText());
  }
}

}  // namespace

WebhookSender::WebhookSender(const WebhookSubscription& sub, std::chrono::milliseconds timeout)
    : sub_(sub), uri_(sub.url), timeout_(timeout) {
  if (uri_.getScheme() == "https") tls_ = clientContext(sub);
}

WebhookSender::~WebhookSender() = default;

DeliveryAttempt WebhookSender::post(const ledger::PendingDelivery& delivery, int attempt) const {
  DeliveryAttempt out;
  out.number = attempt;
  auto started = std::chrono::steady_clock::now();
  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (tls_) {
      session =
          std::make_unique<Poco::Net::HTTPSClientSession>(uri_.getHost(), uri_.getPort(), tls_);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(uri_.getHost(), uri_.getPort());
    }
    session->setTimeout(Poco::Timespan(timeout_.count() * 1000));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST,
                               uri_.getPathAndQuery().empty() ? "/" : uri_.getPathAndQuery(),
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(delivery.body.size()));
    req.set("User-Agent", "charta-webhooks/1");
    req.set("Charta-Event-Id", delivery.eventId);
    req.set("Charta-Event-Type", delivery.type);
    req.set("Charta-Delivery-Attempt", std::to_string(attempt));
    req.set("Charta-Signature", webhookSignature(sub_.secret, delivery.body));
    req.setKeepAlive(false);
    session->sendRequest(req) << delivery.body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session->receiveResponse(resp);
    char sink[4096];
    for (int i = 0; i < 16 && in.read(sink, sizeof sink); ++i) {
    }
    out.status = resp.getStatus();
    if (out.status < 200 || out.status > 299) out.error = "answered " + std::to_string(out.status);
  } catch (const Poco::Net::SSLException& e) {
    out.error = "TLS: " + e.displayText();
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
