#pragma once
// The /system menus: identity (the router's name, shown in prompts) and
// resource (uptime, CPU load, memory, disk, version, virtualization).

#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>

#include "menu_provider.h"

namespace mr::agent {

class SystemProvider final : public QObject, public MenuProvider {
    Q_OBJECT
public:
    explicit SystemProvider(QString stateDir, QObject* parent = nullptr);

    std::vector<wire::MenuSchema> menus() const override;
    bool persists(const std::string& menu) const override;
    void start(ObjectStore& store) override;
    Status prepare(Mutation& mutation) override;
    Status apply(const Mutation& mutation) override;

    std::string identity() const;
    // Lets the hypervisor say which accelerator it chose and why.
    void setVirtualization(const std::string& accelerator, const std::string& reason);

private:
    void refresh();

    QString stateDir_;
    ObjectStore* store_ = nullptr;
    std::string identityId_;
    std::string resourceId_;
    QTimer timer_;
    std::uint64_t lastBusy_ = 0;
    std::uint64_t lastTotal_ = 0;
};

}  // namespace mr::agent
