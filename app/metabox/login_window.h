#pragma once
// WinBox's first window: Connect To, Login, Password, Connect; below it the
// Managed routers (address book, passwords only in the OS keychain and only
// when asked) and the Neighbors heard on the local networks. Asks about
// unknown certificates and never blocks on the network or the keychain.

#include <QMessageBox>
#include <QPointer>
#include <QWidget>

#include "address_book.h"
#include "router_entry_dialog.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTreeView;
class QTreeWidget;
class QTreeWidgetItem;

namespace mr::ui {

class NeighborModel;
class PasswordVault;
class SessionController;

class LoginWindow final : public QWidget {
    Q_OBJECT
public:
    // Column of the Managed tree; groups are top-level rows.
    enum ManagedColumn { ManagedAddress, ManagedUser, ManagedNote, ManagedColumnCount };
    // Managed tree items carry their AddressBook index under this role.
    static constexpr int kEntryRole = Qt::UserRole + 1;

    explicit LoginWindow(SessionController* session, QWidget* parent = nullptr);
    ~LoginWindow() override;

    QComboBox* address() const { return address_; }
    QLineEdit* user() const { return user_; }
    QLineEdit* password() const { return password_; }
    QCheckBox* rememberPassword() const { return remember_; }
    QPushButton* connectButton() const { return connect_; }
    QPushButton* addSetButton() const { return addSet_; }
    QString message() const;
    // The open fingerprint question, if any (for tests and for closing it).
    QMessageBox* fingerprintQuestion() const { return question_; }

    QTabWidget* tabs() const { return tabs_; }
    QTreeWidget* managedTree() const { return managed_; }
    QTreeView* neighborsView() const { return neighborsView_; }
    NeighborModel* neighbors() const { return neighbors_; }
    QLabel* neighborsStatus() const { return neighborsStatus_; }
    AddressBook* addressBook() const { return book_; }
    // The open Managed entry dialog, if any.
    RouterEntryDialog* entryDialog() const { return entryDialog_; }

    void connectToRouter();
    // Saves Connect To and Login in the Managed list (WinBox's Add/Set).
    void addOrSetManaged();
    void editManaged(int entryIndex);
    void removeManaged(int entryIndex);
    // Double-click on a Managed entry: its password from the keychain when
    // one is kept, then connect; otherwise fill in and ask for the password.
    void openManaged(int entryIndex);
    // Double-click on a neighbor (a row of neighbors()).
    void openNeighbor(int row);

private:
    QWidget* buildManagedTab();
    QWidget* buildNeighborsTab();
    void fillManagedTree();
    int selectedEntry() const;
    void connectOrAskPassword();
    void onStateChanged();
    void onFingerprintUnknown(const QString& hexFingerprint);
    void onFailed(const QString& message);
    void onLoggedIn();
    void remember();
    void showMessage(const QString& text, bool error);

    SessionController* session_;
    AddressBook* book_ = nullptr;
    PasswordVault* vault_ = nullptr;
    NeighborModel* neighbors_ = nullptr;
    QComboBox* address_ = nullptr;
    QLineEdit* user_ = nullptr;
    QLineEdit* password_ = nullptr;
    QCheckBox* remember_ = nullptr;
    QPushButton* connect_ = nullptr;
    QPushButton* addSet_ = nullptr;
    QLabel* message_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QTreeWidget* managed_ = nullptr;
    QLineEdit* managedFilter_ = nullptr;
    QPushButton* edit_ = nullptr;
    QPushButton* remove_ = nullptr;
    QTreeView* neighborsView_ = nullptr;
    QSortFilterProxyModel* neighborsProxy_ = nullptr;
    QLabel* neighborsStatus_ = nullptr;
    QPointer<QMessageBox> question_;
    QPointer<RouterEntryDialog> entryDialog_;
    // The password of the attempt in progress, for the keychain once it
    // proves right; cleared when the attempt ends.
    QString attemptPassword_;
};

}  // namespace mr::ui
