#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

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

// A JSON string literal of "s": quoted, escaped, control characters as \u00XX, invalid UTF-8
// replaced, so that any input stays on one line.
std::string jsonQuote(std::string_view s);

}  // namespace charta::http
