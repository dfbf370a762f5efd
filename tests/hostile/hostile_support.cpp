#include "hostile/hostile_support.h"

#include <Poco/JSON/Array.h>

#include <cctype>
#include <chrono>
#include <sstream>

namespace charta::hostile {

namespace {

bool isTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

RawResponse parseResponse(const std::string& bytes, bool head) {
  RawResponse r;
  auto fail = [&](std::string why) {
    r.wellFormed = false;
    r.why = std::move(why);
    return r;
  };
  size_t end = bytes.find("\r\n\r\n");
  if (end == std::string::npos) return fail("no end of the header block");
  std::string block = bytes.substr(0, end + 2);
  size_t lineEnd = block.find("\r\n");
  std::string statusLine = block.substr(0, lineEnd);
  if (statusLine.size() < 12 || statusLine.compare(0, 9, "HTTP/1.1 ") != 0 ||
      !std::isdigit(static_cast<unsigned char>(statusLine[9])) || statusLine[12] != ' ') {
    if (statusLine.compare(0, 9, "HTTP/1.0 ") != 0) return fail("bad status line: " + statusLine);
  }
  r.status = std::stoi(statusLine.substr(9, 3));
  size_t pos = lineEnd + 2;
  while (pos < block.size()) {
    size_t e = block.find("\r\n", pos);
    std::string line = block.substr(pos, e - pos);
    pos = e + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return fail("header line without a name");
    std::string name = line.substr(0, colon);
    for (char c : name) {
      if (!isTokenChar(c)) return fail("bad header name: " + name);
    }
    std::string value = line.substr(colon + 1);
    for (char c : value) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return fail("control character in " + name);
    }
    size_t b = value.find_first_not_of(" \t");
    value = b == std::string::npos ? "" : value.substr(b);
    r.headers.emplace_back(lower(name), value);
  }
  std::string after = bytes.substr(end + 4);
  bool noBody = head || r.status < 200 || r.status == 204 || r.status == 304;
  size_t length = 0;
  if (!noBody) {
    if (!r.has("content-length")) return fail("no Content-Length");
    if (r.has("transfer-encoding")) return fail("Transfer-Encoding in a response");
    length = std::stoul(r.header("content-length"));
    if (after.size() < length) return fail("body shorter than Content-Length");
  }
  r.body = after.substr(0, length);
  r.rest = after.substr(length);
  r.wellFormed = true;
  return r;
}

RawResponse roundTrip(uint16_t port, const std::string& bytes, int timeoutMs) {
  return parseResponse(testing::rawExchange(port, bytes, timeoutMs),
                       bytes.compare(0, 5, "HEAD ") == 0);
}

std::string request(const std::string& method, const std::string& target,
                    const std::vector<std::string>& headerLines,
                    const std::optional<std::string>& body) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: shop.example\r\n";
  for (const auto& h : headerLines) out += h + "\r\n";
  if (body || method == "POST") {
    out += "Content-Length: " + std::to_string(body ? body->size() : 0) + "\r\n";
  }
  out += "Connection: close\r\n\r\n";
  if (body) out += *body;
  return out;
}

namespace {

void checkProblemBody(int status, const std::string& contentType, const std::string& body) {
  INFO("status " << status << " body " << body);
  CHECK(contentType == "application/problem+json");
  Poco::JSON::Object::Ptr o;
  try {
    o = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {
    FAIL_CHECK("the problem is not a JSON object");
    return;
  }
  CHECK(o->getValue<int>("status") == status);
  CHECK(o->has("type"));
  CHECK(o->has("title"));
}

}  // namespace

void checkProblemJson(const RawResponse& r) {
  checkProblemBody(r.status, r.header("content-type"), r.body);
}

void checkProblemJson(const HttpResponse& r) {
  checkProblemBody(r.status, r.header("content-type"), r.body);
}

size_t checkJsonLines(const std::string& log) {
  size_t lines = 0;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    INFO("log line: " << line);
    ++lines;
    bool object = false;
    try {
      object = Poco::JSON::Parser().parse(line).type() == typeid(Poco::JSON::Object::Ptr);
    } catch (const std::exception&) {
    }
    CHECK(object);
  }
  CHECK((log.empty() || log.back() == '\n'));
  return lines;
}

bool leaksFile(const std::string& body) {
  for (const char* needle :
       {"<charta",    "<?xml",      "[core]",  "repositoryformatversion",
        "ref: refs/", "root:x:0:0", "\ntree ", "tree 0",
        "tree 1",     "tree 2",     "tree 3",  "tree 4",
        "tree 5",     "tree 6",     "tree 7",  "tree 8",
        "tree 9",     "tree a",     "tree b",  "tree c",
        "tree d",     "tree e",     "tree f",  "Политика конфиденциальности"}) {
    if (body.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string pct(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

Shop::Shop(std::vector<std::string> extra) {
  server = std::make_unique<ServerProcess>(site.box.path(), site.defs(std::move(extra)));
}

void Shop::checkAlive() {
  REQUIRE(server->running());
  CHECK(http(port(), "GET", "/livez").status == 200);
}

long long Shop::ledgerEvents() {
  // The consent events only: the chain also holds the record of editions.
  auto r = testing::run({"sqlite3", (site.box / "var/consents.db").string(),
                         "SELECT count(*) FROM events WHERE kind IN ('consent.given', "
                         "'consent.withdrawn', 'subject.blocked', 'subject.unblocked')"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  return std::stoll(r.out);
}

std::vector<std::string> Shop::editions() {
  auto r = http(port(), "GET", "/api/v1/documents/personal-data/editions");
  REQUIRE(r.status == 200);
  auto o = apitest::object(r.body);
  std::vector<std::string> out;
  for (const auto& e : *o->getArray("editions")) {
    out.push_back(e.extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("edition"));
  }
  return out;
}

std::string consentBody(const std::string& subject) {
  return "{\"subject\":" + jsonString(subject) +
         ",\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":\"ru\","
         "\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\"}";
}

}  // namespace charta::hostile
