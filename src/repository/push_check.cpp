#include "repository/push_check.h"

#include <algorithm>
#include <map>

#include "core/publication.h"
#include "repository/git_cli.h"

namespace charta::repository {

using core::TagName;

namespace {

bool isObjectId(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool isZero(const std::string& id) { return id.find_first_not_of('0') == std::string::npos; }

// refs/charta/*: the anchors and whatever charta keeps there move only forward.
std::optional<std::string> chartaRefChange(const RefUpdate& u) {
  if (u.deletes()) return std::string("deleting it is refused: refs/charta/* only moves forward");
  if (u.creates()) return std::nullopt;
  cli::GitResult r = cli::runGit({"merge-base", "--is-ancestor", u.oldId, u.newId});
  if (r.status == 0) return std::nullopt;
  if (r.status == 1) {
    return std::string(
        "moving it is refused: not a fast-forward, and refs/charta/* only moves forward");
  }
  throw RepositoryError("git merge-base failed with status " + std::to_string(r.status) + " for " +
                        u.ref);
}

// Whether refs/tags/<first component of "name">/ belongs to a document with editions.
bool editionNamespace(cli::CliTagReader& reader, const std::string& name,
                      std::map<std::string, bool>& known) {
  size_t slash = name.find('/');
  if (slash == std::string::npos) return false;
  const std::string first = name.substr(0, slash);
  auto doc = core::DocumentId::parse(first);
  if (!doc) return false;
  auto [it, fresh] = known.emplace(first, false);
  if (fresh) {
    for (const tags::TagRef& ref : reader.tagRefs(*doc)) {
      auto n = core::parseTagName(ref.name);
      if (n && !n->withdrawal) it->second = true;
    }
  }
  return it->second;
}

// The approvals recorded for "revision" of "doc" as the push would leave them: the approvals ref
// this push moves, else the repository's. Read with the git CLI (the pushed objects are in
// quarantine, readable in the hook's environment).
std::vector<core::Approval> approvalsAfterPush(const core::DocumentId& doc,
                                               const core::CommitId& revision,
                                               const std::vector<RefUpdate>& updates) {
  const std::string ref = "refs/charta/approvals/" + doc.str() + "/" + revision.str();
  std::string start = ref;
  for (const RefUpdate& u : updates) {
    if (u.ref == ref && !u.deletes()) start = u.newId;
  }
  cli::GitResult r = cli::runGit(
      {"log", "--first-parent", "-n", "1000", "--format=%an%x1f%ae%x1f%at%x1f%B%x1e", start, "--"});
  std::vector<core::Approval> out;
  if (r.status != 0) return out;  // no such ref: no approvals
  size_t pos = 0;
  while (pos < r.out.size()) {
    size_t end = r.out.find('\x1e', pos);
    if (end == std::string::npos) break;
    std::string record = r.out.substr(pos, end - pos);
    pos = end + 1;
    if (!record.empty() && record.front() == '\n') record.erase(0, 1);
    size_t a = record.find('\x1f'), b = record.find('\x1f', a + 1), c = record.find('\x1f', b + 1);
    if (c == std::string::npos) continue;
    const core::Person by{record.substr(0, a), record.substr(a + 1, b - a - 1)};
    const std::string seconds = record.substr(b + 1, c - b - 1);
    if (seconds.empty() || seconds.find_first_not_of("0123456789") != std::string::npos) continue;
    if (auto x = core::readApproval(doc, revision, record.substr(c + 1), by,
                                    core::fromUnixSeconds(std::stoll(seconds)))) {
      out.push_back(std::move(*x));
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// An edition of a document that needs approvals names, in Approved-By, enough people other than
// its revision's author who approved that exact revision in the record (core::countedApprovers).
core::Refusal pushedApprovals(const tags::FoundEdition& f, const std::vector<RefUpdate>& updates) {
  const core::Edition& e = f.edition;
  if (f.document.approvals <= 0) return std::nullopt;
  cli::GitResult a = cli::runGit({"log", "-1", "--format=%an%x1f%ae", e.commit.str(), "--"});
  const std::string line = a.out.substr(0, a.out.find('\n'));
  const size_t sep = line.find('\x1f');
  const core::Person author{line.substr(0, sep),
                            sep == std::string::npos ? "" : line.substr(sep + 1)};
  std::vector<core::Approval> named;
  for (const core::Approval& x : approvalsAfterPush(e.doc, e.commit, updates)) {
    bool listed = std::any_of(e.approvedBy.begin(), e.approvedBy.end(),
                              [&](const core::Person& p) { return core::samePerson(p, x.by); });
    if (listed) named.push_back(x);
  }
  auto refusal = core::approvalsRefusal(f.document, core::countedApprovers(named, e.commit, author),
                                        e.commit, author);
  if (!refusal) return std::nullopt;
  return "its Approved-By trailers do not name enough approvals recorded under "
         "refs/charta/approvals/: " +
         *refusal;
}

// What charta would refuse to publish at the moment the push is received: not the next number,
// a moment outside the clock skew, a material edition inside its notice period (charta.xml
// material-notice-days at the edition's commit), or too few approvals (charta.xml approvals).
core::Refusal pushedEditionRefusal(const tags::FoundEdition& f, core::EditionNo next,
                                   const PushRules& rules, const std::vector<RefUpdate>& updates) {
  const core::Edition& e = f.edition;
  if (auto p = core::pushedEdition(e, next, rules.received, rules.clockSkew)) return p;
  if (auto n = core::noticeRefusal(f.document, e.material, e.effectiveFrom, e.publishedAt,
                                   e.effectiveOffset)) {
    return n;
  }
  return pushedApprovals(f, updates);
}

struct Created {
  TagName name;
  const RefUpdate* update;
};

// The new tags of one document, editions in number order and then withdrawals, each judged after
// the tags before it (so that v7 and v8 may be pushed together).
void judgeCreated(cli::CliTagReader& reader, const core::DocumentId& doc,
                  std::vector<Created> created, const PushRules& rules,
                  const std::vector<RefUpdate>& updates, std::vector<PushRefusal>& out) {
  std::sort(created.begin(), created.end(), [](const Created& a, const Created& b) {
    if (a.name.withdrawal != b.name.withdrawal) return !a.name.withdrawal;
    return a.name.no < b.name.no;
  });
  tags::FoundEditions found = tags::readEditions(reader, doc);
  for (const Created& c : created) {
    const std::string& ref = c.update->ref;
    if (!c.name.withdrawal) {
      const core::EditionNo next = found.next();
      if (auto r = tags::readEdition(reader, found, c.name, c.update->newId)) {
        out.push_back({ref, "not an edition: " + *r});
      } else if (auto p = pushedEditionRefusal(found.editions.back(), next, rules, updates)) {
        found.editions.pop_back();
        out.push_back({ref, *p});
      }
      continue;
    }
    if (auto r = tags::readWithdrawal(reader, found, c.name, c.update->newId)) {
      out.push_back({ref, "not a withdrawal: " + *r});
      continue;
    }
    auto& edition =
        *std::find_if(found.editions.begin(), found.editions.end(),
                      [&](const tags::FoundEdition& f) { return f.edition.no == c.name.no; });
    if (auto p = core::pushedWithdrawal(edition.edition, *edition.edition.withdrawal,
                                        rules.received, rules.clockSkew)) {
      edition.edition.withdrawal.reset();
      out.push_back({ref, *p});
    }
  }
}

}  // namespace

std::optional<RefUpdate> RefUpdate::parse(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t s1 = line.find(' ');
  if (s1 == std::string_view::npos) return std::nullopt;
  size_t s2 = line.find(' ', s1 + 1);
  if (s2 == std::string_view::npos) return std::nullopt;
  RefUpdate u{std::string(line.substr(0, s1)), std::string(line.substr(s1 + 1, s2 - s1 - 1)),
              std::string(line.substr(s2 + 1))};
  if (!isObjectId(u.oldId) || !isObjectId(u.newId) || u.ref.empty() ||
      u.ref.find(' ') != std::string::npos) {
    return std::nullopt;
  }
  return u;
}

bool RefUpdate::creates() const { return isZero(oldId); }
bool RefUpdate::deletes() const { return isZero(newId); }

std::vector<PushRefusal> judgePush(const std::vector<RefUpdate>& updates, const PushRules& rules) {
  cli::CliTagReader reader;
  std::vector<PushRefusal> out;
  std::map<std::string, bool> known;  // document namespaces with editions
  std::map<core::DocumentId, std::vector<Created>> created;
  for (const RefUpdate& u : updates) {
    if (u.ref.rfind("refs/charta/", 0) == 0) {
      if (auto r = chartaRefChange(u)) out.push_back({u.ref, *r});
      continue;
    }
    if (u.ref.rfind("refs/tags/", 0) != 0) continue;
    const std::string name = u.ref.substr(10);
    auto tagName = core::parseTagName(name);
    if (u.deletes() || !u.creates()) {
      if (tagName || editionNamespace(reader, name, known)) {
        out.push_back({u.ref, *core::tagRefChange(u.deletes())});
      }
      continue;
    }
    if (tagName) created[tagName->doc].push_back({*tagName, &u});
  }
  for (auto& [doc, list] : created) judgeCreated(reader, doc, std::move(list), rules, updates, out);
  return out;
}

}  // namespace charta::repository
