#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/wire.h"
#include "service/errors.h"

namespace charta::api {

// How the API answers one kind of failure.
struct ProblemType {
  int status;
  std::string_view slug;  // the problem's type is https://charta.dev/problems/<slug>
  std::string_view title;
};

// The one table from failures to problems: every service::Fault has exactly one status and one
// slug, wherever the API meets it.
const ProblemType& problemType(service::Fault fault);

// A failure the API itself finds, with response headers of its own (Allow, WWW-Authenticate, the
// ETag a failed precondition names).
class Problem : public service::Failure {
 public:
  using Failure::Failure;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The problem object of a failure: type, title, status, detail, then the extra members.
Poco::JSON::Object::Ptr problemObject(service::Fault fault, const std::string& detail,
                                      const Poco::JSON::Object::Ptr& extra = nullptr);

// The problem+json answer to "failure" (Retry-After when it knows one, its headers when it is a
// Problem). Its route is "api_error".
http::Reply problemReply(const service::Failure& failure);

}  // namespace charta::api
