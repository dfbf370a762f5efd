#include "ledger/canonical.h"

#include <array>
#include <stdexcept>

namespace charta::ledger {
namespace {

struct KindInfo {
  Kind kind;
  std::string_view name;
  std::vector<std::string_view> fields;
};

std::vector<std::string_view> withCommon(std::vector<std::string_view> own) {
  std::vector<std::string_view> out = {"id", "seq", "kind", "recorded_at"};
  out.insert(out.end(), own.begin(), own.end());
  out.push_back("prev_hash");
  return out;
}

const std::array<KindInfo, 8>& kinds() {
  static const std::vector<std::string_view> subjectFields = {
      "subject",     "document",         "edition",  "publication?",     "commit",
      "text_sha256", "page_sha256?",     "language", "purposes",         "collection_method",
      "form_id?",    "evidence_sha256?", "reason?",  "idempotency_key?", "request_digest"};
  static const std::array<KindInfo, 8> table = {{
      {Kind::kConsentGiven, "consent.given", withCommon(subjectFields)},
      {Kind::kConsentWithdrawn, "consent.withdrawn", withCommon(subjectFields)},
      {Kind::kSubjectBlocked, "subject.blocked", withCommon(subjectFields)},
      {Kind::kSubjectUnblocked, "subject.unblocked", withCommon(subjectFields)},
      {Kind::kSubjectErased, "subject.erased", withCommon({"subject", "reason", "by"})},
      {Kind::kEditionPublished, "edition.published",
       withCommon({"document", "edition", "tag", "commit", "published_at", "effective_from",
                   "material", "imported", "texts", "registry_sha256", "observed_via"})},
      {Kind::kEditionWithdrawn, "edition.withdrawn",
       withCommon({"document", "edition", "tag", "withdrawn_at", "reason", "observed_via"})},
      {Kind::kLedgerMigrated, "ledger.migrated",
       withCommon({"from_format", "from_head_seq", "from_head_hash", "events"})},
  }};
  return table;
}

const KindInfo& info(Kind kind) { return kinds()[static_cast<std::size_t>(kind)]; }

std::string_view bare(std::string_view name) {
  return name.ends_with('?') ? name.substr(0, name.size() - 1) : name;
}

std::size_t indexOf(Kind kind, std::string_view name) {
  const auto& names = info(kind).fields;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (bare(names[i]) == name) return i;
  }
  throw std::logic_error("event kind " + std::string(kindName(kind)) + " has no field " +
                         std::string(name));
}

// Reads "<name>:" then "-\n" or "<len>:<value>\n" at "at"; advances "at".
std::string readField(std::string_view bytes, std::size_t& at, std::string_view name, bool optional,
                      std::optional<std::string_view>& value) {
  if (bytes.size() - at < name.size() + 1 || bytes.substr(at, name.size()) != name ||
      bytes[at + name.size()] != ':') {
    return "expected field " + std::string(name);
  }
  at += name.size() + 1;
  if (at + 1 < bytes.size() && bytes[at] == '-' && bytes[at + 1] == '\n') {
    if (!optional) return "required field " + std::string(name) + " is absent";
    at += 2;
    value = std::nullopt;
    return "";
  }
  std::size_t length = 0, digits = 0;
  while (at < bytes.size() && bytes[at] >= '0' && bytes[at] <= '9') {
    if (digits++ > 9 || (digits == 2 && length == 0)) return "bad length of " + std::string(name);
    length = length * 10 + static_cast<std::size_t>(bytes[at++] - '0');
  }
  if (digits == 0 || at >= bytes.size() || bytes[at] != ':') {
    return "bad length of " + std::string(name);
  }
  ++at;
  if (bytes.size() - at < length + 1 || bytes[at + length] != '\n') {
    return "field " + std::string(name) + " is cut short";
  }
  value = bytes.substr(at, length);
  at += length + 1;
  return "";
}

}  // namespace

