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

struct Created {
  TagName name;
  const RefUpdate* update;
};

// The new tags of one document, editions in number order and then withdrawals, each judged after
// the tags before it (so that v7 and v8 may be pushed together).
void judgeCreated(cli::CliTagReader& reader, const core::DocumentId& doc,
                  std::vector<Created> created, const PushRules& rules,
                  std::vector<PushRefusal>& out) {
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
      } else if (auto p = core::pushedEdition(found.editions.back().edition, next, rules.received,
                                              rules.clockSkew)) {
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
  for (auto& [doc, list] : created) judgeCreated(reader, doc, std::move(list), rules, out);
  return out;
}

}  // namespace charta::repository
