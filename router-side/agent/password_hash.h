#pragma once
// Salted slow password hashes (OpenSSL scrypt), stored as
// "scrypt$N$r$p$salt$hash" so that parameters can be raised later.

#include <string>

namespace mr::agent {

class PasswordHash {
public:
    static std::string hash(const std::string& password);
    static bool verify(const std::string& password, const std::string& stored);
    // A random password of printable characters, for the first admin.
    static std::string randomPassword(int length = 20);
};

}  // namespace mr::agent
