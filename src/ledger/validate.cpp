#include "ledger/validate.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>

namespace charta::ledger {
namespace {

std::string lowerHex(std::string_view name, std::string_view hex) {
  std::string out(hex);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!core::isSha256Hex(out)) {
    throw InvalidInput(std::string(name) + " is not a SHA-256 in hex (64 hex digits)");
  }
  return out;
}

// Nesting depth of JSON text, counting brackets outside strings; the parser has no cheap limit of
// its own before it allocates.
std::size_t jsonDepth(std::string_view text) {
  std::size_t depth = 0, maxDepth = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = false;
      }
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      maxDepth = std::max(maxDepth, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return maxDepth;
}

}  // namespace

bool isEvidenceObject(std::string_view text) {
  if (text.size() > kMaxEvidenceBytes || !core::isValidUtf8(text)) return false;
  if (jsonDepth(text) > kMaxEvidenceDepth) return false;
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(kMaxEvidenceDepth + 1);
    Poco::Dynamic::Var v = parser.parse(std::string(text));
    return v.type() == typeid(Poco::JSON::Object::Ptr);
  } catch (const Poco::Exception&) {
    return false;
  } catch (const std::exception&) {
    return false;
  }
}

NewEvent normalize(const NewEvent& event) {
  NewEvent e = event;
  if (!core::isValidSubject(e.subject)) {
    throw InvalidInput("subject must be 1-128 bytes of UTF-8 without control characters");
  }
  e.textSha256 = lowerHex("text_sha256", e.textSha256);
  if (e.pageSha256) e.pageSha256 = lowerHex("page_sha256", *e.pageSha256);

  std::sort(e.purposes.begin(), e.purposes.end());
  e.purposes.erase(std::unique(e.purposes.begin(), e.purposes.end()), e.purposes.end());
  bool purposeful = e.type == EventType::kGiven || e.type == EventType::kWithdrawn;
  if (purposeful && e.purposes.empty()) {
    throw InvalidInput(std::string(core::eventTypeName(e.type)) + " needs at least one purpose");
  }
  if (!purposeful && !e.purposes.empty()) {
    throw InvalidInput(std::string(core::eventTypeName(e.type)) +
                       " concerns the subject, not purposes");
  }
  if (e.purposes.size() > kMaxPurposes) throw InvalidInput("too many purposes (at most 64)");

  if (!core::isValidCollectionMethod(e.collectionMethod)) {
    throw InvalidInput(
        "collection_method must be 1-32 lower-case letters, digits and inner hyphens");
  }
  if (e.formId && !core::isValidToken(*e.formId)) {
    throw InvalidInput("form_id must be 1-128 printable ASCII characters without spaces");
  }
  if (e.idempotencyKey && !core::isValidToken(*e.idempotencyKey)) {
    throw InvalidInput("idempotency key must be 1-128 printable ASCII characters without spaces");
  }
  if (e.evidence) {
    if (e.evidence->size() > kMaxEvidenceBytes) {
      throw InvalidInput("evidence is larger than 4 KiB");
    }
    if (!isEvidenceObject(*e.evidence)) {
      throw InvalidInput("evidence must be one JSON object (UTF-8, nested at most 16 deep)");
    }
  }
  return e;
}

}  // namespace charta::ledger
