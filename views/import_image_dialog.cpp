#include "import_image_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QRegularExpression>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "api_client.h"
#include "error.h"
#include "file_upload.h"
#include "icons.h"

namespace mr::ui {

ImportImageDialog::ImportImageDialog(protocol::ApiClient* client, QWidget* parent) : QDialog(parent), client_(client)
{
    setObjectName(QStringLiteral("importImageDialog"));
    setWindowTitle(tr("Import Image"));
    setWindowIcon(icon(QStringLiteral("import")));
    setMinimumWidth(460);

    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("A .tgz with a kernel and an initrd (and a manifest), or a raw or qcow2 disk. "
                                "It is uploaded to the router's Files, imported, and a new metarouter boots it."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* form = new QFormLayout;
    auto* fileRow = new QHBoxLayout;
    file_ = new QLineEdit(this);
    file_->setObjectName(QStringLiteral("file"));
    file_->setPlaceholderText(tr("Local image file"));
    browse_ = new QToolButton(this);
    browse_->setText(tr("Browse…"));
    fileRow->addWidget(file_, 1);
    fileRow->addWidget(browse_);
    form->addRow(tr("File:"), fileRow);
    remoteName_ = new QLineEdit(this);
    remoteName_->setObjectName(QStringLiteral("remoteName"));
    remoteName_->setToolTip(tr("The name in the router's Files; it must not exist there yet"));
    form->addRow(tr("Name on router:"), remoteName_);
    memory_ = new QSpinBox(this);
    memory_->setObjectName(QStringLiteral("memory"));
    memory_->setRange(0, 1024 * 1024);
    memory_->setSpecialValueText(tr("image's default"));
    memory_->setSuffix(tr(" MiB"));
    memory_->setSingleStep(16);
    form->addRow(tr("Memory Size:"), memory_);
    start_ = new QCheckBox(tr("Start the new metarouter"), this);
    start_->setObjectName(QStringLiteral("start"));
    start_->setChecked(true);
    form->addRow(QString(), start_);
    layout->addLayout(form);

    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("progress"));
    progress_->setRange(0, 100);
    progress_->setValue(0);
    layout->addWidget(progress_);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("status"));
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);

    buttons_ = new QDialogButtonBox(this);
    import_ = buttons_->addButton(tr("Import"), QDialogButtonBox::AcceptRole);
    import_->setObjectName(QStringLiteral("import"));
    import_->setIcon(icon(QStringLiteral("import")));
    import_->setDefault(true);
    cancel_ = buttons_->addButton(QDialogButtonBox::Cancel);
    cancel_->setObjectName(QStringLiteral("cancel"));
    layout->addWidget(buttons_);

    connect(browse_, &QToolButton::clicked, this, &ImportImageDialog::browse);
    connect(file_, &QLineEdit::textChanged, this, [this](const QString& text) {
        if (!remoteNameEdited_)
            remoteName_->setText(QFileInfo(text).fileName());
        updateButtons();
    });
    connect(remoteName_, &QLineEdit::textEdited, this, [this] { remoteNameEdited_ = true; });
    connect(remoteName_, &QLineEdit::textChanged, this, &ImportImageDialog::updateButtons);
    connect(import_, &QPushButton::clicked, this, &ImportImageDialog::startImport);
    connect(cancel_, &QPushButton::clicked, this, &ImportImageDialog::cancel);
    setPhase(Phase::Choosing, tr("Choose an image file."));
}

QString ImportImageDialog::statusText() const
{
    return status_->text();
}

void ImportImageDialog::browse()
{
    const QString f = QFileDialog::getOpenFileName(this, tr("Image to import"), file_->text(),
                                                   tr("Images (*.tgz *.tar.gz *.img *.raw *.qcow2);;All files (*)"));
    if (!f.isEmpty())
        file_->setText(f);
}

void ImportImageDialog::updateButtons()
{
    const bool idle = phase_ == Phase::Choosing || phase_ == Phase::Failed;
    import_->setEnabled(idle && !file_->text().isEmpty() && !remoteName_->text().trimmed().isEmpty());
    file_->setEnabled(idle);
    browse_->setEnabled(idle);
    remoteName_->setEnabled(idle);
    memory_->setEnabled(idle);
    start_->setEnabled(idle);
    // The import itself runs on in the daemon; only the upload can be cancelled.
    cancel_->setText(phase_ == Phase::Uploading ? tr("Cancel") : tr("Close"));
}

