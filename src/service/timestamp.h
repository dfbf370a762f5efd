#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

// RFC 3161 time-stamp tokens over anchors: a time-stamping authority (TSA) signs the SHA-256 of
// anchor.json with its time, so that an anchor is shown to have existed then by a party outside
// charta and git. OpenSSL's TS API builds the request and checks the answer.
namespace charta::service {

// The TSA could not be asked, or its answer is not a token over what was asked.
class TimestampError : public Error {
 public:
  using Error::Error;
};

// Asks the TSA at "url" (http:// or https://) for a token over SHA-256 of "bytes" (with a random
// nonce and the TSA's certificate included) and checks the answer: granted, the imprint and nonce
// asked for, and, when "caFile" names a PEM file, the signature against its CAs. Returns the
// DER TimeStampResp, as `openssl ts -reply` writes it (timestamp.tsr).
// throws TimestampError.
std::string requestTimestamp(const std::string& url, std::string_view bytes,
                             std::chrono::milliseconds timeout, const std::string& caFile);

// What checking a stored token found.
struct TimestampCheck {
  bool ok = false;
  std::string detail;                 // why not, when not ok
  std::optional<core::Instant> time;  // the token's genTime, when it can be read
  bool signatureChecked = false;      // false when no CA file was given: imprint only
};

// Checks the DER TimeStampResp "response" against "bytes": granted, a SHA-256 imprint of
// "bytes", and, when "caFile" is not empty, the signature and the TSA's certificate against the
// CAs of "caFile" (the certificate must be for time stamping).
TimestampCheck checkTimestamp(std::string_view response, std::string_view bytes,
                              const std::string& caFile);

}  // namespace charta::service
