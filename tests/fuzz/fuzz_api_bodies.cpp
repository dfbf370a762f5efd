// The JSON bodies of the write API (api/bodies.h), parsed before anything is looked up or
// written. The first byte picks the endpoint ('p' publication, 'w' withdrawal of an edition, 'c'
// consent or withdrawal of consent, 'b' block or unblock; other bytes by their value), the rest is
// the body. Any body is either accepted or refused with a Problem of a 4xx status; anything else
// escaping would be a 500.
#include "api/bodies.h"
#include "api/problems.h"
#include "core/consent.h"
#include "fuzz/fuzz_check.h"

using charta::fuzz::require;
namespace core = charta::core;
namespace api = charta::api;
namespace http = charta::http;

namespace {

void parse(char endpoint, const http::Request& req) {
  switch (endpoint) {
    case 'p': {
      api::PublicationBody b = api::parsePublicationBody(req);
      if (b.effectiveFrom) {
        auto text = core::formatRfc3339(b.effectiveFrom->instant, b.effectiveFrom->offset);
        require(core::parseRfc3339(text) == b.effectiveFrom->instant, "effective_from round-trips");
      }
      break;
    }
    case 'w':
      require(!api::parseWithdrawalBody(req).empty(), "a withdrawal has a reason");
      break;
    case 'c': {
      auto b = api::parseConsentBody(req);
      require(!b.purposes.empty() && b.purposes.size() <= 64, "1-64 purposes");
      require(core::isValidSubject(b.subject), "the subject is valid");
      break;
    }
    default: {
      auto b = api::parseBlockBody(req);
      require(core::isValidCollectionMethod(b.collectionMethod), "the collection method is valid");
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char kEndpoints[] = {'p', 'w', 'c', 'b'};
  char first = static_cast<char>(data[0]);
  char endpoint = first == 'p' || first == 'w' || first == 'c' || first == 'b'
                      ? first
                      : kEndpoints[data[0] % sizeof kEndpoints];
  http::Request req;
  req.method = "POST";
  req.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  req.body = charta::fuzz::asText(data + 1, size - 1);
  try {
    parse(endpoint, req);
  } catch (const api::Problem& e) {
    int status = api::problemType(e.fault()).status;
    require(status >= 400 && status < 500, "a refused body is a client error");
  }
  return 0;
}
