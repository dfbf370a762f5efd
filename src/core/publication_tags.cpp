// The rules of publication that concern tags: how an edition and a withdrawal are written, what
// a tag must be to count as one when it is read, and what a push of one must be on top.
#include <algorithm>

#include "core/publication.h"
#include "core/trailers.h"

namespace charta::core {

namespace {

constexpr size_t kMaxTrailerLine = 2000;

// "a, b": the Renew-Purposes trailer's list.
std::string joinPurposes(const std::vector<PurposeId>& purposes) {
  std::string list;
  for (const auto& p : purposes) list += (list.empty() ? "" : ", ") + p.str();
  return list;
}

std::vector<PurposeId> splitPurposes(std::string_view list) {
  std::vector<PurposeId> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string item(list.substr(start, comma - start));
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (auto pid = PurposeId::parse(item)) out.push_back(*pid);
    start = comma + 1;
  }
  return out;
}

std::string_view subjectOf(std::string_view message) {
  std::string_view subject = message.substr(0, message.find('\n'));
  if (!subject.empty() && subject.back() == '\r') subject.remove_suffix(1);
  return subject;
}

template <typename T>
TagReading<T> notOne(std::string why) {
  return TagReading<T>{std::nullopt, std::move(why)};
}

// The rules a tag object meets whatever it records: its own name, what it points at, a tagger,
// and the subject charta writes. Returns the first broken.
Refusal tagShape(const TagName& name, const TagObject& tag, const char* targetType,
                 const std::string& subject) {
  if (tag.name != name.str()) {
    return "the tag object is named \"" + tag.name + "\", not \"" + name.str() + "\"";
  }
  if (tag.targetType != targetType) {
    return std::string("it points at a ") + tag.targetType + ", not a " + targetType;
  }
  if (!tag.tagger) return std::string("it has no tagger");
  if (subjectOf(tag.message) != subject) {
    return "its message does not open with \"" + subject + "\": charta did not write it";
  }
  return std::nullopt;
}

// The moment a trailer "key" states, to the millisecond; nullopt when there is none. Sets
// "malformed" when there is one that is not an RFC 3339 time with an offset.
std::optional<Instant> statedMoment(const Trailers& trailers, const char* key, bool& malformed) {
  const std::string* value = findTrailer(trailers, key);
  if (!value) return std::nullopt;
  auto t = parseRfc3339(*value);
  malformed = !t;
  return t;
}

std::string at(Instant t, std::chrono::minutes offset) { return formatRfc3339(t, offset, false); }

// An imported edition records a text that took effect before charta: never after its import.
Refusal importedLater(const Edition& e) {
  if (e.effectiveFrom <= e.publishedAt) return std::nullopt;
  return "it is imported, yet takes effect at " + at(e.effectiveFrom, e.effectiveOffset) +
         ", after its import at " + at(e.publishedAt, e.effectiveOffset) +
         ": an imported edition records a text that already took effect";
}

}  // namespace

std::string TagName::str() const {
  return doc.str() + (withdrawal ? "/withdrawn/" : "/") + no.str();
}

std::optional<TagName> parseTagName(std::string_view name) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto doc = DocumentId::parse(name.substr(0, slash));
  if (!doc) return std::nullopt;
  std::string_view rest = name.substr(slash + 1);
  const bool withdrawal = rest.substr(0, 10) == "withdrawn/";
  if (withdrawal) rest.remove_prefix(10);
  auto no = EditionNo::parse(rest);
  if (!no || no->str() != rest) return std::nullopt;  // "v03", "V3", "3": not charta's
  return TagName{*doc, *no, withdrawal};
}

