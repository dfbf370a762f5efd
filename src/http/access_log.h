#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/json_text.h"
#include "http/wire.h"

namespace charta::http {

// The access log: one JSON object per line on a stream (stdout by default) with time (UTC,
// RFC 3339), request id, method, route template (never the path: paths can hold subject ids),
// status, duration and bytes; the client address only when "logIp". Buffered; flush() is
// called by the server's housekeeping thread. Safe for concurrent use.
class AccessLog {
 public:
  AccessLog(std::FILE* out, bool logIp);
  ~AccessLog();
  void write(const Request& req, const Reply& reply, const char* route,
             std::chrono::nanoseconds took);
  void flush();

 private:
  std::mutex mu_;
  std::FILE* out_;
  bool logIp_;
  std::string buffer_;
};

// A JSON string literal of "s" (see core/json_text.h).
using core::jsonQuote;

}  // namespace charta::http
