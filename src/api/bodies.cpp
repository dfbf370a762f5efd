#include "api/bodies.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "api/problems.h"
#include "api/tokens.h"
#include "core/consent.h"
#include "core/words.h"
#include "service/views.h"

namespace charta::api {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;
using service::Fault;

namespace {

int depthOf(const Poco::Dynamic::Var& v, int limit) {
  if (limit < 0) return 1 << 20;
  if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
    int d = 0;
    for (const auto& [k, child] : *v.extract<Poco::JSON::Object::Ptr>()) {
      d = std::max(d, depthOf(child, limit - 1));
    }
    return d + 1;
  }
  if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
    int d = 0;
    for (const auto& child : *v.extract<Poco::JSON::Array::Ptr>()) {
      d = std::max(d, depthOf(child, limit - 1));
    }
    return d + 1;
  }
  return 0;
}

// Nesting depth of JSON text, counted on the bytes before parsing (Poco's parser has no limit).
int textDepth(std::string_view text) {
  int depth = 0, maxDepth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    else if (c == '{' || c == '[')
      maxDepth = std::max(maxDepth, ++depth);
    else if (c == '}' || c == ']')
      --depth;
  }
  return maxDepth;
}

// A JSON number token at "text[i]" (a '-' or a digit outside a string): its length, and whether
// Poco's parser would keep its value. Poco wraps an integer beyond 64 bits (2^64 + 1 becomes 1),
// clamps one below -2^63 and refuses others and any double beyond its range as a syntax error,
// although all are valid JSON. An integer must fit in 64 signed bits; a number with a fraction or
// an exponent must be a finite double that is not a non-zero value rounded to zero.
struct NumberToken {
  size_t length = 0;
  bool fits = true;
};

NumberToken numberAt(std::string_view text, size_t i) {
  size_t end = i;
  bool integer = true;
  auto digits = [&] {
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  };
  if (end < text.size() && text[end] == '-') ++end;
  digits();
  if (end < text.size() && text[end] == '.') {
    integer = false;
    ++end;
    digits();
  }
  if (end < text.size() && (text[end] == 'e' || text[end] == 'E')) {
    integer = false;
    ++end;
    if (end < text.size() && (text[end] == '+' || text[end] == '-')) ++end;
    digits();
  }
  NumberToken t{end - i, true};
  std::string token(text.substr(i, t.length));
  errno = 0;
  if (integer) {
    char* stop = nullptr;
    (void)std::strtoll(token.c_str(), &stop, 10);
    t.fits = errno != ERANGE;
  } else {
    char* stop = nullptr;
    double d = std::strtod(token.c_str(), &stop);
    bool nonZero =
        token.substr(0, token.find_first_of("eE")).find_first_of("123456789") != std::string::npos;
    t.fits = std::isfinite(d) && (d != 0 || !nonZero);
  }
  return t;
}

// The text of the JSON string literal "literal" (quotes included), escapes decoded when it has
// any; as written when it is malformed (the parser refuses the body anyway).
std::string keyText(std::string_view literal) {
  std::string raw(literal.substr(1, literal.size() >= 2 ? literal.size() - 2 : 0));
  if (raw.find('\\') == std::string::npos) return raw;
  try {
    return Poco::JSON::Parser()
        .parse("[" + std::string(literal) + "]")
        .extract<Poco::JSON::Array::Ptr>()
        ->getElement<std::string>(0);
  } catch (const Poco::Exception&) {
    return raw;
  }
}

// The body with every number Poco could not keep replaced by 0, and the top-level member holding
// the first of them (nullopt: none, or not inside an object). Malformed tokens are left for the
// parser to refuse.
std::pair<std::string, std::optional<std::string>> withNumbersChecked(std::string_view text) {
  std::string out;
  std::string member;
  std::optional<std::string> offending;
  std::vector<char> open;  // the containers around the current position
  bool expectKey = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      size_t end = i + 1;
      while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
      end = std::min(end, text.size() - 1);
      if (expectKey && open.size() == 1) member = keyText(text.substr(i, end - i + 1));
      expectKey = false;
      out.append(text.substr(i, end - i + 1));
      i = end;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      NumberToken t = numberAt(text, i);
      if (!t.fits && !offending && !open.empty() && open.front() == '{') offending = member;
      out.append(t.fits ? text.substr(i, t.length) : std::string_view("0"));
      i += t.length - 1;
      continue;
    }
    if (c == '{' || c == '[') open.push_back(c);
    if ((c == '}' || c == ']') && !open.empty()) open.pop_back();
    if (c == '{' || c == ',') expectKey = !open.empty() && open.back() == '{';
    out += c;
  }
  return {std::move(out), std::move(offending)};
}

