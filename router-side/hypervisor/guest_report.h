#pragma once
// What a metarouter's guest last said about itself over its report channel,
// after GuestReportParser checked it: nothing here came unchecked.

#include <QString>

#include <vector>

namespace mr::hv {

// One link of the guest, as its kernel names it.
struct GuestInterface {
    QString name;     // Linux interface name, e.g. ether1
    QString mac;      // upper case; empty when the guest gave none
    bool running = false;
    bool disabled = false;

    bool operator==(const GuestInterface&) const = default;
};

// One IPv4 address of the guest.
struct GuestAddress {
    QString address;    // normalised A.B.C.D/P
    QString interface;  // one of the report's interfaces

    bool operator==(const GuestAddress&) const = default;
};

// A whole report: each one replaces the previous.
struct GuestReport {
    QString identity;
    std::vector<GuestInterface> interfaces;
    std::vector<GuestAddress> addresses;

    bool operator==(const GuestReport&) const = default;
};

}  // namespace mr::hv
