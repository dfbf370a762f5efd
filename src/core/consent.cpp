#include "core/consent.h"

#include <algorithm>

#include "core/page_state.h"

namespace charta::core {
namespace {

bool names(const std::vector<PurposeId>& purposes, const PurposeId& p) {
  return std::find(purposes.begin(), purposes.end(), p) != purposes.end();
}

// Same rule as the timeline: a withdrawal counts only when it came before the edition took effect.
bool effectivelyWithdrawn(const Edition& e) {
  return e.withdrawal && e.withdrawal->at < e.effectiveFrom;
}

// Decodes one UTF-8 sequence at "i"; returns the code point and advances "i", or -1 when
// malformed (overlong, surrogate, above U+10FFFF, truncated, stray continuation byte).
long decodeUtf8(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len;
  long cp;
  long min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (i + len > s.size()) return -1;
  for (int k = 1; k < len; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += len;
  return cp;
}

}  // namespace

std::string_view eventTypeName(ConsentEventType type) {
  switch (type) {
    case ConsentEventType::kGiven:
      return "given";
    case ConsentEventType::kWithdrawn:
      return "withdrawn";
    case ConsentEventType::kBlocked:
      return "blocked";
    case ConsentEventType::kUnblocked:
      return "unblocked";
  }
  return "?";
}

std::optional<ConsentEventType> parseConsentEventType(std::string_view text) {
  for (auto t : {ConsentEventType::kGiven, ConsentEventType::kWithdrawn, ConsentEventType::kBlocked,
                 ConsentEventType::kUnblocked}) {
    if (eventTypeName(t) == text) return t;
  }
  return std::nullopt;
}

std::string_view purposeStateName(PurposeState state) {
  switch (state) {
    case PurposeState::kNeverGiven:
      return "never_given";
    case PurposeState::kGiven:
      return "given";
    case PurposeState::kWithdrawn:
      return "withdrawn";
    case PurposeState::kRenewalRequired:
      return "renewal_required";
  }
  return "?";
}

const Edition* renewingEdition(const Timeline& timeline, EditionNo given,
                               const std::vector<PurposeId>& purposes, Instant now) {
  const Edition* newest = nullptr;
  for (const Edition& e : timeline.editions()) {  // ordered by number: the newest wins
    if (e.no <= given || !e.material || e.effectiveFrom > now || effectivelyWithdrawn(e)) continue;
    for (const PurposeId& p : purposes) {
      if (names(e.renewPurposes, p)) newest = &e;
    }
  }
  return newest;
}

ConsentStatus consentStatus(const std::vector<ConsentFact>& events, const DocumentId& doc,
                            const Timeline& timeline, const std::vector<Purpose>& catalogue,
                            Instant now) {
  ConsentStatus status;
  if (const Edition* e = timeline.inForceAt(now)) status.inForce = e->no;

  for (const Purpose& purpose : catalogue) {
    PurposeStatus ps{purpose.id, PurposeState::kNeverGiven, {}, {}, {}, {}};
    const ConsentFact* last = nullptr;
    const ConsentFact* lastGiven = nullptr;
    for (const ConsentFact& f : events) {
      if (f.at > now || f.doc != doc) continue;
      if (f.type != ConsentEventType::kGiven && f.type != ConsentEventType::kWithdrawn) continue;
      if (!names(f.purposes, purpose.id)) continue;
      last = &f;
      if (f.type == ConsentEventType::kGiven) lastGiven = &f;
    }
    if (lastGiven) {
      ps.givenUnder = lastGiven->edition;
      ps.givenAt = lastGiven->at;
    }
    if (!last) {
      ps.state = PurposeState::kNeverGiven;
    } else if (last->type == ConsentEventType::kWithdrawn) {
      ps.state = lastGiven ? PurposeState::kWithdrawn : PurposeState::kNeverGiven;
      if (lastGiven) ps.withdrawnAt = last->at;
    } else {
      ps.state = PurposeState::kGiven;
      if (const Edition* e = renewingEdition(timeline, last->edition, {purpose.id}, now)) {
        ps.state = PurposeState::kRenewalRequired;
        ps.renewalFor = e->no;
      }
    }
    status.purposes.push_back(std::move(ps));
  }

  for (const ConsentFact& f : events) {
    if (f.at > now) continue;
    if (f.type == ConsentEventType::kBlocked) {
      status.blocked = true;
      status.blockedAt = f.at;
    } else if (f.type == ConsentEventType::kUnblocked) {
      status.blocked = false;
      status.blockedAt.reset();
    }
  }
  return status;
}

bool isBlocked(const std::vector<ConsentFact>& events, Instant now) {
  bool blocked = false;
  for (const ConsentFact& f : events) {
    if (f.at > now) continue;
    if (f.type == ConsentEventType::kBlocked) blocked = true;
    if (f.type == ConsentEventType::kUnblocked) blocked = false;
  }
  return blocked;
}

std::string_view uncitableName(Uncitable reason) {
  switch (reason) {
    case Uncitable::kUnknown:
      return "unknown";
    case Uncitable::kMismatch:
      return "mismatch";
    case Uncitable::kDraft:
      return "draft";
    case Uncitable::kNone:
      return "none";
    case Uncitable::kUpcoming:
      return "upcoming";
    case Uncitable::kWithdrawn:
      return "withdrawn";
    case Uncitable::kSuperseded:
      return "superseded";
  }
  return "?";
}

namespace {

Citation refuse(Uncitable reason) { return Citation{nullptr, reason}; }

// The edition of "commit" to cite: the newest usable one, else the newest at all.
Citation byCommit(const Timeline& timeline, const CommitId& commit, Instant now,
                  const std::function<bool(const CommitId&)>& onBranch) {
  const Edition* any = nullptr;
  const Edition* usable = nullptr;
  for (const Edition& e : timeline.editions()) {
    if (e.commit != commit) continue;
    any = &e;
    EditionStatus st = timeline.statusAt(e, now);
    if (st == EditionStatus::kInForce || st == EditionStatus::kSuperseded) usable = &e;
  }
  if (usable) return Citation{usable, std::nullopt};
  if (any) return Citation{any, std::nullopt};
  return refuse(onBranch(commit) ? Uncitable::kDraft : Uncitable::kUnknown);
}

}  // namespace

Citation citeEdition(const Timeline& timeline, const NamedEdition& named, Instant now,
                     const std::function<bool(const CommitId&)>& onBranch,
                     std::optional<std::chrono::milliseconds> supersededGrace) {
  Citation c;
  if (named.edition) {
    c.edition = timeline.edition(*named.edition);
    if (!c.edition) return refuse(Uncitable::kUnknown);
    if (named.commit && c.edition->commit != *named.commit) return refuse(Uncitable::kMismatch);
  } else if (named.commit) {
    c = byCommit(timeline, *named.commit, now, onBranch);
    if (!c.edition) return c;
  } else {
    c.edition = timeline.inForceAt(now);
    if (!c.edition) return refuse(Uncitable::kNone);
  }
  switch (timeline.statusAt(*c.edition, now)) {
    case EditionStatus::kInForce:
      return c;
    case EditionStatus::kSuperseded: {
      auto until = inForceUntil(timeline, *c.edition);
      if (supersededGrace && until && *until + *supersededGrace < now) {
        return refuse(Uncitable::kSuperseded);
      }
      return c;
    }
    case EditionStatus::kUpcoming:
      return refuse(Uncitable::kUpcoming);
    case EditionStatus::kWithdrawn:
      return refuse(Uncitable::kWithdrawn);
  }
  return refuse(Uncitable::kUnknown);
}

ConsentCheck checkConsent(const Document& cited, const Lang& lang,
                          const std::vector<PurposeId>& purposes,
                          const std::optional<std::string>& pageShown,
                          const std::function<bool(const std::string&)>& pageCitable) {
  if (!cited.file(lang)) return ConsentCheck{ConsentRefusal::kUnknownLanguage, std::nullopt};
  for (const PurposeId& p : purposes) {
    if (!cited.purpose(p)) return ConsentCheck{ConsentRefusal::kUnknownPurpose, p};
  }
  if (pageShown && !pageCitable(*pageShown)) {
    return ConsentCheck{ConsentRefusal::kPageMismatch, std::nullopt};
  }
  return ConsentCheck{};
}

bool isValidSubject(std::string_view subject) {
  if (subject.empty() || subject.size() > kMaxSubjectBytes) return false;
  std::size_t i = 0;
  while (i < subject.size()) {
    long cp = decodeUtf8(subject, i);
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return false;  // also -1
  }
  return true;
}

bool isValidCollectionMethod(std::string_view method) {
  if (method.empty() || method.size() > 32 || method.front() == '-' || method.back() == '-') {
    return false;
  }
  return std::all_of(method.begin(), method.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool isValidToken(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return false;
  return std::all_of(token.begin(), token.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

bool isSha256Hex(std::string_view hex) {
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace charta::core
