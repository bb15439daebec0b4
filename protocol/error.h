#pragma once
// The one error type of the router side and the API: a code, a message for
// people and the offending property, with a Result<T> to carry it without
// exceptions. Qt-free so that the codec, the CLI engine and the guest use it.

#include <map>
#include <string>
#include <utility>
#include <variant>

#include "metarouter.pb.h"

namespace mr {

// Properties of one object, as text, keyed by RouterOS property name.
using Properties = std::map<std::string, std::string>;

struct Error {
    wire::ErrorCode code = wire::ERROR_FAILED;
    std::string message;
    std::string property;

    // "invalid value for mtu: must be between 68 and 65535" style text.
    std::string text() const;

    wire::Error toWire() const;
    static Error fromWire(const wire::Error& e);

    static Error invalid(std::string property, std::string message)
    {
        return {wire::ERROR_INVALID_ARGUMENT, std::move(message), std::move(property)};
    }
    static Error notFound(std::string message, std::string property = {})
    {
        return {wire::ERROR_NOT_FOUND, std::move(message), std::move(property)};
    }
    static Error failed(std::string message) { return {wire::ERROR_FAILED, std::move(message), {}}; }
    static Error denied(std::string message) { return {wire::ERROR_PERMISSION_DENIED, std::move(message), {}}; }
    static Error exists(std::string property, std::string message)
    {
        return {wire::ERROR_ALREADY_EXISTS, std::move(message), std::move(property)};
    }
};

// A value or an Error.
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// Success or an Error.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return error_; }

private:
    Error error_;
    bool failed_ = false;
};

}  // namespace mr
