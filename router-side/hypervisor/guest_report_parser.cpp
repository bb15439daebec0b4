#include "guest_report_parser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <set>

namespace mr::hv {

namespace {

mr::Error bad(const char* field, const QString& message)
{
    return mr::Error::invalid(field, message.toStdString());
}

// At most this many characters of guest text go into an error message.
QString excerpt(const QString& s)
{
    QString out;
    for (QChar c : s.left(24))
        out += c.isPrint() ? c : QChar(u'?');
    return s.size() > 24 ? out + QStringLiteral("...") : out;
}

}  // namespace

void GuestReportParser::feed(QByteArrayView data)
{
    while (!data.isEmpty()) {
        const qsizetype nl = data.indexOf('\n');
        const QByteArrayView chunk = nl < 0 ? data : data.first(nl);
        if (!discarding_) {
            if (partial_.size() + chunk.size() > limits_.maxMessageBytes) {
                // Never buffered: only the rest of it up to its newline is skipped.
                ++oversized_;
                partial_.clear();
                discarding_ = true;
            } else {
                partial_.append(chunk);
            }
        }
        if (nl < 0)
            return;
        data = data.sliced(nl + 1);
        if (discarding_) {
            discarding_ = false;
            continue;
        }
        if (partial_.endsWith('\r'))
            partial_.chop(1);
        if (!partial_.isEmpty())
            latest_ = std::move(partial_);  // replaces an older message not taken yet
        partial_ = QByteArray();
    }
}

std::optional<QByteArray> GuestReportParser::takeMessage()
{
    return std::exchange(latest_, std::nullopt);
}

int GuestReportParser::takeOversized()
{
    return std::exchange(oversized_, 0);
}

void GuestReportParser::reset()
{
    partial_.clear();
    latest_.reset();
    discarding_ = false;
}

bool GuestReportParser::isValidIfname(QStringView name)
{
    if (name.isEmpty() || name.size() > 15 || name == u"." || name == u"..")
        return false;
    for (QChar c : name) {
        const char16_t u = c.unicode();
        const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
                        u == '.' || u == '-' || u == '@' || u == '+';
        if (!ok)
            return false;
    }
    return true;
}

std::optional<QString> GuestReportParser::parseIpv4Prefix(QStringView text)
{
    if (text.size() > 18)  // 255.255.255.255/32
        return std::nullopt;
    const qsizetype slash = text.indexOf(u'/');
    if (slash < 0)
        return std::nullopt;
    auto number = [](QStringView digits, int max) -> int {
        if (digits.isEmpty() || digits.size() > 3 || (digits.size() > 1 && digits.front() == u'0'))
            return -1;
        int v = 0;
        for (QChar c : digits) {
            if (c < u'0' || c > u'9')
                return -1;
            v = v * 10 + (c.unicode() - '0');
        }
        return v <= max ? v : -1;
    };
    const QStringView addr = text.first(slash);
    int octets = 0;
    qsizetype start = 0;
    while (true) {
        const qsizetype dot = addr.indexOf(u'.', start);
        const QStringView part = dot < 0 ? addr.sliced(start) : addr.sliced(start, dot - start);
        if (number(part, 255) < 0)
            return std::nullopt;
        ++octets;
        if (dot < 0)
            break;
        start = dot + 1;
    }
    if (octets != 4 || number(text.sliced(slash + 1), 32) < 0)
        return std::nullopt;
    return text.toString();
}

std::optional<QString> GuestReportParser::parseMac(QStringView text)
{
    if (text.size() != 17)
        return std::nullopt;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (i % 3 == 2) {
            if (c != u':')
                return std::nullopt;
        } else if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F'))) {
            return std::nullopt;
        }
    }
    return text.toString().toUpper();
}

bool GuestReportParser::isPrintableIdentity(QStringView text, int maxChars)
{
    int chars = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t c = text[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(text[i].unicode(), text[i + 1].unicode());
            ++i;
        } else if (QChar::isSurrogate(c))
            return false;  // a lone half of a pair
        if (!QChar::isPrint(c))
            return false;
        // Printable to Qt, but they break a line where the CLI prints one value.
        const auto cat = QChar::category(c);
        if (cat == QChar::Separator_Line || cat == QChar::Separator_Paragraph)
            return false;
        if (++chars > maxChars)
            return false;
    }
    return chars > 0;
}

