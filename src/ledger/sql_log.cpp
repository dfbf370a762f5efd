#include "ledger/sql_log.h"

#include <Poco/Data/Statement.h>

#include <algorithm>
#include <charconv>

#include "core/sha256.h"
#include "ledger/sql_events.h"
#include "ledger/sql_subjects.h"

namespace charta::ledger::sql {

using namespace Poco::Data::Keywords;
using Poco::Data::Statement;

namespace {

constexpr std::size_t kRowsPerInsert = 64;
// Bound values in one PostgreSQL statement (the protocol's limit is 65,535).
constexpr std::size_t kMaxParams = 60000;
constexpr std::size_t kEventParams = 11, kNodeParams = 3;

std::string eventsInsert(std::size_t n) {
  static constexpr std::string_view kRow =
      "(?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, 0), NULLIF(?, ''), ?, ?, ?)";
  std::string text =
      "INSERT INTO events (seq, id, kind, recorded_at, pseudonym, document, edition, "
      "idempotency_key, prev_hash, hash, bytes) VALUES ";
  for (std::size_t i = 0; i < n; ++i) text += (i ? ", " : "") + std::string(kRow);
  return text;
}

std::string nodesInsert(std::size_t n) {
  std::string text = "INSERT INTO merkle_nodes (level, idx, hash) VALUES ";
  for (std::size_t i = 0; i < n; ++i) text += i ? ", (?, ?, ?)" : "(?, ?, ?)";
  return text;
}

std::int64_t toInt(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return -1;
  return v;
}

// MTH of leaves [first, first + count) read from the events' bytes (count a power of two).
merkle::Hash hashFromEvents(Session& s, const Dialect& d, std::uint64_t first,
                            std::uint64_t count) {
  Poco::Int64 from = static_cast<Poco::Int64>(first) + 1;
  Poco::Int64 to = static_cast<Poco::Int64>(first + count);
  std::vector<Poco::Data::BLOB> bytes;
  s << d.sql("SELECT bytes FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq"), use(from),
      use(to), into(bytes), now;
  if (bytes.size() != count) {
    throw StorageError("the consent ledger lacks events " + std::to_string(from) + ".." +
                       std::to_string(to) + " of its Merkle tree");
  }
  std::vector<merkle::Hash> level;
  level.reserve(count);
  for (const auto& b : bytes) level.push_back(merkle::leafHash(blobText(b)));
  while (level.size() > 1) {
    for (std::size_t i = 0; i < level.size() / 2; ++i) {
      level[i] = merkle::nodeHash(level[2 * i], level[2 * i + 1]);
    }
    level.resize(level.size() / 2);
  }
  return level.front();
}

}  // namespace

Head lockHead(Session& s, const Dialect& d) {
  std::vector<Row> rows = d.select(s, d.headForUpdate(), {});
  if (rows.empty() || !rows.front()[0] || !rows.front()[1]) {
    throw StorageError("the consent ledger's chain head row is missing");
  }
  return {std::stoll(*rows.front()[0]), *rows.front()[1]};
}

void writeHead(Session& s, const Dialect& d, const Head& head) {
  Poco::Int64 seq = head.seq;
  std::string hash = head.hash;
  s << d.sql("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1"), use(seq), use(hash), now;
}

std::string blobText(const Poco::Data::BLOB& blob) {
  return std::string(reinterpret_cast<const char*>(blob.rawContent()), blob.size());
}

Poco::Data::BLOB toBlob(const std::string& bytes) {
  return Poco::Data::BLOB(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

merkle::PerfectHash storedPerfect(Session& s, const Dialect& d) {
  return [&s, &d](unsigned level, std::uint64_t index) -> merkle::Hash {
    if (level < kStoredLevel)
      return hashFromEvents(s, d, index << level, std::uint64_t{1} << level);
    Poco::Int64 lv = level, idx = static_cast<Poco::Int64>(index);
    std::vector<std::string> hash;
    s << d.sql("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?"), use(lv), use(idx),
        into(hash), now;
    std::optional<merkle::Hash> h = hash.empty() ? std::nullopt : merkle::fromHex(hash.front());
    if (!h) {
      throw StorageError("the consent ledger's Merkle node (" + std::to_string(level) + ", " +
                         std::to_string(index) + ") is missing or malformed");
    }
    return *h;
  };
}

namespace {

// A UUID of version 7 (RFC 9562 §5.7): the Unix time in milliseconds, then 74 random bits. Ids
// made together sort together, so the unique indexes on event ids take a batch's new ids in one
// leaf page instead of one page each (a random UUID lands anywhere in the index).
std::string uuid7(std::int64_t unixMs) {
  std::string b = randomBytes(16);
  for (int i = 0; i < 6; ++i)
    b[static_cast<std::size_t>(i)] = static_cast<char>(unixMs >> (40 - 8 * i));
  b[6] = static_cast<char>(0x70 | (b[6] & 0x0f));
  b[8] = static_cast<char>(0x80 | (b[8] & 0x3f));
  std::string hex = core::toHex(b);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20);
}

}  // namespace

Chained Tx::append(CanonicalEvent& event) {
  if (!event.values[kRecordedAtField]) {
    event.values[kRecordedAtField] = std::to_string(core::now().time_since_epoch().count());
  }
  if (!event.values[kIdField]) {
    event.values[kIdField] = uuid7(toInt(*event.values[kRecordedAtField]));
  }
  const std::int64_t seq = head_.seq + 1;
  event.values[kSeqField] = std::to_string(seq);
  event.set("prev_hash", head_.hash);
  std::string bytes = encode(event);
  const std::int64_t recordedAt = toInt(*event.values[kRecordedAtField]);
  auto edition = event.value("edition");
  Chained chained{seq, std::string(*event.values[kIdField]),
                  core::Instant{std::chrono::milliseconds{recordedAt}}, head_.hash,
                  core::sha256Hex(bytes)};
  frontier_.append(merkle::leafHash(bytes),
                   [&](unsigned level, std::uint64_t index, const merkle::Hash& h) {
                     if (level < kStoredLevel) return;
                     nodes_.push_back(Param::integer(level));
                     nodes_.push_back(Param::integer(static_cast<std::int64_t>(index)));
                     nodes_.push_back(Param::text(merkle::toHex(h)));
                     ++nodeCount_;
                   });
  rows_.push_back(Param::integer(seq));
  rows_.push_back(Param::text(chained.id));
  rows_.push_back(Param::text(std::string(kindName(event.kind))));
  rows_.push_back(Param::integer(recordedAt));
  rows_.push_back(Param::text(event.value("subject").value_or("")));
  rows_.push_back(Param::text(event.value("document").value_or("")));
  rows_.push_back(Param::integer(edition ? toInt(*edition) : 0));
  rows_.push_back(Param::text(event.value("idempotency_key").value_or("")));
  rows_.push_back(Param::text(head_.hash));
  rows_.push_back(Param::text(chained.hash));
  rows_.push_back(Param::blob(std::move(bytes)));  // kEventParams in all
  ++rowCount_;
  head_ = {seq, chained.hash};
  return chained;
}

void Tx::write(std::string insert, std::vector<Param> params) {
  if (combines()) {
    writes_.push_back({std::move(insert), std::move(params)});
    return;
  }
  dialect.execute(session, insert, params);
}

bool Tx::combines() const { return dialect.name() == "postgresql"; }

namespace {

// "n" items of "width" params each from "from" at item "at".
std::span<const Param> slice(const std::vector<Param>& from, std::size_t width, std::size_t at,
                             std::size_t n) {
  return std::span<const Param>(from).subspan(at * width, n * width);
}

}  // namespace

// One statement: WITH w0 AS (INSERT ...), ..., wN AS (INSERT INTO events ...) UPDATE chain_head.
void Tx::flushCombined() {
  std::string text = "WITH ";
  int k = 0;
  auto part = [&](const std::string& insert) {
    text += "w" + std::to_string(k++) + " AS (" + insert + "), ";
  };
  std::vector<Param> params;
  for (Write& w : writes_) {
    part(w.insert);
    std::move(w.params.begin(), w.params.end(), std::back_inserter(params));
  }
  part(eventsInsert(rowCount_));
  std::move(rows_.begin(), rows_.end(), std::back_inserter(params));
  if (nodeCount_ > 0) part(nodesInsert(nodeCount_));
  std::move(nodes_.begin(), nodes_.end(), std::back_inserter(params));
  text.resize(text.size() - 2);
  text += " UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1";
  params.push_back(Param::integer(head_.seq));
  params.push_back(Param::text(head_.hash));
  dialect.execute(session, text, params);
}

void Tx::flush() {
  std::size_t params = rows_.size() + nodes_.size() + 2;
  for (const Write& w : writes_) params += w.params.size();
  if (combines() && rowCount_ > 0 && params <= kMaxParams) {
    flushCombined();
  } else {
    for (const Write& w : writes_) dialect.execute(session, w.insert, w.params);
    for (std::size_t at = 0; at < rowCount_; at += kRowsPerInsert) {
      const std::size_t n = std::min(kRowsPerInsert, rowCount_ - at);
      dialect.execute(session, eventsInsert(n), slice(rows_, kEventParams, at, n));
    }
    for (std::size_t at = 0; at < nodeCount_; at += kRowsPerInsert) {
      const std::size_t n = std::min(kRowsPerInsert, nodeCount_ - at);
      dialect.execute(session, nodesInsert(n), slice(nodes_, kNodeParams, at, n));
    }
    if (rowCount_ > 0) writeHead(session, dialect, head_);
  }
  writes_.clear();
  rows_.clear();
  nodes_.clear();
  rowCount_ = nodeCount_ = 0;
}

std::optional<std::string> bytesAt(Session& s, const Dialect& d, std::int64_t seq) {
  Poco::Int64 at = seq;
  std::vector<Poco::Data::BLOB> bytes;
  s << d.sql("SELECT bytes FROM events WHERE seq = ?"), use(at), into(bytes), now;
  if (bytes.empty()) return std::nullopt;
  return blobText(bytes.front());
}

DecodedEvent decodeStored(const std::string& bytes, std::int64_t seq) {
  DecodedEvent e;
  std::string why = decode(bytes, e);
  if (!why.empty()) {
    throw StorageError("stored event seq " + std::to_string(seq) + " is malformed (" + why + ")");
  }
  return e;
}

Chained chainedOf(const DecodedEvent& e, const std::string& hash) {
  return Chained{toInt(*e.values[kSeqField]), std::string(*e.values[kIdField]),
                 core::Instant{std::chrono::milliseconds{toInt(*e.values[kRecordedAtField])}},
                 std::string(e.get("prev_hash").value_or("")), hash};
}

}  // namespace charta::ledger::sql