std::string_view kindName(Kind kind) { return info(kind).name; }

std::optional<Kind> parseKind(std::string_view name) {
  for (const KindInfo& k : kinds()) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

bool isSubjectKind(Kind kind) {
  return kind == Kind::kConsentGiven || kind == Kind::kConsentWithdrawn ||
         kind == Kind::kSubjectBlocked || kind == Kind::kSubjectUnblocked;
}

const std::vector<std::string_view>& fieldNames(Kind kind) { return info(kind).fields; }

const std::optional<std::string>& CanonicalEvent::get(std::string_view name) const {
  return values.at(indexOf(kind, name));
}

std::optional<std::string> CanonicalEvent::value(std::string_view name) const {
  const auto& names = info(kind).fields;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (bare(names[i]) == name) return values[i];
  }
  return std::nullopt;
}

void CanonicalEvent::set(std::string_view name, std::optional<std::string> value) {
  values.at(indexOf(kind, name)) = std::move(value);
}

CanonicalEvent CanonicalEvent::of(Kind kind) {
  CanonicalEvent e;
  e.kind = kind;
  e.values.resize(info(kind).fields.size());
  e.values[kKindField] = std::string(kindName(kind));
  return e;
}

std::string encode(const CanonicalEvent& event) {
  const auto& names = info(event.kind).fields;
  if (event.values.size() != names.size()) throw std::logic_error("wrong number of fields");
  std::size_t size = kEventFormat.size() + 1;
  for (std::size_t i = 0; i < names.size(); ++i) {
    size += names[i].size() + 16 + (event.values[i] ? event.values[i]->size() : 0);
  }
  std::string out;
  out.reserve(size);
  out += kEventFormat;
  out += '\n';
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string_view name = bare(names[i]);
    out += name;
    out += ':';
    if (!event.values[i]) {
      if (name.size() == names[i].size()) {
        throw std::logic_error("required field " + std::string(name) + " is absent");
      }
      out += "-\n";
      continue;
    }
    out += std::to_string(event.values[i]->size());
    out += ':';
    out += *event.values[i];
    out += '\n';
  }
  return out;
}

std::optional<std::string_view> DecodedEvent::get(std::string_view name) const {
  const auto& names = info(kind).fields;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (bare(names[i]) == name) return values[i];
  }
  return std::nullopt;
}

CanonicalEvent DecodedEvent::owned() const {
  CanonicalEvent e = CanonicalEvent::of(kind);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i]) e.values[i] = std::string(*values[i]);
  }
  return e;
}

std::string decode(std::string_view bytes, DecodedEvent& out) {
  if (bytes.size() <= kEventFormat.size() || bytes.substr(0, kEventFormat.size()) != kEventFormat ||
      bytes[kEventFormat.size()] != '\n') {
    return "no charta-event/2 header";
  }
  std::size_t at = kEventFormat.size() + 1;
  // The kind decides the field list: read the common fields under the first kind's names.
  const auto& common = info(Kind::kConsentGiven).fields;
  std::optional<std::string_view> head[4];
  for (std::size_t i = 0; i < 4; ++i) {
    std::string why = readField(bytes, at, common[i], false, head[i]);
    if (!why.empty()) return why;
  }
  std::optional<Kind> kind = parseKind(*head[kKindField]);
  if (!kind) return "unknown kind";
  out.kind = *kind;
  const auto& names = info(*kind).fields;
  out.values.assign(names.size(), std::nullopt);
  for (std::size_t i = 0; i < 4; ++i) out.values[i] = head[i];
  for (std::size_t i = 4; i < names.size(); ++i) {
    std::string why = readField(bytes, at, bare(names[i]), names[i].ends_with('?'), out.values[i]);
    if (!why.empty()) return why;
  }
  if (at != bytes.size()) return "bytes after the last field";
  return "";
}

}  // namespace charta::ledger
