// PolicyRepository: the editions of a document as its tags record them (edition_tags.cpp holds
// the reading; this is libgit2's side of it).

#include <set>

#include "repository/git_handles.h"
#include "repository/git_tag_reader.h"
#include "repository/policy_repository.h"

namespace charta::repository::git {

std::vector<tags::TagRef> GitTagReader::tagRefs(const core::DocumentId& doc) {
  const std::string prefix = "refs/tags/" + doc.str() + "/";
  git_reference_iterator* it = nullptr;
  check(git_reference_iterator_glob_new(&it, repo_, (prefix + "*").c_str()), "listing tags");
  RefIterPtr iter(it);
  std::vector<tags::TagRef> out;
  git_reference* r = nullptr;
  for (int rc; (rc = git_reference_next(&r, iter.get())) != GIT_ITEROVER;) {
    check(rc, "listing tags");
    RefPtr ref(r);
    const bool direct = git_reference_type(ref.get()) == GIT_REFERENCE_DIRECT;
    out.push_back({std::string(git_reference_name(ref.get())).substr(10),
                   direct ? toHex(*git_reference_target(ref.get())) : std::string(), !direct});
  }
  return out;
}

tags::RawObject GitTagReader::object(const std::string& id) {
  git_oid oid;
  if (git_oid_fromstr(&oid, id.c_str()) != 0) throw RepositoryError("not an object id: " + id);
  OdbObjectPtr object = readObject(repo_, oid);
  return tags::RawObject{git_object_type2string(git_odb_object_type(object.get())),
                         std::string(static_cast<const char*>(git_odb_object_data(object.get())),
                                     git_odb_object_size(object.get()))};
}

std::optional<std::string> GitTagReader::registryAt(const std::string& id) {
  git_oid oid;
  if (git_oid_fromstr(&oid, id.c_str()) != 0) throw RepositoryError("not a commit id: " + id);
  CommitPtr commit = lookupCommit(repo_, oid);  // a tag names it: absent is damage
  return readBlobAt(repo_, commit.get(), kRegistryFile);
}

tags::FoundEditions findEditions(git_repository* repo, const core::DocumentId& doc,
                                 tags::ReadMemo* memo) {
  GitTagReader reader(repo);
  reader.memo = memo;
  return tags::readEditions(reader, doc);
}

}  // namespace charta::repository::git

namespace charta::repository {

DocumentEditions PolicyRepository::editions(const core::DocumentId& doc) const {
  auto lock = locked();
  // Only the tags and commits not read before are read: the memo keeps the rest by object id.
  tags::FoundEditions found = git::findEditions(repo_.get(), doc, memo_.get());
  DocumentEditions out;
  std::vector<core::Edition> editions;
  for (auto& f : found.editions) {
    named(f.edition.commit.str());
    out.documents.emplace(f.edition.no.value(), std::move(f.document));
    editions.push_back(std::move(f.edition));
  }
  out.timeline = core::Timeline(std::move(editions));
  out.problems = std::move(found.problems);
  return out;
}

core::Timeline PolicyRepository::timeline(const core::DocumentId& doc) const {
  return editions(doc).timeline;
}

std::vector<core::DocumentId> PolicyRepository::documentsWithTags() const {
  auto lock = locked();
  git_reference_iterator* it = nullptr;
  git::check(git_reference_iterator_glob_new(&it, repo_.get(), "refs/tags/*"), "listing tags");
  git::RefIterPtr iter(it);
  std::set<core::DocumentId> docs;
  git_reference* r = nullptr;
  for (int rc; (rc = git_reference_next(&r, iter.get())) != GIT_ITEROVER;) {
    git::check(rc, "listing tags");
    git::RefPtr ref(r);
    auto name = core::parseTagName(std::string(git_reference_name(ref.get())).substr(10));
    if (name && !name->withdrawal) docs.insert(name->doc);
  }
  return {docs.begin(), docs.end()};
}

}  // namespace charta::repository
