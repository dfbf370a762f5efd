#include "ledger/group_commit.h"

#include <Poco/UUIDGenerator.h>

#include <map>

#include "ledger/chain.h"
#include "ledger/sql_events.h"

namespace charta::ledger::sql {

// What became of one request of a batch.
struct GroupCommit::Outcome {
  std::optional<AppendResult> result;
  std::exception_ptr refusal;  // Conflict or Blocked: this request only
};

namespace {

Conflict keyConflict() {
  return Conflict("the idempotency key was already used for a different consent request");
}

// The decisions of one batch, in order, inside its transaction: what is committed (by other
// processes too) and what the batch appended before each request both count.
class BatchDecider {
 public:
  BatchDecider(Head head, std::map<std::string, Event> stored, std::map<std::string, bool> blocked)
      : head_(std::move(head)), stored_(std::move(stored)), blocked_(std::move(blocked)) {}

  // Decides the request "e" with request digest "digest": a replay of the event stored or
  // appended under its idempotency key, a new event at the head of the chain, or a refusal.
  // throws Conflict: the key was used for a different request. throws Blocked.
  AppendResult decide(const NewEvent& e, const std::string& digest) {
    if (e.idempotencyKey) {
      if (const Event* prior = priorOf(*e.idempotencyKey)) {
        if (prior->requestDigest != digest) throw keyConflict();
        return AppendResult{*prior, true};
      }
    }
    if (e.type == EventType::kGiven && blocked_[e.subject]) {
      throw Blocked("the subject is blocked (clause 6.2.4): consent cannot be given");
    }
    Event ev{e,
             Poco::UUIDGenerator::defaultGenerator().createRandom().toString(),
             head_.seq + 1,
             core::now(),
             digest,
             head_.hash,
             ""};
    ChainFields f = chainFields(ev);
    ev.hash = chainHash(f);
    rows_.push_back(InsertRow::of(ev, f));
    head_ = {ev.seq, ev.hash};
    if (e.type == EventType::kBlocked || e.type == EventType::kUnblocked) {
      blocked_[e.subject] = e.type == EventType::kBlocked;
    }
    if (e.idempotencyKey) appended_.insert_or_assign(*e.idempotencyKey, ev);
    return AppendResult{std::move(ev), false};
  }

  std::vector<InsertRow>& rows() { return rows_; }
  const Head& head() const { return head_; }

 private:
  const Event* priorOf(const std::string& key) const {
    if (auto it = appended_.find(key); it != appended_.end()) return &it->second;
    if (auto it = stored_.find(key); it != stored_.end()) return &it->second;
    return nullptr;
  }

  Head head_;
  std::map<std::string, Event> stored_;    // committed, by idempotency key
  std::map<std::string, bool> blocked_;    // by subject; updated as the batch goes
  std::map<std::string, Event> appended_;  // by this batch, by idempotency key
  std::vector<InsertRow> rows_;
};

}  // namespace

GroupCommit::GroupCommit(const Dialect& dialect, const Options& options,
                         std::unique_ptr<Session> session)
    : dialect_(dialect), options_(options), session_(std::move(session)) {
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

AppendResult GroupCommit::append(NewEvent event, std::string digest) {
  Request r;
  r.event = std::move(event);
  r.digest = std::move(digest);
  auto future = r.appended.get_future();
  submit(&r);
  return future.get();
}

void GroupCommit::ping() { runJob(Job::kPing); }
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

void GroupCommit::runOne(Request& r) {
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
  } catch (...) {
    session_.reset();  // reconnect next time
    try {
      rethrowAsStorage(r.job == Job::kPing ? "ledger readiness check" : "reading settings");
    } catch (...) {
      r.done.set_exception(std::current_exception());
    }
  }
}

// One transaction for the whole batch. Round trips per batch, whatever its size (up to the chunk
// sizes): lock the head, look up the batch's idempotency keys, look up the blocking of its
// subjects, insert, move the head, commit.
std::vector<GroupCommit::Outcome> GroupCommit::commitBatch(const std::vector<Request*>& batch) {
  std::vector<Outcome> outcomes(batch.size());
  Session& s = session();
  dialect_.beginWrite(s);
  try {
    Head head = lockHead(s, dialect_);
    std::vector<std::string> keys, subjects;
    for (const Request* r : batch) {
      if (r->event->idempotencyKey) keys.push_back(*r->event->idempotencyKey);
      if (r->event->type == EventType::kGiven) subjects.push_back(r->event->subject);
    }
    BatchDecider decider(std::move(head), storedByKey(s, dialect_, keys),
                         blockingOf(s, dialect_, subjects));
    for (std::size_t i = 0; i < batch.size(); ++i) {
      try {
        outcomes[i].result = decider.decide(*batch[i]->event, batch[i]->digest);
      } catch (const Conflict&) {
        outcomes[i].refusal = std::current_exception();
      } catch (const Blocked&) {
        outcomes[i].refusal = std::current_exception();
      }
    }
    insertRows(s, dialect_, decider.rows());
    writeHead(s, dialect_, decider.head());
    dialect_.commit(s);
  } catch (...) {
    dialect_.rollback(s);
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
    std::exception_ptr failure;
    try {
      rethrowAsStorage("appending consent events");
    } catch (...) {
      failure = std::current_exception();
    }
    for (Request* r : batch) r->appended.set_exception(failure);
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (outcomes[i].refusal) {
      batch[i]->appended.set_exception(outcomes[i].refusal);
    } else {
      batch[i]->appended.set_value(std::move(*outcomes[i].result));
    }
  }
}

}  // namespace charta::ledger::sql
