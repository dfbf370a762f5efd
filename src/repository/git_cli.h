#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "repository/edition_tags.h"

// The git CLI as a child process, in the environment this process has: in a server-side hook that
// is git's own, which makes the objects of a push readable before its refs exist (quarantine).
// Used where libgit2 must not be initialised (it loads the system's TLS certificates). Internal to
// src/repository.
namespace charta::repository::cli {

// What a git command printed and how it ended.
struct GitResult {
  int status = -1;  // the exit status; 128 + signal when killed
  std::string out;
};

// Runs `git <args>` to completion, stdin empty, stderr discarded.
// throws RepositoryError: git cannot be started.
GitResult runGit(const std::vector<std::string>& args);

// One `git cat-file --batch` process that reads objects one at a time. Not thread-safe.
class CatFile {
 public:
  // throws RepositoryError: git cannot be started.
  CatFile();
  ~CatFile();
  CatFile(const CatFile&) = delete;
  CatFile& operator=(const CatFile&) = delete;

  // The object "spec" names (an id, or "<id>:<path>"); nullopt when git says it is missing.
  // throws RepositoryError: git failed or answered something else.
  std::optional<tags::RawObject> read(const std::string& spec);

 private:
  void fill();  // reads more of git's answer into buffer_
  std::string line();
  std::string bytes(size_t n);

  pid_t pid_ = -1;
  int in_ = -1;   // git's stdin
  int out_ = -1;  // git's stdout
  std::string buffer_;
};

// The tags and objects of the repository git is run in, for tags::readEditions. Starts its
// `git cat-file` on the first object it reads.
class CliTagReader : public tags::TagReader {
 public:
  std::vector<tags::TagRef> tagRefs(const core::DocumentId& doc) override;
  tags::RawObject object(const std::string& id) override;
  std::optional<std::string> registryAt(const std::string& id) override;

 private:
  CatFile& catFile();
  std::unique_ptr<CatFile> catFile_;
};

}  // namespace charta::repository::cli
