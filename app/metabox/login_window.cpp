#include "login_window.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "announcement.h"
#include "api_client.h"
#include "neighbor_model.h"
#include "password_vault.h"
#include "router_entry_dialog.h"
#include "session_controller.h"
#include "tls_pinning.h"

namespace mr::ui {

namespace {
constexpr int kRecentRouters = 10;

// "AA:BB:…" of a SHA-256 is 95 characters: two lines of 16 bytes read better.
QString twoLines(const QString& displayed)
{
    return displayed.size() > 48 ? displayed.left(47) + '\n' + displayed.mid(48) : displayed;
}

bool matches(const AddressBook::Entry& e, const QString& filter)
{
    if (filter.isEmpty())
        return true;
    for (const QString& s : {e.address, e.user, e.note, e.group})
        if (s.contains(filter, Qt::CaseInsensitive))
            return true;
    return false;
}
}  // namespace

LoginWindow::LoginWindow(SessionController* session, QWidget* parent) : QWidget(parent), session_(session)
{
    setObjectName(QStringLiteral("LoginWindow"));
    setWindowTitle(tr("MetaBox"));
    book_ = new AddressBook(this);
    vault_ = new PasswordVault(this);
    neighbors_ = new NeighborModel(this);

    auto* layout = new QVBoxLayout(this);
    // WinBox's arrangement: the fields on the left, their buttons beside them.
    auto* grid = new QGridLayout;
    grid->setColumnStretch(1, 1);
    address_ = new QComboBox(this);
    address_->setObjectName(QStringLiteral("address"));
    address_->setEditable(true);
    address_->setInsertPolicy(QComboBox::NoInsert);
    address_->lineEdit()->setPlaceholderText(tr("host, host:port or /path/to/api.sock"));
    address_->setMinimumWidth(280);
    user_ = new QLineEdit(this);
    user_->setObjectName(QStringLiteral("user"));
    password_ = new QLineEdit(this);
    password_->setObjectName(QStringLiteral("password"));
    password_->setEchoMode(QLineEdit::Password);
    remember_ = new QCheckBox(tr("Keep password (in the OS keychain)"), this);
    remember_->setObjectName(QStringLiteral("rememberPassword"));
    remember_->setToolTip(tr("After a successful login the password is stored in the system keychain, never in "
                             "metabox's settings. Unticked, a stored one is forgotten at the next login."));
    connect_ = new QPushButton(tr("Connect"), this);
    connect_->setObjectName(QStringLiteral("connect"));
    connect_->setDefault(true);
    addSet_ = new QPushButton(tr("Add/Set"), this);
    addSet_->setObjectName(QStringLiteral("addSet"));
    addSet_->setToolTip(tr("Save this router and login in the Managed list"));
    auto label = [this](const QString& text, QWidget* buddy) {
        auto* l = new QLabel(text, this);
        l->setBuddy(buddy);
        l->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return l;
    };
    grid->addWidget(label(tr("Connect &To:"), address_), 0, 0);
    grid->addWidget(address_, 0, 1);
    grid->addWidget(connect_, 0, 2);
    grid->addWidget(label(tr("&Login:"), user_), 1, 0);
    grid->addWidget(user_, 1, 1);
    grid->addWidget(addSet_, 1, 2);
    grid->addWidget(label(tr("&Password:"), password_), 2, 0);
    grid->addWidget(password_, 2, 1);
    grid->addWidget(remember_, 3, 1);
    layout->addLayout(grid);

    message_ = new QLabel(this);
    message_->setObjectName(QStringLiteral("message"));
    message_->setWordWrap(true);
    message_->setMinimumHeight(message_->fontMetrics().height() * 2);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(message_);

    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("loginTabs"));
    tabs_->addTab(buildManagedTab(), tr("Managed"));
    tabs_->addTab(buildNeighborsTab(), tr("Neighbors"));
    layout->addWidget(tabs_, 1);

    QSettings settings;
    address_->addItems(settings.value(QStringLiteral("login/recent")).toStringList());
    address_->setCurrentIndex(address_->count() > 0 ? 0 : -1);
    user_->setText(settings.value(QStringLiteral("login/user"), QStringLiteral("admin")).toString());
    if (address_->count() > 0)
        password_->setFocus();
    // The checkbox shows what is kept for the router and login typed in.
    auto syncRemember = [this] {
        const int i = book_->find(address_->currentText(), user_->text());
        remember_->setChecked(i >= 0 && book_->entries()[i].passwordInKeychain);
    };
    connect(address_, &QComboBox::currentTextChanged, this, syncRemember);
    connect(user_, &QLineEdit::textEdited, this, syncRemember);
    syncRemember();

