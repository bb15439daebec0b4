#pragma once
// Lets QCOMPARE print std::string values when they differ.

#include <QtTest>

#include <string>

namespace QTest {
template <>
inline char* toString(const std::string& s)
{
    return QTest::toPrettyCString(s.data(), static_cast<qsizetype>(s.size()));
}
}  // namespace QTest
