#include "ledger/sql_log.h"

#include <Poco/Data/Statement.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <charconv>

#include "core/sha256.h"
#include "ledger/sql_events.h"

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
  std::vector<Poco::Int64> seq;
  std::vector<std::string> hash;
  s << d.headForUpdate(), into(seq), into(hash), now;
  if (seq.empty()) throw StorageError("the consent ledger's chain head row is missing");
  return {seq.front(), hash.front()};
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

Chained Tx::append(CanonicalEvent& event) {
  if (!event.values[kIdField]) {
    event.values[kIdField] = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  }
  if (!event.values[kRecordedAtField]) {
    event.values[kRecordedAtField] = std::to_string(core::now().time_since_epoch().count());
  }
  const std::int64_t seq = head_.seq + 1;
  event.values[kSeqField] = std::to_string(seq);
  event.set("prev_hash", head_.hash);
  const std::string bytes = encode(event);
  Row row;
  row.seq = seq;
  row.recordedAt = toInt(*event.values[kRecordedAtField]);
  row.id = *event.values[kIdField];
  row.kind = std::string(kindName(event.kind));
  row.pseudonym = event.value("subject").value_or("");
  row.document = event.value("document").value_or("");
  auto edition = event.value("edition");
  row.edition = edition ? toInt(*edition) : 0;
  row.idempotencyKey = event.value("idempotency_key").value_or("");
  row.prevHash = head_.hash;
  row.hash = core::sha256Hex(bytes);
  row.bytes = toBlob(bytes);
  frontier_.append(
      merkle::leafHash(bytes), [&](unsigned level, std::uint64_t index, const merkle::Hash& h) {
        if (level >= kStoredLevel) {
          nodes_.push_back(
              {static_cast<Poco::Int64>(level), static_cast<Poco::Int64>(index), merkle::toHex(h)});
        }
      });
  Chained chained{seq, row.id, core::Instant{std::chrono::milliseconds{row.recordedAt}},
                  row.prevHash, row.hash};
  head_ = {seq, row.hash};
  rows_.push_back(std::move(row));
  return chained;
}

void Tx::write(std::string insert, std::size_t params, Bind bind) {
  if (combines()) {
    writes_.push_back({std::move(insert), params, std::move(bind)});
    return;
  }
  Statement st(session);
  st << dialect.sql(insert);
  bind(st);
  st.execute();
}

bool Tx::combines() const { return dialect.name() == "postgresql"; }

void Tx::bindRows(Statement& st, std::size_t at, std::size_t n) {
  for (std::size_t i = at; i < at + n; ++i) {
    Row& r = rows_[i];
    st, use(r.seq), use(r.id), use(r.kind), use(r.recordedAt), use(r.pseudonym), use(r.document),
        use(r.edition), use(r.idempotencyKey), use(r.prevHash), use(r.hash), use(r.bytes);
  }
}

void Tx::bindNodes(Statement& st, std::size_t at, std::size_t n) {
  for (std::size_t i = at; i < at + n; ++i)
    st, use(nodes_[i].level), use(nodes_[i].idx), use(nodes_[i].hash);
}

// One statement: WITH w0 AS (INSERT ...), ..., wN AS (INSERT INTO events ...) UPDATE chain_head.
void Tx::flushCombined() {
  std::string text = "WITH ";
  int k = 0;
  auto part = [&](const std::string& insert) {
    text += "w" + std::to_string(k++) + " AS (" + insert + "), ";
  };
  for (const Write& w : writes_) part(w.insert);
  part(eventsInsert(rows_.size()));
  if (!nodes_.empty()) part(nodesInsert(nodes_.size()));
  text.resize(text.size() - 2);
  text += " UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1";
  Statement st(session);
  st << dialect.sql(text);
  for (Write& w : writes_) w.bind(st);
  bindRows(st, 0, rows_.size());
  bindNodes(st, 0, nodes_.size());
  Poco::Int64 seq = head_.seq;
  std::string hash = head_.hash;
  st, use(seq), use(hash);
  st.execute();
}

void Tx::flush() {
  std::size_t params = rows_.size() * kEventParams + nodes_.size() * kNodeParams + 2;
  for (const Write& w : writes_) params += w.params;
  if (combines() && !rows_.empty() && params <= kMaxParams) {
    flushCombined();
  } else {
    for (Write& w : writes_) {
      Statement st(session);
      st << dialect.sql(w.insert);
      w.bind(st);
      st.execute();
    }
    for (std::size_t at = 0; at < rows_.size(); at += kRowsPerInsert) {
      const std::size_t n = std::min(kRowsPerInsert, rows_.size() - at);
      Statement st(session);
      st << dialect.sql(eventsInsert(n));
      bindRows(st, at, n);
      st.execute();
    }
    for (std::size_t at = 0; at < nodes_.size(); at += kRowsPerInsert) {
      const std::size_t n = std::min(kRowsPerInsert, nodes_.size() - at);
      Statement st(session);
      st << dialect.sql(nodesInsert(n));
      bindNodes(st, at, n);
      st.execute();
    }
    if (!rows_.empty()) writeHead(session, dialect, head_);
  }
  writes_.clear();
  rows_.clear();
  nodes_.clear();
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
