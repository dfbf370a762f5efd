#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/merkle.h"
#include "ledger/ledger.h"
#include "ledger/raw_reader.h"

// Internal to src/ledger: verification reads the log on one thread and checks it on another, a
// bounded batch at a time (log_verify.cpp).
namespace charta::ledger::sql {

// Events copied out of the reader's buffers (one arena), with the stored Merkle nodes the tree
// completes over them, and what checking them found. Reused from batch to batch.
class EventBatch {
 public:
  void add(const RawEvent& e);
  std::size_t size() const { return events_.size(); }
  // Views into this batch, valid until clear() or the next add().
  RawEvent at(std::size_t i) const;
  void clear();

  // A stored Merkle node (level >= 4) read with the batch.
  struct Node {
    unsigned level;
    std::uint64_t idx;
    std::string_view hash;
  };
  void addNode(unsigned level, std::uint64_t idx, std::string_view hash);
  std::vector<Node> nodes() const;

  // Set by the reader: the tree positions this batch's events take.
  std::uint64_t treeFrom = 0, treeTo = 0;
  // Whether each event's bytes hash to its stored hash: filled by the reader when the checker is
  // behind, else left empty for the checker.
  std::vector<std::uint8_t> hashOk;

 private:
  struct Span {
    std::uint32_t at = 0, size = 0;
    bool present = false;
  };
  struct Stored {
    std::int64_t seq = 0, recordedAt = 0;
    std::optional<std::int64_t> edition;
    Span id, kind, pseudonym, document, idempotencyKey, prevHash, hash, bytes;
  };
  Span keep(std::optional<std::string_view> text);
  std::string_view view(const Span& s) const;

  std::string arena_;
  std::vector<Stored> events_;
  struct StoredNode {
    unsigned level;
    std::uint64_t idx;
    Span hash;
  };
  std::vector<StoredNode> nodes_;
};

// A reader thread hands batches to a checking thread, in order, at most "depth" in flight:
// memory is bounded whatever the size of the log.
//
//   BatchPipeline p(check, 3);
//   while (...) { EventBatch& b = p.next(); fill b; p.submit(); }
//   p.finish();   // waits for the checker; rethrows what it threw
class BatchPipeline {
 public:
  BatchPipeline(std::function<void(EventBatch&)> check, std::size_t depth);
  ~BatchPipeline();
  BatchPipeline(const BatchPipeline&) = delete;
  BatchPipeline& operator=(const BatchPipeline&) = delete;

  // A cleared batch to fill (waits while "depth" batches are being checked).
  EventBatch& next();
  // Hands the batch from next() to the checker.
  void submit();
  // Whether the checker is still at work on an earlier batch: the reader may then take on some of
  // the checking of the batch it is about to submit.
  bool checkerBusy();
  // Waits until every batch submitted is checked; rethrows the checker's exception.
  void finish();

 private:
  void run();

  std::function<void(EventBatch&)> check_;
  std::vector<std::unique_ptr<EventBatch>> all_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<EventBatch*> free_, full_;
  EventBatch* filling_ = nullptr;
  bool busy_ = false, stop_ = false;
  std::exception_ptr failure_;
  std::thread worker_;  // last: started once the rest is set up
};

}  // namespace charta::ledger::sql
