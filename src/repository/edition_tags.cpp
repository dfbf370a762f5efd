// The editions of a document as its tags record them, read under the rules of publication
// (core/publication.h). A tag that breaks one is a problem, never an edition.
//
//   refs/tags/<doc>/v<N>            tag object -> commit; tagger time = published_at
//   refs/tags/<doc>/withdrawn/v<N>  tag object -> the edition's tag object; tagger = withdrawal

#include "repository/edition_tags.h"

#include <algorithm>
#include <set>

#include "repository/registry_xml.h"

namespace charta::repository::tags {

using core::Edition;
using core::Refusal;
using core::TagName;

namespace {

std::string refOf(const TagName& name) { return "refs/tags/" + name.str(); }

// The tag object "id" names, or why it is not one: a lightweight tag (a commit), another object,
// or bytes that are no tag object.
ReadMemo::Tag readTagObject(TagReader& reader, const std::string& id) {
  RawObject object = reader.object(id);
  if (object.type != "tag") {
    return {std::nullopt, object.type == "commit"
                              ? "a lightweight tag: charta writes annotated tags"
                              : "it names a " + object.type + ", not a tag"};
  }
  auto tag = core::parseTagObject(object.bytes);
  return {tag, tag ? "" : "its tag object cannot be parsed"};
}

std::optional<core::TagObject> tagObject(TagReader& reader, const std::string& id,
                                         std::string& why) {
  if (!reader.memo) {
    ReadMemo::Tag read = readTagObject(reader, id);
    why = read.why;
    return read.tag;
  }
  auto& known = reader.memo->tags;
  auto it = known.find(id);
  if (it == known.end()) it = known.emplace(id, readTagObject(reader, id)).first;
  why = it->second.why;
  return it->second.tag;
}

std::shared_ptr<const ReadMemo::Parsed> parse(const std::string& xml) {
  auto out = std::make_shared<ReadMemo::Parsed>();
  try {
    out->registry = std::make_shared<const core::Registry>(parseRegistry(xml));
  } catch (const InvalidInput& err) {
    out->invalid = err.what();
  }
  return out;
}

// charta.xml at commit "at" parsed (nullptr: the commit has none), through the reader's memo.
std::shared_ptr<const ReadMemo::Parsed> registryAt(TagReader& reader, const std::string& at) {
  ReadMemo* memo = reader.memo;
  if (memo) {
    if (auto it = memo->atCommit.find(at); it != memo->atCommit.end()) return it->second;
  }
  auto xml = reader.registryAt(at);
  std::shared_ptr<const ReadMemo::Parsed> parsed;
  if (xml && memo) {
    auto same = memo->byBytes.find(*xml);
    parsed = same != memo->byBytes.end() ? same->second
                                         : memo->byBytes.emplace(*xml, parse(*xml)).first->second;
  } else if (xml) {
    parsed = parse(*xml);
  }
  if (memo) memo->atCommit.emplace(at, parsed);
  return parsed;
}

// charta.xml's entry for "doc" at the edition's commit, or why there is none.
// An imported edition of a commit older than charta.xml names the commit whose charta.xml
// declares it (Registry-At).
std::optional<core::Document> documentAt(TagReader& reader, const Edition& e, std::string& why) {
  const std::string at = e.registryAt ? e.registryAt->str() : e.commit.str();
  const std::string where = e.registryAt ? "its Registry-At " : "its commit ";
  auto parsed = registryAt(reader, at);
  if (!parsed) {
    why = "charta.xml is missing at " + where + at;
    return std::nullopt;
  }
  if (!parsed->registry) {
    why = "charta.xml at " + where + at + " is invalid (" + parsed->invalid + ")";
    return std::nullopt;
  }
  if (const core::Document* d = parsed->registry->document(e.doc)) return *d;
  why = "charta.xml at " + where + at + " does not declare " + e.doc.str();
  return std::nullopt;
}

// A number below the highest one taken with no tag at all: an edition was deleted.
void reportGaps(const core::DocumentId& doc, FoundEditions& out) {
  if (out.numbersTaken.empty()) return;
  const int highest = out.numbersTaken.back();
  std::set<int> taken(out.numbersTaken.begin(), out.numbersTaken.end());
  for (int n = 1; n < highest; ++n) {
    if (taken.count(n)) continue;
    TagName missing{doc, *core::EditionNo::of(n), false};
    out.problems.push_back({refOf(missing), "there is no such tag, though v" +
                                                std::to_string(highest) +
                                                " exists: an edition was deleted"});
  }
}

}  // namespace

const FoundEdition* FoundEditions::find(core::EditionNo no) const {
  auto it = std::find_if(editions.begin(), editions.end(),
                         [&](const FoundEdition& f) { return f.edition.no == no; });
  return it == editions.end() ? nullptr : &*it;
}

const TagProblem* FoundEditions::problem(const TagName& name) const {
  const std::string ref = refOf(name);
  for (const TagProblem& p : problems) {
    if (p.ref == ref) return &p;
  }
  return nullptr;
}

core::EditionNo FoundEditions::next() const {
  return *core::EditionNo::of(editions.empty() ? 1 : editions.back().edition.no.value() + 1);
}

Refusal readEdition(TagReader& reader, FoundEditions& found, const TagName& name,
                    const std::string& id) {
  std::string why;
  auto tag = tagObject(reader, id, why);
  if (!tag) return why;
  core::TagReading<Edition> read = core::readEditionTag(name, *tag);
  if (!read.value) return read.refused;
  auto document = documentAt(reader, *read.value, why);
  if (!document) return why;
  if (!found.editions.empty()) {
    if (auto r = core::publicationOrder(*read.value, found.editions.back().edition)) return r;
  }
  found.editions.push_back(FoundEdition{std::move(*read.value), id, std::move(*document)});
  return std::nullopt;
}

Refusal readWithdrawal(TagReader& reader, FoundEditions& found, const TagName& name,
                       const std::string& id) {
  auto edition = std::find_if(found.editions.begin(), found.editions.end(),
                              [&](const FoundEdition& f) { return f.edition.no == name.no; });
  if (edition == found.editions.end()) {
    return "it withdraws " + name.no.str() + ", which is not an edition";
  }
  if (edition->edition.withdrawal) return std::string("the edition is withdrawn already");
  std::string why;
  auto tag = tagObject(reader, id, why);
  if (!tag) return why;
  auto read = core::readWithdrawalTag(name, *tag, edition->edition, edition->tag);
  if (!read.value) return read.refused;
  edition->edition.withdrawal = std::move(*read.value);
  return std::nullopt;
}

FoundEditions readEditions(TagReader& reader, const core::DocumentId& doc) {
  FoundEditions out;
  std::vector<std::pair<TagName, std::string>> editions, withdrawals;
  for (const TagRef& ref : reader.tagRefs(doc)) {
    auto name = core::parseTagName(ref.name);
    if (!name || name->doc != doc) continue;
    if (!name->withdrawal) out.numbersTaken.push_back(name->no.value());
    if (ref.symbolic) {
      out.problems.push_back({refOf(*name), "a symbolic ref, not a tag"});
      continue;
    }
    (name->withdrawal ? withdrawals : editions).emplace_back(*name, ref.target);
  }
  auto byNo = [](const auto& a, const auto& b) { return a.first.no < b.first.no; };
  std::sort(editions.begin(), editions.end(), byNo);
  std::sort(withdrawals.begin(), withdrawals.end(), byNo);
  std::sort(out.numbersTaken.begin(), out.numbersTaken.end());
  for (const auto& [name, id] : editions) {
    if (auto r = readEdition(reader, out, name, id)) out.problems.push_back({refOf(name), *r});
  }
  for (const auto& [name, id] : withdrawals) {
    if (auto r = readWithdrawal(reader, out, name, id)) out.problems.push_back({refOf(name), *r});
  }
  reportGaps(doc, out);
  std::sort(out.problems.begin(), out.problems.end(),
            [](const TagProblem& a, const TagProblem& b) { return a.ref < b.ref; });
  return out;
}

}  // namespace charta::repository::tags
