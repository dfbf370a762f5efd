#include "service/evidence_bundle.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/sha256.h"
#include "ledger/canonical.h"
#include "service/errors.h"
#include "service/views.h"

namespace charta::service {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

std::string pretty(const Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out, 2);
  out << '\n';
  return out.str();
}

// The anchor a bundle proves its events in.
struct ChosenAnchor {
  std::string commit;
  AnchorStatement statement;
  std::string json;                  // anchor.json as committed
  std::optional<std::string> token;  // timestamp.tsr
};

// What anchor commit "a" states, when it is an anchor of this ledger that charta reads.
std::optional<ChosenAnchor> anchorOf(const repository::AnchorCommit& a,
                                     const std::string& ledgerId) {
  const std::string* json = a.file(kAnchorFile);
  if (!a.problem.empty() || !json) return std::nullopt;
  ChosenAnchor c{a.commit, {}, *json, std::nullopt};
  try {
    c.statement = parseAnchorJson(*json);
  } catch (const InvalidInput&) {
    return std::nullopt;  // not one charta reads: verify reports it
  }
  if (c.statement.ledger != ledgerId) return std::nullopt;
  if (const std::string* token = a.file(kTimestampFile)) c.token = *token;
  return c;
}

// The oldest anchor of this ledger whose tree holds event "seq"; nullopt: none yet. Reads the
// chain from its tip back to the first anchor that does not hold it, not the whole chain.
std::optional<ChosenAnchor> anchorCovering(const repository::AnchorChain& chain,
                                           const std::string& ledgerId, std::int64_t seq) {
  for (std::size_t limit = 16;; limit *= 8) {
    const auto commits = chain.read(limit);
    bool reachedOlder = commits.size() < limit;  // the whole chain was read
    std::optional<ChosenAnchor> found;
    for (auto it = commits.rbegin(); it != commits.rend(); ++it) {  // newest first
      auto a = anchorOf(*it, ledgerId);
      if (!a) continue;
      if (a->statement.treeSize < static_cast<std::uint64_t>(seq)) {
        reachedOlder = true;
        break;
      }
      found = std::move(a);
    }
    if (reachedOlder) return found;
  }
}

// The value of "line" ("tree", "object", ...) in the header of a commit or tag payload.
std::string headerValue(const std::string& payload, const std::string& key) {
  std::istringstream in(payload);
  for (std::string line; std::getline(in, line) && !line.empty();) {
    if (line.rfind(key + " ", 0) == 0) return line.substr(key.size() + 1);
  }
  throw Failure(Fault::kRepositoryUnreadable, "a git object of the evidence has no " + key);
}

// The raw objects a bundle holds, each once, in the order they were added.
class ObjectSet {
 public:
  explicit ObjectSet(const repository::RawObjects& objects) : objects_(objects) {}

  const repository::RawObject& add(const std::string& id, const std::string& type) {
    if (auto it = index_.find(id); it != index_.end()) return list_[it->second];
    repository::RawObject o = objects_.read(id);
    if (o.type != type) {
      throw Failure(Fault::kRepositoryUnreadable,
                    "git object " + id + " is a " + o.type + ", not a " + type);
    }
    index_.emplace(id, list_.size());
    list_.push_back(std::move(o));
    return list_.back();
  }

  // Adds the trees from "tree" down to "path" and the blob there; returns the blob's id.
  std::string addPath(std::string tree, const std::string& path) {
    std::size_t at = 0;
    for (;;) {
      const std::size_t slash = path.find('/', at);
      const std::string part = path.substr(at, slash == std::string::npos ? slash : slash - at);
      const std::string payload = add(tree, "tree").bytes;
      std::optional<std::string> next;
      for (const auto& e : repository::parseRawTree(payload)) {
        if (e.name == part) next = e.id;
      }
      if (!next) {
        throw Failure(Fault::kRepositoryUnreadable, "the edition's tree has no " + path);
      }
      if (slash == std::string::npos) return add(*next, "blob").id;
      tree = *next;
      at = slash + 1;
    }
  }

  void appendTo(std::vector<core::TarFile>& files) const {
    for (const auto& o : list_) files.push_back({"objects/" + o.id + "." + o.type, o.bytes});
  }

 private:
  const repository::RawObjects& objects_;
  std::map<std::string, std::size_t> index_;
  std::vector<repository::RawObject> list_;
};

