// PolicyRepository: editions and withdrawals as annotated tags, read from the refs and written
// with compare-and-swap.
//
//   refs/tags/<doc>/v<N>            tag object -> commit; tagger time = published_at
//   refs/tags/<doc>/withdrawn/v<N>  tag object -> the edition's tag object; tagger = withdrawal

#include <algorithm>
#include <map>

#include "core/publication.h"
#include "repository/git_handles.h"
#include "repository/policy_repository.h"

namespace charta::repository {

using namespace git;
using core::CommitId;
using core::Edition;
using core::EditionNo;
using core::Instant;

namespace {

// An edition as found in the refs, with the id of its tag object (a withdrawal points at it).
struct FoundEdition {
  Edition edition;
  git_oid tag;
};

// A ref under refs/tags/<doc>/ named as charta names its tags.
struct TagRef {
  EditionNo no;
  bool withdrawal = false;
};

// "v3" or "withdrawn/v3" (the ref's name after refs/tags/<doc>/); nullopt for any other name
// ("v03", "V3", "3": not charta's).
std::optional<TagRef> parseTagRef(const std::string& rest) {
  const bool withdrawal = rest.rfind("withdrawn/", 0) == 0;
  const std::string numberText = withdrawal ? rest.substr(10) : rest;
  auto no = EditionNo::parse(numberText);
  if (!no || no->str() != numberText) return std::nullopt;
  return TagRef{*no, withdrawal};
}

// The edition "no" of "doc" that "tag" records, or nullopt when charta did not write it: it
// must point at a commit and state its terms (core::readEditionMessage).
std::optional<Edition> editionOf(const core::DocumentId& doc, EditionNo no, git_tag* tag) {
  if (git_tag_target_type(tag) != GIT_OBJECT_COMMIT) return std::nullopt;
  const git_signature* tagger = git_tag_tagger(tag);
  const Instant publishedAt = core::fromUnixSeconds(tagger->when.time);
  Edition e{doc,
            no,
            *CommitId::parse(toHex(*git_tag_target_id(tag))),
            publishedAt,
            publishedAt,
            core::kKazakhstanOffset,
            false,
            {},
            {},
            personOf(tagger),
            std::nullopt,
            std::nullopt};
  if (!core::readEditionMessage(git_tag_message(tag), e)) return std::nullopt;
  return e;
}

// The annotated tag "ref" points at when its own name is "name" and it has a tagger; null for
// a lightweight tag or a tag made under another name.
TagPtr annotatedTag(git_repository* repo, git_reference* ref, const std::string& name) {
  git_tag* t = nullptr;
  if (git_tag_lookup(&t, repo, git_reference_target(ref)) != 0) return nullptr;
  TagPtr tag(t);
  if (name != git_tag_name(tag.get()) || git_tag_tagger(tag.get()) == nullptr) return nullptr;
  return tag;
}

// Adds each withdrawal to the edition whose tag object it points at.
void addWithdrawals(std::map<int, FoundEdition>& editions,
                    const std::vector<std::pair<int, TagPtr>>& withdrawals) {
  for (const auto& [n, tag] : withdrawals) {
    auto found = editions.find(n);
    if (found == editions.end()) continue;
    if (git_oid_cmp(git_tag_target_id(tag.get()), &found->second.tag) != 0) continue;
    const git_signature* tagger = git_tag_tagger(tag.get());
    found->second.edition.withdrawal =
        core::Withdrawal{core::fromUnixSeconds(tagger->when.time), personOf(tagger),
                         core::readWithdrawalReason(git_tag_message(tag.get()))};
  }
}

// Reads the editions and withdrawals of "doc" from the refs, by number. A tag with such a name
// that charta did not write is ignored.
std::vector<FoundEdition> findEditions(git_repository* repo, const core::DocumentId& doc) {
  const std::string prefix = "refs/tags/" + doc.str() + "/";
  git_reference_iterator* it = nullptr;
  check(git_reference_iterator_glob_new(&it, repo, (prefix + "*").c_str()), "listing tags");
  RefIterPtr iter(it);
  std::map<int, FoundEdition> editions;
  std::vector<std::pair<int, TagPtr>> withdrawals;
  git_reference* r = nullptr;
  for (int rc; (rc = git_reference_next(&r, iter.get())) != GIT_ITEROVER;) {
    check(rc, "listing tags");
    RefPtr ref(r);
    if (git_reference_type(ref.get()) != GIT_REFERENCE_DIRECT) continue;
    const std::string rest = std::string(git_reference_name(ref.get())).substr(prefix.size());
    auto name = parseTagRef(rest);
    TagPtr tag = name ? annotatedTag(repo, ref.get(), doc.str() + "/" + rest) : nullptr;
    if (!tag) continue;
    if (name->withdrawal) {
      if (git_tag_target_type(tag.get()) == GIT_OBJECT_TAG) {
        withdrawals.emplace_back(name->no.value(), std::move(tag));
      }
    } else if (auto e = editionOf(doc, name->no, tag.get())) {
      editions.emplace(name->no.value(), FoundEdition{std::move(*e), *git_tag_id(tag.get())});
    }
  }
  addWithdrawals(editions, withdrawals);
  std::vector<FoundEdition> out;
  out.reserve(editions.size());
  for (auto& [n, fe] : editions) out.push_back(std::move(fe));
  return out;
}

const FoundEdition* findNo(const std::vector<FoundEdition>& found, EditionNo no) {
  auto it = std::find_if(found.begin(), found.end(),
                         [&](const FoundEdition& fe) { return fe.edition.no == no; });
  return it == found.end() ? nullptr : &*it;
}

// Creates "ref" pointing at "target" if it does not exist, checked under the ref's lock: the zero
// id as the expected old value makes libgit2 check that the ref does not exist after taking its
// lock; without it the check happens before, and a writer that loses the race by a hair would
// overwrite the winner's ref. Returns libgit2's code.
int createAbsentRef(git_repository* repo, const std::string& ref, const git_oid& target,
                    const std::string& logMessage) {
  git_reference* r = nullptr;
  git_oid absent{};
  int rc =
      git_reference_create_matching(&r, repo, ref.c_str(), &target, 0, &absent, logMessage.c_str());
  RefPtr created(r);
  return rc;
}

// The annotated tag "name" of "target" with "message", by "by" at "at" in "offset".
git_oid writeTagObject(git_repository* repo, const std::string& name, const git_object* target,
                       const core::Person& by, Instant at, std::chrono::minutes offset,
                       const std::string& message) {
  auto sig = signature(by, at, offset);
  git_oid tagId;
  check(git_tag_annotation_create(&tagId, repo, name.c_str(), target, sig.get(), message.c_str()),
        "writing the tag of " + name);
  return tagId;
}

bool lostRace(int rc) { return rc == GIT_EEXISTS || rc == GIT_ELOCKED || rc == GIT_EMODIFIED; }

}  // namespace

core::Timeline PolicyRepository::timeline(const core::DocumentId& doc) const {
  std::lock_guard lock(mu_);
  std::vector<Edition> editions;
  for (auto& fe : findEditions(repo_.get(), doc)) editions.push_back(std::move(fe.edition));
  return core::Timeline(std::move(editions));
}

Edition PolicyRepository::createEditionTag(const core::DocumentId& doc, EditionNo no,
                                           const CommitId& commit, const std::string& message,
                                           const core::Person& tagger, Instant publishedAt,
                                           std::chrono::minutes offset) {
  std::lock_guard lock(mu_);
  auto found = findEditions(repo_.get(), doc);
  const EditionNo next = *EditionNo::of(found.empty() ? 1 : found.back().edition.no.value() + 1);
  if (next != no) {
    throw EditionNumberTaken("the next edition of " + doc.str() + " is " + next.str() + ", not " +
                             no.str() + "; nothing was written");
  }
  auto target = lookupCommit(repo_.get(), commit);
  const std::string name = doc.str() + "/" + no.str();
  const git_oid tagId =
      writeTagObject(repo_.get(), name, reinterpret_cast<const git_object*>(target.get()), tagger,
                     publishedAt, offset, message);
  const std::string ref = "refs/tags/" + name, log = "charta: publish " + name;
  int rc = createAbsentRef(repo_.get(), ref, tagId, log);
  if (rc == GIT_ELOCKED && clearLock(ref)) rc = createAbsentRef(repo_.get(), ref, tagId, log);
  if (lostRace(rc)) {
    if (rc == GIT_EEXISTS && !findNo(findEditions(repo_.get(), doc), no)) {
      throw RepositoryError(ref +
                            " exists but is not an edition written by charta; rename that "
                            "tag");
    }
    throw Conflict("edition " + no.str() + " of " + doc.str() +
                   " was published by someone else at the same time; nothing was written");
  }
  check(rc, "creating " + ref);
  auto after = findEditions(repo_.get(), doc);
  if (const FoundEdition* created = findNo(after, no)) return created->edition;
  throw RepositoryError("the new tag " + name + " cannot be read back");
}

void PolicyRepository::createWithdrawalTag(const core::DocumentId& doc, EditionNo no,
                                           const std::string& message, const core::Person& by,
                                           Instant at, std::chrono::minutes offset) {
  std::lock_guard lock(mu_);
  auto found = findEditions(repo_.get(), doc);
  const FoundEdition* edition = findNo(found, no);
  if (!edition) throw NotFound("no edition " + no.str() + " of " + doc.str());
  if (edition->edition.withdrawal) {
    throw Conflict("edition " + no.str() + " of " + doc.str() + " is already withdrawn");
  }
  git_object* t = nullptr;
  check(git_object_lookup(&t, repo_.get(), &edition->tag, GIT_OBJECT_TAG),
        "reading the edition's tag");
  ObjectPtr target(t);
  const std::string name = doc.str() + "/withdrawn/" + no.str();
  const git_oid tagId = writeTagObject(repo_.get(), name, target.get(), by, at, offset, message);
  const std::string ref = "refs/tags/" + name, log = "charta: withdraw " + doc.str();
  int rc = createAbsentRef(repo_.get(), ref, tagId, log);
  if (rc == GIT_ELOCKED && clearLock(ref)) rc = createAbsentRef(repo_.get(), ref, tagId, log);
  if (lostRace(rc)) {
    throw Conflict("edition " + no.str() + " of " + doc.str() + " was withdrawn at the same time");
  }
  check(rc, "creating " + ref);
}

}  // namespace charta::repository