// Builds values like Poco's ParseHandler but refuses an object that names a member twice: readers
// disagree on which value counts (the first, the last), so a proxy or an audit log could see
// another request than the one charta acts on.
class StrictHandler : public Poco::JSON::ParseHandler {
 public:
  StrictHandler() : ParseHandler(false) {}
  void reset() override {
    keys_.clear();
    duplicate_ = false;
    ParseHandler::reset();
  }
  void startObject() override {
    keys_.emplace_back();
    ParseHandler::startObject();
  }
  void endObject() override {
    keys_.pop_back();
    ParseHandler::endObject();
  }
  void key(const std::string& k) override {
    if (!keys_.empty() && !keys_.back().insert(k).second) {
      duplicate_ = true;
      throw Poco::JSON::JSONException("a member appears twice");
    }
    ParseHandler::key(k);
  }
  bool duplicate() const { return duplicate_; }

 private:
  std::vector<std::set<std::string>> keys_;
  bool duplicate_ = false;
};

// A malformed member: 400 invalid-request naming it in "field".
Problem invalid(const std::string& field, const std::string& detail,
                Fault fault = Fault::kInvalidRequest) {
  auto extra = Poco::makeShared<Object>(Poco::JSON_PRESERVE_KEY_ORDER);
  extra->set("field", field);
  return Problem(fault, detail, extra);
}

std::optional<std::string> optString(const Object& o, const std::string& name) {
  if (!o.has(name) || o.isNull(name)) return std::nullopt;
  Var v = o.get(name);
  if (!v.isString()) throw invalid(name, "\"" + name + "\" must be a string.");
  return v.convert<std::string>();
}

std::string needString(const Object& o, const std::string& name) {
  auto s = optString(o, name);
  if (!s) throw invalid(name, "\"" + name + "\" is required.");
  return *s;
}

bool optBool(const Object& o, const std::string& name) {
  if (!o.has(name) || o.isNull(name)) return false;
  Var v = o.get(name);
  if (v.type() != typeid(bool)) throw invalid(name, "\"" + name + "\" must be true or false.");
  return v.extract<bool>();
}

// "edition": "v3" or the JSON integer 3 (1 to 999999), as everywhere an edition is named.
std::optional<core::EditionNo> optEdition(const Object& o) {
  if (!o.has("edition") || o.isNull("edition")) return std::nullopt;
  Var v = o.get("edition");
  std::optional<core::EditionNo> no;
  if (v.isString()) {
    no = core::EditionNo::parseName(v.convert<std::string>());
  } else if (v.type() == typeid(Poco::Int64)) {
    no = core::EditionNo::of(v.extract<Poco::Int64>());
  } else if (v.type() == typeid(Poco::UInt64)) {  // beyond 2^63: never an edition
    no = std::nullopt;
  }
  if (!no) {
    throw invalid("edition", "\"edition\" must be an edition like \"v3\" or 3 (1 to 999999).");
  }
  return no;
}

std::vector<core::PurposeId> purposesOf(const Object& o) {
  if (!o.has("purposes")) throw invalid("purposes", "\"purposes\" is required.");
  Var v = o.get("purposes");
  if (v.type() != typeid(Array::Ptr))
    throw invalid("purposes", "\"purposes\" must be an array of strings.");
  auto arr = v.extract<Array::Ptr>();
  if (arr->size() == 0) throw invalid("purposes", "\"purposes\" must name at least one purpose.");
  if (arr->size() > 64) throw invalid("purposes", "\"purposes\" names more than 64 purposes.");
  std::vector<core::PurposeId> out;
  for (const Var& p : *arr) {
    if (!p.isString()) throw invalid("purposes", "\"purposes\" must be an array of strings.");
    auto id = core::PurposeId::parse(p.convert<std::string>());
    if (!id) throw invalid("purposes", "\"purposes\" holds something that is not a purpose id.");
    out.push_back(*id);
  }
  return out;
}

std::optional<std::string> evidenceOf(const Object& o) {
  if (!o.has("evidence") || o.isNull("evidence")) return std::nullopt;
  Var v = o.get("evidence");
  if (v.type() != typeid(Object::Ptr))
    throw invalid("evidence", "\"evidence\" must be a JSON object.");
  // Parsed objects keep their members sorted: the same evidence always gives the same text, so
  // an idempotent retry matches however the client ordered the members.
  return service::toJsonText(v.extract<Object::Ptr>());
}

