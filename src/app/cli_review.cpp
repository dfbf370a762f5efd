// charta approve | preview: the legal team's review of a draft before it is published.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Util/ServerApplication.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "app/open.h"
#include "app/site_options.h"
#include "core/error.h"
#include "core/publication.h"
#include "render/site.h"
#include "service/errors.h"
#include "service/preview.h"

namespace charta::app {

namespace {

namespace fs = std::filesystem;

void logToStderr(const std::string& line) { std::cerr << "charta: " << line << '\n'; }

// A revision named on the command line: a full commit id, or an edition's commit.
core::CommitId revisionAt(const repository::PolicyRepository& repo, const core::DocumentId& doc,
                          const std::string& text) {
  auto spec = core::RevisionSpec::parse(text);
  if (!spec) throw InvalidInput("\"" + text + "\" is neither v<N> nor a full 40-hex commit id");
  if (spec->commit) return *spec->commit;
  const core::Timeline tl = repo.timeline(doc);
  const core::Edition* e = tl.edition(*spec->edition);
  if (!e) {
    throw service::Failure(service::Fault::kEditionNotFound,
                           "no edition " + spec->edition->str() + " of " + doc.str());
  }
  return e->commit;
}

void printApprovals(std::ostream& out, const service::ApprovalState& a) {
  out << a.doc.str() << ' ' << a.revision.str() << ": " << a.counted.size() << " of " << a.needed
      << " approval" << (a.needed == 1 ? "" : "s") << " counted (author "
      << core::formatPerson(a.author) << ", whose own approval does not count)\n";
  for (const core::Approval& x : a.recorded) {
    out << "  approved by " << core::formatPerson(x.by) << " at "
        << core::formatRfc3339(x.at, core::kKazakhstanOffset, false) << '\n';
  }
}

// Writes "files" under "dir", which must not exist or be empty.
void writeSite(const fs::path& dir, const std::vector<service::PreviewFile>& files) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    throw InvalidInput("--out " + dir.string() + " is not empty: name a new folder");
  }
  for (const auto& f : files) {
    const fs::path file = dir / f.path;
    fs::create_directories(file.parent_path(), ec);
    std::ofstream o(file, std::ios::binary | std::ios::trunc);
    o << f.bytes;
    o.flush();
    if (!o) throw Error("cannot write " + file.string());
  }
}

// Serves the files of the preview from memory, GET and HEAD only.
class FileHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit FileHandler(const std::map<std::string, std::string>& files) : files_(files) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& res) override {
    std::string path = req.getURI().substr(0, req.getURI().find('?'));
    if (!path.empty() && path.back() == '/') path += "index.html";
    auto it = files_.find(path.empty() ? "" : path.substr(1));
    if (it == files_.end()) it = files_.find(path.substr(1) + "/index.html");
    res.set("X-Robots-Tag", "noindex");
    res.set("Cache-Control", "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    if ((req.getMethod() != "GET" && req.getMethod() != "HEAD") || it == files_.end()) {
      res.setStatusAndReason(it == files_.end() ? Poco::Net::HTTPResponse::HTTP_NOT_FOUND
                                                : Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED);
      res.send() << "not found\n";
      return;
    }
    const std::string& name = it->first;
    res.setContentType(name.ends_with(".css")   ? "text/css; charset=utf-8"
                       : name.ends_with(".svg") ? "image/svg+xml"
                                                : "text/html; charset=utf-8");
    res.setContentLength(static_cast<std::streamsize>(it->second.size()));
    if (req.getMethod() == "HEAD") {
      res.send();
    } else {
      res.send() << it->second;
    }
  }

 private:
  const std::map<std::string, std::string>& files_;
};

class FileHandlers : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit FileHandlers(const std::map<std::string, std::string>& files) : files_(files) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new FileHandler(files_);
  }

 private:
  const std::map<std::string, std::string>& files_;
};