void ImportImageDialog::setPhase(Phase phase, const QString& text)
{
    phase_ = phase;
    status_->setText(text);
    status_->setStyleSheet(phase == Phase::Failed ? QStringLiteral("color: #c0392b;") : QString());
    updateButtons();
}

void ImportImageDialog::startImport()
{
    if (phase_ != Phase::Choosing && phase_ != Phase::Failed)
        return;
    const QString local = file_->text().trimmed();
    if (!QFileInfo(local).isFile())
        return setPhase(Phase::Failed, tr("%1 is not a readable file.").arg(local));
    if (!client_)
        return setPhase(Phase::Failed, tr("Not connected."));
    result_.clear();
    progress_->setRange(0, 100);
    progress_->setValue(0);
    progress_->setFormat(tr("Uploading %p%"));
    auto* upload = new protocol::FileUpload(client_, local, remoteName_->text().trimmed(), this);
    upload_ = upload;
    connect(upload, &protocol::FileUpload::progress, this, [this](qint64 sent, qint64 size) {
        progress_->setValue(size > 0 ? int(sent * 100 / size) : 100);
        status_->setText(tr("Uploading: %1 of %2 KiB").arg(sent / 1024).arg(size / 1024));
    });
    connect(upload, &protocol::FileUpload::finished, this, [this, upload](bool ok, const QString& text) {
        upload->deleteLater();
        if (!ok) {
            progress_->setFormat(tr("Upload failed"));
            setPhase(Phase::Failed, tr("Upload failed: %1").arg(text));
            emit message(status_->text());
            return;
        }
        runImport();
    });
    setPhase(Phase::Uploading, tr("Uploading %1…").arg(remoteName_->text().trimmed()));
    upload->start();
}

void ImportImageDialog::runImport()
{
    if (!client_)
        return setPhase(Phase::Failed, tr("Not connected."));
    progress_->setValue(0);
    progress_->setFormat(tr("Importing %p%"));
    setPhase(Phase::Importing, tr("Uploaded. Importing %1…").arg(remoteName_->text().trimmed()));
    wire::Request req;
    auto* cmd = req.mutable_command();
    cmd->set_menu("/metarouter");
    cmd->set_command("import-image");
    (*cmd->mutable_arguments())["file-name"] = remoteName_->text().trimmed().toStdString();
    if (memory_->value() > 0)
        (*cmd->mutable_arguments())["memory-size"] = std::to_string(memory_->value());
    (*cmd->mutable_arguments())["enabled"] = start_->isChecked() ? "yes" : "no";
    QPointer<ImportImageDialog> self = this;
    client_->request(req, [self](const wire::Reply& r) {
        if (!self)
            return;
        if (r.error().code() != wire::ERROR_NONE) {
            self->result_ = QString::fromStdString(Error::fromWire(r.error()).text());
            self->progress_->setFormat(tr("Import failed"));
            self->setPhase(Phase::Failed, tr("Import failed: %1").arg(self->result_));
            emit self->message(self->status_->text());
            return;
        }
        const QString out = QString::fromStdString(r.output()).trimmed();
        // "imported: 42%" lines while it runs; the last line of the final
        // reply says which metarouter boots it.
        static const QRegularExpression percent(QStringLiteral("imported: (\\d+)%"));
        const auto m = percent.match(out);
        if (m.hasMatch())
            self->progress_->setValue(m.captured(1).toInt());
        if (r.in_progress()) {
            self->status_->setText(tr("Importing: %1").arg(out));
            return;
        }
        self->progress_->setValue(100);
        self->progress_->setFormat(tr("Imported"));
        self->result_ = out;
        self->setPhase(Phase::Done, out.section(QLatin1Char('\n'), -1));
        emit self->message(self->status_->text());
    });
}

void ImportImageDialog::cancel()
{
    if (phase_ == Phase::Uploading && upload_) {
        upload_->cancel();  // finished(false, "cancelled") sets Failed
        return;
    }
    reject();
}

}  // namespace mr::ui
