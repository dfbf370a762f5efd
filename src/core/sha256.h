#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace charta::core {

// SHA-256 (FIPS 180-4) of "bytes". Pure and thread-safe. charta hashes legal evidence with it:
// the exact text and page bytes a user was shown, and the consent ledger's chain.
std::array<std::uint8_t, 32> sha256(std::string_view bytes);

// The same as 64 lower-case hex digits: `sha256sum` prints this.
std::string sha256Hex(std::string_view bytes);

// HMAC-SHA256 (RFC 2104) of "bytes" under "key": webhook signatures, keyed pseudonyms.
std::array<std::uint8_t, 32> hmacSha256(std::string_view key, std::string_view bytes);

// The same as 64 lower-case hex digits: `openssl dgst -sha256 -hmac KEY` prints this.
std::string hmacSha256Hex(std::string_view key, std::string_view bytes);

// SHA-256 without the CPU's SHA instructions, which sha256() uses where the processor has them;
// for tests that compare the two.
std::array<std::uint8_t, 32> sha256Portable(std::string_view bytes);

// "bytes" as lower-case hex, two digits per byte.
std::string toHex(std::string_view bytes);

}  // namespace charta::core