    connect(connect_, &QPushButton::clicked, this, &LoginWindow::connectToRouter);
    connect(addSet_, &QPushButton::clicked, this, &LoginWindow::addOrSetManaged);
    connect(password_, &QLineEdit::returnPressed, this, &LoginWindow::connectToRouter);
    connect(session_, &SessionController::stateChanged, this, &LoginWindow::onStateChanged);
    connect(session_, &SessionController::fingerprintUnknown, this, &LoginWindow::onFingerprintUnknown);
    connect(session_, &SessionController::failed, this, &LoginWindow::onFailed);
    connect(session_, &SessionController::loggedIn, this, &LoginWindow::onLoggedIn);
    resize(QSize(560, 480));
}

LoginWindow::~LoginWindow() = default;

QWidget* LoginWindow::buildManagedTab()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    edit_ = new QPushButton(tr("Edit…"), page);
    edit_->setObjectName(QStringLiteral("managedEdit"));
    remove_ = new QPushButton(tr("Remove"), page);
    remove_->setObjectName(QStringLiteral("managedRemove"));
    managedFilter_ = new QLineEdit(page);
    managedFilter_->setObjectName(QStringLiteral("managedFilter"));
    managedFilter_->setPlaceholderText(tr("Find"));
    managedFilter_->setClearButtonEnabled(true);
    managedFilter_->setMaximumWidth(180);
    bar->addWidget(edit_);
    bar->addWidget(remove_);
    bar->addStretch(1);
    bar->addWidget(managedFilter_);
    layout->addLayout(bar);

    managed_ = new QTreeWidget(page);
    managed_->setObjectName(QStringLiteral("managed"));
    managed_->setColumnCount(ManagedColumnCount);
    managed_->setHeaderLabels({tr("Address"), tr("Login"), tr("Note")});
    managed_->setAlternatingRowColors(true);
    managed_->setUniformRowHeights(true);
    managed_->header()->setStretchLastSection(true);
    managed_->setColumnWidth(ManagedAddress, 200);
    managed_->setColumnWidth(ManagedUser, 90);
    layout->addWidget(managed_);

    connect(book_, &AddressBook::changed, this, &LoginWindow::fillManagedTree);
    connect(managedFilter_, &QLineEdit::textChanged, this, &LoginWindow::fillManagedTree);
    connect(managed_, &QTreeWidget::currentItemChanged, this, [this] {
        const int i = selectedEntry();
        edit_->setEnabled(i >= 0);
        remove_->setEnabled(i >= 0);
        if (i < 0)
            return;
        // Choosing a router fills in the fields, as in WinBox.
        const AddressBook::Entry& e = book_->entries()[i];
        address_->setEditText(e.address);
        user_->setText(e.user);
        remember_->setChecked(e.passwordInKeychain);
    });
    connect(managed_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
        const QVariant i = item->data(0, kEntryRole);
        if (i.isValid())
            openManaged(i.toInt());
    });
    connect(edit_, &QPushButton::clicked, this, [this] { editManaged(selectedEntry()); });
    connect(remove_, &QPushButton::clicked, this, [this] { removeManaged(selectedEntry()); });
    fillManagedTree();
    return page;
}