std::string editionMessage(const Edition& e) {
  Trailers trailers{{"Effective-From", at(e.effectiveFrom, e.effectiveOffset)},
                    {"Published-At", at(e.publishedAt, e.effectiveOffset)},
                    {"Material", e.material ? "yes" : "no"}};
  if (!e.renewPurposes.empty())
    trailers.emplace_back("Renew-Purposes", joinPurposes(e.renewPurposes));
  if (!e.summary.empty()) trailers.emplace_back("Summary", e.summary);
  if (e.forcedReason) trailers.emplace_back("Forced", *e.forcedReason);
  for (const Person& p : e.approvedBy) trailers.emplace_back("Approved-By", formatPerson(p));
  if (e.imported) trailers.emplace_back("Imported", "yes");
  if (e.registryAt) trailers.emplace_back("Registry-At", e.registryAt->str());
  return formatMessage("Publish " + e.doc.str() + " " + e.no.str(), "", trailers);
}

TagReading<Edition> readEditionTag(const TagName& name, const TagObject& tag) {
  if (name.withdrawal) return notOne<Edition>("it is named as a withdrawal");
  if (auto r = tagShape(name, tag, "commit", "Publish " + name.doc.str() + " " + name.no.str())) {
    return notOne<Edition>(*r);
  }
  Trailers trailers = parseTrailers(tag.message);
  const std::string* eff = findTrailer(trailers, "Effective-From");
  auto effective = eff ? parseRfc3339Zoned(*eff) : std::nullopt;
  if (!effective) return notOne<Edition>("it states no valid Effective-From");
  bool malformed = false;
  auto stated = statedMoment(trailers, "Published-At", malformed);
  if (malformed) return notOne<Edition>("its Published-At is not a time with an offset");
  Edition e{name.doc,
            name.no,
            *CommitId::parse(tag.target),
            tagMoment(tag.taggerTime, stated),
            effective->instant,
            effective->offset,
            false,
            {},
            {},
            *tag.tagger,
            std::nullopt,
            std::nullopt};
  const std::string* imported = findTrailer(trailers, "Imported");
  e.imported = imported && *imported == "yes";
  if (auto r = e.imported ? importedLater(e)
                          : backdating(e.effectiveFrom, e.publishedAt, e.effectiveOffset)) {
    return notOne<Edition>(*r);
  }
  if (const std::string* registry = findTrailer(trailers, "Registry-At")) {
    e.registryAt = CommitId::parse(*registry);
    if (!e.imported || !e.registryAt) return notOne<Edition>("its Registry-At is not valid here");
  }
  const std::string* material = findTrailer(trailers, "Material");
  e.material = material && *material == "yes";
  if (const std::string* renew = findTrailer(trailers, "Renew-Purposes")) {
    e.renewPurposes = splitPurposes(*renew);
  }
  if (const std::string* summary = findTrailer(trailers, "Summary")) e.summary = *summary;
  if (const std::string* forced = findTrailer(trailers, "Forced")) e.forcedReason = *forced;
  for (const auto& [key, value] : trailers) {
    if (key != "Approved-By") continue;
    if (auto p = parsePerson(value)) e.approvedBy.push_back(std::move(*p));
  }
  return TagReading<Edition>{std::move(e), std::nullopt};
}

Refusal publicationOrder(const Edition& e, const Edition& previous) {
  if (e.imported && !previous.imported) {
    return "it is imported after " + previous.no.str() +
           ", which charta published: history is imported only before the first edition";
  }
  if (e.publishedAt >= previous.publishedAt) return std::nullopt;
  return "it was published at " + at(e.publishedAt, e.effectiveOffset) + ", before " +
         previous.no.str() + " (" + at(previous.publishedAt, e.effectiveOffset) +
         "): editions are numbered in the order of publication";
}

Refusal reasonRefusal(const std::string& reason) {
  if (!reason.empty() && isTrailerSafe(reason, kMaxTrailerLine)) return std::nullopt;
  return "a withdrawal needs a reason: one line of valid UTF-8, at most 2000 bytes";
}

