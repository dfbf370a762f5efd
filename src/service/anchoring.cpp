#include "service/anchoring.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>

#include "core/json_text.h"
#include "core/merkle.h"
#include "core/sha256.h"
#include "service/timestamp.h"

namespace charta::service {

namespace {

bool isHex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Whether "tip" anchors this ledger at "size" events or more.
bool covers(const repository::AnchorCommit& tip, const std::string& ledgerId, std::uint64_t size) {
  const std::string* json = tip.file(kAnchorFile);
  if (!json || !tip.problem.empty()) return false;
  try {
    AnchorStatement s = parseAnchorJson(*json);
    return s.ledger == ledgerId && s.treeSize >= size;
  } catch (const InvalidInput&) {
    return false;
  }
}

}  // namespace

std::string anchorJson(const AnchorStatement& s) {
  return "{\"format\":\"charta-anchor/1\",\"ledger\":" + core::jsonQuote(s.ledger) +
         ",\"tree_size\":" + std::to_string(s.treeSize) + ",\"root\":" + core::jsonQuote(s.root) +
         ",\"chain_head\":{\"seq\":" + std::to_string(s.chainHeadSeq) +
         ",\"hash\":" + core::jsonQuote(s.chainHeadHash) + "},\"time\":" + core::jsonQuote(s.time) +
         "}\n";
}

AnchorStatement parseAnchorJson(std::string_view text) {
  Poco::JSON::Object::Ptr o;
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(4);
    o = parser.parse(std::string(text)).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {  // Poco::Exception too
    throw InvalidInput("anchor.json is not a JSON object");
  }
  try {
    if (o->getValue<std::string>("format") != "charta-anchor/1") {
      throw InvalidInput("anchor.json is not of format charta-anchor/1");
    }
    AnchorStatement s;
    s.ledger = o->getValue<std::string>("ledger");
    const Poco::Int64 size = o->getValue<Poco::Int64>("tree_size");
    s.root = o->getValue<std::string>("root");
    Poco::JSON::Object::Ptr head = o->getObject("chain_head");
    if (!head) throw InvalidInput("anchor.json has no chain_head");
    s.chainHeadSeq = head->getValue<Poco::Int64>("seq");
    s.chainHeadHash = head->getValue<std::string>("hash");
    s.time = o->getValue<std::string>("time");
    if (size < 1 || !isHex64(s.root) || !isHex64(s.chainHeadHash) || s.chainHeadSeq < 1 ||
        !core::parseRfc3339(s.time) || s.ledger.empty()) {
      throw InvalidInput("anchor.json holds a malformed member");
    }
    s.treeSize = static_cast<std::uint64_t>(size);
    return s;
  } catch (const Poco::Exception&) {
    throw InvalidInput("anchor.json lacks a member or has one of the wrong type");
  }
}

Anchoring::Anchoring(ledger::Ledger& ledger, repository::AnchorChain& chain,
                     AnchoringOptions options)
    : ledger_(ledger), chain_(chain), options_(std::move(options)) {}

std::optional<std::pair<std::string, AnchorStatement>> Anchoring::latest() const {
  auto tip = chain_.latest();
  const std::string* json = tip ? tip->file(kAnchorFile) : nullptr;
  if (!json) return std::nullopt;
  try {
    return std::make_pair(tip->commit, parseAnchorJson(*json));
  } catch (const InvalidInput&) {
    return std::nullopt;
  }
}

AnchorResult Anchoring::anchor(core::Instant now) {
  std::lock_guard lock(mu_);
  AnchorResult out;
  if (options_.replica) {
    out.outcome = AnchorResult::Outcome::kReplica;
    return out;
  }
  const std::string ledgerId = ledger_.ledgerId();
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::int64_t count = ledger_.count();
    if (count == 0) return out;  // kEmpty
    const auto size = static_cast<std::uint64_t>(count);
    auto tip = chain_.latest();
    if (tip && covers(*tip, ledgerId, size)) {
      out.outcome = AnchorResult::Outcome::kCovered;
      out.statement = parseAnchorJson(*tip->file(kAnchorFile));
      out.commit = tip->commit;
      return out;
    }
    auto bytes = ledger_.canonicalBytes(count);
    if (!bytes) throw ledger::StorageError("the chain head's event cannot be read");
    AnchorStatement s{ledgerId,
                      size,
                      core::merkle::toHex(ledger_.treeHead(size).root),
                      count,
                      core::sha256Hex(*bytes),
                      core::formatRfc3339(now, core::almatyOffset(now), false)};
    const std::string json = anchorJson(s);
    std::vector<std::pair<std::string, std::string>> files = {{kAnchorFile, json}};
    out.timestamped = false;
    out.warning.clear();
    if (!options_.tsaUrl.empty()) {
      try {
        files.emplace_back(
            kTimestampFile,
            requestTimestamp(options_.tsaUrl, json, options_.tsaTimeout, options_.tsaCaFile));
        out.timestamped = true;
      } catch (const TimestampError& e) {
        out.warning = std::string("anchored without a time-stamp token: ") + e.what();
      }
    }
    const std::string message = "Anchor " + std::to_string(size) + " events of ledger " + ledgerId +
                                "\n\nRoot: " + s.root + "\nChain-Head: " + std::to_string(count) +
                                " " + s.chainHeadHash + "\n";
    auto [written, commit] =
        chain_.append(tip ? std::optional(tip->commit) : std::nullopt, files, message, now);
    if (written == repository::AnchorAppend::kWritten) {
      out.outcome = AnchorResult::Outcome::kWritten;
      out.statement = s;
      out.commit = commit;
      return out;
    }
  }
  throw Conflict(std::string(repository::kAnchorsRef) +
                 " kept moving under this writer; anchor again");
}

AnchorKeeper::AnchorKeeper(Anchoring& anchoring, std::chrono::seconds every,
                           std::function<void(const std::string&, const std::string&)> log)
    : anchoring_(anchoring), every_(every), log_(std::move(log)), thread_([this] { run(); }) {}

AnchorKeeper::~AnchorKeeper() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AnchorKeeper::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void AnchorKeeper::run() {
  auto next = std::chrono::steady_clock::now() + every_;
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait_until(lock, next, [&] { return stop_ || poked_; });
    if (stop_) return;
    poked_ = false;
    lock.unlock();
    const bool ok = once();
    lock.lock();
    const auto now = std::chrono::steady_clock::now();
    if (!ok) {
      next = now + std::min<std::chrono::steady_clock::duration>(every_, std::chrono::seconds(10));
    } else if (now >= next) {
      next = now + every_;
    }
  }
}

bool AnchorKeeper::once() {
  try {
    AnchorResult r = anchoring_.anchor(core::now());
    if (r.outcome == AnchorResult::Outcome::kWritten) {
      log_("info", "anchored " + std::to_string(r.statement.treeSize) + " events at " + r.commit +
                       (r.timestamped ? " with a time-stamp token" : ""));
    }
    if (!r.warning.empty()) log_("warning", r.warning);
    lastError_.clear();
    return true;
  } catch (const std::exception& e) {
    std::string why = std::string("anchoring failed; retrying later: ") + e.what();
    if (why != lastError_) log_("error", why);
    lastError_ = why;
    return false;
  }
}

}  // namespace charta::service
