// The hostile-HTTP battery: the real `charta serve` on a policy repository with v1 published,
// bearer tokens for every role, and helpers that read raw responses strictly (one well-formed
// HTTP/1.1 response, no injected header) and the server's logs (one JSON object per line).
#pragma once

#include <doctest/doctest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/api_support.h"

namespace charta::hostile {

using apitest::bearer;
using apitest::kAuditorToken;
using apitest::kLegalToken;
using apitest::kSiteToken;
using testing::http;
using testing::HttpResponse;
using testing::ServerProcess;

// One response as read from the wire.
struct RawResponse {
  bool wellFormed = false;  // status line, header fields, Content-Length and body all agree
  std::string why;          // what is wrong when not well-formed
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string rest;  // bytes after the first response
  std::string header(const std::string& lowerName) const {
    for (const auto& [k, v] : headers) {
      if (k == lowerName) return v;
    }
    return "";
  }
  bool has(const std::string& lowerName) const {
    for (const auto& [k, v] : headers) {
      if (k == lowerName) return true;
    }
    return false;
  }
};

// Parses the first response of "bytes" strictly: a status line, header fields whose names are
// tokens and whose values hold no control characters, a blank line, and exactly Content-Length
// bytes of body (none for HEAD, 1xx, 204 and 304).
RawResponse parseResponse(const std::string& bytes, bool head = false);

// Sends "bytes" on a fresh connection and parses what comes back.
RawResponse roundTrip(uint16_t port, const std::string& bytes, int timeoutMs = 3000);

// A request in wire form: "METHOD target HTTP/1.1", Host, the given header lines (each without
// CRLF; may hold anything), Content-Length when "body" is not empty or the method writes, and
// Connection: close.
std::string request(const std::string& method, const std::string& target,
                    const std::vector<std::string>& headerLines = {},
                    const std::optional<std::string>& body = std::nullopt);

// Checks that "r" is an RFC 9457 problem (application/problem+json, status member equal).
void checkProblemJson(const RawResponse& r);
void checkProblemJson(const HttpResponse& r);

// Every line of "log" (stdout or stderr of the server) is one JSON object; returns how many.
size_t checkJsonLines(const std::string& log);

// Bytes that must never reach a client: the contents of files in the policy repository, git's
// own files and the system's.
bool leaksFile(const std::string& body);

// "s" percent-encoded for a path segment or a query value (everything but unreserved bytes).
std::string pct(const std::string& s);

// A JSON string literal for "s" (escapes quotes, backslashes and control characters).
std::string jsonString(const std::string& s);

// A policy site with the real server, started with "extra" definitions (the tokens are added).
struct Shop {
  apitest::ApiSite site;
  std::unique_ptr<ServerProcess> server;
  explicit Shop(std::vector<std::string> extra = {});
  uint16_t port() const { return server->port(); }
  // The server still answers /livez and has not died.
  void checkAlive();
  // The number of consent events in the ledger (GET /api/v1/ledger/verify as auditor).
  long long ledgerEvents();
  // The editions of personal-data (GET …/editions), newest first, as "v1", "v2", …
  std::vector<std::string> editions();
};

// A consent body for "subject" that the server accepts (v1 of personal-data, "marketing").
std::string consentBody(const std::string& subject);

}  // namespace charta::hostile
