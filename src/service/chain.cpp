#include "service/chain.h"

#include <map>

#include "core/sha256.h"

namespace charta::service {

using ledger::ChainedPublication;

struct EditionChain::Comparison {
  std::vector<const core::Edition*> unchained;             // publications new in git
  std::vector<const core::Edition*> unchainedWithdrawals;  // withdrawals new in git
  std::vector<Tampering> tampering;
  // The numbers to serve as the chain holds them; true when only the withdrawal differs (the
  // edition's own tag is the chained one).
  std::map<int, bool> restore;
  bool unsettled = false;  // something could not be chained now: try again later
};

namespace {

// Every time in the chain carries milliseconds, so every observer writes the same bytes.
std::string chainTime(core::Instant t, std::chrono::minutes offset) {
  std::string s = core::formatRfc3339(t, offset, false);
  if (s.size() > 19 && s[19] != '.') s.insert(19, ".000");
  return s;
}

// The chain takes 1-1024 bytes of reason; git allows longer ones. The tag id pins the whole text.
std::string chainReason(const std::string& reason) {
  if (reason.empty()) return "(no reason given)";
  if (reason.size() <= 1024) return reason;
  std::size_t n = 1024;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
  return reason.substr(0, n);
}

std::string refName(const core::DocumentId& doc, core::EditionNo no, bool withdrawal) {
  return "refs/tags/" + doc.str() + (withdrawal ? "/withdrawn/" : "/") + no.str();
}

std::string named(const std::optional<std::string>& tag) {
  return tag ? "names tag " + *tag : "is gone";
}

Tampering finding(Tampering::Kind kind, const ledger::Chained& at, const core::DocumentId& doc,
                  core::EditionNo no, std::string detail) {
  return Tampering{kind, doc, no, at.seq, at.id, std::move(detail)};
}

}  // namespace

EditionChain::EditionChain(ledger::Ledger& ledger, const repository::PolicyRepository& repo,
                           const repository::EditionRefs& refs)
    : ledger_(ledger), repo_(repo), refs_(refs) {}

void EditionChain::onTampering(std::function<void(const Tampering&)> sink) {
  sink_ = std::move(sink);
}

void EditionChain::onAppended(std::function<void()> appended) { appended_ = std::move(appended); }

std::optional<ledger::PublicationFacts> EditionChain::publicationFacts(
    const core::Edition& e, const core::Document& doc, const std::string& via) const {
  auto tag = refs_.editionTag(e.doc, e.no);
  if (!tag) return std::nullopt;
  auto object = refs_.tag(*tag);
  if (!object || object->target != e.commit.str()) return std::nullopt;
  std::vector<std::pair<core::Lang, std::string>> texts;
  for (const core::Lang& lang : doc.langs) {
    if (auto t = repo_.text(doc, e.commit, lang)) texts.emplace_back(lang, t->sha256);
  }
  auto registry = repo_.readFile(e.registryAt.value_or(e.commit), repository::kRegistryFile);
  return ledger::PublicationFacts{e.doc,
                                  e.no,
                                  *tag,
                                  e.commit,
                                  chainTime(e.publishedAt, e.effectiveOffset),
                                  core::formatRfc3339(e.effectiveFrom, e.effectiveOffset, false),
                                  e.material,
                                  e.imported,
                                  std::move(texts),
                                  core::sha256Hex(registry.value_or("")),
                                  via};
}

std::optional<ledger::WithdrawalFacts> EditionChain::withdrawalFacts(const core::Edition& e,
                                                                     const std::string& via) const {
  if (!e.withdrawal) return std::nullopt;
  auto tag = refs_.withdrawalTag(e.doc, e.no);
  if (!tag) return std::nullopt;
  auto object = refs_.tag(*tag);
  auto editionTag = refs_.editionTag(e.doc, e.no);
  if (!object || !editionTag || object->target != *editionTag) return std::nullopt;
  return ledger::WithdrawalFacts{e.doc,
                                 e.no,
                                 *tag,
                                 chainTime(e.withdrawal->at, e.effectiveOffset),
                                 chainReason(e.withdrawal->reason),
                                 via};
}

bool EditionChain::record(const core::Edition& e, const std::string& via) {
  core::Registry registry = repo_.registry(e.commit);
  const core::Document* doc = registry.document(e.doc);
  if (!doc)
    throw InvalidInput("charta.xml at " + e.commit.str() + " does not declare " + e.doc.str());
  auto facts = publicationFacts(e, *doc, via);
  if (!facts) throw Conflict("the tag of " + e.doc.str() + " " + e.no.str() + " moved meanwhile");
  bool appended = ledger_.recordPublication(*facts).appended;
  if (e.withdrawal) {
    auto w = withdrawalFacts(e, via);
    if (!w) throw Conflict("the withdrawal tag of " + e.doc.str() + " " + e.no.str() + " moved");
    appended = ledger_.recordWithdrawal(*w).appended || appended;
  }
  return appended;
}

EditionChain::Comparison EditionChain::compare(const core::DocumentId& doc,
                                               const std::vector<ChainedPublication>& chained,
                                               const std::vector<core::Edition>& git) const {
  Comparison c;
  std::map<int, const ChainedPublication*> byNo;
  for (const auto& p : chained) byNo.emplace(p.facts.edition.value(), &p);
  for (const core::Edition& e : git) {
    auto it = byNo.find(e.no.value());
    if (it == byNo.end()) {
      c.unchained.push_back(&e);
      if (e.withdrawal) c.unchainedWithdrawals.push_back(&e);
      continue;
    }
    const ChainedPublication& p = *it->second;
    byNo.erase(it);
    auto tag = refs_.editionTag(doc, e.no);
    if (tag != p.facts.tag) {
      c.tampering.push_back(finding(
          Tampering::Kind::kChanged, p.chained, doc, e.no,
          refName(doc, e.no, false) + " " + named(tag) + "; the chain holds tag " + p.facts.tag));
      c.restore[e.no.value()] = false;
      continue;
    }
    if (e.withdrawal && !p.withdrawal) {
      c.unchainedWithdrawals.push_back(&e);
    } else if (p.withdrawal) {
      auto withdrawal = e.withdrawal ? refs_.withdrawalTag(doc, e.no) : std::nullopt;
      if (withdrawal == p.withdrawal->facts.tag) continue;
      std::string what = e.withdrawal ? refName(doc, e.no, true) + " " + named(withdrawal)
                                      : "git no longer shows its withdrawal";
      c.tampering.push_back(
          finding(Tampering::Kind::kChanged, p.withdrawal->chained, doc, e.no,
                  what + "; the chain holds withdrawal tag " + p.withdrawal->facts.tag));
      c.restore[e.no.value()] = true;
    }
  }
  for (const auto& [n, p] : byNo) {
    auto tag = refs_.editionTag(doc, p->facts.edition);
    std::string what = refName(doc, p->facts.edition, false) +
                       (tag ? " names tag " + *tag + ", which is no edition" : " is gone");
    // A ref that names another tag (one that is no edition) changed; a ref that is gone, missing.
    c.tampering.push_back(finding(
        tag ? Tampering::Kind::kChanged : Tampering::Kind::kMissing, p->chained, doc,
        p->facts.edition,
        what + "; the chain holds tag " + p->facts.tag + " of commit " + p->facts.commit.str()));
    c.restore[n] = false;
  }
  return c;
}

bool EditionChain::chainNew(const DocumentState* d, Comparison& c, const std::string& via) {
  bool appended = false;
  auto chain = [&](const core::Edition& e, bool withdrawal) {
    try {
      if (!withdrawal) {
        auto facts = publicationFacts(e, d->at(e), via);
        if (!facts) return void(c.unsettled = true);
        appended = ledger_.recordPublication(*facts).appended || appended;
      } else {
        auto facts = withdrawalFacts(e, via);
        if (!facts) return void(c.unsettled = true);
        appended = ledger_.recordWithdrawal(*facts).appended || appended;
      }
    } catch (const ledger::EditionChanged& changed) {
      // Another observer chained other facts for it in the meantime: git changed under us.
      c.tampering.push_back(Tampering{Tampering::Kind::kChanged, e.doc, e.no, 0, "",
                                      std::string(changed.what()) + " than git shows now"});
      c.restore[e.no.value()] = withdrawal;
    } catch (const InvalidInput& bad) {
      c.tampering.push_back(
          Tampering{Tampering::Kind::kChanged, e.doc, e.no, 0, "",
                    std::string("git holds facts the chain cannot take: ") + bad.what()});
    }
  };
  for (const core::Edition* e : c.unchained) chain(*e, false);
  for (const core::Edition* e : c.unchainedWithdrawals) chain(*e, true);
  return appended;
}

std::shared_ptr<void> EditionChain::holdWrites(const std::string& via) {
  writeMu_.lock();
  writer_ = std::this_thread::get_id();
  writerVia_ = via;
  return std::shared_ptr<void>(this, [](EditionChain* chain) {
    chain->writer_ = std::thread::id();
    chain->writeMu_.unlock();
  });
}

bool EditionChain::settle(Snapshot& snap) {
  // An edition being written is chained by its writer: while another thread writes one, this
  // look serves the snapshot as git shows it and the next look settles it (never waiting here,
  // since the writer may wait for the catalog's refresh that called this).
  std::unique_lock writes(writeMu_, std::try_to_lock);
  if (!writes.owns_lock()) return false;
  const std::string via = writer_ == std::this_thread::get_id() ? writerVia_ : "git";
  std::vector<Tampering> found;
  bool appended = false, unsettled = false;
  try {
    std::set<std::string> ids;
    for (const auto& doc : ledger_.publishedDocuments()) ids.insert(doc.str());
    for (const auto& d : snap.documents) ids.insert(d->document.id.str());
    static const std::vector<core::Edition> kNone;
    for (const std::string& id : ids) {
      const core::DocumentId doc = *core::DocumentId::parse(id);
      const DocumentState* d = snap.find(doc);
      std::vector<ChainedPublication> chained = ledger_.publications(doc);
      Comparison c = compare(doc, chained, d ? d->timeline.editions() : kNone);
      if (chainNew(d, c, via)) {
        appended = true;
        chained = ledger_.publications(doc);
      }
      unsettled = unsettled || c.unsettled;
      found.insert(found.end(), c.tampering.begin(), c.tampering.end());
      if (c.restore.empty()) continue;
      install(snap, doc, restored(doc, d, chained, c.restore));
    }
  } catch (const ledger::StorageError&) {
    return false;  // the ledger cannot be reached: served as git shows it, settled later
  } catch (const repository::RepositoryError&) {
    return false;  // an object cannot be read now: the housekeeping reports the damage
  }
  if (appended && appended_) appended_();
  report(std::move(found));
  return !unsettled;
}

std::vector<Tampering> EditionChain::tampering() const {
  std::lock_guard lock(mu_);
  return tampering_;
}

void EditionChain::report(std::vector<Tampering> found) {
  std::vector<Tampering> fresh;
  {
    std::lock_guard lock(mu_);
    std::set<std::string> lines;
    for (const auto& t : found) {
      lines.insert(t.line());
      if (reported_.insert(t.line()).second) fresh.push_back(t);
    }
    // A finding that went away (git was mended) is reported again should it come back.
    for (auto it = reported_.begin(); it != reported_.end();) {
      it = lines.count(*it) ? std::next(it) : reported_.erase(it);
    }
    tampering_ = std::move(found);
  }
  if (sink_) {
    for (const auto& t : fresh) sink_(t);
  }
}

std::vector<Tampering> EditionChain::audit() const {
  std::vector<Tampering> out;
  for (const auto& doc : ledger_.publishedDocuments()) {
    core::Timeline git = repo_.timeline(doc);
    Comparison c = compare(doc, ledger_.publications(doc), git.editions());
    out.insert(out.end(), c.tampering.begin(), c.tampering.end());
  }
  return out;
}

}  // namespace charta::service
