#pragma once
// The /file menu: the files in <state>/files (uploads, images to import),
// observed from the directory, never persisted. remove deletes the file;
// files come in through upload streams (mrcli --upload).

#include <QFileSystemWatcher>
#include <QObject>
#include <QTimer>

#include <map>
#include <string>

#include "file_store.h"
#include "menu_provider.h"

namespace mr::agent {

class FileProvider final : public QObject, public MenuProvider {
    Q_OBJECT
public:
    explicit FileProvider(QString directory, FileLimits limits = {}, QObject* parent = nullptr);

    FileStore& files() { return files_; }

    std::vector<wire::MenuSchema> menus() const override;
    bool persists(const std::string& menu) const override;
    void start(ObjectStore& store) override;
    Status apply(const Mutation& mutation) override;

    // Brings the menu in line with the directory (also done on change).
    void refresh();

private:
    FileStore files_;
    ObjectStore* store_ = nullptr;
    std::map<std::string, std::string> ids_;  // file name -> object id
    QFileSystemWatcher watcher_;
    QTimer debounce_;
};

}  // namespace mr::agent
