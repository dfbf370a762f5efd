// The pure parts of webhooks: configuration, which events are due, the signature.
#include <Poco/JSON/Object.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/URI.h>

#include <algorithm>
#include <sstream>

#include "core/error.h"
#include "core/sha256.h"
#include "service/views.h"
#include "service/webhooks.h"

namespace charta::service {

using core::Edition;
using core::Instant;

namespace {

const std::set<std::string> kEventTypes = {"edition.published", "edition.effective",
                                           "edition.withdrawn", "repository.tampered"};

// A UUID-formatted id (version 8: custom) from the SHA-256 of "what".
std::string stableId(const std::string& what) {
  std::string h = core::sha256Hex(what).substr(0, 32);
  h[12] = '8';
  static const char* variant = "89ab";
  h[16] = variant[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

int64_t ms(Instant t) { return t.time_since_epoch().count(); }

bool validName(const std::string& n) {
  return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

long positive(const std::map<std::string, std::string>& keys, const std::string& key, long def) {
  auto it = keys.find(key);
  if (it == keys.end() || it->second.empty()) return def;
  const std::string& v = it->second;
  if (v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos || std::stol(v) < 1) {
    throw InvalidInput("webhooks." + key + " must be a positive whole number, not \"" + v + "\"");
  }
  return std::stol(v);
}

std::set<std::string> parseEvents(const std::string& name, const std::string& value) {
  std::set<std::string> out;
  std::stringstream ss(value);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    if (!kEventTypes.count(item)) {
      throw InvalidInput("webhooks." + name + ".events: unknown event \"" + item +
                         "\" (edition.published, edition.effective, edition.withdrawn, "
                         "repository.tampered)");
    }
    out.insert(item);
  }
  return out;
}

// Whether "host" (as Poco::URI gives it: IPv6 without brackets) is a loopback address.
bool loopback(const std::string& host) {
  Poco::Net::IPAddress ip;
  return host == "localhost" || (Poco::Net::IPAddress::tryParse(host, ip) && ip.isLoopback());
}

// Checks a subscription once all its keys are read; fills in the default events.
void finish(const std::string& name, WebhookSubscription& s) {
  if (s.url.empty() || s.secret.empty()) {
    throw InvalidInput("webhooks." + name + " needs both .url and .secret");
  }
  Poco::URI uri;
  try {
    uri = Poco::URI(s.url);
  } catch (const Poco::Exception&) {
    throw InvalidInput("webhooks." + name + ".url is not a URL");
  }
  bool https = uri.getScheme() == "https";
  if ((!https && uri.getScheme() != "http") || uri.getHost().empty() ||
      !uri.getUserInfo().empty()) {
    throw InvalidInput("webhooks." + name + ".url must be https://host[:port]/path");
  }
  if (!https && !s.allowHttp && !loopback(uri.getHost())) {
    throw InvalidInput("webhooks." + name +
                       ".url: plain http:// is sent only to a loopback address (127.0.0.1, "
                       "[::1], localhost); use https://, or set webhooks." +
                       name + ".allow_http = true");
  }
  if (!https && !s.caFile.empty()) {
    throw InvalidInput("webhooks." + name + ".ca_file is for https:// URLs");
  }
  if (s.secret.size() < 16) {
    throw InvalidInput("webhooks." + name + ".secret must have at least 16 characters");
  }
  if (s.events.empty()) s.events = kEventTypes;
}

std::string eventBody(const std::string& id, const std::string& type, Instant at, const Edition& e,
                      const core::Timeline& tl) {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("id", id);
  o.set("type", type);
  o.set("occurred_at", core::formatRfc3339(at, e.effectiveOffset, false));
  o.set("document", e.doc.str());
  o.set("edition", editionJson(e, tl, at));
  Poco::JSON::Object::Ptr links = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  links->set("edition", "/api/v1/documents/" + e.doc.str() + "/editions/" + e.no.str());
  links->set("current", "/api/v1/documents/" + e.doc.str() + "/current");
  o.set("links", links);
  std::ostringstream ss;
  o.stringify(ss);
  return ss.str();
}

}  // namespace

WebhookOptions parseWebhookOptions(const std::map<std::string, std::string>& keys) {
  WebhookOptions o;
  if (auto it = keys.find("outbox"); it != keys.end() && !it->second.empty()) o.outbox = it->second;
  o.timeout = std::chrono::milliseconds(positive(keys, "timeout_ms", o.timeout.count()));
  o.retryBase = std::chrono::milliseconds(positive(keys, "retry_base_ms", o.retryBase.count()));
  o.retryMax = std::chrono::milliseconds(positive(keys, "retry_max_ms", o.retryMax.count()));
  o.maxAttempts = static_cast<int>(positive(keys, "max_attempts", o.maxAttempts));
  o.poll = std::chrono::milliseconds(positive(keys, "poll_ms", o.poll.count()));
  static const std::set<std::string> kGlobal = {"outbox",       "timeout_ms",   "retry_base_ms",
                                                "retry_max_ms", "max_attempts", "poll_ms"};
  std::map<std::string, WebhookSubscription> subs;
  for (const auto& [key, value] : keys) {
    size_t dot = key.find('.');
    if (dot == std::string::npos) {
      if (!kGlobal.count(key)) throw InvalidInput("unknown configuration key webhooks." + key);
      continue;
    }
    std::string name = key.substr(0, dot), field = key.substr(dot + 1);
    if (!validName(name)) {
      throw InvalidInput("webhooks." + name + ": a subscription name is 1-64 of a-z 0-9 _ -");
    }
    WebhookSubscription& s = subs[name];
    s.name = name;
    if (field == "url") {
      s.url = value;
    } else if (field == "secret") {
      s.secret = value;
    } else if (field == "events") {
      s.events = parseEvents(name, value);
    } else if (field == "ca_file") {
      s.caFile = value;
    } else if (field == "allow_http") {
      if (value != "true" && value != "false") {
        throw InvalidInput("webhooks." + key + " must be true or false");
      }
      s.allowHttp = value == "true";
    } else {
      throw InvalidInput("unknown configuration key webhooks." + key);
    }
  }
  for (auto& [name, s] : subs) {
    finish(name, s);
    o.subscriptions.push_back(std::move(s));
  }
  return o;
}

std::string webhookSignature(std::string_view secret, std::string_view body) {
  return "sha256=" + core::hmacSha256Hex(secret, body);
}

std::vector<WebhookEvent> dueEvents(const core::Timeline& timeline, Instant since, Instant now) {
  std::vector<WebhookEvent> out;
  auto add = [&](const char* type, Instant at, const Edition& e, const std::string& what) {
    if (at < since || at > now) return;
    std::string id = stableId(std::string(type) + "|" + e.doc.str() + "|" + e.no.str() + "|" +
                              e.commit.str() + "|" + what);
    out.push_back(WebhookEvent{id, type, at, eventBody(id, type, at, e, timeline)});
  };
  for (const Edition& e : timeline.editions()) {
    add("edition.published", e.publishedAt, e, std::to_string(ms(e.publishedAt)));
    // Effective only when it really came into force then (not withdrawn, not outranked).
    const Edition* inForce = timeline.inForceAt(e.effectiveFrom);
    if (inForce && inForce->no == e.no) {
      add("edition.effective", e.effectiveFrom, e, std::to_string(ms(e.effectiveFrom)));
    }
    if (e.withdrawal) {
      add("edition.withdrawn", e.withdrawal->at, e, std::to_string(ms(e.withdrawal->at)));
    }
  }
  std::sort(out.begin(), out.end(), [](const WebhookEvent& a, const WebhookEvent& b) {
    return a.occurredAt < b.occurredAt;
  });
  return out;
}

}  // namespace charta::service
