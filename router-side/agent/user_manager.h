#pragma once
// The /user menu: accounts in the groups full, read and tenant (limited to
// named metarouters), password hashing, authentication, and the first
// admin account with a random password written to a root-only file.

#include <QString>

#include <string>
#include <vector>

#include "menu_provider.h"

namespace mr::agent {

struct UserInfo {
    std::string name;
    std::string group;  // full, read, tenant
    std::vector<std::string> metarouters;  // tenant: the ones they may see
};

class UserManager final : public MenuProvider {
public:
    explicit UserManager(QString stateDir);

    std::vector<wire::MenuSchema> menus() const override;
    bool persists(const std::string& menu) const override;
    void start(ObjectStore& store) override;
    Status prepare(Mutation& mutation) override;
    Status apply(const Mutation& mutation) override;

    Result<UserInfo> authenticate(const std::string& name, const std::string& password);
    // Where the first start wrote the admin password.
    QString initialPasswordFile() const { return stateDir_ + "/admin-password"; }

private:
    int fullUsersExcept(const std::string& id) const;

    QString stateDir_;
    ObjectStore* store_ = nullptr;
};

}  // namespace mr::agent