QWidget* LoginWindow::buildNeighborsTab()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(4, 4, 4, 4);
    neighborsProxy_ = new QSortFilterProxyModel(this);
    neighborsProxy_->setSourceModel(neighbors_);
    neighborsProxy_->setSortRole(NeighborModel::SortRole);
    neighborsView_ = new QTreeView(page);
    neighborsView_->setObjectName(QStringLiteral("neighbors"));
    neighborsView_->setModel(neighborsProxy_);
    neighborsView_->setRootIsDecorated(false);
    neighborsView_->setUniformRowHeights(true);
    neighborsView_->setAlternatingRowColors(true);
    neighborsView_->setSortingEnabled(true);
    neighborsView_->sortByColumn(NeighborModel::Identity, Qt::AscendingOrder);
    neighborsView_->setColumnWidth(NeighborModel::Identity, 120);
    neighborsView_->setColumnWidth(NeighborModel::Address, 105);
    neighborsView_->setColumnWidth(NeighborModel::Version, 55);
    neighborsView_->setColumnWidth(NeighborModel::Fingerprint, 175);
    neighborsView_->header()->setMinimumSectionSize(40);
    neighborsView_->setColumnWidth(NeighborModel::Age, 50);
    neighborsView_->header()->setStretchLastSection(true);
    layout->addWidget(neighborsView_);
    neighborsStatus_ = new QLabel(page);
    neighborsStatus_->setObjectName(QStringLiteral("neighborsStatus"));
    neighborsStatus_->setWordWrap(true);
    layout->addWidget(neighborsStatus_);

    const bool listening = neighbors_->listen();
    auto updateStatus = [this, listening] {
        if (!listening) {
            neighborsStatus_->setText(neighbors_->errorString());
            neighborsStatus_->setStyleSheet(QStringLiteral("color: #c0392b;"));
            return;
        }
        const int n = neighbors_->rowCount();
        const QString port = QString::number(protocol::kDiscoveryPort);
        const QString heard = n == 1 ? tr("1 router heard on the local networks (UDP %1)").arg(port)
                                     : tr("%1 routers heard on the local networks (UDP %2)").arg(n).arg(port);
        neighborsStatus_->setText(heard + (n > 0 ? tr(" · double-click one to connect") : QString()));
    };
    connect(neighbors_, &QAbstractItemModel::rowsInserted, this, updateStatus);
    connect(neighbors_, &QAbstractItemModel::rowsRemoved, this, updateStatus);
    updateStatus();
    connect(neighborsView_, &QTreeView::doubleClicked, this,
            [this](const QModelIndex& index) { openNeighbor(neighborsProxy_->mapToSource(index).row()); });
    return page;
}

void LoginWindow::fillManagedTree()
{
    const int selected = selectedEntry();
    const QString filter = managedFilter_->text().trimmed();
    managed_->clear();
    QTreeWidgetItem* current = nullptr;
    auto itemFor = [&](int i, QTreeWidgetItem* parent) {
        const AddressBook::Entry& e = book_->entries()[i];
        auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(managed_);
        item->setText(ManagedAddress, e.address);
        item->setText(ManagedUser, e.user);
        item->setText(ManagedNote, e.note);
        item->setData(0, kEntryRole, i);
        item->setToolTip(ManagedAddress, e.passwordInKeychain ? tr("%1 — password kept in the keychain").arg(e.address)
                                                              : e.address);
        if (i == selected)
            current = item;
    };
    // Routers without a group first, then one folder per group.
    for (int i = 0; i < book_->entries().size(); ++i)
        if (book_->entries()[i].group.isEmpty() && matches(book_->entries()[i], filter))
            itemFor(i, nullptr);
    for (const QString& group : book_->groups()) {
        QTreeWidgetItem* folder = nullptr;
        for (int i = 0; i < book_->entries().size(); ++i) {
            if (book_->entries()[i].group != group || !matches(book_->entries()[i], filter))
                continue;
            if (!folder) {
                folder = new QTreeWidgetItem(managed_, {group});
                QFont bold = folder->font(0);
                bold.setBold(true);
                folder->setFont(0, bold);
                folder->setFirstColumnSpanned(true);
            }
            itemFor(i, folder);
        }
    }
    managed_->expandAll();
    if (current)
        managed_->setCurrentItem(current);
    edit_->setEnabled(current != nullptr);
    remove_->setEnabled(current != nullptr);
}

int LoginWindow::selectedEntry() const
{
    const QTreeWidgetItem* item = managed_->currentItem();
    const QVariant v = item ? item->data(0, kEntryRole) : QVariant();
    return v.isValid() ? v.toInt() : -1;
}

QString LoginWindow::message() const
{
    return message_->text();
}

void LoginWindow::connectToRouter()
{
    using S = SessionController::State;
    const S s = session_->state();
    if (s != S::Disconnected && s != S::LoggedIn && s != S::Reconnecting)
        return;  // one attempt at a time
    const QString text = address_->currentText().trimmed();
    if (text.isEmpty()) {
        showMessage(tr("Enter the router's address."), true);
        return;
    }
    attemptPassword_ = password_->text();
    session_->connectTo(SessionController::parseAddress(text), user_->text(), password_->text());
}

void LoginWindow::connectOrAskPassword()
{
    if (password_->text().isEmpty()) {
        showMessage(tr("Enter the password for %1 on %2, then Connect.").arg(user_->text(), address_->currentText()),
                    false);
        password_->setFocus();
        return;
    }
    connectToRouter();
}

