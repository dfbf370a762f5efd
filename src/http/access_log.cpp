#include "http/access_log.h"

#include "core/time.h"

namespace charta::http {

AccessLog::AccessLog(std::FILE* out, bool logIp) : out_(out), logIp_(logIp) {}

AccessLog::~AccessLog() { flush(); }

void AccessLog::write(const Request& req, const Reply& reply, const char* route,
                      std::chrono::nanoseconds took) {
  std::string line;
  line.reserve(200);
  line += "{\"time\":\"";
  line += core::formatRfc3339(core::now());
  line += "\",\"request_id\":\"";
  line += req.requestId;
  line += "\",\"method\":";
  line += jsonQuote(req.method.substr(0, 16));
  line += ",\"route\":\"";
  line += route;
  line += "\",\"status\":";
  line += std::to_string(reply.status);
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", std::chrono::duration<double, std::milli>(took).count());
  line += ",\"duration_ms\":";
  line += ms;
  line += ",\"bytes\":";
  line += std::to_string(req.isHead() || reply.status == 304 ? 0 : reply.bytes().size());
  if (logIp_) {
    line += ",\"ip\":";
    line += jsonQuote(req.peer);
  }
  line += "}\n";
  std::lock_guard lock(mu_);
  buffer_ += line;
  if (buffer_.size() > 64 * 1024) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    std::fflush(out_);
    buffer_.clear();
  }
}

void AccessLog::flush() {
  std::lock_guard lock(mu_);
  if (!buffer_.empty()) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    buffer_.clear();
  }
  std::fflush(out_);
}

}  // namespace charta::http
