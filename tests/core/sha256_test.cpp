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

TEST_CASE("HMAC-SHA256: RFC 4231 vectors, and openssl agrees") {
  struct Case {
    std::string key, data;
    const char* hex;
  };
  const Case cases[] = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.data);
    CHECK(core::hmacSha256Hex(c.key, c.data) == c.hex);
  }
  charta::testing::Sandbox box;
  charta::testing::writeFile(box / "body.json", "{\"type\":\"edition.published\"}");
  CHECK(core::hmacSha256Hex("a secret of twenty bytes", "{\"type\":\"edition.published\"}") +
            "\n" ==
        charta::testing::sh(
            "openssl dgst -sha256 -hmac 'a secret of twenty bytes' -r body.json | cut -c1-64",
            box.path()));
}

TEST_CASE("SHA-256 with the CPU's SHA instructions equals the portable code at every length") {
  std::string data;
  std::uint32_t x = 12345;
  for (size_t n = 0; n <= 300; ++n) {
    CAPTURE(n);
    CHECK(core::sha256(data) == core::sha256Portable(data));
    x = x * 1103515245 + 12345;
    data += static_cast<char>(x >> 16);
  }
}
