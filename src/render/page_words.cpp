#include "render/page_words.h"

#include <chrono>
#include <cstdio>
#include <map>

#include "core/time.h"
#include "core/words.h"
#include "render/site.h"

namespace charta::render {
namespace detail {
namespace {

constexpr const char* kMonthsRu[] = {"января",   "февраля", "марта",  "апреля",
                                     "мая",      "июня",    "июля",   "августа",
                                     "сентября", "октября", "ноября", "декабря"};
constexpr const char* kMonthsEn[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

constexpr Strings kRu{
    "Перейти к тексту",
    "Язык",
    "Редакции",
    "Редакция",
    "редакция",
    "Действует с",
    "Вступает в силу",
    "Вступила в силу",
    "Должна была вступить в силу",
    "Опубликована",
    "Отозвана",
    "Изменения",
    "Все редакции",
    "Предыдущая редакция",
    "Содержание",
    "Лента изменений (Atom)",
    "Статус",
    "Вступление в силу",
    "действует",
    "вступает в силу",
    "не действует",
    "отозвана",
    "Эта редакция ещё не действует: она вступает в силу {T}.",
    "Действующая редакция — {L}.",
    "Эта редакция не действует; действующая редакция — {L}.",
    "Эта редакция не действует.",
    "Эта редакция отозвана {T} и не вступит в силу.",
    "Причина: {R}",
    "Опубликована новая редакция — {L}; она вступает в силу {T}.",
    "отозвана: {R}",
    "{R}: редакции",
    "Вступает в силу {T}.",
    "Ошибка {N}",
    kMonthsRu,
    "Что изменилось по сравнению с редакцией {N}",
    "Изменения в редакции {N}",
    "изменения: {A} → {B}",
    "Что изменилось: {A} → {B}.",
    "Одобрили: {P}.",
    "импортирована",
};

constexpr Strings kEn{
    "Skip to the text",
    "Language",
    "Editions",
    "Edition",
    "edition",
    "In force since",
    "Takes effect",
    "Took effect",
    "Was to take effect",
    "Published",
    "Withdrawn",
    "Changes",
    "All editions",
    "Previous edition",
    "Contents",
    "Changes feed (Atom)",
    "Status",
    "Effective from",
    "in force",
    "upcoming",
    "superseded",
    "withdrawn",
    "This edition is not in force yet: it takes effect on {T}.",
    "The edition in force is {L}.",
    "This edition is no longer in force; the edition in force is {L}.",
    "This edition is no longer in force.",
    "This edition was withdrawn on {T} and will not take effect.",
    "Reason: {R}",
    "A new edition has been published — {L}; it takes effect on {T}.",
    "withdrawn: {R}",
    "{R}: editions",
    "Takes effect on {T}.",
    "Error {N}",
    kMonthsEn,
    "What changed since edition {N}",
    "Changes in edition {N}",
    "changes: {A} → {B}",
    "What changed: {A} → {B}.",
    "Approved by {P}.",
    "imported",
};

// The primary subtag of "lang" in lower case: "en" for "en-GB".
std::string primarySubtag(const core::Lang& lang) {
  const std::string& t = lang.str();
  return core::asciiLower(std::string_view(t).substr(0, t.find('-')));
}

}  // namespace

bool isRussian(const core::Lang& lang) { return primarySubtag(lang) == "ru"; }

const Strings& stringsFor(const core::Lang& lang) { return isRussian(lang) ? kRu : kEn; }

std::string languageName(const core::Lang& lang) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"ru", "Русский"},  {"kk", "Қазақша"},    {"en", "English"},    {"uz", "Oʻzbekcha"},
      {"ky", "Кыргызча"}, {"tr", "Türkçe"},     {"de", "Deutsch"},    {"fr", "Français"},
      {"zh", "中文"},     {"uk", "Українська"}, {"be", "Беларуская"}, {"tg", "Тоҷикӣ"}};
  auto it = kNames.find(primarySubtag(lang));
  return it == kNames.end() ? lang.str() : it->second;
}

const char* statusClass(core::EditionStatus s) {
  switch (s) {
    case core::EditionStatus::kInForce:
      return "in-force";
    case core::EditionStatus::kUpcoming:
      return "upcoming";
    case core::EditionStatus::kSuperseded:
      return "superseded";
    case core::EditionStatus::kWithdrawn:
      return "withdrawn";
  }
  return "in-force";
}

std::string_view statusWord(const Strings& s, core::EditionStatus st) {
  switch (st) {
    case core::EditionStatus::kInForce:
      return s.statusInForce;
    case core::EditionStatus::kUpcoming:
      return s.statusUpcoming;
    case core::EditionStatus::kSuperseded:
      return s.statusSuperseded;
    case core::EditionStatus::kWithdrawn:
      return s.statusWithdrawn;
  }
  return s.statusInForce;
}

std::string editionLabel(std::string_view word, core::EditionNo no) {
  return std::string(word) + " " + std::to_string(no.value());
}

}  // namespace detail

std::string formatMoment(core::Instant t, const core::Lang& lang) {
  using namespace std::chrono;
  const detail::Strings& s = detail::stringsFor(lang);
  minutes offset = core::almatyOffset(t);
  auto local = floor<minutes>(t + offset);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss<minutes> hm{local - day};
  long off = offset.count();
  char buf[96];
  std::snprintf(buf, sizeof buf, "%u %s %d, %02d:%02d (UTC%c%02ld:%02ld)",
                static_cast<unsigned>(ymd.day()), s.months[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hm.hours().count()),
                static_cast<int>(hm.minutes().count()), off < 0 ? '-' : '+',
                (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
  return buf;
}

}  // namespace charta::render