Object::Ptr proofJson(const ledger::Ledger& ledger, std::int64_t seq, std::uint64_t size) {
  auto p = jsonObject();
  p->set("seq", static_cast<Poco::Int64>(seq));
  p->set("leaf_index", static_cast<Poco::Int64>(seq - 1));
  p->set("tree_size", static_cast<Poco::UInt64>(size));
  Array::Ptr hashes = new Array;
  for (const auto& h : ledger.inclusionProof(seq, size)) hashes->add(core::merkle::toHex(h));
  p->set("hashes", hashes);
  return p;
}

std::string storedBytes(const ledger::Ledger& ledger, std::int64_t seq) {
  auto bytes = ledger.canonicalBytes(seq);
  if (!bytes) {
    throw Failure(Fault::kConflict, "the ledger has no event at seq " + std::to_string(seq));
  }
  return *bytes;
}

// What the bundle holds of the publication: its event and the edition's objects.
Object::Ptr addEdition(const ledger::DecodedEvent& pub, const core::Registry& registry,
                       ObjectSet& objects) {
  auto value = [&](std::string_view name) { return std::string(pub.get(name).value_or("")); };
  const std::string tag = value("tag"), commit = value("commit");
  objects.add(tag, "tag");
  const std::string tree = headerValue(objects.add(commit, "commit").bytes, "tree");
  const core::Document* doc = registry.document(*core::DocumentId::parse(value("document")));
  auto e = jsonObject();
  e->set("tag", tag);
  e->set("commit", commit);
  e->set("tree", tree);
  Array::Ptr texts = new Array;
  std::istringstream list(value("texts"));
  for (std::string item; std::getline(list, item, ',');) {
    const std::string lang = item.substr(0, item.find('='));
    auto l = core::Lang::parse(lang);
    const std::string* path = doc && l ? doc->file(*l) : nullptr;
    if (!path) {
      throw Failure(Fault::kRepositoryUnreadable,
                    "charta.xml of the edition's commit names no " + lang + " text");
    }
    auto t = jsonObject();
    t->set("language", lang);
    t->set("path", *path);
    t->set("blob", objects.addPath(tree, *path));
    texts->add(t);
  }
  e->set("texts", texts);
  auto reg = jsonObject();
  reg->set("path", "charta.xml");
  reg->set("blob", objects.addPath(tree, "charta.xml"));
  e->set("registry", reg);
  return e;
}

Object::Ptr eventEntry(std::int64_t seq, const std::string& name) {
  auto o = jsonObject();
  o->set("seq", static_cast<Poco::Int64>(seq));
  o->set("bytes", name + ".event");
  o->set("proof", name + ".proof.json");
  return o;
}

std::string sums(const std::vector<core::TarFile>& files) {
  std::string out;
  for (const auto& f : files) out += core::sha256Hex(f.bytes) + "  " + f.name + "\n";
  return out;
}

// The oldest anchor that holds event "seq"; one is written first when there is none yet.
ChosenAnchor chooseAnchor(const BundleSources& s, std::int64_t seq, core::Instant now) {
  const std::string ledgerId = s.ledger.ledgerId();
  auto a = anchorCovering(s.anchors, ledgerId, seq);
  if (!a) {
    if (s.anchoring.anchor(now).outcome == AnchorResult::Outcome::kReplica) {
      throw Failure(Fault::kReplicaReadOnly,
                    "No anchor holds this event yet, and a replica writes none: run `charta "
                    "ledger anchor` on the primary (or wait for its next anchor) and ask again.");
    }
    a = anchorCovering(s.anchors, ledgerId, seq);
    if (!a) throw Failure(Fault::kConflict, "No anchor holds this event, even after anchoring.");
  }
  if (core::merkle::toHex(s.ledger.treeHead(a->statement.treeSize).root) != a->statement.root) {
    throw Failure(Fault::kConflict, "Anchor " + a->commit +
                                        " does not state the ledger's tree head at its size: "
                                        "`charta ledger verify` says more.");
  }
  return *a;
}

Object::Ptr addAnchor(const ChosenAnchor& a, ObjectSet& objects,
                      std::vector<core::TarFile>& files) {
  auto o = jsonObject();
  o->set("commit", a.commit);
  o->set("tree", headerValue(objects.add(a.commit, "commit").bytes, "tree"));
  objects.add(o->getValue<std::string>("tree"), "tree");
  o->set("statement", std::string(kAnchorFile));
  files.push_back({kAnchorFile, a.json});
  if (a.token) {
    o->set("timestamp", std::string(kTimestampFile));
    files.push_back({kTimestampFile, *a.token});
  } else {
    o->set("timestamp", Poco::Dynamic::Var());
  }
  return o;
}

