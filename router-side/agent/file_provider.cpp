#include "file_provider.h"

#include "object_store.h"
#include "schema_builder.h"

namespace mr::agent {

using namespace mr::protocol;

namespace {
constexpr const char* kMenu = "/file";

std::string typeOf(const std::string& name)
{
    const auto dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == name.size())
        return "file";
    return "." + name.substr(dot + 1) + " file";
}
}  // namespace

FileProvider::FileProvider(QString directory, FileLimits limits, QObject* parent)
    : QObject(parent), files_(std::move(directory), limits)
{
    files_.changed = [this] { refresh(); };
    // Uploads write and rename in bursts: look once they settle.
    debounce_.setSingleShot(true);
    debounce_.setInterval(200);
    connect(&debounce_, &QTimer::timeout, this, &FileProvider::refresh);
    connect(&watcher_, &QFileSystemWatcher::directoryChanged, &debounce_, qOverload<>(&QTimer::start));
}

std::vector<wire::MenuSchema> FileProvider::menus() const
{
    return {MenuBuilder(kMenu)
                .describe("files on the router: uploads (mrcli --upload) and images for import-image")
                .removable()
                .key("name")
                .property(text("name").readOnly())
                .property(text("type").readOnly())
                .property(integer("size").readOnly().unit("B"))
                .property(text("creation-time").readOnly())
                .column("name", "NAME", 32)
                .column("type", "TYPE", 12)
                .column("size", "SIZE", 12)
                .column("creation-time", "CREATION-TIME", 20)};
}

bool FileProvider::persists(const std::string&) const
{
    return false;
}

void FileProvider::start(ObjectStore& store)
{
    store_ = &store;
    if (auto st = files_.prepare(); !st)
        qWarning("/file: %s", st.error().text().c_str());
    watcher_.addPath(files_.directory());
    refresh();
}

Status FileProvider::apply(const Mutation& mutation)
{
    if (mutation.kind != Mutation::Kind::Remove)
        return Error::denied("files are added by uploading them (mrcli --upload) and cannot be changed");
    auto it = mutation.before.find("name");
    if (it == mutation.before.end())
        return Error::notFound("no such file");
    const std::string name = it->second;
    // The store drops the object itself once this succeeds.
    auto changed = std::move(files_.changed);
    const Status st = files_.remove(name);
    files_.changed = std::move(changed);
    if (st)
        ids_.erase(name);
    return st;
}

void FileProvider::refresh()
{
    if (!store_)
        return;
    std::map<std::string, std::string> seen;
    for (const FileStore::Entry& e : files_.list()) {
        Properties p{{"name", e.name},
                     {"type", typeOf(e.name)},
                     {"size", std::to_string(e.size)},
                     {"creation-time", e.created.toString(QStringLiteral("MMM/dd/yyyy HH:mm:ss")).toStdString()}};
        auto it = ids_.find(e.name);
        if (it != ids_.end() && store_->find(kMenu, it->second)) {
            const Properties* old = store_->find(kMenu, it->second);
            if (*old != p)
                store_->update(kMenu, it->second, p);
            seen[e.name] = it->second;
        } else {
            seen[e.name] = store_->addObserved(kMenu, p);
        }
    }
    for (const auto& [name, id] : ids_)
        if (!seen.count(name) && store_->find(kMenu, id))
            store_->removeObserved(kMenu, id);
    ids_ = std::move(seen);
}

}  // namespace mr::agent
