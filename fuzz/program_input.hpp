// The input of a program fuzzer (api_program_fuzz, capi_program_fuzz) read as the arguments of
// its calls. Every read succeeds, an input used up reading as zeros, so any bytes are a program.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

struct ProgramInput {
  const std::uint8_t* p;
  std::size_t n;

  std::uint8_t byte() {
    if (!n) return 0;
    --n;
    return *p++;
  }

  // Mostly the target's usual value, usual(selector); selectors 0..3 (mod 8) give the int64
  // edges and eight raw bytes.
  template <class Usual>
  std::int64_t int64(Usual usual) {
    std::uint8_t sel = byte();
    switch (sel % 8) {
      case 0: return std::numeric_limits<std::int64_t>::max();
      case 1: return std::numeric_limits<std::int64_t>::min();
      case 2: return std::numeric_limits<std::int64_t>::max() / 2 + 1;
      case 3: {
        std::uint64_t v = 0;  // unsigned: the shifts must not overflow a signed value
        for (int k = 0; k < 8; ++k) v = (v << 8) | byte();
        return static_cast<std::int64_t>(v);
      }
      default: return usual(sel);
    }
  }

  // One of `pool` for selectors below 200, else up to max_length - 1 raw bytes, a zero byte
  // read as `nul_as` (give a printable one where the text becomes a C string, which ends at NUL).
  template <std::size_t N>
  std::string text(const char* const (&pool)[N], std::size_t max_length, char nul_as = '\0') {
    std::uint8_t sel = byte();
    if (sel < 200) return pool[sel % N];
    std::size_t len = byte() % max_length;
    std::string s;
    for (std::size_t k = 0; k < len; ++k) {
      char c = static_cast<char>(byte());
      s += c ? c : nul_as;
    }
    return s;
  }
};
