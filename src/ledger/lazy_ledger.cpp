// openLedgerLazily: a ledger opened on first use.

#include <mutex>

#include "ledger/ledger.h"
#include "ledger/location.h"

namespace charta::ledger {
namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

// A ledger opened on first use; see openLedgerLazily. Every call is forwarded.
class LazyLedger final : public Ledger {
 public:
  using Ledger::append;
  using Ledger::verify;

  LazyLedger(std::string uri, const Options& options, std::chrono::milliseconds retry)
      : uri_(std::move(uri)), options_(options), retry_(retry) {
    backend_ =
        parseLocation(uri_).backend == Location::Backend::kPostgresql ? "postgresql" : "sqlite";
  }

  AppendResult append(const NewEvent& event, const Citation& citation) override {
    return get().append(event, citation);
  }
  std::optional<Event> find(std::string_view id) const override { return get().find(id); }
  std::vector<Event> bySubject(std::string_view subject,
                               const std::optional<core::DocumentId>& doc) const override {
    return get().bySubject(subject, doc);
  }
  bool isBlocked(std::string_view subject) const override { return get().isBlocked(subject); }
  VerifyReport verify(const VerifyOptions& options) const override { return get().verify(options); }
  void ping() override { get().ping(); }
  std::int64_t count() const override { return get().count(); }
  Settings settings() override { return get().settings(); }
  std::string_view backend() const override { return backend_; }
  std::string ledgerId() const override { return get().ledgerId(); }
  Recorded<ChainedPublication> recordPublication(const PublicationFacts& facts) override {
    return get().recordPublication(facts);
  }
  Recorded<ChainedWithdrawal> recordWithdrawal(const WithdrawalFacts& facts) override {
    return get().recordWithdrawal(facts);
  }
  std::vector<ChainedPublication> publications(const core::DocumentId& doc) const override {
    return get().publications(doc);
  }
  std::vector<core::DocumentId> publishedDocuments() const override {
    return get().publishedDocuments();
  }
  std::optional<Chained> erase(std::string_view subject, std::string_view reason,
                               std::string_view by) override {
    return get().erase(subject, reason, by);
  }
  SubjectState subjectState(std::string_view subject) const override {
    return get().subjectState(subject);
  }
  std::optional<std::string> subjectKey(std::string_view subject) const override {
    return get().subjectKey(subject);
  }
  TreeHead treeHead(std::uint64_t size) const override { return get().treeHead(size); }
  std::vector<core::merkle::Hash> inclusionProof(std::int64_t seq,
                                                 std::uint64_t size) const override {
    return get().inclusionProof(seq, size);
  }
  std::vector<core::merkle::Hash> consistencyProof(std::uint64_t first,
                                                   std::uint64_t second) const override {
    return get().consistencyProof(first, second);
  }
  std::optional<std::string> canonicalBytes(std::int64_t seq) const override {
    return get().canonicalBytes(seq);
  }
  TailReport checkTail() override { return get().checkTail(); }
  bool storePage(const PageRecord& page) override { return get().storePage(page); }
  std::optional<PageRecord> page(std::string_view sha256) const override {
    return get().page(sha256);
  }
  std::vector<PageRecord> pageVariants(const core::DocumentId& doc, core::EditionNo edition,
                                       const core::Lang& lang) const override {
    return get().pageVariants(doc, edition, lang);
  }

 private:
  Ledger& get() const {
    std::lock_guard lock(mu_);
    if (inner_) return *inner_;
    auto now = std::chrono::steady_clock::now();
    if (tried_ && now - lastTry_ < retry_) throw StorageError(lastError_);
    tried_ = true;
    lastTry_ = now;
    try {
      inner_ = openLedger(uri_, options_);
    } catch (const StorageError& e) {
      lastError_ = e.what();
      throw;
    }
    return *inner_;
  }

  std::string uri_;
  Options options_;
  std::chrono::milliseconds retry_;
  std::string backend_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<Ledger> inner_;  // set once, never reset
  mutable bool tried_ = false;
  mutable std::chrono::steady_clock::time_point lastTry_;
  mutable std::string lastError_;
};

}  // namespace

std::unique_ptr<Ledger> openLedgerLazily(std::string_view uri, const Options& options,
                                         std::chrono::milliseconds retry) {
  parseLocation(uri);  // a malformed URI is a configuration error now, not later
  return std::make_unique<LazyLedger>(std::string(uri), options, retry);
}

}  // namespace charta::ledger