Refusal tookEffect(const Edition& e, Instant now) {
  if (e.effectiveFrom > now) return std::nullopt;
  return "edition " + e.no.str() + " of " + e.doc.str() + " took effect at " +
         formatRfc3339(e.effectiveFrom, e.effectiveOffset) +
         "; an edition that has taken effect cannot be withdrawn: publish a new one";
}

std::string withdrawalMessage(const DocumentId& doc, EditionNo no, const std::string& reason,
                              Instant when, std::chrono::minutes offset) {
  return formatMessage("Withdraw " + doc.str() + " " + no.str(), "",
                       {{"Reason", reason}, {"Withdrawn-At", at(when, offset)}});
}

TagReading<Withdrawal> readWithdrawalTag(const TagName& name, const TagObject& tag,
                                         const Edition& edition, std::string_view editionTag) {
  if (!name.withdrawal) return notOne<Withdrawal>("it is named as an edition");
  if (auto r = tagShape(name, tag, "tag", "Withdraw " + name.doc.str() + " " + name.no.str())) {
    return notOne<Withdrawal>(*r);
  }
  if (tag.target != editionTag) {
    return notOne<Withdrawal>("it points at " + tag.target + ", not at the tag of edition " +
                              edition.no.str() + " (" + std::string(editionTag) + ")");
  }
  Trailers trailers = parseTrailers(tag.message);
  const std::string* reason = findTrailer(trailers, "Reason");
  if (auto r = reasonRefusal(reason ? *reason : "")) return notOne<Withdrawal>(*r);
  bool malformed = false;
  auto stated = statedMoment(trailers, "Withdrawn-At", malformed);
  if (malformed) return notOne<Withdrawal>("its Withdrawn-At is not a time with an offset");
  Withdrawal w{tagMoment(tag.taggerTime, stated), *tag.tagger, *reason};
  if (auto r = tookEffect(edition, w.at)) {
    return notOne<Withdrawal>("it was made at " + at(w.at, edition.effectiveOffset) + ": " + *r);
  }
  return TagReading<Withdrawal>{std::move(w), std::nullopt};
}

namespace {

// A moment "t" a push states, at most "skew" away from "received".
Refusal pushedMoment(const char* what, Instant t, Instant received, std::chrono::seconds skew,
                     std::chrono::minutes offset) {
  const auto apart = t < received ? received - t : t - received;
  if (apart <= skew) return std::nullopt;
  return std::string(what) + " " + at(t, offset) + " but reached the server at " +
         at(received, offset) + ", more than " + std::to_string(skew.count()) +
         " s apart (publishing.clock_skew_s): a tag is pushed when it is made; publish with "
         "charta on the server";
}

}  // namespace

Refusal pushedEdition(const Edition& e, EditionNo next, Instant received,
                      std::chrono::seconds skew) {
  if (e.no != next) {
    return "the next edition of " + e.doc.str() + " is " + next.str() + ", not " + e.no.str();
  }
  if (e.imported) {
    return std::string(
        "it is an imported edition: history is imported with charta import on the "
        "server, never pushed");
  }
  return pushedMoment("it says it was published at", e.publishedAt, received, skew,
                      e.effectiveOffset);
}

Refusal pushedWithdrawal(const Edition& e, const Withdrawal& w, Instant received,
                         std::chrono::seconds skew) {
  if (auto r = tookEffect(e, received)) return r;
  if (e.effectiveFrom - received < skew) {
    return "edition " + e.no.str() + " of " + e.doc.str() + " takes effect at " +
           at(e.effectiveFrom, e.effectiveOffset) + ", less than " + std::to_string(skew.count()) +
           " s after this push: withdraw it with charta on the server";
  }
  return pushedMoment("it says it was made at", w.at, received, skew, e.effectiveOffset);
}

Refusal tagRefChange(bool deleted) {
  return std::string(deleted ? "deleting" : "moving") +
         " it is refused: editions and withdrawals are never deleted or moved";
}

}  // namespace charta::core