core::DocumentId documentOf(const std::string& text) {
  auto id = core::DocumentId::parse(text);
  if (!id) throw invalid("document", "\"document\" is not a document id (like personal-data).");
  return *id;
}

std::string collectionMethodOf(std::string method) {
  if (!core::isValidCollectionMethod(method)) {
    throw invalid(
        "collection_method",
        "\"collection_method\" must be 1-32 lower-case letters, digits and inner hyphens.");
  }
  return method;
}

std::optional<std::string> formIdOf(const Object& o) {
  auto formId = optString(o, "form_id");
  if (formId && !core::isValidToken(*formId)) {
    throw invalid("form_id",
                  "\"form_id\" must be 1-128 printable ASCII characters without spaces.");
  }
  return formId;
}

}  // namespace

Poco::JSON::Object::Ptr parseJsonBody(const http::Request& req,
                                      const std::set<std::string>& allowed, int maxDepth) {
  auto type = req.header("Content-Type");
  std::string_view t = type ? trimmed(type->substr(0, type->find(';'))) : std::string_view();
  if (!core::iequals(t, "application/json")) {
    throw Problem(Fault::kUnsupportedMediaType, "Send the body as application/json.");
  }
  if (!core::isValidUtf8(req.body)) {
    throw Problem(Fault::kInvalidJson, "The body is not valid UTF-8.");
  }
  if (textDepth(req.body) > maxDepth) {
    throw Problem(Fault::kInvalidJson,
                  "The JSON body is nested deeper than " + std::to_string(maxDepth) + " levels.");
  }
  auto [text, outOfRange] = withNumbersChecked(req.body);
  Poco::Dynamic::Var v;
  Poco::SharedPtr<StrictHandler> handler(new StrictHandler);
  try {
    v = Poco::JSON::Parser(handler).parse(text);
  } catch (const Poco::Exception&) {
    throw Problem(Fault::kInvalidJson, handler->duplicate()
                                           ? "An object of the body names a member twice."
                                           : "The body is not valid JSON.");
  }
  if (v.type() != typeid(Poco::JSON::Object::Ptr) || depthOf(v, maxDepth) > maxDepth) {
    throw Problem(Fault::kInvalidJson, "The body must be one JSON object.");
  }
  auto o = v.extract<Poco::JSON::Object::Ptr>();
  if (!allowed.empty()) {
    for (const auto& [k, val] : *o) {
      if (!allowed.count(k)) {
        throw Problem(Fault::kUnknownField, "Unknown member \"" + k + "\".");
      }
    }
  }
  if (outOfRange) {
    throw invalid(*outOfRange, "\"" + *outOfRange +
                                   "\" holds a number out of range: integers must fit in 64 bits "
                                   "and other numbers in a double.");
  }
  return o;
}

PublicationBody parsePublicationBody(const http::Request& req) {
  Object::Ptr body = parseJsonBody(
      req, {"revision", "effective_from", "material", "renew_purposes", "summary", "force"});
  const Object& o = *body;
  PublicationBody b;
  b.material = optBool(o, "material");
  b.summary = optString(o, "summary").value_or("");
  b.force = optString(o, "force");
  if (auto r = optString(o, "revision")) {
    b.revision = core::RevisionSpec::parse(*r);
    if (!b.revision)
      throw invalid("revision", "\"revision\" must be v<N> or a full 40-hex commit id.");
  }
  if (auto t = optString(o, "effective_from")) {
    b.effectiveFrom = core::parseRfc3339Zoned(*t);
    if (!b.effectiveFrom) {
      throw invalid("effective_from",
                    "effective_from must be an RFC 3339 time with an offset, like "
                    "2026-12-01T00:00:00+05:00.",
                    Fault::kInvalidTime);
    }
  }
  if (o.has("renew_purposes") && !o.isNull("renew_purposes")) {
    Var v = o.get("renew_purposes");
    if (v.type() != typeid(Array::Ptr))
      throw invalid("renew_purposes", "\"renew_purposes\" must be an array.");
    for (const auto& item : *v.extract<Array::Ptr>()) {
      auto p = item.isString() ? core::PurposeId::parse(item.extract<std::string>()) : std::nullopt;
      if (!p)
        throw invalid("renew_purposes",
                      "\"renew_purposes\" must hold purpose ids like \"marketing\".");
      b.renewPurposes.push_back(*p);
    }
  }
  return b;
}

