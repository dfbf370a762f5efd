// PolicyRepository: editions and withdrawals written as annotated tags with compare-and-swap.
// They are read back by edition_tags.cpp, under the same rules as every other tag.
//
//   refs/tags/<doc>/v<N>            tag object -> commit; tagger time = published_at
//   refs/tags/<doc>/withdrawn/v<N>  tag object -> the edition's tag object; tagger = withdrawal

#include <algorithm>
#include <map>

#include "core/publication.h"
#include "repository/git_handles.h"
#include "repository/git_tag_reader.h"
#include "repository/policy_repository.h"

namespace charta::repository {

using namespace git;
using core::CommitId;
using core::Edition;
using core::EditionNo;
using core::Instant;

namespace {

using tags::FoundEdition;
using tags::FoundEditions;

// Refuses to write edition "no" when a tag that is no edition already holds its name: it would
// stay there, and the number with it, whatever anyone retries.
void refuseForeignTag(const FoundEditions& found, const core::DocumentId& doc, EditionNo no) {
  const core::TagName name{doc, no, false};
  if (std::find(found.numbersTaken.begin(), found.numbersTaken.end(), no.value()) ==
      found.numbersTaken.end()) {
    return;  // no ref holds the name
  }
  const TagProblem* problem = found.problem(name);
  const std::string ref = "refs/tags/" + name.str();
  throw ForeignTag(ref + " is not an edition" + (problem ? " (" + problem->reason + ")" : "") +
                       " and holds the name of the next edition of " + doc.str() +
                       "; nothing was written. charta does not delete tags: an operator removes "
                       "or renames it in the repository itself (see the README)",
                   ref);
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

Edition PolicyRepository::createEditionTag(const core::DocumentId& doc, EditionNo no,
                                           const CommitId& commit, const std::string& message,
                                           const core::Person& tagger, Instant publishedAt,
                                           std::chrono::minutes offset) {
  auto lock = locked();
  const FoundEditions found = findEditions(repo_.get(), doc, memo_.get());
  const EditionNo next = found.next();
  if (next != no) {
    throw EditionNumberTaken("the next edition of " + doc.str() + " is " + next.str() + ", not " +
                             no.str() + "; nothing was written");
  }
  refuseForeignTag(found, doc, no);
  auto target = lookupCommit(repo_.get(), commit);
  const std::string name = doc.str() + "/" + no.str();
  const git_oid tagId =
      writeTagObject(repo_.get(), name, reinterpret_cast<const git_object*>(target.get()), tagger,
                     publishedAt, offset, message);
  const std::string ref = "refs/tags/" + name, log = "charta: publish " + name;
  int rc = createAbsentRef(repo_.get(), ref, tagId, log);
  if (rc == GIT_ELOCKED && clearLock(ref)) rc = createAbsentRef(repo_.get(), ref, tagId, log);
  if (lostRace(rc)) {
    if (rc == GIT_EEXISTS) {
      const FoundEditions now = findEditions(repo_.get(), doc, memo_.get());
      if (!now.find(no)) refuseForeignTag(now, doc, no);
    }
    throw Conflict("edition " + no.str() + " of " + doc.str() +
                   " was published by someone else at the same time; nothing was written");
  }
  check(rc, "creating " + ref);
  const FoundEditions after = findEditions(repo_.get(), doc, memo_.get());
  if (const FoundEdition* created = after.find(no)) {
    named(created->edition.commit.str());
    return created->edition;
  }
  const TagProblem* problem = after.problem(core::TagName{doc, no, false});
  throw RepositoryError("the new tag " + name + " cannot be read back as an edition" +
                        (problem ? ": " + problem->reason : ""));
}

void PolicyRepository::createWithdrawalTag(const core::DocumentId& doc, EditionNo no,
                                           const std::string& message, const core::Person& by,
                                           Instant at, std::chrono::minutes offset) {
  auto lock = locked();
  const FoundEditions found = findEditions(repo_.get(), doc, memo_.get());
  const FoundEdition* edition = found.find(no);
  if (!edition) throw NotFound("no edition " + no.str() + " of " + doc.str());
  if (edition->edition.withdrawal) {
    throw Conflict("edition " + no.str() + " of " + doc.str() + " is already withdrawn");
  }
  git_object* t = nullptr;
  const git_oid editionTag = toOid(*CommitId::parse(edition->tag));
  check(git_object_lookup(&t, repo_.get(), &editionTag, GIT_OBJECT_TAG),
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

namespace charta::repository {

namespace {

using TransactionPtr = std::unique_ptr<git_transaction, CFree<git_transaction_free>>;

// Removes the refs of "created" that still name the tag objects written for them: the undoing
// of an import that could not finish. Best effort: the import reports its own failure.
void undoRefs(git_repository* repo, const std::vector<std::pair<std::string, git_oid>>& created) {
  for (const auto& [ref, id] : created) {
    git_reference* r = nullptr;
    if (git_reference_lookup(&r, repo, ref.c_str()) != 0) continue;
    RefPtr held(r);
    const git_oid* target = git_reference_target(held.get());
    if (target && git_oid_cmp(target, &id) == 0) git_reference_delete(held.get());
  }
}

// Locks every ref of "refs" in "tx" and checks that none exists: another writer may have made
// one since the editions were read.
void lockAbsent(git_repository* repo, git_transaction* tx,
                const std::vector<std::pair<std::string, git_oid>>& refs) {
  for (const auto& [ref, id] : refs) {
    int rc = git_transaction_lock_ref(tx, ref.c_str());
    if (rc == GIT_ELOCKED) {
      throw Unavailable(ref + " is locked by another writer; nothing was written",
                        std::chrono::seconds(1));
    }
    check(rc, "locking " + ref);
    git_reference* r = nullptr;
    if (git_reference_lookup(&r, repo, ref.c_str()) == 0) {
      RefPtr held(r);
      throw Conflict(ref + " was created meanwhile; nothing was written");
    }
  }
}

}  // namespace

std::vector<Edition> PolicyRepository::importEditions(const core::DocumentId& doc,
                                                      const std::vector<Edition>& editions,
                                                      const core::Person& tagger,
                                                      Instant importedAt,
                                                      std::chrono::minutes offset) {
  auto lock = locked();
  const FoundEditions found = findEditions(repo_.get(), doc, memo_.get());
  if (!found.numbersTaken.empty() || !found.problems.empty()) {
    throw Conflict("refs/tags/" + doc.str() + "/ holds tags already; nothing was written");
  }
  std::vector<std::pair<std::string, git_oid>> refs;
  for (const Edition& e : editions) {
    auto target = lookupCommit(repo_.get(), e.commit);
    const std::string name = doc.str() + "/" + e.no.str();
    refs.emplace_back(
        "refs/tags/" + name,
        writeTagObject(repo_.get(), name, reinterpret_cast<const git_object*>(target.get()), tagger,
                       importedAt, offset, core::editionMessage(e)));
  }
  git_transaction* t = nullptr;
  check(git_transaction_new(&t, repo_.get()), "opening a transaction of refs");
  TransactionPtr tx(t);
  lockAbsent(repo_.get(), tx.get(), refs);
  auto sig = signature(tagger, importedAt, offset);
  for (const auto& [ref, id] : refs) {
    check(git_transaction_set_target(tx.get(), ref.c_str(), &id, sig.get(), "charta: import"),
          "setting " + ref);
  }
  if (int rc = git_transaction_commit(tx.get()); rc != 0) {
    const std::string why = lastError();
    tx.reset();
    undoRefs(repo_.get(), refs);
    throw RepositoryError("writing the refs of the imported editions: " + why +
                          "; nothing was written");
  }
  tx.reset();
  FoundEditions after = findEditions(repo_.get(), doc, memo_.get());
  if (after.editions.size() != editions.size() || !after.problems.empty()) {
    undoRefs(repo_.get(), refs);
    throw RepositoryError("the imported editions of " + doc.str() + " cannot be read back" +
                          (after.problems.empty() ? "" : ": " + after.problems.front().str()) +
                          "; nothing was kept");
  }
  std::vector<Edition> out;
  for (auto& f : after.editions) {
    named(f.edition.commit.str());
    out.push_back(std::move(f.edition));
  }
  return out;
}

}  // namespace charta::repository