ledger::DecodedEvent decodedPublication(const std::string& bytes) {
  ledger::DecodedEvent pub;
  if (!ledger::decode(bytes, pub).empty() || pub.kind != ledger::Kind::kEditionPublished ||
      !pub.get("commit") || !core::CommitId::parse(std::string(*pub.get("commit"))) ||
      !pub.get("document") || !core::DocumentId::parse(std::string(*pub.get("document")))) {
    throw Failure(Fault::kConflict, "The event's publication is not an edition.published event.");
  }
  return pub;
}

// The page and the subject's key and evidence, when the bundle can hold them.
void addPersonal(const ledger::Ledger& ledger, const ledger::Event& e, Object::Ptr b,
                 std::vector<core::TarFile>& files) {
  std::optional<ledger::PageRecord> page;
  if (e.pageSha256) page = ledger.page(*e.pageSha256);
  b->set("page", page ? Poco::Dynamic::Var("page.html") : Poco::Dynamic::Var());
  if (page) files.push_back({"page.html", page->bytes});
  std::optional<std::string> key;
  if (!e.subjectErased) key = ledger.subjectKey(e.subject);
  if (!key) {
    b->set("subject", Poco::Dynamic::Var());
    return;
  }
  auto subject = jsonObject();
  subject->set("key", "subject_key.hex");
  files.push_back({"subject_key.hex", core::toHex(*key) + "\n"});
  subject->set("evidence", e.evidence ? Poco::Dynamic::Var("evidence.json") : Poco::Dynamic::Var());
  if (e.evidence) files.push_back({"evidence.json", *e.evidence});
  b->set("subject", subject);
}

}  // namespace

std::vector<core::TarFile> EvidenceBundles::bundle(std::string_view recordId,
                                                   core::Instant now) const {
  auto event = s_.evidence.event(recordId);
  if (!event) throw Failure(Fault::kNotFound, "There is no consent event with this id.");
  if (!event->publication) {
    throw Failure(Fault::kNotFound,
                  "This event cites no chained publication: its edition cannot be proven.");
  }
  const std::string pubBytes = storedBytes(s_.ledger, *event->publication);
  const ledger::DecodedEvent pub = decodedPublication(pubBytes);
  const ChosenAnchor anchor = chooseAnchor(s_, event->seq, now);
  const std::uint64_t size = anchor.statement.treeSize;

  std::vector<core::TarFile> files = {
      {"receipt.json", pretty(receipt(*event, s_.evidence.receiptOptions()))},
      {"bundle.json", ""},
      {"VERIFY.md", verifyGuide(event->lang.str())},
      {"verify.sh", verifyScript(), true},
      {"consent.event", storedBytes(s_.ledger, event->seq)},
      {"consent.proof.json", pretty(proofJson(s_.ledger, event->seq, size))},
      {"publication.event", pubBytes},
      {"publication.proof.json", pretty(proofJson(s_.ledger, *event->publication, size))}};
  auto b = jsonObject();
  b->set("format", "charta-evidence/1");
  b->set("record_id", event->id);
  b->set("consent", eventEntry(event->seq, "consent"));
  b->set("publication", eventEntry(*event->publication, "publication"));
  ObjectSet objects(s_.objects);
  b->set("anchor", addAnchor(anchor, objects, files));
  const auto commit = core::CommitId::parse(std::string(*pub.get("commit")));
  b->set("edition", addEdition(pub, s_.repo.registry(*commit), objects));
  addPersonal(s_.ledger, *event, b, files);
  objects.appendTo(files);
  files[1].bytes = pretty(b);
  files.push_back({"SHA256SUMS", sums(files)});
  return files;
}

std::string bundleArchive(const std::vector<core::TarFile>& files, core::Instant now) {
  return core::ustarArchive(files, now.time_since_epoch().count() / 1000);
}

void writeBundle(const std::vector<core::TarFile>& files, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    throw InvalidInput(dir.string() + " is not empty: give a new or empty folder");
  }
  for (const auto& f : files) {
    const fs::path path = dir / f.name;
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw Error("cannot create " + path.parent_path().string() + ": " + ec.message());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(f.bytes.data(), static_cast<std::streamsize>(f.bytes.size()));
    out.close();
    if (!out) throw Error("cannot write " + path.string());
    ::chmod(path.c_str(), f.executable ? 0755 : 0644);
  }
}

}  // namespace charta::service