std::string parseWithdrawalBody(const http::Request& req) {
  Object::Ptr body = parseJsonBody(req, {"reason"});
  auto reason = optString(*body, "reason");
  if (!reason || reason->empty()) throw invalid("reason", "\"reason\" is required: say why.");
  return *reason;
}

service::ConsentRequest parseConsentBody(const http::Request& req) {
  static const std::set<std::string> kMembers = {
      "subject",  "document",          "edition", "commit",   "language",
      "purposes", "collection_method", "form_id", "evidence", "page_sha256"};
  auto body = parseJsonBody(req, kMembers);
  const Object& o = *body;
  std::string subject = needString(o, "subject");
  if (!core::isValidSubject(subject)) {
    throw invalid("subject",
                  "\"subject\" must be 1-128 bytes of UTF-8 without control characters.");
  }
  core::DocumentId doc = documentOf(needString(o, "document"));
  core::NamedEdition shown{optEdition(o), std::nullopt};
  if (auto commit = optString(o, "commit")) {
    shown.commit = core::CommitId::parse(*commit);
    if (!shown.commit)
      throw invalid("commit", "\"commit\" must be a full commit id (40 hex digits).");
  }
  auto lang = core::Lang::parse(needString(o, "language"));
  if (!lang) throw invalid("language", "\"language\" is not a language tag (like ru).");
  auto purposes = purposesOf(o);
  std::string method = collectionMethodOf(needString(o, "collection_method"));
  auto formId = formIdOf(o);
  auto evidence = evidenceOf(o);
  auto pageSha = optString(o, "page_sha256");
  if (pageSha) {
    std::transform(pageSha->begin(), pageSha->end(), pageSha->begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (!core::isSha256Hex(*pageSha))
      throw invalid("page_sha256", "\"page_sha256\" must be 64 hex digits.");
  }
  return service::ConsentRequest{ledger::EventType::kGiven,
                                 std::move(subject),
                                 std::move(doc),
                                 std::move(shown),
                                 *lang,
                                 std::move(purposes),
                                 std::move(method),
                                 std::move(formId),
                                 std::move(evidence),
                                 std::move(pageSha),
                                 std::nullopt};
}

namespace {

// A reason chained with an event: 1-1024 bytes (the body is valid UTF-8 already).
std::optional<std::string> reasonOf(const Object& o) {
  auto reason = optString(o, "reason");
  if (reason && (reason->empty() || reason->size() > 1024)) {
    throw invalid("reason", "\"reason\" must be 1-1024 bytes.");
  }
  return reason;
}

}  // namespace

service::BlockRequest parseBlockBody(const http::Request& req) {
  static const std::set<std::string> kMembers = {"document", "collection_method", "form_id",
                                                 "evidence", "reason"};
  Object::Ptr body = req.body.empty() ? Object::Ptr(new Object) : parseJsonBody(req, kMembers);
  const Object& o = *body;
  service::BlockRequest b;
  if (auto d = optString(o, "document")) b.document = documentOf(*d);
  b.collectionMethod = collectionMethodOf(optString(o, "collection_method").value_or("api"));
  b.formId = formIdOf(o);
  b.evidence = evidenceOf(o);
  b.reason = reasonOf(o);
  return b;
}

std::string parseErasureBody(const http::Request& req) {
  Object::Ptr body = parseJsonBody(req, {"reason"});
  auto reason = reasonOf(*body);
  if (!reason) throw invalid("reason", "\"reason\" is required: say why the subject is erased.");
  return *reason;
}

std::string subjectParam(std::string subject) {
  if (!core::isValidSubject(subject)) {
    throw Problem(Fault::kInvalidRequest,
                  "The subject id must be 1-128 bytes of UTF-8 without control characters.");
  }
  return subject;
}

std::optional<std::string> idempotencyKey(const http::Request& req) {
  auto key = req.header("Idempotency-Key");
  if (!key) return std::nullopt;
  std::string k(*key);
  // Strip the quotes of the structured-field string form ("key") if the client used it.
  if (k.size() >= 2 && k.front() == '"' && k.back() == '"') k = k.substr(1, k.size() - 2);
  if (!core::isValidToken(k)) {
    throw Problem(Fault::kInvalidRequest,
                  "Idempotency-Key must be 1-128 printable ASCII characters without spaces.");
  }
  return k;
}

}  // namespace charta::api
