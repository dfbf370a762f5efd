// The rules of review before publishing: notice periods of material editions and approvals of
// the exact revision (core/publication.h).
#include <algorithm>

#include "core/publication.h"
#include "core/trailers.h"
#include "core/words.h"

namespace charta::core {

namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

bool namesMailbox(std::string_view email) {
  if (email.find('@') == std::string_view::npos) return false;
  constexpr std::string_view kInvalid = ".invalid";
  return !(email.size() >= kInvalid.size() &&
           iequals(email.substr(email.size() - kInvalid.size()), kInvalid));
}

}  // namespace

Refusal noticeRefusal(const Document& doc, bool material, Instant effectiveFrom,
                      Instant publishedAt, std::chrono::minutes offset) {
  if (!material || doc.materialNoticeDays <= 0) return std::nullopt;
  const Instant earliest = publishedAt + std::chrono::days(doc.materialNoticeDays);
  if (effectiveFrom >= earliest) return std::nullopt;
  return "a material edition of " + doc.id.str() + " takes effect at least " +
         std::to_string(doc.materialNoticeDays) +
         " days after it is published (charta.xml material-notice-days): effective-from " +
         formatRfc3339(effectiveFrom, offset) + " is before " +
         formatRfc3339(earliest, offset, false) +
         "; publish with a later --effective-from, or as not material";
}

std::string formatPerson(const Person& p) {
  return p.email.empty() ? p.name : p.name + " <" + p.email + ">";
}

std::optional<Person> parsePerson(std::string_view text) {
  Person p;
  size_t open = text.rfind('<');
  if (open != std::string_view::npos && !text.empty() && text.back() == '>') {
    p.name = trim(text.substr(0, open));
    p.email = trim(text.substr(open + 1, text.size() - open - 2));
  } else {
    p.name = trim(text);
  }
  if (!isPersonSafe(p)) return std::nullopt;
  return p;
}

bool samePerson(const Person& a, const Person& b) {
  if (iequals(trim(a.name), trim(b.name))) return true;
  return namesMailbox(a.email) && namesMailbox(b.email) && iequals(a.email, b.email);
}

std::string approvalMessage(const Approval& a, std::chrono::minutes offset) {
  return formatMessage("Approve " + a.doc.str() + " " + a.revision.str(), "",
                       {{"Approved-At", formatRfc3339(a.at, offset, false)}});
}

std::optional<Approval> readApproval(const DocumentId& doc, const CommitId& revision,
                                     std::string_view message, const Person& author,
                                     Instant authorTime) {
  std::string_view subject = message.substr(0, message.find('\n'));
  if (subject != "Approve " + doc.str() + " " + revision.str() || author.name.empty()) {
    return std::nullopt;
  }
  Trailers trailers = parseTrailers(message);
  std::optional<Instant> stated;
  if (const std::string* v = findTrailer(trailers, "Approved-At")) stated = parseRfc3339(*v);
  Person by = author;
  if (by.email == "unknown@charta.invalid") by.email.clear();  // git's placeholder: no e-mail
  return Approval{doc, revision, std::move(by), tagMoment(authorTime, stated)};
}

std::vector<Person> countedApprovers(const std::vector<Approval>& approvals,
                                     const CommitId& revision, const Person& author) {
  std::vector<Person> out;
  for (const Approval& a : approvals) {
    if (a.revision != revision || samePerson(a.by, author)) continue;
    bool seen =
        std::any_of(out.begin(), out.end(), [&](const Person& p) { return samePerson(p, a.by); });
    if (!seen) out.push_back(a.by);
  }
  return out;
}

Refusal approvalsRefusal(const Document& doc, const std::vector<Person>& counted,
                         const CommitId& revision, const Person& author) {
  const size_t needed = static_cast<size_t>(std::max(doc.approvals, 0));
  if (counted.size() >= needed) return std::nullopt;
  std::string who;
  for (const Person& p : counted) who += (who.empty() ? "" : ", ") + formatPerson(p);
  return doc.id.str() + " needs " + std::to_string(needed) + " approval" +
         (needed == 1 ? "" : "s") + " of " + revision.str() + " by people other than its author " +
         formatPerson(author) + " (charta.xml approvals); " +
         (counted.empty() ? std::string("it has none")
                          : "it has " + std::to_string(counted.size()) + " (" + who + ")") +
         ": `charta approve " + doc.id.str() + " " + revision.str() + "`";
}

}  // namespace charta::core
