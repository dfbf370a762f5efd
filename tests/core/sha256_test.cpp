#include <doctest/doctest.h>

#include "core/sha256.h"
#include "support/sandbox.h"

using namespace charta;

TEST_CASE("SHA-256 test vectors (FIPS 180-4) and sha256sum agree") {
  struct Case {
    std::string input;
    const char* hex;
  };
  const Case cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input.size());
    CHECK(core::sha256Hex(c.input) == c.hex);
  }
  // Every length around the block and padding boundaries, against the sha256sum tool.
  charta::testing::Sandbox box;
  for (size_t n : {55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129}) {
    std::string data;
    for (size_t i = 0; i < n; ++i) data += static_cast<char>('a' + i % 26);
    charta::testing::writeFile(box / "f", data);
    CAPTURE(n);
    CHECK(core::sha256Hex(data) + "\n" ==
          charta::testing::sh("sha256sum f | cut -c1-64", box.path()));
  }
}
