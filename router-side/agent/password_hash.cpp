#include "password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <sstream>
#include <vector>

namespace mr::agent {
namespace {

constexpr std::uint64_t kN = 1 << 15;
constexpr std::uint64_t kR = 8;
constexpr std::uint64_t kP = 1;
constexpr std::size_t kHashLen = 32;

std::string toHex(const unsigned char* p, std::size_t n)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

bool fromHex(const std::string& s, std::vector<unsigned char>& out)
{
    if (s.size() % 2)
        return false;
    out.clear();
    for (std::size_t i = 0; i < s.size(); i += 2) {
        unsigned v;
        if (std::sscanf(s.c_str() + i, "%2x", &v) != 1)
            return false;
        out.push_back(static_cast<unsigned char>(v));
    }
    return true;
}

bool derive(const std::string& password, const std::vector<unsigned char>& salt, std::uint64_t n, std::uint64_t r,
            std::uint64_t p, unsigned char* out, std::size_t len)
{
    return EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), n, r, p, 64ULL * 1024 * 1024,
                          out, len) == 1;
}

}  // namespace

std::string PasswordHash::hash(const std::string& password)
{
    std::vector<unsigned char> salt(16);
    RAND_bytes(salt.data(), static_cast<int>(salt.size()));
    unsigned char out[kHashLen];
    if (!derive(password, salt, kN, kR, kP, out, sizeof out))
        return {};
    std::ostringstream s;
    s << "scrypt$" << kN << '$' << kR << '$' << kP << '$' << toHex(salt.data(), salt.size()) << '$'
      << toHex(out, sizeof out);
    return s.str();
}

bool PasswordHash::verify(const std::string& password, const std::string& stored)
{
    std::vector<std::string> parts;
    std::stringstream in(stored);
    for (std::string part; std::getline(in, part, '$');)
        parts.push_back(part);
    if (parts.size() != 6 || parts[0] != "scrypt")
        return false;
    std::uint64_t n = 0, r = 0, p = 0;
    try {
        n = std::stoull(parts[1]);
        r = std::stoull(parts[2]);
        p = std::stoull(parts[3]);
    } catch (...) {
        return false;
    }
    std::vector<unsigned char> salt, expected;
    if (!fromHex(parts[4], salt) || !fromHex(parts[5], expected) || expected.empty() || expected.size() > 64)
        return false;
    unsigned char out[64];
    if (!derive(password, salt, n, r, p, out, expected.size()))
        return false;
    return CRYPTO_memcmp(out, expected.data(), expected.size()) == 0;
}

std::string PasswordHash::randomPassword(int length)
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string out;
    std::vector<unsigned char> bytes(static_cast<std::size_t>(length));
    RAND_bytes(bytes.data(), length);
    for (unsigned char b : bytes)
        out += alphabet[b % (sizeof alphabet - 1)];
    return out;
}

}  // namespace mr::agent
