#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "http/limits.h"
#include "http/wire.h"

namespace charta::http {

// Why a request was refused before any handler saw it: its status code and a short reason.
struct Refusal {
  int status = 400;
  std::string_view detail;  // a string literal
};

// Parses a complete request head ("head": the request line and the header fields up to and
// including the empty line) into "req", and the length of the body that follows into "length".
// RFC 9112: lines end with CRLF; the version is HTTP/1.x (1.0, or 1.1 for any x >= 1); the target
// is in origin form or absolute form (whose authority then replaces the Host field); an HTTP/1.1
// request has exactly one Host field with a valid value; a body has a Content-Length (chunked is
// refused). Returns the refusal when the head breaks a rule or a limit of "lim".
std::optional<Refusal> parseRequestHead(std::string_view head, const ServerLimits& lim,
                                        Request& req, size_t& length);

// Checks the beginning "have" of a request head that is not complete yet for refusals that need
// not wait for the rest: a bare LF line end, a request line too long for any URI within
// "lim.maxTarget" (414), a head longer than "lim.maxHeaderBytes" (431).
std::optional<Refusal> checkPartialHead(std::string_view have, const ServerLimits& lim);

// Whether "value" is a valid Host field value: uri-host [ ":" port ] (RFC 9110 7.2; may be empty).
bool validHost(std::string_view value);

}  // namespace charta::http
