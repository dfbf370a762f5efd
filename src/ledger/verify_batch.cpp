#include "ledger/verify_batch.h"

namespace charta::ledger::sql {

EventBatch::Span EventBatch::keep(std::optional<std::string_view> text) {
  Span s;
  if (!text) return s;
  s.present = true;
  s.at = static_cast<std::uint32_t>(arena_.size());
  s.size = static_cast<std::uint32_t>(text->size());
  arena_.append(*text);
  return s;
}

std::string_view EventBatch::view(const Span& s) const {
  return std::string_view(arena_.data() + s.at, s.size);
}

void EventBatch::add(const RawEvent& e) {
  Stored s;
  s.seq = e.seq;
  s.recordedAt = e.recordedAt;
  s.edition = e.edition;
  s.id = keep(e.id);
  s.kind = keep(e.kind);
  s.pseudonym = keep(e.pseudonym);
  s.document = keep(e.document);
  s.idempotencyKey = keep(e.idempotencyKey);
  s.prevHash = keep(e.prevHash);
  s.hash = keep(e.hash);
  s.bytes = keep(e.bytes);
  events_.push_back(s);
}

RawEvent EventBatch::at(std::size_t i) const {
  const Stored& s = events_[i];
  auto opt = [&](const Span& span) -> std::optional<std::string_view> {
    if (!span.present) return std::nullopt;
    return view(span);
  };
  RawEvent e;
  e.seq = s.seq;
  e.id = view(s.id);
  e.kind = view(s.kind);
  e.recordedAt = s.recordedAt;
  e.pseudonym = opt(s.pseudonym);
  e.document = opt(s.document);
  e.edition = s.edition;
  e.idempotencyKey = opt(s.idempotencyKey);
  e.prevHash = view(s.prevHash);
  e.hash = view(s.hash);
  e.bytes = view(s.bytes);
  return e;
}

void EventBatch::addNode(unsigned level, std::uint64_t idx, std::string_view hash) {
  nodes_.push_back({level, idx, keep(hash)});
}

std::vector<EventBatch::Node> EventBatch::nodes() const {
  std::vector<Node> out;
  out.reserve(nodes_.size());
  for (const StoredNode& n : nodes_) out.push_back({n.level, n.idx, view(n.hash)});
  return out;
}

void EventBatch::clear() {
  arena_.clear();
  events_.clear();
  nodes_.clear();
  hashOk.clear();
  treeFrom = treeTo = 0;
}

BatchPipeline::BatchPipeline(std::function<void(EventBatch&)> check, std::size_t depth)
    : check_(std::move(check)) {
  for (std::size_t i = 0; i < depth + 1; ++i) {
    all_.push_back(std::make_unique<EventBatch>());
    free_.push_back(all_.back().get());
  }
  worker_ = std::thread([this] { run(); });
}

BatchPipeline::~BatchPipeline() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void BatchPipeline::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stop_ || !full_.empty(); });
    if (stop_) return;  // finish() saw everything checked, or the reader gave up
    EventBatch* b = full_.front();
    full_.pop_front();
    busy_ = true;
    const bool skip = failure_ != nullptr;
    lock.unlock();
    std::exception_ptr failed;
    try {
      if (!skip) check_(*b);
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    if (failed && !failure_) failure_ = failed;
    busy_ = false;
    free_.push_back(b);
    changed_.notify_all();
  }
}

EventBatch& BatchPipeline::next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !free_.empty(); });
  if (failure_) std::rethrow_exception(failure_);
  filling_ = free_.front();
  free_.pop_front();
  lock.unlock();
  filling_->clear();
  return *filling_;
}

void BatchPipeline::submit() {
  {
    std::lock_guard lock(mutex_);
    full_.push_back(filling_);
    filling_ = nullptr;
  }
  changed_.notify_all();
}

bool BatchPipeline::checkerBusy() {
  std::lock_guard lock(mutex_);
  return busy_ || !full_.empty();
}

void BatchPipeline::finish() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return full_.empty() && !busy_; });
  if (failure_) std::rethrow_exception(failure_);
}

}  // namespace charta::ledger::sql
