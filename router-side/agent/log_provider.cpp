#include "log_provider.h"

#include <QDateTime>

#include <cstdio>

#include "object_store.h"
#include "schema_builder.h"

namespace mr::agent {

using namespace mr::protocol;

namespace {
constexpr const char* kMenu = "/log";
LogProvider* g_instance = nullptr;
}  // namespace

LogProvider::LogProvider(std::size_t capacity) : capacity_(capacity) {}

LogProvider::~LogProvider()
{
    if (g_instance == this) {
        qInstallMessageHandler(nullptr);
        g_instance = nullptr;
    }
}

std::vector<wire::MenuSchema> LogProvider::menus() const
{
    return {MenuBuilder(kMenu)
                .describe("what the router did and what went wrong")
                .property(text("time").readOnly())
                .property(text("topics").readOnly())
                .property(text("message").readOnly())
                .column("time", "TIME", 20)
                .column("topics", "TOPICS", 16)
                .column("message", "MESSAGE", 0)};
}

bool LogProvider::persists(const std::string&) const
{
    return false;
}

void LogProvider::start(ObjectStore& store)
{
    store_ = &store;
    auto early = std::move(early_);
    early_.clear();
    for (const auto& [topics, message] : early)
        append(topics, message);
}

Status LogProvider::apply(const Mutation&)
{
    return Error::denied("the log cannot be changed");
}

void LogProvider::install()
{
    g_instance = this;
    qInstallMessageHandler(&LogProvider::handler);
}

void LogProvider::append(const std::string& topics, const std::string& message)
{
    if (!store_) {
        if (early_.size() < capacity_)
            early_.emplace_back(topics, message);
        return;
    }
    const std::string time = QDateTime::currentDateTime().toString("MMM/dd/yyyy HH:mm:ss").toStdString();
    ids_.push_back(store_->addObserved(kMenu, {{"time", time}, {"topics", topics}, {"message", message}}));
    while (ids_.size() > capacity_) {
        store_->removeObserved(kMenu, ids_.front());
        ids_.pop_front();
    }
}

void LogProvider::handler(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    const char* level = "info";
    switch (type) {
    case QtDebugMsg: level = "debug"; break;
    case QtInfoMsg: level = "info"; break;
    case QtWarningMsg: level = "warning"; break;
    case QtCriticalMsg:
    case QtFatalMsg: level = "error"; break;
    }
    const QByteArray text = message.toLocal8Bit();
    std::fprintf(stderr, "metarouterd: %s: %s\n", level, text.constData());
    if (g_instance && type != QtDebugMsg)
        g_instance->append(std::string("system,") + level, message.toStdString());
}

}  // namespace mr::agent
