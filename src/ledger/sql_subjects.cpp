#include "ledger/sql_subjects.h"

#include <Poco/Data/Statement.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "core/sha256.h"

namespace charta::ledger::sql {

using namespace Poco::Data::Keywords;
using Poco::Data::Statement;

namespace {

constexpr std::size_t kInList = 128;

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Fills "out" from stored columns; an erased row has no key.
SubjectRow rowOf(std::string lookup, const std::string& key, const std::string& pseudonym) {
  SubjectRow row;
  row.lookup = std::move(lookup);
  if (!key.empty() && !pseudonym.empty()) {
    row.key = fromHexBytes(key);
    row.pseudonym = pseudonym;
  } else {
    row.erased = true;
  }
  return row;
}

}  // namespace

std::string lookupOf(std::string_view secret, std::string_view subject) {
  return core::hmacSha256Hex(secret, subject);
}

std::string randomBytes(std::size_t n) {
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = getrandom(out.data() + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    got += static_cast<std::size_t>(r);
  }
  return out;
}

std::string fromHexBytes(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = hexDigit(hex[i]), lo = hexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) throw StorageError("a stored subject key is not hex");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::optional<SubjectRow> subjectRow(Session& s, const Dialect& d, std::string_view secret,
                                     std::string_view subject) {
  std::string lookup = lookupOf(secret, subject);
  std::vector<Row> rows =
      d.select(s, "SELECT subject_key, pseudonym FROM subjects WHERE lookup = ?", {lookup});
  if (rows.empty()) return std::nullopt;
  return rowOf(lookup, rows.front()[0].value_or(""), rows.front()[1].value_or(""));
}

void SubjectKeys::load(const std::vector<std::string>& subjects) {
  std::map<std::string, std::string> byLookup;  // lookup -> subject id
  for (const std::string& subject : subjects) {
    if (!rows_.count(subject)) byLookup.emplace(lookupOf(secret_, subject), subject);
  }
  std::vector<std::string> lookups;
  lookups.reserve(byLookup.size());
  for (const auto& [lookup, subject] : byLookup) lookups.push_back(lookup);
  for (std::size_t at = 0; at < lookups.size(); at += kInList) {
    const std::size_t n = std::min(kInList, lookups.size() - at);
    std::string text = "SELECT lookup, subject_key, pseudonym FROM subjects WHERE lookup IN (";
    for (std::size_t i = 0; i < n; ++i) text += i ? ", ?" : "?";
    const std::vector<std::string> values(lookups.begin() + static_cast<std::ptrdiff_t>(at),
                                          lookups.begin() + static_cast<std::ptrdiff_t>(at + n));
    for (const Row& r : d_.select(s_, text + ")", values)) {
      rows_[byLookup.at(r[0].value_or(""))] =
          rowOf(r[0].value_or(""), r[1].value_or(""), r[2].value_or(""));
    }
  }
  for (const auto& [lookup, subject] : byLookup) {
    if (!rows_.count(subject)) absent_.insert(subject);  // keyOf need not ask again
  }
}

const SubjectRow* SubjectKeys::live(const std::string& subject) const {
  auto it = rows_.find(subject);
  return it != rows_.end() && it->second.key ? &it->second : nullptr;
}

const SubjectRow& SubjectKeys::keyOf(const std::string& subject) {
  if (const SubjectRow* row = live(subject)) return *row;
  if (!absent_.count(subject)) load({subject});
  auto it = rows_.find(subject);
  const bool existed = it != rows_.end();
  if (existed && it->second.key) return it->second;
  SubjectRow row;
  row.lookup = lookupOf(secret_, subject);
  row.key = randomBytes(32);
  row.pseudonym = core::hmacSha256Hex(*row.key, subject);
  made_[subject] = existed;
  return rows_[subject] = std::move(row);
}

void SubjectKeys::flush(Tx* tx) {
  std::vector<New> inserts;
  for (const auto& [subject, existed] : made_) {
    const SubjectRow& row = rows_.at(subject);
    New n{row.lookup, subject, core::toHex(*row.key), *row.pseudonym};
    if (existed) {
      s_ << d_.sql(
          "UPDATE subjects SET subject = ?, subject_key = ?, pseudonym = ?, erased_on = NULL "
          "WHERE lookup = ?"),
          use(n.who), use(n.key), use(n.pseudonym), use(n.lookup), now;
    } else {
      inserts.push_back(std::move(n));
    }
  }
  made_.clear();
  absent_.clear();
  // New subjects: one statement per kInList rows, or a part of the transaction's write.
  for (std::size_t at = 0; at < inserts.size(); at += kInList) {
    const std::size_t n = std::min(kInList, inserts.size() - at);
    std::string text = "INSERT INTO subjects (lookup, subject, subject_key, pseudonym) VALUES ";
    for (std::size_t i = 0; i < n; ++i) text += i ? ", (?, ?, ?, ?)" : "(?, ?, ?, ?)";
    std::vector<Param> params;
    params.reserve(4 * n);
    for (std::size_t i = at; i < at + n; ++i) {
      for (const std::string* v :
           {&inserts[i].lookup, &inserts[i].who, &inserts[i].key, &inserts[i].pseudonym}) {
        params.push_back(Param::text(*v));
      }
    }
    if (tx) {
      tx->write(std::move(text), std::move(params));
    } else {
      d_.execute(s_, text, params);
    }
  }
}

std::optional<Chained> eraseSubject(Tx& tx, std::string_view secret, const std::string& subject,
                                    const std::string& reason, const std::string& by) {
  std::optional<SubjectRow> row = subjectRow(tx.session, tx.dialect, secret, subject);
  if (!row) throw NotFound("the ledger has no event of this subject");
  if (!row->key) return std::nullopt;
  CanonicalEvent e = CanonicalEvent::of(Kind::kSubjectErased);
  e.set("subject", *row->pseudonym);
  e.set("reason", reason);
  e.set("by", by);
  Chained at = tx.append(e);
  tx.flush();
  std::string lookup = row->lookup, pseudonym = *row->pseudonym;
  // The UTC day only: the moment would link the row to its erasure event.
  Poco::Int64 day = at.recordedAt.time_since_epoch().count() / 86400000;
  tx.session << tx.dialect.sql(
      "UPDATE subjects SET subject = NULL, subject_key = NULL, pseudonym = NULL, "
      "erased_on = ? WHERE lookup = ?"),
      use(day), use(lookup), now;
  tx.session << tx.dialect.sql("DELETE FROM personal WHERE pseudonym = ?"), use(pseudonym), now;
  return at;
}

}  // namespace charta::ledger::sql
