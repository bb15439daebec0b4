#pragma once
// The /log menu: the daemon's messages (everything logged with qInfo,
// qWarning, qCritical) as subscribable objects, newest last, bounded; also
// written to standard error for journald.

#include <QtGlobal>

#include <deque>
#include <string>

#include "menu_provider.h"

namespace mr::agent {

class LogProvider final : public MenuProvider {
public:
    explicit LogProvider(std::size_t capacity = 1000);
    ~LogProvider() override;

    std::vector<wire::MenuSchema> menus() const override;
    bool persists(const std::string& menu) const override;
    void start(ObjectStore& store) override;
    Status apply(const Mutation& mutation) override;

    // Routes Qt's message handler here (one instance per process).
    void install();
    void append(const std::string& topics, const std::string& message);

private:
    static void handler(QtMsgType type, const QMessageLogContext& context, const QString& message);

    std::size_t capacity_;
    ObjectStore* store_ = nullptr;
    std::deque<std::string> ids_;
    std::deque<std::pair<std::string, std::string>> early_;  // logged before start()
};

}  // namespace mr::agent
