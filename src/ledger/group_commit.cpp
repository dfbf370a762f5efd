#include "ledger/group_commit.h"

#include <map>

#include "ledger/sql_consents.h"

namespace charta::ledger::sql {

namespace {

// The exception being handled, as rethrowAsStorage turns it into an Error. Call in a handler.
std::exception_ptr storageFailure(std::string_view doing) {
  try {
    rethrowAsStorage(doing);
  } catch (...) {
    return std::current_exception();
  }
}

}  // namespace

// What became of one request of a batch.
struct GroupCommit::Outcome {
  std::optional<AppendResult> result;
  std::exception_ptr refusal;  // Conflict or Blocked: this request only
};

GroupCommit::GroupCommit(const Dialect& dialect, const Options& options,
                         std::unique_ptr<Session> session, std::string secret)
    : dialect_(dialect),
      options_(options),
      session_(std::move(session)),
      secret_(std::move(secret)) {
  thread_ = std::thread([this] { loop(); });
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

AppendResult GroupCommit::append(NewEvent event, Citation citation, std::string digest) {
  Request r;
  r.event = std::move(event);
  r.citation = std::move(citation);
  r.digest = std::move(digest);
  auto future = r.appended.get_future();
  submit(&r);
  return future.get();
}

void GroupCommit::ping() { runJob(Job::kPing); }

void GroupCommit::transact(std::function<void(Tx&)> fn) {
  Request r;
  r.job = Job::kTransact;
  r.fn = std::move(fn);
  auto future = r.done.get_future();
  submit(&r);
  future.get();
}
Settings GroupCommit::settings() { return runJob(Job::kSettings); }

void GroupCommit::submit(Request* r) {
  {
    std::lock_guard lock(mutex_);
    if (stop_) throw StorageError("the consent ledger is closing");
    // The caller waits on the request's future until the writer has answered and dropped it.
    // cppcheck-suppress danglingLifetime
    queue_.push_back(r);
  }
  cv_.notify_one();
}

Settings GroupCommit::runJob(Job job) {
  Request r;
  r.job = job;
  auto future = r.done.get_future();
  submit(&r);
  return future.get();
}

// The next batch: appends up to maxBatch, waiting "linger" for more when there are fewer, or one
// other job. Empty: stopping, and everything is answered.
std::vector<GroupCommit::Request*> GroupCommit::nextBatch() {
  std::vector<Request*> batch;
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
  if (queue_.empty()) return batch;
  if (options_.linger.count() > 0 && queue_.size() < options_.maxBatch && !stop_ &&
      queue_.front()->job == Job::kAppend) {
    cv_.wait_for(lock, options_.linger,
                 [&] { return stop_ || queue_.size() >= options_.maxBatch; });
  }
  if (queue_.front()->job != Job::kAppend) {
    batch.push_back(queue_.front());
    queue_.pop_front();
    return batch;
  }
  while (!queue_.empty() && queue_.front()->job == Job::kAppend &&
         batch.size() < options_.maxBatch) {
    batch.push_back(queue_.front());
    queue_.pop_front();
  }
  return batch;
}

void GroupCommit::loop() {
  for (;;) {
    std::vector<Request*> batch = nextBatch();
    if (batch.empty()) return;
    if (batch.front()->job == Job::kAppend) {
      runBatch(batch);
    } else {
      runOne(*batch.front());
    }
  }
}

Session& GroupCommit::session() {
  if (!session_) session_ = dialect_.connect();
  return *session_;
}

// A failure is handed to the waiting thread only once this thread holds no reference to it (the
// handler's own ends with its catch block): the waiter is then the one to destroy it.
void GroupCommit::runOne(Request& r) {
  if (r.job == Job::kTransact) {
    std::exception_ptr failure;
    try {
      Tx tx = begin();
      try {
        r.fn(tx);
        end(tx);
      } catch (...) {
        dialect_.rollback(tx.session);
        throw;
      }
      r.done.set_value({});
      return;
    } catch (const Error&) {
      failure = std::current_exception();
    } catch (...) {
      session_.reset();
      frontier_.reset();
      failure = storageFailure("writing to the consent ledger");
    }
    r.done.set_exception(std::move(failure));
    return;
  }
  std::exception_ptr failure;
  try {
    Session& s = session();
    Settings out;
    if (r.job == Job::kPing) {
      dialect_.beginWrite(s);
      try {
        lockHead(s, dialect_);
      } catch (...) {
        dialect_.rollback(s);
        throw;
      }
      dialect_.rollback(s);
    } else {
      out = dialect_.settings(s);
    }
    r.done.set_value(std::move(out));
    return;
  } catch (...) {
    session_.reset();  // reconnect next time
    failure = storageFailure(r.job == Job::kPing ? "ledger readiness check" : "reading settings");
  }
  r.done.set_exception(std::move(failure));
}

Tx GroupCommit::begin() {
  Session& s = session();
  dialect_.beginWrite(s);
  try {
    Head head = lockHead(s, dialect_);
    if (!frontier_ || frontier_->size() != static_cast<std::uint64_t>(head.seq)) {
      frontier_.reset();
      frontier_ = core::merkle::Frontier::of(static_cast<std::uint64_t>(head.seq),
                                             storedPerfect(s, dialect_));
    }
    return Tx(s, dialect_, std::move(head), *frontier_);
  } catch (...) {
    dialect_.rollback(s);
    throw;
  }
}

void GroupCommit::end(Tx& tx) {
  tx.flush();
  dialect_.commit(tx.session);
  frontier_ = tx.frontier();
}

// One transaction for the whole batch. Round trips per batch, whatever its size (up to the chunk
// sizes): lock the head, look up the batch's subjects, idempotency keys and blocking, insert the
// events, nodes, subjects and personal values, move the head, commit.
std::vector<GroupCommit::Outcome> GroupCommit::commitBatch(const std::vector<Request*>& batch) {
  std::vector<Outcome> outcomes(batch.size());
  Tx tx = begin();
  try {
    std::vector<ConsentRequest> requests;
    requests.reserve(batch.size());
    for (const Request* r : batch) requests.push_back({&*r->event, &r->citation, &r->digest});
    ConsentBatch decider(tx, secret_, options_.requirePublication, publications_);
    decider.prepare(requests);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      try {
        outcomes[i].result = decider.decide(requests[i]);
      } catch (const StorageError&) {
        throw;
      } catch (const Error&) {
        outcomes[i].refusal = std::current_exception();  // this request only
      }
    }
    decider.flush();
    end(tx);
  } catch (...) {
    dialect_.rollback(tx.session);
    throw;
  }
  return outcomes;
}

void GroupCommit::runBatch(const std::vector<Request*>& batch) {
  std::vector<Outcome> outcomes;
  try {
    outcomes = commitBatch(batch);
  } catch (...) {
    session_.reset();  // the connection may be broken: reconnect for the next batch
    frontier_.reset();
    std::vector<std::exception_ptr> failures;  // one each: no waiter shares one with another
    failures.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      failures.push_back(storageFailure("appending consent events"));
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i]->appended.set_exception(std::move(failures[i]));
    }
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (outcomes[i].refusal) {
      batch[i]->appended.set_exception(std::move(outcomes[i].refusal));
    } else {
      batch[i]->appended.set_value(std::move(*outcomes[i].result));
    }
  }
}

}  // namespace charta::ledger::sql
