#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <optional>

#include "error.h"
#include "guest_report.h"

namespace mr::hv {

// Turns what a guest writes to its report channel into GuestReports. The
// guest is not trusted: messages are newline-framed JSON objects of bounded
// size, checked field by field (Linux interface names, IPv4 prefixes,
// printable identity, bounded lists), unknown fields ignored. Whatever
// arrives, the parser holds at most one partial and one complete message,
// and bad input is an Error to count and log, never an exception.
//
// A message: {"v":1,"identity":"R1","interfaces":[{"name":"ether1",
//   "mac":"02:00:00:00:00:01","running":true,"disabled":false}],
//   "addresses":[{"address":"10.0.0.1/24","interface":"ether1"}]}
class GuestReportParser final {
public:
    struct Limits {
        qsizetype maxMessageBytes = 32 * 1024;  // the guest's reporter stays well below
        int maxInterfaces = 64;
        int maxAddresses = 256;
        int maxIdentityChars = 64;  // characters (code points), as RouterOS shows them
    };

    GuestReportParser() = default;
    explicit GuestReportParser(Limits limits) : limits_(limits) {}

    const Limits& limits() const { return limits_; }

    // Frames data. A complete message replaces the one not taken yet: only
    // the newest report matters.
    void feed(QByteArrayView data);
    // The newest complete message since the last call, if any.
    std::optional<QByteArray> takeMessage();
    // Messages thrown away unread for being longer than maxMessageBytes
    // since the last call.
    int takeOversized();
    // Forgets a half-received message (the channel reconnected).
    void reset();
    qsizetype bufferedBytes() const { return partial_.size() + (latest_ ? latest_->size() : 0); }

    // One message (without its newline), strictly checked.
    mr::Result<GuestReport> parse(QByteArrayView message) const;

    // Linux's rules for interface names (1-15 bytes, not . or ..), narrowed
    // to ASCII letters, digits and _ . - @ + so that a name cannot disturb
    // how lists are shown.
    static bool isValidIfname(QStringView name);
    // "A.B.C.D/P" in plain decimal (no leading zeros, P 0-32), else nullopt.
    static std::optional<QString> parseIpv4Prefix(QStringView text);
    static std::optional<QString> parseMac(QStringView text);  // upper case
    static bool isPrintableIdentity(QStringView text, int maxChars);

private:
    Limits limits_;
    QByteArray partial_;
    std::optional<QByteArray> latest_;
    bool discarding_ = false;  // inside an oversized message: skip to its newline
    int oversized_ = 0;
};

}  // namespace mr::hv
