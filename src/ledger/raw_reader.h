#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Internal to src/ledger: reading the log for verification with the databases' own C APIs
// (sqlite3, libpq), without Poco::Data's per-row cost, in one snapshot and constant memory.
namespace charta::ledger::sql {

// One row of `events` as read; the views live until the callback returns.
struct RawEvent {
  std::int64_t seq = 0;
  std::string_view id, kind;
  std::int64_t recordedAt = 0;
  std::optional<std::string_view> pseudonym, document, idempotencyKey;
  std::optional<std::int64_t> edition;
  std::string_view prevHash, hash, bytes;
};

// A read-only connection. Not thread-safe (one verification at a time).
class RawReader {
 public:
  virtual ~RawReader() = default;
  // Starts reading one consistent snapshot; end() finishes it.
  virtual void begin() = 0;
  virtual void end() noexcept = 0;
  // The chain head row (seq, hash); nullopt when it is missing.
  virtual std::optional<std::pair<std::int64_t, std::string>> head() = 0;
  // Calls "fn" for each event with from <= seq <= to, by seq.
  virtual void events(std::int64_t from, std::int64_t to,
                      const std::function<void(const RawEvent&)>& fn) = 0;
  // Calls "fn" for at most "limit" events with seq >= from, by seq; returns how many. Verify
  // reads the log with it a batch at a time (SQLite: one prepared statement stepped in place;
  // PostgreSQL: one COPY ... TO STDOUT (FORMAT binary) per batch, streamed).
  virtual std::size_t eventsFrom(std::int64_t from, std::size_t limit,
                                 const std::function<void(const RawEvent&)>& fn) = 0;
  // Calls "fn" for each stored Merkle node of "level" with from <= idx < to, by idx.
  virtual void nodes(unsigned level, std::uint64_t from, std::uint64_t to,
                     const std::function<void(std::uint64_t, std::string_view)>& fn) = 0;
  // The stored nodes of several ranges in one read: "fn"(level, idx, hash) for each, in any order.
  struct NodeRange {
    unsigned level;
    std::uint64_t from, to;  // from <= idx < to
  };
  virtual void nodes(const std::vector<NodeRange>& ranges,
                     const std::function<void(unsigned, std::uint64_t, std::string_view)>& fn) = 0;
};

// throws StorageError: the database cannot be opened or read.
std::unique_ptr<RawReader> sqliteRawReader(const std::string& file,
                                           std::chrono::milliseconds busyTimeout);
std::unique_ptr<RawReader> postgresqlRawReader(const std::string& conninfo);

}  // namespace charta::ledger::sql