void LoginWindow::addOrSetManaged()
{
    AddressBook::Entry e;
    e.address = address_->currentText().trimmed();
    e.user = user_->text().trimmed();
    if (e.address.isEmpty()) {
        showMessage(tr("Enter the router's address to add it to the Managed list."), true);
        return;
    }
    // Set keeps the note and group of a router already in the list.
    if (const int i = book_->find(e.address, e.user); i >= 0) {
        e.note = book_->entries()[i].note;
        e.group = book_->entries()[i].group;
    }
    book_->save(e);
    tabs_->setCurrentIndex(0);
    showMessage(tr("%1 saved in the Managed list.").arg(e.address), false);
}

void LoginWindow::editManaged(int entryIndex)
{
    if (entryIndex < 0 || entryIndex >= book_->entries().size())
        return;
    const AddressBook::Entry original = book_->entries()[entryIndex];
    auto* dialog = new RouterEntryDialog(original, book_->groups(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    entryDialog_ = dialog;
    connect(dialog, &QDialog::accepted, this, [this, dialog, original] {
        const int i = book_->find(original.address, original.user);
        const AddressBook::Entry changed = dialog->entry();
        if (i < 0 || !book_->update(i, changed)) {
            showMessage(tr("Not saved: %1 with login %2 is in the Managed list already.")
                            .arg(changed.address, changed.user),
                        true);
            return;
        }
        // The kept password belonged to the old address or login.
        if (original.passwordInKeychain && !changed.passwordInKeychain)
            vault_->remove(original.keychainKey(), [](const QString&) {});
    });
    dialog->open();
}

void LoginWindow::removeManaged(int entryIndex)
{
    if (entryIndex < 0 || entryIndex >= book_->entries().size())
        return;
    const AddressBook::Entry e = book_->entries()[entryIndex];
    book_->remove(entryIndex);
    if (e.passwordInKeychain)
        vault_->remove(e.keychainKey(), [this](const QString& error) {
            if (!error.isEmpty())
                showMessage(tr("The router is removed, but its password could not be removed from the keychain: %1")
                                .arg(error),
                            true);
        });
}

void LoginWindow::openManaged(int entryIndex)
{
    if (entryIndex < 0 || entryIndex >= book_->entries().size())
        return;
    const AddressBook::Entry e = book_->entries()[entryIndex];
    address_->setEditText(e.address);
    user_->setText(e.user);
    remember_->setChecked(e.passwordInKeychain);
    if (!e.passwordInKeychain) {
        connectOrAskPassword();
        return;
    }
    showMessage(tr("Reading the password of %1 from the keychain…").arg(e.address), false);
    vault_->read(e.keychainKey(), [this, e](const QString& password, const QString& error) {
        if (!error.isEmpty()) {
            showMessage(tr("Could not read the kept password: %1").arg(error), true);
            password_->setFocus();
            return;
        }
        // The user may have picked another router meanwhile.
        if (address_->currentText().trimmed() != e.address || user_->text() != e.user)
            return;
        password_->setText(password);
        connectToRouter();
    });
}

void LoginWindow::openNeighbor(int row)
{
    if (row < 0 || row >= neighbors_->rowCount())
        return;
    const QString target = neighbors_->index(row, NeighborModel::Address).data(NeighborModel::ConnectRole).toString();
    if (target.isEmpty()) {
        showMessage(tr("%1 does not accept API connections over the network (its metarouterd runs without "
                       "a TLS listener).")
                        .arg(neighbors_->index(row, NeighborModel::Identity).data().toString()),
                    true);
        return;
    }
    address_->setEditText(target);
    connectOrAskPassword();
}

void LoginWindow::onStateChanged()
{
    using S = SessionController::State;
    const S s = session_->state();
    const bool idle = s == S::Disconnected || s == S::LoggedIn;
    connect_->setEnabled(idle);
    address_->setEnabled(idle);
    user_->setEnabled(idle);
    password_->setEnabled(idle);
    if (!idle)
        showMessage(session_->stateText(), false);
}

void LoginWindow::onFingerprintUnknown(const QString& hexFingerprint)
{
    // Asked, not exec()ed: the event loop (and the connection) keeps running.
    auto* box = new QMessageBox(QMessageBox::Question, tr("Unknown router"),
                                tr("This is the first connection to %1.\n\n"
                                   "Its certificate's SHA-256 fingerprint is\n%2\n\n"
                                   "Compare it with the router's (/system resource or the file "
                                   "'fingerprint' in its state directory). Trust this router?")
                                    .arg(session_->endpoint().text(), protocol::TlsPinning::display(hexFingerprint)),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setObjectName(QStringLiteral("fingerprintQuestion"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::No);
    connect(box, &QMessageBox::finished, this,
            [this, box] { session_->acceptFingerprint(box->result() == QMessageBox::Yes); });
    question_ = box;
    box->open();
}

void LoginWindow::onFailed(const QString& message)
{
    attemptPassword_.clear();
    QString text = message;
    if (message.contains(QLatin1String("CHANGED"))) {
        const QString endpoint = session_->endpoint().text();
        text = tr("Refused: the router's identity has changed — the certificate of %1 is not the one pinned.")
                   .arg(endpoint);
        const protocol::TlsPinning pins;
        const QString now = session_->client() ? session_->client()->peerFingerprint() : QString();
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Router certificate changed"),
                                    tr("<b>The certificate of %1 has changed.</b>").arg(endpoint.toHtmlEscaped()),
                                    QMessageBox::Ok, this);
        box->setInformativeText(
            tr("Someone may be intercepting the connection, or the router's key was regenerated. metabox did not "
               "connect.\n\nPinned:\n%1\n\nNow:\n%2\n\nIf the change is expected, remove the line of %3 from "
               "%4 and connect again.")
                .arg(twoLines(protocol::TlsPinning::display(pins.pinned(endpoint))),
                     twoLines(protocol::TlsPinning::display(now)), endpoint, pins.path()));
        box->setObjectName(QStringLiteral("fingerprintChanged"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    } else if (message.contains(QLatin1String("refused"), Qt::CaseInsensitive) &&
               message.contains(QLatin1String("cannot connect"))) {
        text = tr("Could not reach the router: nothing accepts connections at %1 (connection refused). Is "
                  "metarouterd running there and listening for the API?")
                   .arg(session_->endpoint().text());
    } else if (message.contains(QLatin1String("cannot connect"))) {
        text = tr("Could not reach the router: %1").arg(message);
    } else if (message.contains(QLatin1String("version"), Qt::CaseInsensitive)) {
        text = tr("Version mismatch: %1").arg(message);
    } else if (message.contains(QLatin1String("password"), Qt::CaseInsensitive) ||
               message.contains(QLatin1String("login"), Qt::CaseInsensitive)) {
        text = tr("Login failed: %1").arg(message);
    }
    showMessage(text, true);
    onStateChanged();
    password_->setFocus();
}

void LoginWindow::onLoggedIn()
{
    remember();
    const QString password = attemptPassword_;
    attemptPassword_.clear();
    password_->clear();
    showMessage({}, false);

    const QString address = address_->currentText().trimmed();
    const QString user = user_->text();
    int i = book_->find(address, user);
    if (!remember_->isChecked()) {
        // Unticked: a password kept earlier is forgotten.
        if (i >= 0 && book_->entries()[i].passwordInKeychain) {
            const QString key = book_->entries()[i].keychainKey();
            book_->setPasswordInKeychain(i, false);
            vault_->remove(key, [this](const QString& error) {
                if (!error.isEmpty())
                    showMessage(tr("Could not remove the kept password from the keychain: %1").arg(error), true);
            });
        }
        return;
    }
    // Keeping a password needs the router in the Managed list.
    if (i < 0) {
        AddressBook::Entry e;
        e.address = address;
        e.user = user;
        i = book_->save(e);
    }
    const QString key = book_->entries()[i].keychainKey();
    vault_->write(key, password, [this, address, user](const QString& error) {
        const int j = book_->find(address, user);
        if (error.isEmpty()) {
            book_->setPasswordInKeychain(j, true);
            showMessage(tr("The password for %1 on %2 is kept in the keychain.").arg(user, address), false);
            return;
        }
        book_->setPasswordInKeychain(j, false);
        remember_->setChecked(false);
        const QString text = tr("The password was not kept: %1").arg(error);
        showMessage(text, true);
        // The login window is hidden by now: say it where the user looks.
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Password not kept"), text, QMessageBox::Ok,
                                    isVisible() ? this : nullptr);
        box->setObjectName(QStringLiteral("keychainWarning"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
}

void LoginWindow::remember()
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("login/recent")).toStringList();
    const QString text = address_->currentText().trimmed();
    recent.removeAll(text);
    recent.prepend(text);
    while (recent.size() > kRecentRouters)
        recent.removeLast();
    settings.setValue(QStringLiteral("login/recent"), recent);
    settings.setValue(QStringLiteral("login/user"), user_->text());
}

void LoginWindow::showMessage(const QString& text, bool error)
{
    message_->setText(text);
    message_->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

}  // namespace mr::ui
