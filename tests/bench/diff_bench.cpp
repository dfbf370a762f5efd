// The redline and the lint against cmark-gfm's own rendering of the same text, in the same run:
// diff of two ~20 KB editions of the seed policy (the second with a changed purpose clause, an
// inserted clause that renumbers five others, a removed one, a moved one and a few words changed
// elsewhere) and the lint of one, time per run, next to cmark_markdown_to_html of the same text.
// Not a test: prints a table. Target: diff <= 5x render.
//
//   diff_bench [--runs N] [--file PATH] [--check]
//
// --runs   how many times each is timed (default 300); medians and p90 are printed
// --file   the first edition (default: policies/personal-data/ru.md of the source tree)
// --check  exit 1 when the diff's median exceeds 5x the render's

#include <cmark-gfm.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/diff.h"
#include "core/front_matter.h"
#include "core/lint.h"
#include "render/markdown.h"

using namespace charta;
using Clock = std::chrono::steady_clock;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "diff_bench: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void replace(std::string& s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  if (p == std::string::npos) {
    std::fprintf(stderr, "diff_bench: the text has no \"%s\"\n", from.c_str());
    std::exit(2);
  }
  s.replace(p, from.size(), to);
}

// The second edition: what a legal team changes in one revision.
std::string edited(std::string t) {
  replace(t, "5.2. Пользователь соглашается",
          "5.2. Администрация сайта вправе передавать обезличенные данные партнёрам для "
          "статистики.\n\n5.3. Пользователь соглашается");
  replace(t, "5.3. Персональные данные Пользователя могут",
          "5.4. Персональные данные Пользователя могут");
  replace(t, "5.4. При утрате", "5.5. При утрате");
  replace(t, "5.5. Администрация сайта принимает", "5.6. Администрация сайта принимает");
  replace(t, "5.6. Администрация сайта совместно", "5.7. Администрация сайта совместно");
  replace(t, "с его согласия, обновлений", "с его письменного согласия, обновлений");
  replace(t, "\n\n8.4. К настоящей Политике", "\n\n8.3.1. К настоящей Политике");
  replace(t,
          "\n\n2.4. Администрация сайта не проверяет достоверность персональных данных, "
          "предоставляемых Пользователем интернет-магазина.",
          "");
  replace(t, "\n\n## 4. ЦЕЛИ",
          "\n\n3.5. Администрация сайта не проверяет достоверность персональных данных, "
          "предоставляемых Пользователем.\n\n## 4. ЦЕЛИ");
  replace(t, "в течение 30 календарных дней", "в течение 15 рабочих дней");
  replace(t, "без ограничения срока", "в течение срока, необходимого для целей обработки");
  replace(t, "курьерским службам, организациями почтовой связи",
          "курьерским службам, организациям почтовой связи");
  replace(t, "7.1..В случае", "7.1. В случае");
  return t;
}

struct Series {
  const char* what;
  std::vector<double> us;
  double median() {
    std::sort(us.begin(), us.end());
    return us[us.size() / 2];
  }
  double p90() {
    std::sort(us.begin(), us.end());
    return us[us.size() * 9 / 10];
  }
};

template <typename F>
double timeUs(F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

volatile size_t sink = 0;

}  // namespace

int main(int argc, char** argv) {
  int runs = 300;
  bool check = false;
  std::string file = std::string(CHARTA_SOURCE_DIR) + "/policies/personal-data/ru.md";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--file" && i + 1 < argc) {
      file = argv[++i];
    } else if (a == "--check") {
      check = true;
    } else {
      std::fprintf(stderr, "usage: diff_bench [--runs N] [--file PATH] [--check]\n");
      return 2;
    }
  }
  const std::string first = readFile(file);
  const std::string second = edited(first);
  const std::string a(core::splitFrontMatter(first).body);
  const std::string b(core::splitFrontMatter(second).body);

  core::Document doc{*core::DocumentId::parse("personal-data"),
                     "Политика",
                     "/personal-data",
                     *core::Lang::parse("ru"),
                     {{"ru", "personal-data/ru.md"}},
                     {*core::Lang::parse("ru")},
                     {{*core::PurposeId::parse("account"), "4.1.6", ""},
                      {*core::PurposeId::parse("marketing"), "4.1.10", ""},
                      {*core::PurposeId::parse("advertising"), "4.1.11", ""}}};
  core::LintInput lintInput{.document = doc,
                            .baseUrl = "https://lada-kazakhstan.kz",
                            .texts = {{doc.controllingLang, "personal-data/ru.md", second, false}},
                            .effectiveFrom = core::now()};
  core::DiffOptions options{doc.purposes, doc.purposes};

  // Warm up, and show what is measured.
  core::DocumentDiff d = core::diffTexts(a, b, options);
  core::LintReport lint = core::lint(lintInput);
  const auto& s = d.summary;
  std::printf(
      "texts: %zu and %zu bytes (bodies), %zu clauses; diff: %zu changed, %zu moved, %zu "
      "added, %zu removed, %zu unchanged; touched purposes: %zu; lint: %zu errors, %zu "
      "warnings\n",
      a.size(), b.size(), d.clauses.size(), s.changed, s.moved, s.added, s.removed, s.unchanged,
      d.touchedPurposes.size(), lint.errors(), lint.warnings());
  std::printf("%s\n\n", cmark_version_string());

  Series render{"cmark_markdown_to_html (reference)", {}};
  Series charta{"charta renderMarkdown (cmark-gfm + clauses)", {}};
  Series diff{"core::diffTexts (two editions)", {}};
  Series lints{"core::lint (one edition)", {}};
  for (int r = 0; r < runs; ++r) {
    render.us.push_back(timeUs([&] {
      char* html = cmark_markdown_to_html(a.data(), a.size(), CMARK_OPT_DEFAULT);
      sink = sink + std::strlen(html);
      std::free(html);
    }));
    charta.us.push_back(timeUs([&] { sink = sink + render::renderMarkdown(a).html.size(); }));
    diff.us.push_back(timeUs([&] { sink = sink + core::diffTexts(a, b, options).clauses.size(); }));
    lints.us.push_back(timeUs([&] { sink = sink + core::lint(lintInput).findings.size(); }));
  }
  double ref = render.median();
  std::printf("%-46s %12s %12s %10s\n", "per run", "median µs", "p90 µs", "× render");
  for (Series* x : {&render, &charta, &diff, &lints}) {
    double m = x->median();
    std::printf("%-46s %12.1f %12.1f %10.2f\n", x->what, m, x->p90(), m / ref);
  }
  double ratio = diff.median() / ref;
  std::printf("\ntarget diff <= 5x render: %s (%.2fx, %d runs)\n", ratio <= 5.0 ? "met" : "MISSED",
              ratio, runs);
  return check && ratio > 5.0 ? 1 : 0;
}