mr::Result<GuestReport> GuestReportParser::parse(QByteArrayView message) const
{
    if (message.size() > limits_.maxMessageBytes)
        return bad("report", QStringLiteral("larger than %1 bytes").arg(limits_.maxMessageBytes));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(message.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return bad("report", QStringLiteral("not JSON (%1 at byte %2)").arg(error.errorString()).arg(error.offset));
    if (!doc.isObject())
        return bad("report", QStringLiteral("not a JSON object"));
    const QJsonObject o = doc.object();
    if (o.value(QLatin1String("v")) != QJsonValue(1))
        return bad("v", QStringLiteral("unknown report version"));

    GuestReport r;
    const QJsonValue identity = o.value(QLatin1String("identity"));
    if (!identity.isString() || !isPrintableIdentity(identity.toString(), limits_.maxIdentityChars))
        return bad("identity", QStringLiteral("must be 1 to %1 printable characters").arg(limits_.maxIdentityChars));
    r.identity = identity.toString();

    const QJsonValue interfaces = o.value(QLatin1String("interfaces"));
    if (!interfaces.isArray())
        return bad("interfaces", QStringLiteral("must be a list"));
    const QJsonArray ifs = interfaces.toArray();
    if (ifs.size() > limits_.maxInterfaces)
        return bad("interfaces", QStringLiteral("more than %1 interfaces").arg(limits_.maxInterfaces));
    std::set<QString> names;
    for (const QJsonValue& v : ifs) {
        if (!v.isObject())
            return bad("interfaces", QStringLiteral("an interface must be an object"));
        const QJsonObject i = v.toObject();
        GuestInterface gi;
        const QJsonValue name = i.value(QLatin1String("name"));
        if (!name.isString() || !isValidIfname(name.toString()))
            return bad("interfaces", QStringLiteral("bad interface name '%1'").arg(excerpt(name.toString())));
        gi.name = name.toString();
        if (!names.insert(gi.name).second)
            return bad("interfaces", QStringLiteral("interface %1 twice").arg(gi.name));
        const QJsonValue mac = i.value(QLatin1String("mac"));
        if (!mac.isUndefined()) {
            const auto m = mac.isString() ? parseMac(mac.toString()) : std::nullopt;
            if (!m)
                return bad("interfaces", QStringLiteral("bad MAC address of %1").arg(gi.name));
            gi.mac = *m;
        }
        for (auto [key, flag] : {std::pair{"running", &gi.running}, std::pair{"disabled", &gi.disabled}}) {
            const QJsonValue b = i.value(QLatin1String(key));
            if (b.isUndefined())
                continue;
            if (!b.isBool())
                return bad("interfaces", QStringLiteral("%1 of %2 must be true or false").arg(key, gi.name));
            *flag = b.toBool();
        }
        r.interfaces.push_back(std::move(gi));
    }

    const QJsonValue addresses = o.value(QLatin1String("addresses"));
    if (!addresses.isArray())
        return bad("addresses", QStringLiteral("must be a list"));
    const QJsonArray as = addresses.toArray();
    if (as.size() > limits_.maxAddresses)
        return bad("addresses", QStringLiteral("more than %1 addresses").arg(limits_.maxAddresses));
    std::set<std::pair<QString, QString>> seen;
    for (const QJsonValue& v : as) {
        if (!v.isObject())
            return bad("addresses", QStringLiteral("an address must be an object"));
        const QJsonObject a = v.toObject();
        const QJsonValue address = a.value(QLatin1String("address"));
        const auto prefix = address.isString() ? parseIpv4Prefix(address.toString()) : std::nullopt;
        if (!prefix)
            return bad("addresses", QStringLiteral("'%1' is not an IPv4 address/prefix").arg(excerpt(address.toString())));
        const QJsonValue iface = a.value(QLatin1String("interface"));
        if (!iface.isString() || !names.count(iface.toString()))
            return bad("addresses", QStringLiteral("%1 is on '%2', which is not a reported interface")
                                        .arg(*prefix, excerpt(iface.toString())));
        if (!seen.emplace(*prefix, iface.toString()).second)
            return bad("addresses", QStringLiteral("%1 on %2 twice").arg(*prefix, iface.toString()));
        r.addresses.push_back({*prefix, iface.toString()});
    }
    return r;
}

}  // namespace mr::hv
