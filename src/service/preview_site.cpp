// The static site of a preview (charta preview --out DIR) and the JSON of approvals.
#include <Poco/JSON/Array.h>

#include <algorithm>

#include "core/lint.h"
#include "core/publication.h"
#include "service/preview.h"

namespace charta::service {

namespace {

// "text" for an HTML text node or a double-quoted attribute value.
std::string esc(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string attr(std::string_view text) { return esc(text); }

// A page of the preview's own (the index, the lint): the site's stylesheet, noindex, the notice.
std::string ownPage(const std::string& title, const std::string& body) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
      "<meta name=\"robots\" content=\"noindex\"/>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>" +
      esc(title) +
      "</title><link rel=\"stylesheet\" href=\"/assets/charta.css\"/></head><body>"
      "<main id=\"content\"><div class=\"notice notice-preview\" role=\"note\"><p><strong>"
      "Preview: this is not a published edition.</strong></p></div><h1>" +
      esc(title) + "</h1>\n" + body + "</main></body></html>\n";
  return html;
}

std::string when(core::Instant t, std::chrono::minutes offset) {
  return core::formatRfc3339(t, offset, false);
}

std::string lintBody(const Preview& p) {
  const core::LintReport& r = p.lint.report;
  std::string body = "<p><a href=\"/\">Preview</a></p>\n";
  if (r.findings.empty()) return body + "<p>No findings.</p>\n";
  body += std::string("<p>") +
          (r.blocking() ? "Errors block publishing (fix them, or publish "
                          "with --force REASON)."
                        : "Nothing blocks publishing.") +
          "</p>\n<ul>\n";
  for (const core::LintFinding& f : r.findings) {
    body += "<li>" + esc(core::formatFinding(f)) +
            (f.inheritedFrom.empty() ? "" : " (accepted in " + esc(f.inheritedFrom) + ")") +
            "</li>\n";
  }
  return body + "</ul>\n";
}

std::string approvalsBody(const ApprovalState& a) {
  std::string body = "<p>Approvals: " + std::to_string(a.counted.size()) + " counted of " +
                     std::to_string(a.needed) + " needed (the author " +
                     esc(core::formatPerson(a.author)) + " does not count).</p>\n";
  if (a.recorded.empty()) return body;
  body += "<ul>\n";
  for (const core::Approval& x : a.recorded) {
    body += "<li>" + esc(core::formatPerson(x.by)) + ", " +
            esc(when(x.at, core::kKazakhstanOffset)) + "</li>\n";
  }
  return body + "</ul>\n";
}

std::string indexBody(const Preview& p, core::Instant now) {
  const core::Edition& e = p.edition;
  std::string body = "<p>The draft " + esc(e.commit.str()) + " of " + esc(p.document.id.str()) +
                     " as it would be served if published as " + esc(e.no.str()) + " at " +
                     esc(when(now, e.effectiveOffset)) + ", in force from " +
                     esc(when(e.effectiveFrom, e.effectiveOffset)) +
                     (e.material ? " (material)" : "") + ".</p>\n<ul>\n";
  for (const core::Lang& lang : p.document.langs) {
    const std::string& l = lang.str();
    if (p.pages.count(l)) {
      body += "<li><a href=\"/" + attr(l) + "/\">The page (" + esc(l) + ")</a></li>\n";
    }
    if (p.redlines.count(l)) {
      body += "<li><a href=\"/" + attr(l) + "/changes/\">Changes against " +
              esc(p.against ? p.against->str() : "") + " (" + esc(l) + ")</a></li>\n";
    }
  }
  body += "<li><a href=\"/lint/\">Lint: " + std::to_string(p.lint.report.findings.size()) +
          " finding" + (p.lint.report.findings.size() == 1 ? "" : "s") +
          (p.lint.report.blocking() ? ", errors block publishing" : "") + "</a></li>\n</ul>\n";
  return body + approvalsBody(p.approvals);
}

}  // namespace

std::vector<PreviewFile> previewSite(const Preview& p, const render::Site& site,
                                     core::Instant now) {
  const std::string title =
      "Preview of " + p.document.id.str() + " " + p.edition.no.str() + " (not published)";
  std::vector<PreviewFile> out{{"index.html", ownPage(title, indexBody(p, now))},
                               {"lint/index.html", ownPage("Lint of the preview", lintBody(p))}};
  for (const auto& [lang, bytes] : p.pages) out.push_back({lang + "/index.html", bytes});
  for (const auto& [lang, bytes] : p.redlines) {
    out.push_back({lang + "/changes/index.html", bytes});
  }
  for (const auto& [name, asset] : site.assets()) out.push_back({"assets/" + name, asset.bytes});
  return out;
}

Poco::JSON::Object::Ptr approvalStateJson(const ApprovalState& a) {
  using Poco::JSON::Object;
  auto person = [](const core::Person& x) {
    Object::Ptr o = Poco::makeShared<Object>(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("name", x.name);
    o->set("email", x.email);
    return o;
  };
  Object::Ptr o = Poco::makeShared<Object>(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("document", a.doc.str());
  o->set("revision", a.revision.str());
  o->set("author", person(a.author));
  o->set("needed", a.needed);
  o->set("counted", static_cast<int>(a.counted.size()));
  o->set("approved", static_cast<int>(a.counted.size()) >= a.needed);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const core::Approval& x : a.recorded) {
    Object::Ptr item = person(x.by);
    item->set("at", core::formatRfc3339(x.at, core::kKazakhstanOffset, false));
    bool counts = std::any_of(a.counted.begin(), a.counted.end(),
                              [&](const core::Person& c) { return core::samePerson(c, x.by); }) &&
                  !core::samePerson(x.by, a.author);
    item->set("counts", counts);
    list->add(item);
  }
  o->set("approvals", list);
  return o;
}

}  // namespace charta::service
