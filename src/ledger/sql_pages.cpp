#include "ledger/sql_pages.h"

#include <Poco/Data/Statement.h>

#include <algorithm>
#include <cctype>

#include "core/consent.h"
#include "core/sha256.h"
#include "ledger/sql_log.h"

namespace charta::ledger::sql {

using namespace Poco::Data::Keywords;
using Poco::Data::Statement;

namespace {

constexpr const char* kColumns =
    "SELECT sha256, document, edition, language, variant, first_served_at FROM pages ";

std::vector<PageRecord> select(Session& s, const Dialect& d, const std::string& where,
                               std::vector<std::string> values, bool withBytes) {
  std::vector<std::string> sha, doc, lang, variant;
  std::vector<Poco::Int64> edition, at;
  std::vector<Poco::Data::BLOB> bytes;
  Statement st(s);
  st << d.sql(std::string(kColumns).replace(0, 6, withBytes ? "SELECT bytes," : "SELECT") + where);
  for (std::string& v : values) st, use(v);
  if (withBytes) st, into(bytes);
  st, into(sha), into(doc), into(edition), into(lang), into(variant), into(at);
  st.execute();
  std::vector<PageRecord> out;
  for (std::size_t i = 0; i < sha.size(); ++i) {
    auto document = core::DocumentId::parse(doc[i]);
    auto no = core::EditionNo::of(static_cast<long>(edition[i]));
    auto language = core::Lang::parse(lang[i]);
    if (!document || !no || !language) throw StorageError("an archived page's row is malformed");
    out.push_back(PageRecord{sha[i], withBytes ? blobText(bytes[i]) : std::string(), *document, *no,
                             *language, variant[i],
                             core::Instant{std::chrono::milliseconds{at[i]}}});
  }
  return out;
}

}  // namespace

bool storePage(Session& s, const Dialect& d, const PageRecord& page) {
  std::string sha = page.sha256;
  std::transform(sha.begin(), sha.end(), sha.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (sha != core::sha256Hex(page.bytes)) {
    throw InvalidInput("sha256 is not the SHA-256 of the page's bytes");
  }
  if (!core::isValidToken(page.variant)) {
    throw InvalidInput("variant must be 1-128 printable ASCII characters without spaces");
  }
  Poco::Data::BLOB bytes = toBlob(page.bytes);
  std::string doc = page.doc.str(), lang = page.lang.str(), variant = page.variant;
  Poco::Int64 edition = page.edition.value();
  Poco::Int64 at = page.firstServedAt.time_since_epoch().count();
  Statement st(s);
  st << d.sql(
      "INSERT INTO pages (sha256, bytes, document, edition, language, variant, "
      "first_served_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING"),
      use(sha), use(bytes), use(doc), use(edition), use(lang), use(variant), use(at);
  return st.execute() > 0;
}

std::optional<PageRecord> pageOf(Session& s, const Dialect& d, std::string_view sha256) {
  if (!core::isSha256Hex(sha256)) return std::nullopt;
  auto rows = select(s, d, "WHERE sha256 = ?", {std::string(sha256)}, true);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<PageRecord> pageVariants(Session& s, const Dialect& d, const core::DocumentId& doc,
                                     core::EditionNo edition, const core::Lang& lang) {
  return select(s, d,
                "WHERE document = ? AND CAST(edition AS TEXT) = ? AND language = ? "
                "ORDER BY first_served_at, sha256",
                {doc.str(), std::to_string(edition.value()), lang.str()}, false);
}

}  // namespace charta::ledger::sql
