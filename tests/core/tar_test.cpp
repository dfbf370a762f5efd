// The ustar writer of evidence bundles, read back by GNU tar and by python3's tarfile.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tar.h"
#include "support/sandbox.h"

using namespace charta;

TEST_CASE("ustarArchive: any tar reads back the names, bytes and modes") {
  testing::Sandbox box;
  std::string big(1500, 'x');
  big[511] = '\0';
  big[1499] = 'y';
  const std::vector<core::TarFile> files = {{"receipt.json", "{}\n", false},
                                            {"verify.sh", "#!/bin/sh\nexit 0\n", true},
                                            {"objects/" + std::string(40, 'a') + ".blob", big},
                                            {"empty", ""}};
  const std::string tar = core::ustarArchive(files, 1765000000);
  CHECK(tar.size() % 512 == 0);
  CHECK(tar.size() == 512 * (1 + 1 + 1 + 1 + 1 + 3 + 1 + 2));
  testing::writeFile(box / "a.tar", tar);
  testing::sh("mkdir out && tar -xf a.tar -C out", box.path());
  for (const auto& f : files) CHECK(testing::slurp(box / "out" / f.name) == f.bytes);
  CHECK((std::filesystem::status(box / "out/verify.sh").permissions() &
         std::filesystem::perms::owner_exec) != std::filesystem::perms::none);
  const std::string listed = testing::sh(
      "python3 -c 'import tarfile; t = tarfile.open(\"a.tar\"); "
      "print(\";\".join(\"%s %o %d %d\" % (m.name, m.mode, m.size, m.mtime) for m in t))'",
      box.path());
  CHECK(listed == "receipt.json 644 3 1765000000;verify.sh 755 17 1765000000;objects/" +
                      std::string(40, 'a') + ".blob 644 1500 1765000000;empty 644 0 1765000000\n");
}

TEST_CASE("ustarArchive: names that would escape or do not fit are refused") {
  for (const std::string& name :
       std::vector<std::string>{"", "/etc/passwd", "../x", "a/../../x", std::string(101, 'n')}) {
    CHECK_THROWS_AS(core::ustarArchive({{name, "x"}}, 0), InvalidInput);
  }
  CHECK(core::ustarArchive({}, 0) == std::string(1024, '\0'));
}