// Serves "files" on 127.0.0.1:"port" (0: any free port) until SIGINT or SIGTERM.
void serveFiles(const std::vector<service::PreviewFile>& list, int port, std::ostream& out) {
  std::map<std::string, std::string> files;
  for (const auto& f : list) files.emplace(f.path, f.bytes);
  Poco::Net::ServerSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(4);
  Poco::Net::HTTPServer server(new FileHandlers(files), socket, params);
  server.start();
  out << "serving the preview at http://127.0.0.1:" << socket.address().port() << "/ (Ctrl-C stops)"
      << std::endl;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  server.stop();
}

}  // namespace

int runApprove(const CommandContext& c) {
  c.args.atMost(2);
  const core::DocumentId doc = c.doc(0);
  const std::string& rev = c.args.need(1, "revision (a full commit id or v<N>)");
  auto repo = openRepository(c.config, logToStderr);
  service::Publishing publishing(*repo, publishingOptions(c.config));
  const core::CommitId commit = revisionAt(*repo, doc, rev);
  service::ApprovalState state = [&] {
    try {
      return publishing.approve(doc, commit, c.publisher(), core::now());
    } catch (const repository::InvalidRegistry&) {
      throw;
    } catch (const service::ReplicaReadOnly& e) {
      throw service::Failure(service::Fault::kReplicaReadOnly, e.what());
    } catch (const InvalidInput& e) {
      throw service::Failure(service::Fault::kInvalidRequest, e.what());
    }
  }();
  if (c.json) {
    c.printJson(service::approvalStateJson(state));
    return kOk;
  }
  printApprovals(c.out, state);
  return kOk;
}

int runPreview(const CommandContext& c) {
  c.args.atMost(2);
  const core::DocumentId doc = c.doc(0);
  auto out = c.args.option("out");
  if (!out && !c.args.flag("serve")) throw InvalidInput("--out DIR or --serve is required");
  auto repo = openRepository(c.config, logToStderr);
  service::Publishing publishing(*repo, publishingOptions(c.config));
  service::Catalog catalog(*repo, catalogOptions(c.config));
  render::Site site(c.config.getString("site.data_dir"), siteOptions(c.config));
  service::Previews previews(catalog, site, publishing);
  service::PreviewRequest req{doc,
                              std::nullopt,
                              std::nullopt,
                              core::kKazakhstanOffset,
                              c.args.flag("material"),
                              {},
                              c.args.option("summary").value_or("")};
  if (c.args.positional().size() > 1) req.revision = revisionAt(*repo, doc, c.args.positional()[1]);
  if (auto t = c.time("effective-from")) {
    req.effectiveFrom = t->instant;
    req.effectiveOffset = t->offset;
  }
  const core::Instant now = core::now();
  const service::Preview p = previews.preview(req, now);
  const std::vector<service::PreviewFile> files = service::previewSite(p, site, now);
  if (out) writeSite(*out, files);
  if (c.json) {
    Poco::JSON::Object::Ptr o = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("document", doc.str());
    o->set("revision", p.edition.commit.str());
    o->set("edition", p.edition.no.str());
    o->set("out", out ? fs::absolute(*out).lexically_normal().string() : "");
    o->set("files", static_cast<int>(files.size()));
    o->set("lint_blocks", p.lint.report.blocking());
    o->set("approvals", service::approvalStateJson(p.approvals));
    c.printJson(o);
  } else if (out) {
    c.out << "wrote the preview of " << doc.str() << ' ' << p.edition.commit.str() << " (as "
          << p.edition.no.str() << ") to " << *out << "/index.html\n";
  }
  if (c.args.flag("serve")) {
    int port = 0;
    if (auto v = c.args.option("port")) {
      if (v->empty() || v->size() > 5 || v->find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(*v) > 65535) {
        throw InvalidInput("--port wants a port number");
      }
      port = std::stoi(*v);
    }
    serveFiles(files, port, c.out);
  }
  return p.lint.report.blocking() ? kInvalid : kOk;
}

}  // namespace charta::app
