#include "http/replies.h"

#include "http/access_log.h"

namespace charta::http {

const std::vector<std::pair<std::string, std::string>>& securityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Security-Policy",
       "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "strict-origin-when-cross-origin"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Permissions-Policy", "interest-cohort=(), camera=(), microphone=(), geolocation=()"},
  };
  return headers;
}

std::shared_ptr<const std::string> headerBlock(
    std::string_view etag, const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string block;
  if (!etag.empty()) block += "ETag: " + std::string(etag) + "\r\n";
  for (const auto& [k, v] : headers) block += k + ": " + v + "\r\n";
  for (const auto& [k, v] : securityHeaders()) block += k + ": " + v + "\r\n";
  return std::make_shared<const std::string>(std::move(block));
}

Reply jsonReply(int status, std::string body, std::string cacheControl) {
  Reply r;
  r.status = status;
  r.contentType = "application/json";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", std::move(cacheControl));
  for (const auto& h : securityHeaders()) r.headers.push_back(h);
  return r;
}

Reply problemReply(int status, std::string body) {
  Reply r;
  r.status = status;
  r.contentType = "application/problem+json";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  for (const auto& h : securityHeaders()) r.headers.push_back(h);
  return r;
}

std::string problemJson(int status, std::string_view slug, std::string_view title,
                        std::string_view detail) {
  return "{\"type\":" + jsonQuote("https://charta.dev/problems/" + std::string(slug)) +
         ",\"title\":" + jsonQuote(title) + ",\"status\":" + std::to_string(status) +
         ",\"detail\":" + jsonQuote(detail) + "}";
}

Reply refusal(int status, std::string_view detail) {
  std::string title(reasonPhrase(status));
  std::string slug;
  for (char c : title) {
    slug += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  Reply r = problemReply(status, problemJson(status, slug, title, detail));
  r.route = "refused";
  return r;
}

}  // namespace charta::http
